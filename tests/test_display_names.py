"""What a person reads names things as a person says them: "vitamin B6", not `vitamin_b6`;
"1,000,000,000 mg", not `1e+09` or `1000000000.0`. One test per kind of message, on the exact words.

A case file's own values are the exception: where a message lists what may be written in the
file (`'vitamin_b6'`), it shows the value to type, in quotes.
"""

import json
import re
from decimal import Decimal

import pytest

from conftest import level, supplement, symptom
from expert.cli import main
from expert.console.questions import AnswerError, question
from expert.facts.vocabulary import display, display_number


def consult(tmp_path, capsys, facts, *options):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"facts": facts}), encoding="utf-8")
    code = main(["consult", str(case), *options])
    out, err = capsys.readouterr()
    return code, out, err


def error_lines(tmp_path, capsys, facts):
    code, out, err = consult(tmp_path, capsys, facts)
    assert code == 2 and out == ""
    return err.splitlines()


@pytest.mark.parametrize(
    ("number", "written"),
    [
        (1e9, "1,000,000,000"),
        (1000000000.0, "1,000,000,000"),
        (12.0, "12"),
        (1500, "1,500"),
        (1234.5, "1,234.5"),
        (0.000125, "0.000125"),
        (1e-7, "0.0000001"),
        (Decimal("123456500.0"), "123,456,500"),
        (0.0, "0"),
    ],
)
def test_a_number_has_thousands_separators_no_exponent_and_no_needless_point_zero(number, written):
    assert display_number(number) == written


@pytest.mark.parametrize(
    ("value", "written"),
    [("vitamin_b6", "vitamin B6"), ("vitamin_d", "vitamin D"), ("around_mouth", "around mouth"), (2.5e6, "2,500,000")],
)
def test_a_vocabulary_value_reads_as_words(value, written):
    assert display(value) == written


def test_a_huge_dose_in_mg_is_written_out_once(tmp_path, capsys):
    lines = error_lines(tmp_path, capsys, [supplement("vitamin_b6", 1e9)])
    assert lines == [
        "expert: facts[0]: daily_dose 1,000,000,000 mg is more than the 100,000 mg a day accepted; "
        "check the dose and unit"
    ]


def test_a_huge_dose_in_another_unit_is_also_given_in_mg(tmp_path, capsys):
    lines = error_lines(tmp_path, capsys, [supplement("magnesium", 123456.5, "g")])
    assert lines == [
        "expert: facts[0]: daily_dose 123,456.5 g is 123,456,500 mg a day, more than the 100,000 mg a day "
        "accepted; check the dose and unit"
    ]


def test_an_absurd_dose_is_named_by_its_order_not_three_hundred_digits(tmp_path, capsys):
    lines = error_lines(tmp_path, capsys, [supplement("vitamin_d", 1e300, "IU")])
    assert lines == [
        "expert: facts[0]: daily_dose over 1,000,000,000,000,000 IU is more than the 100,000 mg a day "
        "accepted; check the dose and unit"
    ]


def test_iu_for_a_nutrient_without_a_conversion_names_both_nutrients_in_words(tmp_path, capsys):
    lines = error_lines(tmp_path, capsys, [supplement("vitamin_b6", 5000, "IU")])
    assert lines == [
        "expert: facts[0]: unit 'IU' has no defined conversion for vitamin B6; use mg, mcg or g "
        "(IU is accepted only for vitamin D)"
    ]


def test_a_conflict_shows_the_first_fact_in_words(tmp_path, capsys):
    lines = error_lines(tmp_path, capsys, [supplement("vitamin_b6", 1500.0, months=12.0), supplement("vitamin_b6", 5)])
    assert lines == [
        "expert: facts[1]: conflicts with facts[0], vitamin B6 supplement, 1,500 mg a day for 12 months; "
        "give each supplement once"
    ]


def test_a_repeated_test_result_names_the_kind_of_fact_in_words(tmp_path, capsys):
    lines = error_lines(tmp_path, capsys, [level("vitamin_b12", "low"), level("vitamin_b12", "low")])
    assert lines == ["expert: facts[1]: repeats facts[0], low vitamin B12 (tested); give each nutrient level once"]


