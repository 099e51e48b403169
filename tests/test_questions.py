"""The questions: every one worded in plain words, answers read leniently and refused with a reason."""

import math

import pytest

from expert.planner import Planner
from expert.questions import (
    FOLLOW_UP_WORDING,
    NOT_TESTED,
    SUPPLEMENT_FOLLOW_UPS,
    SYMPTOM_FOLLOW_UPS,
    WORDING,
    AnswerError,
    follow_up,
    main_questions,
    question,
)
from facts import choices
from facts.vocabulary import Nutrient, SymptomName


def all_questions():
    out = list(main_questions())
    out += [follow_up(f"symptom:{s}", f) for s in choices(SymptomName) for f in SYMPTOM_FOLLOW_UPS]
    out += [follow_up("supplement", f, n) for n in choices(Nutrient) for f in SUPPLEMENT_FOLLOW_UPS]
    return out


def test_every_askable_question_has_its_own_wording(kb):
    """Whatever the rules make askable, from the start or after a "yes" to everything, is worded."""
    planner = Planner(kb)
    everything_yes = {q.id: True for q in main_questions() if q.answer == "yes_no"}
    everything_yes["supplement"] = list(choices(Nutrient))
    everything_yes |= {f"supplement:{n}/daily_dose": [10.0, "mg"] for n in choices(Nutrient)}
    askable = planner.open_questions({}) + planner.open_questions(everything_yes)
    assert len(askable) > len(main_questions())
    for q in askable:
        key = q.id if q.field is None else q.field
        assert key in (WORDING if q.field is None else FOLLOW_UP_WORDING), q.id
        assert ("?" in q.text or q.text.endswith(".")) and "_" not in q.text, q.text


def test_every_question_id_finds_its_question():
    for q in all_questions():
        assert question(q.id) == q


@pytest.mark.parametrize("typed, expected", [
    ("yes", True), ("Y", True), ("  Yes. ", True), ("ｙｅｓ", True), ("no", False), ("NOPE", False),
    ("don't know", None), ("don’t know", None), ("?", None), ("not sure", None),
])
def test_yes_no_answers_are_read_leniently(typed, expected):
    assert question("symptom:twitching").parse(typed) is expected


@pytest.mark.parametrize("typed", ["", "   ", "blah", "🙂", "x" * 5000, "\x00\x1b[2J"])
def test_unreadable_yes_no_answers_get_a_reason(typed):
    with pytest.raises(AnswerError) as caught:
        question("symptom:twitching").parse(typed)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 200


def test_choices_accept_names_numbers_and_unique_parts():
    where = question("symptom:twitching/location")
    assert where.parse("eyelids") == ["eyelids"]
    assert where.parse("eyelid, legs") == ["eyelids", "legs"]
    assert where.parse("around the mouth") == ["around_mouth"]
    assert where.parse("mouth and face") == ["around_mouth", "face"]
    assert where.parse("1") == ["eyelids"]
    assert question("supplement").parse("B6") == ["vitamin_b6"]
    assert question("supplement").parse("none") == []
    assert question("nutrient_level:vitamin_d").parse("low") == "low"
    assert question("nutrient_level:vitamin_d").parse("not tested") == NOT_TESTED


def test_an_ambiguous_choice_names_the_candidates():
    with pytest.raises(AnswerError, match="vitamin D.*vitamin B12|could be"):
        question("supplement").parse("vitamin")


@pytest.mark.parametrize("typed, expected", [
    ("200 mg", [200.0, "mg"]), ("200mg", [200.0, "mg"]), ("200 mg a day", [200.0, "mg"]),
    ("0.2 g", [0.2, "g"]), ("1,000 mcg", [1000.0, "mcg"]), ("50 µg", [50.0, "µg"]), ("200 milligrams", [200.0, "mg"]),
])
def test_doses_are_read_with_their_unit(typed, expected):
    assert question("supplement:vitamin_b6/daily_dose").parse(typed) == expected


@pytest.mark.parametrize("typed, reason", [
    ("200", "unit"),
    ("200 ml", "not a unit"),
    ("-5 mg", "negative"),
    ("0 mg", "more than 0"),
    ("nan mg", "not a number"),
    ("inf mg", "not a number"),
    ("1e999 mg", "too large"),
    ("99999999 g", "check"),
    ("5000 IU", "IU"),
    ("two hundred mg", "not a dose"),
])
def test_bad_doses_get_a_one_line_reason(typed, reason):
    with pytest.raises(AnswerError, match=reason):
        question("supplement:vitamin_b6/daily_dose").parse(typed)


def test_vitamin_d_may_be_given_in_iu():
    assert question("supplement:vitamin_d/daily_dose").parse("1000 IU") == [1000.0, "IU"]


@pytest.mark.parametrize("typed, months", [("12", 12), ("1 year", 12), ("a year", 12), ("18 months", 18), ("2 years", 24)])
def test_durations_are_read_in_months_or_years(typed, months):
    assert math.isclose(question("supplement:vitamin_b6/duration_months").parse(typed), months)


