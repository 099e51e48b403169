"""Each console command names the right conclusion or answer: `how N`, `why`, `retract N`, `change N`, `trace`.

Every run types the README's piped consultation (eyelid twitching that keeps coming back, no
warning signs, a normal magnesium test, coffee and poor sleep), with commands in between. The
README shows which number each conclusion gets ([1] the magnesium blood test, [2] magnesium
deficiency may explain it, ... [10] excessive caffeine); the texts expected here are the README's
and the documents' own, written out by hand, so a command that shows its neighbour fails.
Output is compared with its line breaks made single spaces: wrapping is tested elsewhere.
"""

import re

import pytest
from console_stories import run_expert

README_STORY = [
    "eyelids", "keeps coming back", "no", "no", "no", "no", "none", "none", "magnesium normal",
    "coffee, poor sleep", "none",
]
# The conclusions of the README's transcript, by number, in the short form it prints them.
README_CONCLUSIONS = {
    1: "Ask a doctor about a blood test of your magnesium.",
    2: "Magnesium deficiency may explain your twitching.",
    3: "Twitching of the eyelids fits magnesium deficiency.",
    4: "Magnesium deficiency is possible.",
    5: "Magnesium acts as a natural calcium blocker that lets muscles relax after contracting.",
    6: "Muscle twitching comes from abnormal electrical signaling in the nerves.",
    7: "Persistent twitching, as yours is, should always be evaluated by a healthcare professional, "
       "whose advice is needed to diagnose and treat it.",
    8: "Your magnesium result is not low, which speaks against magnesium deficiency although some of "
       "your answers fit it.",
    9: "Poor sleep may explain your twitching.",
    10: "Excessive caffeine may explain your twitching.",
}
MINERALS = "(Magnesium Deficiency and Muscle Twitching)"
VITAMINS = "(How Vitamin Deficiencies Cause Muscle Twitching)"
BLOOD_TEST = "“If a deficiency is suspected, a doctor can confirm with a blood test.”"
HALLMARK = "“While muscle twitching is a hallmark sign, magnesium deficiency can present with several other symptoms, including:”"
SIDE_EFFECT = ("“In some cases, twitching may be a side effect of medication or a symptom of a more serious "
               "underlying medical condition, such as certain neuromuscular disorders.”")
EVALUATED = "“For this reason, persistent or severe twitching should always be evaluated by a healthcare professional.”"


def flat(text: str) -> str:
    return " ".join(text.split())


def after(out: str, typed: str, nth: int = 1) -> str:
    """What the console printed after the nth time this line was typed, up to the next prompt or question."""
    block = out.split(f"> {typed}\n")[nth]
    return re.split(r"\n> |\n\nQ\d+\. |\nQ\d+\. ", block, maxsplit=1)[0]