def test_a_wrong_nutrient_lists_the_values_a_case_file_may_hold(tmp_path, capsys):
    lines = error_lines(tmp_path, capsys, [supplement("vitamin_q", 5)])
    assert lines == [
        "expert: facts[0].nutrient: Input should be 'magnesium', 'calcium', 'potassium', 'vitamin_d', "
        "'vitamin_b12', 'folate' or 'vitamin_b6'"
    ]


def test_a_negative_dose_a_wrong_unit_and_missing_fields_name_each_field(tmp_path, capsys):
    lines = error_lines(tmp_path, capsys, [
        supplement("vitamin_b6", -5),
        supplement("magnesium", 5, "kg"),
        {"kind": "supplement", "nutrient": "calcium"},
    ])
    assert lines == [
        "expert: facts[0].daily_dose: Input should be greater than 0",
        "expert: facts[1].unit: Input should be 'mg', 'mcg', 'µg', 'ug', 'g' or 'IU'",
        "expert: facts[2].daily_dose: is required",
        "expert: facts[2].unit: is required",
    ]


def test_the_report_gives_a_dose_and_a_duration_as_a_person_writes_them(tmp_path, capsys):
    code, out, _ = consult(tmp_path, capsys, [supplement("vitamin_b6", 1234.5, months=18.0), symptom("twitching")])
    assert code == 0
    flat = " ".join(out.split())
    assert "vitamin B6 supplement, 1,234.5 mg a day for 18 months" in flat
    assert "1234.5" not in flat and "18.0" not in flat


def test_a_rule_text_names_the_nutrient_it_matched_in_words(tmp_path, capsys):
    code, out, _ = consult(tmp_path, capsys, [supplement("vitamin_b6", 500), symptom("twitching")])
    assert code == 0
    assert "Reduce or stop the vitamin B6 supplement" in " ".join(out.split())
    assert "vitamin_b6" not in out


def test_the_explanation_gives_what_you_said_in_words(tmp_path, capsys):
    facts = [supplement("vitamin_b12", 2.5e6, "mcg"), level("vitamin_b12", "low"), symptom("twitching", "around_mouth")]
    code, out, _ = consult(tmp_path, capsys, facts, "--explain")
    assert code == 0
    assert "because you said: vitamin B12 supplement, 2,500,000 mcg a day [u1]" in out
    assert "because you said: low vitamin B12 (tested) [u2]" in out
    assert "because you said: twitching (around mouth) [u3]" in out
    # Rules keep their ids, in brackets, to be looked up with `expert rules`; nothing else is raw.
    words = re.sub(r"\[[a-z0-9_.]+\]", "", out)
    assert "vitamin_b12" not in words and "around_mouth" not in words and "e+06" not in words


def test_the_json_report_keeps_the_values_and_words_them_in_text(tmp_path, capsys):
    code, out, _ = consult(tmp_path, capsys, [supplement("vitamin_d", 100000, "IU", months=1.0)], "--format", "json")
    assert code == 0
    [fact] = json.loads(out)["facts"]
    assert fact["fact"]["nutrient"] == "vitamin_d" and fact["fact"]["daily_dose"] == 100000
    assert fact["text"] == "vitamin D supplement, 100,000 IU a day for 1 month"


def test_a_dose_refused_at_the_console_reads_the_same(tmp_path):
    with pytest.raises(AnswerError) as refused:
        question("supplement:vitamin_b6/daily_dose").parse("1000000000 mg")
    assert str(refused.value) == (
        "daily_dose 1,000,000,000 mg is more than the 100,000 mg a day accepted; check the dose and unit"
    )


@pytest.mark.parametrize("months, said", [
    (0.23, "for 1 week"),  # what the console stores for "1 week"
    (0.46, "for 2 weeks"),
    (0.75, "for about 3 weeks"),
    (0.03, "for 1 day"),
    (1, "for 1 month"),
    (1.5, "for 1.5 months"),
    (12, "for 12 months"),
])
def test_a_time_under_a_month_is_said_in_weeks_or_days(months, said):
    from expert.facts.models import Supplement

    text = Supplement(nutrient="vitamin_b6", daily_dose=2, unit="g", duration_months=months).describe()
    assert text == f"vitamin B6 supplement, 2 g a day {said}"


def test_the_facts_command_says_a_week_as_a_week():
    from expert.console.questions import question

    assert question("supplement:vitamin_b6/duration_months").describe(0.23) == "1 week"