@pytest.mark.parametrize("typed", ["-1", "nan", "5000", "3 fortnights", "soon"])
def test_bad_durations_get_a_reason(typed):
    with pytest.raises(AnswerError):
        question("supplement:vitamin_b6/duration_months").parse(typed)


# --- the planner: questions come from the rules' conditions ------------------------------------

TINY_KB = '''
[[rule]]
id = "tiny.caffeine"
title = "Caffeine can cause twitching"
category = "explanation"
when = [{ fact = "symptom", where = { name = "twitching" } }, { fact = "lifestyle", where = { factor = "excessive_caffeine" } }]
text = "Caffeine may explain your twitching."
sources = [{ document = "vitamins", quote = "Other factors like stress, caffeine, and dehydration can also cause twitching." }]

[[rule]]
id = "tiny.seizures"
title = "Seizures are a severe complication"
category = "red_flag"
when = [{ fact = "symptom", where = { name = "seizures" } }]
text = "Seek urgent care."
sources = [{ document = "minerals", quote = "- In severe cases, tetany, seizures, and difficulty breathing" }]

[[rule]]
id = "tiny.test_advised"
title = "Suspected magnesium deficiency calls for a test"
category = "advice"
when = [{ fact = "symptom", where = { name = "cramps" } }, { fact = "nutrient_level", where = { nutrient = "magnesium" }, absent = true }]
text = "Ask for a magnesium test."
sources = [{ document = "vitamins", quote = "If a deficiency is suspected, a doctor can confirm with a blood test." }]
'''


@pytest.fixture()
def tiny(tmp_path):
    from rules.knowledge import load_knowledge_base

    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "tiny.toml").write_text(TINY_KB, encoding="utf-8")
    return load_knowledge_base(tmp_path / "kb", tmp_path / "no-ledger.toml")


def consult_tiny(kb, answers):
    """Answer as told; return the ids of the questions asked, in order."""
    from expert.interview import Interview

    interview = Interview(kb)
    asked = []
    while (q := interview.next_question()) is not None:
        asked.append(q.id)
        interview.answer(q.id, answers.get(q.id, False if q.answer == "yes_no" else None))
    return asked, interview


def test_only_questions_the_rules_test_are_asked(tiny):
    asked, _ = consult_tiny(tiny, {"symptom:twitching": True, "symptom:cramps": True})
    assert asked[0] == "symptom:twitching"
    assert set(asked) == {"symptom:twitching", "symptom:seizures", "lifestyle:excessive_caffeine",
                          "symptom:cramps", "nutrient_level:magnesium"}


def test_a_question_that_can_no_longer_fire_a_rule_is_not_asked(tiny):
    asked, _ = consult_tiny(tiny, {"symptom:twitching": False})
    assert "lifestyle:excessive_caffeine" not in asked


def test_a_question_that_could_rule_a_conclusion_out_is_asked(tiny):
    """The magnesium test is asked only because its answer would block the advice (an absent condition)."""
    asked, _ = consult_tiny(tiny, {"symptom:cramps": True})
    assert "nutrient_level:magnesium" in asked
    asked, _ = consult_tiny(tiny, {"symptom:cramps": False})
    assert "nutrient_level:magnesium" not in asked


def test_why_names_the_rules_an_answer_could_fire(tiny):
    from expert.interview import Interview

    interview = Interview(tiny)
    interview.answer("symptom:twitching", True)
    reasons = interview.reasons(question("lifestyle:excessive_caffeine"))
    assert [(r.rule.id, r.effect) for r in reasons] == [("tiny.caffeine", "fire")]
    interview.answer("symptom:cramps", True)
    reasons = interview.reasons(question("nutrient_level:magnesium"))
    assert [(r.rule.id, r.effect) for r in reasons] == [("tiny.test_advised", "rule_out")]


def test_red_flag_questions_come_right_after_the_complaint(kb):
    from expert.interview import Interview

    interview = Interview(kb)
    asked = []
    while (q := interview.next_question()) is not None and len(asked) < 12:
        asked.append(q)
        interview.answer(q.id, q.parse("no" if q.answer in ("yes_no", "choices") else "?"))
    assert asked[0].id == "symptom:twitching"
    red = {r.when[0].where.get("name") for r in kb.rules if r.category == "red_flag" and len(r.when) == 1}
    red_asked = [i for i, q in enumerate(asked) if q.subject in red]
    assert red_asked == list(range(1, 1 + len(red_asked))) and red_asked


def test_the_consultation_ends_when_nothing_could_change(kb):
    from console_stories import EYELID_COFFEE_SLEEP, script

    lines, interview = script(EYELID_COFFEE_SLEEP)
    assert interview.next_question() is None
    assert 5 < len(lines) < 80


def test_yes_to_a_blood_test_question_asks_what_it_showed():
    with pytest.raises(AnswerError, match="low, normal or high"):
        question("nutrient_level:magnesium").parse("yes")
