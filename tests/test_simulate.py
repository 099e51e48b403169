"""`expert simulate`: the console's own interview, answered from a case file, asks everything that
could change the conclusions (they end the same as `expert consult`'s) and not much more."""

import json
from pathlib import Path

import pytest
from clips_strategies import fact_sets, rich_fact_sets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expert.util.casefile import read_case
from expert.cli import main
from expert.console.simulate import case_answers, simulate, typed
from expert.console.questions import question
from expert.rules.knowledge import default_knowledge_base

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "examples").glob("*.json")) + sorted((ROOT / "examples" / "cases").glob("*.json"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_example_story_ends_as_consult_ends_within_the_target(path):
    result = simulate(read_case(path))
    assert result.same_as_consult, (result.only_console, result.only_consult)
    assert result.count == len(result.questions) <= 20


def test_over_the_example_stories_the_median_is_at_most_12_questions():
    counts = sorted(simulate(read_case(p)).count for p in CASES)
    assert len(CASES) >= 24
    assert counts[len(counts) // 2] <= 12


def test_a_case_is_typed_as_a_person_would_type_it():
    answers = case_answers([
        {"kind": "symptom", "name": "twitching", "location": "eyelids", "persistent": True},
        {"kind": "supplement", "nutrient": "vitamin_b6", "daily_dose": 250, "unit": "mg", "duration_months": 8},
        {"kind": "nutrient_level", "nutrient": "magnesium", "level": "low"},
        {"kind": "diet", "pattern": "no_dairy"},
    ])
    assert typed(question("complaint"), answers) == "eyelids"
    assert typed(question("complaint/course"), answers) == "persistent"
    assert typed(question("supplements"), answers) == "vitamin B6 250 mg for 8 months"
    assert typed(question("tests"), answers) == "magnesium low"
    assert typed(question("habits"), answers) == "no dairy"
    assert typed(question("health"), answers) == "none"
    assert typed(question("symptom:seizures"), answers) == "no"


def test_the_command_prints_the_questions_their_count_and_the_comparison(capsys):
    assert main(["simulate", str(ROOT / "examples" / "eyelid.json")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Q1. Which of these do you have?" and out[1] == "  > eyelids"
    assert out[-2] == "11 questions asked"
    assert out[-1] == "conclusions: the same as expert consult"


def test_the_command_gives_json_with_questions_count_and_same_as_consult(capsys):
    assert main(["simulate", str(ROOT / "examples" / "b6.json"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["count"] == len(data["questions"]) == 11
    assert data["same_as_consult"] is True
    assert data["questions"][7] == {
        "id": "supplements",
        "question": question("supplements").text,
        "answer": "vitamin B6 200 mg for 12 months",
    }


def test_a_bad_case_file_is_one_line_per_problem(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"facts": [{"kind": "symptom", "name": "hiccups"}]}), encoding="utf-8")
    assert main(["simulate", str(bad)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err and all(line.startswith("expert: facts[0].name") for line in err)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(facts=st.one_of(fact_sets(default_knowledge_base(), max_size=8), rich_fact_sets(default_knowledge_base(), max_size=8)))
def test_any_case_ends_as_consult_ends(facts):
    """Whatever a case holds, the interview asks what could change the conclusions: they end the same."""
    case = [f.model_dump(mode="json", exclude_none=True) for f in facts]
    result = simulate(case)
    assert result.same_as_consult, (case, result.only_console, result.only_consult)
    assert result.count <= 25
