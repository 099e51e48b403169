"""The questions: grouped as a person is asked them, worded in plain words, answers read leniently
and refused with a reason; and the planner, which asks only what could change a conclusion."""

import math

import pytest

from expert.console.planner import Planner
from expert.console.questions import AnswerError, follow_up, main_questions, question


def test_the_main_questions_are_the_complaint_each_warning_sign_and_five_lists():
    assert [q.id for q in main_questions()] == [
        "complaint",
        "symptom:seizures", "symptom:difficulty_breathing", "symptom:tetany", "symptom:irregular_heartbeat",
        "symptoms", "supplements", "tests", "habits", "health",
    ]
    assert [q.answer for q in main_questions()] == ["choose_any"] + ["yes_no"] * 4 + ["choose_any"] * 5


def test_every_question_is_worded_and_every_option_reads_as_words(kb):
    planner = Planner(kb)
    everything = {
        "complaint": ["twitching@legs"], "symptoms": ["numbness", "tingling"],
        "supplements": ["vitamin_b6"], "supplement:vitamin_b6/daily_dose": [200.0, "mg"], "tests": ["calcium"],
    }
    askable = planner.open_questions({}) + planner.open_questions(everything)
    assert {q.id for q in askable} >= {
        "complaint/course", "symptom:numbness/location", "symptom:tingling/location",
        "supplement:vitamin_b6/duration_months", "nutrient_level:calcium",
    }
    for q in askable:
        assert q.text.endswith(("?", ".")) and "_" not in q.text, q.text
        assert question(q.id) == q
        for option in q.options:
            assert "_" not in q.describe([option] if q.answer == "choose_any" else option)


@pytest.mark.parametrize("typed, expected", [
    ("yes", True), ("Y", True), ("  Yes. ", True), ("ｙｅｓ", True), ("no", False), ("NOPE", False),
    ("don't know", None), ("don’t know", None), ("?", None), ("not sure", None),
])
def test_yes_no_answers_are_read_leniently(typed, expected):
    assert question("symptom:seizures").parse(typed) is expected


@pytest.mark.parametrize("typed", ["", "   ", "blah", "🙂", "x" * 5000, "\x00\x1b[2J"])
def test_unreadable_yes_no_answers_get_a_reason(typed):
    with pytest.raises(AnswerError) as caught:
        question("symptom:seizures").parse(typed)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 200


@pytest.mark.parametrize("typed, expected", [
    ("eyelids", ["twitching@eyelids"]),
    ("eyelid twitching", ["twitching@eyelids"]),
    ("eyelids and legs", ["twitching@eyelids", "twitching@legs"]),
    ("1, 9", ["twitching@eyelids", "cramps"]),
    ("leg twitching, cramps", ["twitching@legs", "cramps"]),
    ("twitching", ["twitching"]),
    ("around the mouth", ["twitching@around_mouth"]),
    ("spasms", ["spasms"]),
    ("none", []),
    ("don't know", None),
])
def test_the_complaint_is_chosen_by_numbers_or_words(typed, expected):
    assert question("complaint").parse(typed) == expected


def test_a_list_answer_keeps_one_option_that_holds_and():
    assert question("symptoms").parse("pins and needles, fatigue") == ["tingling", "fatigue"]
    assert question("symptoms").parse("tired and weak") == ["fatigue", "muscle_weakness"]
    assert question("habits").parse("coffee, stress and poor sleep") == ["excessive_caffeine", "stress", "poor_sleep"]
    assert question("habits").parse("vegan") == ["no_animal_products"]


def test_a_supplement_list_may_give_each_dose_and_time():
    assert question("supplements").parse_all("vitamin b6 200 mg for 8 months, magnesium") == {
        "supplements": ["vitamin_b6", "magnesium"],
        "supplement:vitamin_b6/daily_dose": [200.0, "mg"],
        "supplement:vitamin_b6/duration_months": 8.0,
    }
    assert question("supplements").parse_all("b6 3 g") == {"supplements": ["vitamin_b6"], "supplement:vitamin_b6/daily_dose": [3.0, "g"]}
    assert question("supplements").parse_all("vitamin d 1000 iu") == {"supplements": ["vitamin_d"], "supplement:vitamin_d/daily_dose": [1000.0, "IU"]}


def test_a_test_list_may_give_each_result():
    assert question("tests").parse_all("magnesium low, calcium normal") == {
        "tests": ["magnesium", "calcium"], "nutrient_level:magnesium": "low", "nutrient_level:calcium": "normal",
    }
    assert question("tests").parse_all("vitamin d") == {"tests": ["vitamin_d"]}


def test_a_bad_dose_in_a_list_is_refused_with_its_reason():
    with pytest.raises(AnswerError, match="IU"):
        question("supplements").parse("b6 5000 IU")


@pytest.mark.parametrize("typed", ["yes", "11", "zebra"])
def test_a_list_needs_options_not_yes(typed):
    with pytest.raises(AnswerError):
        question("complaint").parse(typed)


def test_an_ambiguous_option_names_the_candidates():
    with pytest.raises(AnswerError, match="could be"):
        question("supplements").parse("vitamin")


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
    ("9" * 5000 + " mg", "long"),
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


