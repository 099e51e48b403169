"""The real console with its input piped: whole consultations for the documents' main stories."""

import json
import re

import pytest
from console_stories import (
    B6_HIGH_DOSE,
    EYELID_COFFEE_SLEEP,
    LOW_VITAMIN_D,
    SEIZURES,
    TINGLING_MOUTH_FACIAL,
    run_expert,
    script,
)

from expert.interview import JOURNAL_HEADER, journal_line
from expert.questions import question

ANSI = re.compile(r"\x1b\[")


def printed_quote(conclusion, out: str) -> bool:
    """Whether one of a conclusion's sentences is printed in quotes, followed by its document's title."""
    for source in conclusion.sources:
        start = "“" + " ".join(source.quote.strip().split()[:2])
        at = out.find(start)
        if at >= 0 and f"({source.title})" in out[at: at + len(source.quote) + 400]:
            return True
    return False


@pytest.mark.parametrize("story", [EYELID_COFFEE_SLEEP, B6_HIGH_DOSE, LOW_VITAMIN_D, TINGLING_MOUTH_FACIAL, SEIZURES],
                         ids=["eyelid-coffee-sleep", "b6-200mg-a-year", "low-vitamin-d", "tingling-mouth-facial", "seizures"])
def test_a_whole_consultation_prints_each_conclusion_with_its_sentence_and_ends_with_a_summary(story):
    lines, interview = script(story)
    result = run_expert(lines)
    out = result.stdout
    assert result.returncode == 0 and "Traceback" not in result.stderr
    opening = " ".join(out.split("\n\n")[0].split())
    assert "Magnesium Deficiency and Muscle Twitching" in opening and "How Vitamin Deficiencies" in opening
    assert "not a diagnosis" in opening
    report = interview.report()
    assert report.conclusions
    for c in report.conclusions:
        start = c.text.split()[0] + " " + c.text.split()[1]
        assert start in out, c.rule
        assert printed_quote(c, out), c.rule
    assert "Nothing more I could ask would change the conclusions." in out
    summary = out[out.index("SUMMARY"):]
    assert "Disclaimer:" in summary and "Possible causes" in summary
    assert not ANSI.search(out), "no colour when piped"


def test_the_b6_story_says_which_supplement_to_stop_in_the_summary():
    lines, _ = script(B6_HIGH_DOSE)
    out = run_expert(lines).stdout
    summary = out[out.index("SUMMARY"):]
    todo = summary[summary.index("What to do"):summary.index("Possible causes")]
    assert "Reduce or stop the vitamin B6 supplement" in " ".join(todo.split())


def test_a_red_flag_is_printed_first_and_marked_with_urgent_advice():
    lines, interview = script(SEIZURES)
    out = run_expert(lines).stdout
    after = out.split("Have you had a seizure")[1].split("> yes\n", 1)[1]
    block = after.split("\nQ")[0]
    first = block.strip().splitlines()[0]
    assert first.startswith("!! [") and "RED FLAG" in first
    assert "Our advice, not the documents': Get medical help now." in " ".join(block.split())
    summary = out[out.index("SUMMARY"):]
    assert summary.splitlines()[1] == "Red flags"
    assert summary.splitlines()[2].startswith("  !! [")


def test_why_and_how_explain_a_question_and_a_conclusion():
    lines, interview = script(EYELID_COFFEE_SLEEP, stop_at="lifestyle:poor_sleep")
    caffeine = next(c for c in interview.report().conclusions if "caffeine" in json.dumps([r.fact for r in c.because]))
    out = run_expert(lines + ["why", "how caffeine", "quit"]).stdout
    why = out.split("> why\n")[1].split("\nQ")[0]
    assert "could conclude" in why and "“" in why
    how = out.split("> how caffeine\n")[1]
    assert how.startswith("How [") and "because you said: excessive caffeine" in how
    assert printed_quote(caffeine, how)


def test_how_by_number_goes_down_the_chain_to_the_answers():
    lines, _ = script(LOW_VITAMIN_D)
    out = run_expert(lines + ["how 2", "how 999", "quit"]).stdout
    how = out.split("> how 2\n")[1].split("> how 999")[0]
    assert "because you said:" in how
    assert "does not exist" in out.split("> how 999\n")[1]


def test_retracting_an_answer_withdraws_the_conclusions_that_rested_on_it():
    lines, interview = script(EYELID_COFFEE_SLEEP, stop_at="lifestyle:excessive_alcohol")
    caffeine_answer = [q.id for q, _ in interview.answered()].index("lifestyle:excessive_caffeine") + 1
    out = run_expert(lines + [f"retract {caffeine_answer}", "facts", "quit"]).stdout
    withdrawn = out.split(f"> retract {caffeine_answer}\n")[1].split("\nQ")[0]
    assert "Withdrawn" in withdrawn and "affeine" in withdrawn
    facts = out.split("> facts\n")[1]
    assert "excessive caffeine: don't know" in facts