@pytest.fixture(scope="module")
def how_run() -> str:
    lines = (["eyelids", "how 1", "how 3", "how 6", "how 7", "trace", "why"] + README_STORY[1:]
             + ["how 10", "how 7", "how 1", "how caffeine", "trace", "why", "quit"])
    result = run_expert(lines, extra_env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    return result.stdout


class TestHow:
    def test_how_1_is_the_blood_test_down_to_the_eyelids(self, how_run):
        assert flat(after(how_run, "how 1")) == (
            "How [1] was reached: Ask a doctor about a blood test of your magnesium: a doctor can confirm a "
            f"suspected deficiency with one. {BLOOD_TEST} {VITAMINS} "
            "- because magnesium deficiency is possible: it is suspected, not known, and a doctor can confirm "
            f"it with a blood test. {BLOOD_TEST} {VITAMINS} "
            "- because twitching of the eyelids fits magnesium deficiency: twitching is its hallmark sign, and "
            "the eyelids are where the minerals document says it commonly shows, for no other deficiency. "
            f"{HALLMARK} {MINERALS} - because you said: twitching (eyelids)"
        )

    def test_how_3_is_the_eyelid_sign_of_magnesium(self, how_run):
        assert flat(after(how_run, "how 3")) == (
            "How [3] was reached: Twitching of the eyelids fits magnesium deficiency: twitching is its hallmark "
            "sign, and the eyelids are where the minerals document says it commonly shows, for no other "
            f"deficiency. {HALLMARK} {MINERALS} "
            "“| Common Twitching Location | Eyelids and legs. | Face, arms, and legs. | Legs, arms, and feet. |” "
            f"{MINERALS} - because you said: twitching (eyelids)"
        )

    def test_how_6_the_last_so_far_is_the_background(self, how_run):
        shown = flat(after(how_run, "how 6"))
        assert shown.startswith(
            "How [6] was reached: Muscle twitching comes from abnormal electrical signaling in the nerves. "
            "Deficiencies (magnesium, calcium, potassium, vitamin D, B vitamins), an excess (vitamin B6, "
            "magnesium) and lifestyle factors can all lead to involuntary twitches, cramps and spasms: what "
            "else you tell decides which fit. “Muscle twitching, or fasciculations, occurs due to abnormal "
            "electrical signaling in the nerves that control muscles.” " + VITAMINS
        )
        assert shown.endswith("- because you said: twitching (eyelids)")

    def test_how_of_a_number_not_yet_given_says_so(self, how_run):
        assert flat(after(how_run, "how 7")) == (
            "Conclusion [7] does not exist; conclusions are numbered in brackets as they appear."
        )

    def test_how_7_once_given_is_the_persistent_twitching(self, how_run):
        assert flat(after(how_run, "how 7", nth=2)) == (
            f"How [7] was reached: {README_CONCLUSIONS[7]} The reason the minerals document gives: in some "
            "cases twitching may be a side effect of medication or a symptom of a more serious underlying "
            f"condition, such as certain neuromuscular disorders. {EVALUATED} {MINERALS} "
            "“Professional medical advice is necessary for diagnosis and treatment of persistent twitching.” "
            f"{VITAMINS} {SIDE_EFFECT} {MINERALS} - because you said: twitching (eyelids), persistent"
        )

    def test_how_10_the_last_is_the_caffeine_and_how_caffeine_is_the_same(self, how_run):
        shown = flat(after(how_run, "how 10"))
        assert shown.startswith("How [10] was reached: Excessive caffeine may explain your twitching: ")
        assert "“Other factors like stress, caffeine, and dehydration can also cause twitching.”" in shown
        assert shown.endswith("- because you said: twitching (eyelids), persistent - because you said: excessive caffeine")
        assert flat(after(how_run, "how caffeine")) == shown

    def test_how_of_a_withdrawn_conclusion_says_it_was_withdrawn(self, how_run):
        assert flat(after(how_run, "how 1", nth=2)) == "Conclusion [1] was withdrawn."


def trace_entries(block: str) -> list[tuple[int, int, str, str]]:
    """(firing, conclusion number, rule, text) for each line of `trace`."""
    text = flat(block)
    assert text.startswith("Rules fired so far, in order (with the conclusion each gave): ")
    found = re.findall(r"(\d+)\. \[(\d+)\] ([a-z0-9_.]+): (.*?) on: .*?(?= \d+\. \[|$)", text)
    return [(int(n), int(c), rule, body) for n, c, rule, body in found]


class TestTrace:
    def test_after_the_first_answer_each_rule_fired_names_its_conclusion_by_the_readme_number(self, how_run):
        entries = trace_entries(after(how_run, "trace"))
        assert [n for n, _, _, _ in entries] == list(range(1, 7))
        assert sorted(c for _, c, _, _ in entries) == [1, 2, 3, 4, 5, 6]
        for _, number, rule, body in entries:
            assert body.startswith(README_CONCLUSIONS[number].rstrip(".")), (number, rule, body)
        # The chain in the order it fired: the sign, the suspicion, then the blood test it advises.
        order = [c for _, c, _, _ in entries]
        assert order.index(3) < order.index(4) < order.index(1)

    def test_at_the_end_the_withdrawn_conclusions_are_gone_from_the_trace(self, how_run):
        entries = trace_entries(after(how_run, "trace", nth=2))
        assert [n for n, _, _, _ in entries] == list(range(1, len(entries) + 1))
        assert {c for _, c, _, _ in entries} == {3, 6, 7, 8, 9, 10}
        for _, number, rule, body in entries:
            assert body.startswith(README_CONCLUSIONS[number].rstrip(".")), (number, rule, body)


class TestWhy:
    def test_why_at_the_second_question_names_the_two_referrals_it_could_reach(self, how_run):
        assert flat(after(how_run, "why")) == (
            "Your answer could change these conclusions (2 rules): "
            f"- could conclude: Persistent twitching should be evaluated by a healthcare professional {EVALUATED} "
            f"- could conclude: Severe twitching should be evaluated by a healthcare professional {EVALUATED}"
        )

    def test_why_with_no_question_waiting_says_so(self, how_run):
        assert flat(after(how_run, "why", nth=2)) == (
            "No question is waiting, so there is nothing to explain; 'how N' explains a conclusion."
        )

    def test_why_at_the_habits_question_names_the_other_causes_the_documents_list(self):
        out = run_expert(README_STORY[:9] + ["why", "quit"], extra_env={"COLUMNS": "80"}).stdout
        titles = re.findall(r"- could conclude: (.*?) “", flat(after(out, "why")))
        # "lifestyle choices like excessive caffeine or alcohol consumption, stress, and poor sleep.
        # Dehydration ... Intense exercise can cause muscle fatigue and lead to twitching post-workout."
        assert titles[:6] == [
            "Excessive caffeine can cause twitching",
            "Excessive alcohol can cause twitching",
            "Stress can cause twitching",
            "Poor sleep can cause twitching",
            "Dehydration can cause twitching",
            "Intense exercise can cause twitching after a workout",
        ]


@pytest.fixture(scope="module")
def retract_run() -> str:
    lines = README_STORY + ["facts", "retract 12", "retract 11", "retract 2", "retract 1", "quit"]
    result = run_expert(lines, extra_env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    return result.stdout


class TestRetract:
    def test_facts_numbers_the_answers_in_the_order_given(self, retract_run):
        assert after(retract_run, "facts").splitlines() == [
            "Your answers (change N or retract N to take one back):",
            "   1. muscle symptoms: twitching (eyelids)",
            "   2. twitching: comes back or severe: persistent",
            "   3. seizures: no",
            "   4. difficulty breathing: no",
            "   5. tetany: no",
            "   6. irregular heartbeat: no",
            "   7. other symptoms: none",
            "   8. supplements taken: none",
            "   9. blood tests: magnesium",
            "  10. magnesium blood test: result: normal",
            "  11. habits and diet: excessive caffeine, poor sleep",
            "  12. medication and conditions: none",
        ]

    def test_retract_the_last_answer_withdraws_nothing(self, retract_run):
        assert flat(after(retract_run, "retract 12")) == (
            "Taken back: medication and conditions (it is now 'don't know'). No conclusion rested on it."
        )

    def test_retract_the_habits_withdraws_poor_sleep_and_caffeine(self, retract_run):
        assert flat(after(retract_run, "retract 11")) == (
            "Taken back: habits and diet (it is now 'don't know'). "
            f"Withdrawn, as it no longer follows from your answers: [9] {README_CONCLUSIONS[9]} [10] {README_CONCLUSIONS[10]}"
        )

    def test_retract_2_withdraws_the_referral_for_persistent_twitching(self, retract_run):
        assert flat(after(retract_run, "retract 2")) == (
            "Taken back: twitching: comes back or severe (it is now 'don't know'). "
            f"Withdrawn, as it no longer follows from your answers: [7] {README_CONCLUSIONS[7]}"
        )

    def test_retract_1_withdraws_what_rested_on_the_twitching(self, retract_run):
        shown = flat(after(retract_run, "retract 1"))
        assert shown.startswith("Taken back: muscle symptoms (it is now 'don't know'). Withdrawn, as it no longer follows from your answers: ")
        withdrawn = dict(re.findall(r"\[(\d+)\] (.*?)(?= \[\d+\] |$)", shown.split("answers: ", 1)[1]))
        assert withdrawn == {"3": README_CONCLUSIONS[3], "8": README_CONCLUSIONS[8], "6": README_CONCLUSIONS[6]}


@pytest.fixture(scope="module")
def change_run() -> str:
    lines = README_STORY + ["change 12", "2", "change 7", "numbness", "change 1", "legs", "quit"]
    result = run_expert(lines, extra_env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    return result.stdout


class TestChange:
    def test_change_the_last_answer_asks_its_question_again(self, change_run):
        assert flat(after(change_run, "change 12")) == "Answer it again: Do any of these apply to your health?"
        assert flat(after(change_run, "2")).startswith(
            "A neuromuscular disorder (you report it): [11] Your twitching may be a symptom of the "
            "neuromuscular disorder you have, a more serious underlying condition. " + MINERALS
        )

    def test_change_7_asks_the_other_symptoms_again(self, change_run):
        assert flat(after(change_run, "change 7")) == "Answer it again: Have you also noticed any of these?"
        shown = flat(after(change_run, "numbness"))
        # Numbness is listed for magnesium (vitamins document), calcium and potassium (minerals document).
        assert "[12] Numbness is listed among the symptoms of magnesium" in shown

    def test_change_1_asks_the_complaint_again_and_withdraws_the_eyelid_sign(self, change_run):
        shown = flat(after(change_run, "change 1"))
        assert shown.endswith("Answer it again: Which of these do you have?")
        assert f"[3] {README_CONCLUSIONS[3]}" in shown.split("Answer it again")[0]
        assert "Twitching in the legs is listed as common in magnesium, calcium and potassium deficiency alike" in flat(
            after(change_run, "legs")
        )


def test_the_irregular_heartbeat_red_flag_is_shown_as_a_whole_sentence():
    out = run_expert(["eyelids", "none", "no", "no", "no", "yes", "quit"], extra_env={"COLUMNS": "80"}).stdout
    shown = flat(after(out, "yes"))
    assert shown.startswith("RED FLAG: !![")
    first = shown.split("] ", 1)[1].split(" (Magnesium Deficiency")[0]
    assert first.count("(") == first.count(")"), f"an unclosed bracket in the short form: {first!r}"


def test_change_without_a_number_takes_the_answer_given_last_not_the_highest_numbered():
    # Answer 2 ("keeps coming back") is changed to "severe"; it is then the answer given last,
    # though 11 ("none" to the health questions) has the highest number.
    lines = README_STORY + ["change 2", "severe", "change", "keeps coming back", "quit"]
    out = run_expert(lines, extra_env={"COLUMNS": "80"}).stdout
    shown = flat(after(out, "change"))
    assert shown.endswith("Answer it again: Does the twitching keep coming back, or is it severe?")
    # The "severe" answer is what is taken back, so what it alone brought is withdrawn.
    assert "Withdrawn" in shown and "Severe twitching should always be evaluated" in shown