def test_a_test_result_is_low_normal_or_high():
    assert question("nutrient_level:magnesium").parse("low") == "low"
    with pytest.raises(AnswerError, match="low, normal, high"):
        question("nutrient_level:magnesium").parse("yes")


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
text = "Seizures are listed among the severe signs."
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
    from expert.rules.knowledge import load_knowledge_base

    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "tiny.toml").write_text(TINY_KB, encoding="utf-8")
    return load_knowledge_base(tmp_path / "kb", tmp_path / "no-ledger.toml")


def consult_tiny(kb, lines: dict):
    """Answer as typed (a list question not in `lines` gets "none", a yes/no "no"); the ids asked, in order."""
    from expert.console.interview import Interview

    interview = Interview(kb)
    asked = []
    while (q := interview.next_question()) is not None:
        asked.append(q.id)
        interview.answer_all(q.parse_all(lines.get(q.id, "none" if q.answer == "choose_any" else "no")))
    return asked, interview


def test_only_questions_the_rules_test_are_asked(tiny):
    asked, _ = consult_tiny(tiny, {"complaint": "twitching, cramps"})
    # No rule tests whether twitching comes back, other symptoms, supplements or health: not asked.
    assert asked == ["complaint", "symptom:seizures", "tests", "habits"]


def test_a_question_that_can_no_longer_fire_a_rule_is_not_asked(tiny):
    asked, _ = consult_tiny(tiny, {"complaint": "none"})
    assert "habits" not in asked and "tests" not in asked


def test_a_question_that_could_rule_a_conclusion_out_is_asked(tiny):
    """The tests are asked only because a result would block the advice (an absent condition)."""
    asked, interview = consult_tiny(tiny, {"complaint": "cramps"})
    assert "tests" in asked
    assert [c.rule for c in interview.report().conclusions] == ["tiny.test_advised"]
    asked, _ = consult_tiny(tiny, {"complaint": "twitching"})
    assert "tests" not in asked


def test_why_names_the_rules_an_answer_could_fire_or_rule_out(tiny):
    from expert.console.interview import Interview

    interview = Interview(tiny)
    interview.answer("complaint", ["twitching", "cramps"])
    reasons = interview.reasons(question("habits"))
    assert [(r.rule.id, r.effect) for r in reasons] == [("tiny.caffeine", "fire")]
    reasons = interview.reasons(question("tests"))
    assert [(r.rule.id, r.effect) for r in reasons] == [("tiny.test_advised", "rule_out")]


def test_warning_signs_come_right_after_the_complaint_and_its_details(kb):
    asked, _ = consult_tiny(kb, {"complaint": "eyelids"})
    assert asked[:6] == [
        "complaint", "complaint/course",
        "symptom:seizures", "symptom:difficulty_breathing", "symptom:tetany", "symptom:irregular_heartbeat",
    ]


def test_the_test_of_a_suspected_deficiency_comes_before_habits_and_health(kb):
    asked, _ = consult_tiny(kb, {"complaint": "eyelids", "complaint/course": "none"})
    assert asked.index("tests") < asked.index("habits") < asked.index("health")


def test_a_high_b6_dose_told_brings_the_question_of_its_effects_forward(kb):
    # With nothing to go on the other symptoms come first; a high B6 dose told at the start of
    # the lists makes them the next question, as they hold B6's effects.
    from expert.console.interview import Interview

    interview = Interview(kb)
    interview.answer_all(question("complaint").parse_all("twitching"))
    interview.answer_all(question("supplements").parse_all("b6 300 mg for 6 months"))
    interview.answer_all({"complaint/course": [], **{f"symptom:{s}": False for s in ("seizures", "difficulty_breathing", "tetany", "irregular_heartbeat")}})
    assert interview.next_question().id == "symptoms"


def test_the_consultation_ends_when_nothing_could_change(kb):
    asked, interview = consult_tiny(kb, {"complaint": "eyelids"})
    assert interview.next_question() is None
    assert len(asked) == 11


def test_follow_ups_come_only_for_what_was_chosen(kb):
    asked, _ = consult_tiny(kb, {"complaint": "cramps", "symptoms": "tingling", "tests": "magnesium"})
    assert "complaint/course" not in asked  # cramps: no twitching to ask about
    assert "symptom:tingling/location" in asked and "symptom:numbness/location" not in asked
    assert "nutrient_level:magnesium" in asked and "nutrient_level:calcium" not in asked
    with pytest.raises(KeyError):
        follow_up("symptom:fatigue/location")


def test_a_dose_and_a_time_are_read_back_as_a_person_writes_them():
    dose = question("supplement:vitamin_d/daily_dose")
    assert dose.describe(dose.parse("1234567 mcg")) == "1,234,567 mcg a day"
    assert dose.describe(dose.parse("0.0000001 g")) == "0.0000001 g a day"
    months = question("supplement:vitamin_d/duration_months")
    assert months.describe(months.parse("12")) == "12 months"


def test_a_dose_without_a_unit_is_asked_back_in_plain_digits():
    dose = question("supplement:vitamin_b6/daily_dose")
    with pytest.raises(AnswerError) as error:
        dose.parse("1000000000")
    assert str(error.value).startswith("1,000,000,000 what? Give the unit too, e.g. '1,000,000,000 mg'")