def test_change_asks_the_last_question_again():
    lines, _ = script(EYELID_COFFEE_SLEEP, stop_at="lifestyle:excessive_alcohol")
    out = run_expert(lines + ["change", "no", "quit"]).stdout
    again = out.split("> change\n")[1]
    assert "Answer it again" in again and "Withdrawn" in again


def test_saved_answers_give_expert_consult_the_same_conclusions_and_resume_continues(tmp_path):
    lines, interview = script(TINGLING_MOUTH_FACIAL)
    case = tmp_path / "case.json"
    out = run_expert(lines + [f"save {case}", "quit"]).stdout
    assert "Saved" in out and case.exists()
    consult = run_expert([], "consult", str(case), "--format", "json")
    consulted = sorted(c["text"] for c in json.loads(consult.stdout)["conclusions"])
    assert consulted == sorted(c.text for c in interview.report().conclusions)
    resumed = run_expert(["summary", "quit"], "--resume", str(case))
    assert resumed.returncode == 0 and "Continuing from" in resumed.stdout
    for text in consulted:
        assert text.split()[0] + " " + text.split()[1] in resumed.stdout


def test_load_continues_from_a_case_file_at_any_prompt(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"facts": [{"kind": "symptom", "name": "seizures"}]}), encoding="utf-8")
    out = run_expert([f"load {case}", "quit"]).stdout
    assert "Loaded" in out and "!! [" in out


def test_a_journal_keeps_every_answer_and_can_be_resumed(tmp_path):
    journal = tmp_path / "answers.jsonl"
    lines, interview = script(B6_HIGH_DOSE)
    half = lines[: len(lines) // 2]
    first = run_expert(half, "--journal", str(journal))  # input ends: like a closed terminal
    assert first.returncode == 0 and f"expert --resume {journal} --journal {journal}" in first.stdout
    kept = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    assert len(kept) == 1 + len(half)
    rest = run_expert(lines[len(half):], "--resume", str(journal), "--journal", str(journal))
    assert rest.returncode == 0 and "SUMMARY" in rest.stdout
    replayed = run_expert(["facts", "quit"], "--resume", str(journal))
    for fact in interview.facts():
        assert fact.describe().split(",")[0] in replayed.stdout
    refused = run_expert([], "--journal", str(journal))
    assert refused.returncode == 2 and "already holds a consultation" in refused.stderr


BAD_YES_NO = ["", "   ", "blah", "🙂🙂", "y" * 10_000, "\x1b[31mred", "yes yes no"]
BAD_DOSES = ["200", "200 ml", "-5 mg", "0 mg", "nan mg", "inf mg", "1e999 mg", "99999999 g", "5000 IU", "💊 mg", "x" * 3000]
BAD_MONTHS = ["-1", "nan", "5000", "3 fortnights", "", "１２ months of ∞"]


def test_every_kind_of_bad_answer_gets_a_reason_and_the_same_question_again():
    lines, _ = script(B6_HIGH_DOSE, stop_at="supplement:vitamin_b6/daily_dose")
    typed = BAD_YES_NO + lines[:1]  # the first question is the complaint
    typed += lines[1:] + BAD_DOSES + ["200 mg"] + BAD_MONTHS + ["12", "quit"]
    result = run_expert(typed)
    out = result.stdout
    assert result.returncode == 0 and "Traceback" not in result.stderr + out
    assert out.count("Sorry: ") == len(BAD_YES_NO) + len(BAD_DOSES) + len(BAD_MONTHS)
    for line in out.splitlines():
        if line.startswith("Sorry: "):
            assert len(line) < 200
    complaint = question("symptom:twitching").text.split(":")[0]
    assert out.count(complaint) == len(BAD_YES_NO) + 1
    dose = question("supplement:vitamin_b6/daily_dose").text.split("?")[0]
    assert out.count(dose) == len(BAD_DOSES) + 1


def test_end_of_input_ends_cleanly_and_says_how_to_keep_the_answers():
    result = run_expert(["yes"])
    assert result.returncode == 0
    assert "not saved" in result.stdout and "save FILE" in result.stdout


def test_nothing_is_written_unless_asked(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    lines, _ = script(EYELID_COFFEE_SLEEP)
    result = run_expert(lines + ["quit"], cwd=tmp_path, extra_env={"HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"})
    assert result.returncode == 0
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["home"]


def test_unreadable_resume_file_is_a_one_line_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = run_expert([], "--resume", str(bad))
    assert result.returncode == 2 and result.stderr.startswith("expert: ") and "Traceback" not in result.stderr


def test_a_case_file_is_never_used_as_a_journal(tmp_path):
    """Journal lines appended to a case file would leave it readable by neither consult nor --resume."""
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"facts": [{"kind": "symptom", "name": "twitching"}]}), encoding="utf-8")
    before = case.read_bytes()
    result = run_expert(["eyelids", "quit"], "--resume", str(case), "--journal", str(case))
    assert result.returncode == 2 and "not a journal" in result.stderr
    assert case.read_bytes() == before


