"""Red flags *fire* first, as CLIPS fires a rule of higher salience first: the firing order itself.

The README: "It ... reports red flags (seizures, difficulty breathing, tetany, irregular heartbeat)
first" and "Red flags have (declare (salience 10)), as in our engine". The print order sorts by
category, so it would hide a red flag that fired last; these tests read the order of the firings
(the report's trace, `consult --format json`, the console's `trace`, the audit record).
"""

import json
import sys
from pathlib import Path

import pytest
from bounded import run
from conftest import level, lifestyle, supplement, symptom
from console_stories import run_expert
from hypothesis import given, settings

import expert
from clips_strategies import fact_sets
from expert.rules.knowledge import default_knowledge_base

ROOT = Path(__file__).resolve().parent.parent
WARNING_SIGNS = ["seizures", "difficulty_breathing", "tetany", "irregular_heartbeat"]
RED_FLAG_RULES = {f"red_flag.{sign}" for sign in WARNING_SIGNS}

# Much else to conclude: tested deficiencies, a high dose of B6 over time, signs, a habit.
OTHERS = [
    symptom("twitching", "eyelids", persistent=True),
    symptom("cramps", "legs"),
    symptom("numbness", "feet"),
    level("magnesium", "low"),
    level("calcium", "low"),
    level("vitamin_d", "low"),
    supplement("vitamin_b6", 300, months=6),
    supplement("magnesium", 500),
    lifestyle("stress"),
]
SIGNS = [symptom(sign) for sign in WARNING_SIGNS]


def assert_red_flags_fired_first(rules: list[str], expected: set[str]) -> None:
    flags = len(expected)
    assert len(rules) > flags + 10, "too few firings for the order to mean anything"
    assert set(rules[:flags]) == expected, f"the first {flags} firings were {rules[:flags]}, not the red flags"
    assert not RED_FLAG_RULES & set(rules[flags:]), f"a red flag fired after other rules: {rules}"


@pytest.mark.parametrize(
    "facts",
    [SIGNS + OTHERS, OTHERS + SIGNS, OTHERS[:4] + SIGNS[:2] + OTHERS[4:] + SIGNS[2:]],
    ids=["signs-told-first", "signs-told-last", "signs-told-between"],
)
def test_every_red_flag_fires_before_any_other_rule(facts):
    report = expert.consult(facts)
    assert_red_flags_fired_first([f.rule for f in report.fired], RED_FLAG_RULES)
    assert [f.number for f in report.fired] == list(range(1, len(report.fired) + 1))


@pytest.mark.parametrize("sign", WARNING_SIGNS)
def test_one_warning_sign_told_last_is_the_first_firing(sign):
    report = expert.consult([*OTHERS, symptom(sign)])
    assert_red_flags_fired_first([f.rule for f in report.fired], {f"red_flag.{sign}"})


def test_a_warning_sign_told_later_in_a_session_fires_first_in_the_next_run():
    session = expert.Session()
    for fact in OTHERS:
        session.tell(fact)
    first = session.run().report
    assert not RED_FLAG_RULES & set(first.rules_fired)
    session.tell(symptom("seizures"))
    report = session.run().report
    assert_red_flags_fired_first([f.rule for f in report.fired], {"red_flag.seizures"})


def test_consult_json_lists_the_red_flags_first_among_the_firings(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"facts": OTHERS + SIGNS}), encoding="utf-8")
    done = run([sys.executable, "-m", "expert", "consult", str(case), "--format", "json"],
               "`expert consult --format json` to end", capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert_red_flags_fired_first([f["rule"] for f in json.loads(done.stdout)["fired"]], RED_FLAG_RULES)


def test_the_audit_record_keeps_the_red_flags_first():
    record = expert.audit_record(expert.consult(OTHERS + SIGNS))
    assert_red_flags_fired_first([f.rule for f in record.firings], RED_FLAG_RULES)


def test_the_console_trace_shows_the_red_flags_as_the_first_rules_fired():
    # Twitching in the face and legs, not persistent, then yes to every warning sign.
    out = run_expert(["face, legs", "none", "yes", "yes", "yes", "yes", "trace", "quit"]).stdout
    trace = out.split("> trace\n", 1)[1].split("\n\nQ", 1)[0].splitlines()
    assert trace[0] == "Rules fired so far, in order (with the conclusion each gave):"
    fired = [line.split("] ", 1)[1].split(":", 1)[0] for line in trace[1:] if line[:5].strip().rstrip(".").isdigit()]
    numbers = [int(line.split(".", 1)[0]) for line in trace[1:] if line[:5].strip().rstrip(".").isdigit()]
    assert numbers == list(range(1, len(numbers) + 1))
    assert_red_flags_fired_first(fired, RED_FLAG_RULES)


def assert_no_rule_fires_before_a_red_flag(facts) -> None:
    rules = [f.rule for f in expert.consult(facts).fired]
    flags = [i for i, rule in enumerate(rules) if rule in RED_FLAG_RULES]
    assert flags == list(range(len(flags))), f"red flags fired at {flags} of {rules}"


@settings(max_examples=100, deadline=None)
@given(facts=fact_sets(default_knowledge_base()))
def test_in_any_case_no_other_rule_fires_before_a_red_flag(facts):
    assert_no_rule_fires_before_a_red_flag(facts)


@pytest.mark.slow
@settings(deadline=None)
@given(facts=fact_sets(default_knowledge_base(), max_size=30))
def test_in_many_more_cases_no_other_rule_fires_before_a_red_flag(facts):
    assert_no_rule_fires_before_a_red_flag(facts)
