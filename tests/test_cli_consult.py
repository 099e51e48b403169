"""`expert consult`: the report as text or JSON, and bad input as one clear line per problem."""

import json
import sys

import pytest

from bounded import run
from conftest import level, supplement, symptom


def run_expert(*args, input_text=None):
    return run([sys.executable, "-m", "expert", *args], f"`expert {' '.join(args)}` to end",
               capture_output=True, text=True, input=input_text)


def write_case(tmp_path, facts, name="case.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"facts": facts}), encoding="utf-8")
    return path


def test_text_puts_red_flags_first_with_quotes_and_titles_then_the_disclaimer(tmp_path):
    case = write_case(tmp_path, [symptom("twitching", "face"), symptom("seizures")])
    out = run_expert("consult", str(case))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.startswith("RED FLAGS")
    assert '"- In severe cases, tetany, seizures, and difficulty breathing"' in text
    assert "(from: Magnesium Deficiency and Muscle Twitching)" in text
    assert text.index("RED FLAGS") < text.index("What to do") < text.index("Possible causes") < text.index("Disclaimer:")
    # The urgent advice is ours, and marked so, apart from the quote.
    assert "Our advice, not the documents': Get medical help now." in text


def test_json_has_conclusions_with_rule_text_sources_because_and_the_firings(tmp_path):
    case = write_case(tmp_path, [supplement("magnesium", 500), symptom("twitching")])
    out = run_expert("consult", str(case), "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    conclusion = next(c for c in data["conclusions"] if c["rule"] == "magnesium_excess.high_dose")
    assert conclusion["text"].startswith("You take more supplemental magnesium")
    assert conclusion["sources"] == [{
        "document": "vitamins",
        "title": "How Vitamin Deficiencies Cause Muscle Twitching",
        "quote": "Taking excessive magnesium can potentially irritate the nervous system and lead to muscle twitches.",
    }]
    # The outside authority's figure is under a key of its own, never among the sources.
    assert conclusion["authority"]["figure"] == "350 mg a day"
    assert conclusion["because"][0]["origin"] == "user"
    assert [f["number"] for f in data["fired"]] == list(range(1, len(data["fired"]) + 1))
    assert data["disclaimer"]


def test_the_same_case_in_another_order_gives_the_same_json(tmp_path):
    facts = [level("vitamin_d", "low"), symptom("twitching", "eyelids"), {"kind": "lifestyle", "factor": "stress"}]
    one = json.loads(run_expert("consult", str(write_case(tmp_path, facts, "a.json")), "--format", "json").stdout)
    two = json.loads(run_expert("consult", str(write_case(tmp_path, facts[::-1], "b.json")), "--format", "json").stdout)
    strip = lambda d: [(c["rule"], c["text"]) for c in d["conclusions"]]  # noqa: E731
    assert strip(one) == strip(two)
    assert [f["rule"] for f in one["fired"]] == [f["rule"] for f in two["fired"]]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not valid JSON"),
        ('{"facts": [{"kind": "mood"}]}', "facts[0]: Input tag 'mood'"),
        ('{"facts": [{"kind": "symptom", "name": "twitching", "colour": "red"}]}', "facts[0].colour: is not a field"),
        ('{"facts": [{"kind": "symptom", "name": "twitching", "severe": "very"}]}', "facts[0].severe: Input should be a valid boolean"),
        ('{"facts": [{"kind": "supplement", "nutrient": "magnesium", "daily_dose": -200, "unit": "mg"}]}', "facts[0].daily_dose: Input should be greater than 0"),
        ('{"facts": [{"kind": "supplement", "nutrient": "magnesium", "daily_dose": 200, "unit": "spoons"}]}', "facts[0].unit: Input should be 'mg'"),
        ('{"facts": [{"kind": "supplement", "nutrient": "magnesium", "daily_dose": NaN, "unit": "mg"}]}', "not valid JSON"),
        ('{"facts": {}}', "facts: expected a list"),
        ('[1, 2]', 'expected a JSON object {"facts": [...]}'),
        ('{"facts": [{"kind": "nutrient_level", "nutrient": "calcium", "level": "low"}, {"kind": "nutrient_level", "nutrient": "calcium", "level": "normal"}]}', "facts[1]: conflicts with facts[0]"),
    ],
)
def test_bad_input_exits_2_with_one_line_per_problem_and_no_traceback(tmp_path, content, expected):
    case = tmp_path / "bad.json"
    case.write_text(content, encoding="utf-8")
    out = run_expert("consult", str(case))
    assert out.returncode == 2
    assert out.stdout == ""
    assert expected in out.stderr
    assert "Traceback" not in out.stderr
    assert all(line.startswith("expert: ") for line in out.stderr.splitlines())


def test_every_problem_of_a_case_is_reported_at_once(tmp_path):
    case = write_case(tmp_path, [
        {"kind": "supplement", "nutrient": "vitamin_b6", "daily_dose": -3, "unit": "kg"},
        {"kind": "symptom", "name": "hiccups"},
    ])
    out = run_expert("consult", str(case))
    assert out.returncode == 2
    lines = out.stderr.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("expert: facts[0].daily_dose:")
    assert lines[1].startswith("expert: facts[0].unit:")
    assert lines[2].startswith("expert: facts[1].name:")


def test_a_missing_case_file_is_named(tmp_path):
    out = run_expert("consult", str(tmp_path / "nowhere.json"))
    assert out.returncode == 2
    assert "nowhere.json: no such file" in out.stderr


def test_several_case_files_as_a_real_process_report_the_good_and_name_the_bad(tmp_path):
    good = write_case(tmp_path, [supplement("magnesium", 500), symptom("twitching")], "good.json")
    bad = write_case(tmp_path, [supplement("vitamin_b6", 5000, "IU")], "bad.json")
    out = run_expert("consult", str(bad), str(good))
    assert out.returncode == 2
    assert out.stderr == (
        f"expert: {bad}: facts[0]: unit 'IU' has no defined conversion for vitamin B6; use mg, mcg or g "
        "(IU is accepted only for vitamin D)\n"
    )
    assert out.stdout.startswith(f"==> {good} <==\nWhat to do\n") and out.stdout.count("Disclaimer: ") == 1