def test_a_journal_cut_short_by_a_crash_can_be_continued_and_resumed_again(tmp_path):
    journal = tmp_path / "answers.jsonl"
    lines, interview = script(EYELID_COFFEE_SLEEP)
    run_expert(lines[:2], "--journal", str(journal))
    with journal.open("a", encoding="utf-8") as handle:
        handle.write('{"question": "symptom:twi')  # the crash
    rest = run_expert(lines[2:], "--resume", str(journal), "--journal", str(journal))
    assert rest.returncode == 0 and "SUMMARY" in rest.stdout
    again = run_expert(["facts", "quit"], "--resume", str(journal))
    assert again.returncode == 0, again.stderr
    assert "excessive caffeine: yes" in again.stdout and "poor sleep: yes" in again.stdout


def test_save_does_not_overwrite_the_journal(tmp_path):
    """A case file saved over the journal would take the next journal lines and become unreadable."""
    journal = tmp_path / "answers.jsonl"
    result = run_expert(["yes", f"save {journal}", "eyelids", "quit"], "--journal", str(journal))
    assert "is your journal" in result.stdout
    again = run_expert(["facts", "quit"], "--resume", str(journal))
    assert again.returncode == 0 and "twitching, where: eyelids" in again.stdout


def test_a_red_flag_comes_before_the_conclusions_a_load_withdraws(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"facts": [{"kind": "symptom", "name": "seizures"}]}), encoding="utf-8")
    out = run_expert(["yes", "eyelids", f"load {case}", "quit"]).stdout
    loaded = out.split(f"> load {case}\n")[1]
    assert "Withdrawn" in loaded and "!! [" in loaded
    assert loaded.index("!! [") < loaded.index("Withdrawn")


def test_loading_a_journal_says_which_conclusions_it_withdraws(tmp_path):
    journal = tmp_path / "answers.jsonl"
    events = [JOURNAL_HEADER, {"question": "symptom:twitching", "answer": False}, {"question": "symptom:seizures", "answer": True}]
    journal.write_text("".join(journal_line(e) for e in events), encoding="utf-8")
    out = run_expert(["yes", "eyelids", f"load {journal}", "quit"]).stdout
    loaded = out.split(f"> load {journal}\n")[1]
    assert "Withdrawn" in loaded and "agnesium" in loaded.split("Withdrawn")[1]


def test_a_load_drops_the_question_being_answered_again(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"facts": [{"kind": "symptom", "name": "twitching", "location": "legs"}]}), encoding="utf-8")
    out = run_expert(["yes", "eyelids", "change", f"load {case}", "quit"]).stdout
    after = out.split(f"> load {case}\n")[1]
    assert "Where do you notice the twitching" not in after


def test_save_and_load_understand_a_home_directory_tilde(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    out = run_expert(["yes", "save ~/case.json", "load ~/case.json", "quit"], extra_env={"HOME": str(home)}).stdout
    assert (home / "case.json").exists() and f"Loaded {home / 'case.json'}" in out


def test_an_empty_answer_mentions_help_once_and_one_answer_is_counted_as_one(tmp_path):
    case = tmp_path / "case.json"
    out = run_expert(["", "yes", f"save {case}", "quit"]).stdout
    sorry = next(line for line in out.splitlines() if line.startswith("Sorry: "))
    assert sorry.count("help") == 1
    resumed = run_expert(["quit"], "--resume", str(case)).stdout
    assert "1 answer so far" in resumed


def test_an_answer_that_rules_a_conclusion_out_withdraws_it_without_claiming_an_answer_was_taken_back():
    lines, _ = script(EYELID_COFFEE_SLEEP, stop_at="nutrient_level:magnesium")
    out = run_expert(lines + ["normal", "quit"]).stdout
    after = out.split("> normal\n")[1]
    assert "Withdrawn" in after and "agnesium" in after.split("Withdrawn")[1]
    assert "taken back" not in after
