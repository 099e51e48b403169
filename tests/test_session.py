"""The library: incremental sessions, retraction, independence, and quiet behaviour."""

import sys
from typing import get_args

import pytest

import expert
from bounded import run
from conftest import level, supplement, symptom
from expert.facts import Medication, vocabulary


def test_run_returns_only_the_newly_fired_conclusions():
    session = expert.Session()
    session.tell(symptom("twitching", "eyelids"))
    first = session.run()
    assert "magnesium.suspected" in {c.rule for c in first.new}
    session.tell({"kind": "lifestyle", "factor": "stress"})
    second = session.run()
    assert {c.rule for c in second.new} == {"lifestyle.stress"}
    assert second.withdrawn == []


def test_a_normal_result_withdraws_the_suspicion_and_says_it_speaks_against():
    session = expert.Session()
    session.tell(symptom("twitching", "eyelids"))
    session.run()
    session.tell(level("magnesium", "normal"))
    result = session.run()
    withdrawn = {c.rule for c in result.withdrawn}
    assert {"magnesium.suspected", "magnesium.explains"} <= withdrawn
    assert "magnesium.normal_result" in {c.rule for c in result.new}


def test_retracting_a_fact_withdraws_every_conclusion_that_rested_on_it():
    session = expert.Session()
    b6 = session.tell(supplement("vitamin_b6", 200, months=12))
    session.tell(symptom("twitching"))
    session.run()
    session.retract(b6)
    result = session.run()
    withdrawn = {c.rule for c in result.withdrawn}
    assert {"vitamin_b6.high_dose", "vitamin_b6.over_time", "vitamin_b6.explains", "vitamin_b6.stop"} <= withdrawn
    assert all(not r.startswith("vitamin_b6") for r in result.report.rules_fired)
    assert "background.muscle_symptoms" in result.report.rules_fired


def test_a_conclusion_with_another_support_survives_a_retraction():
    session = expert.Session()
    legs = session.tell(symptom("nausea"))
    session.tell(symptom("twitching", "eyelids"))
    session.run()
    result = session.retract(legs) and session.run()
    assert "magnesium.suspected" not in {c.rule for c in result.withdrawn}
    assert "magnesium.suspected" in result.report.rules_fired


def test_two_sessions_never_see_each_other():
    one, two = expert.Session(), expert.Session()
    one.tell(symptom("seizures"))
    two.tell(level("vitamin_d", "low"))
    r1, r2 = one.run().report, two.run().report
    assert r1.red_flags and not r2.red_flags
    assert "vitamin_d.tested_low" not in r1.rules_fired
    assert one.run().report.rules_fired == r1.rules_fired


def test_a_second_answer_to_the_same_question_is_refused_until_the_first_is_retracted():
    session = expert.Session()
    first = session.tell(level("magnesium", "low"))
    with pytest.raises(expert.FactConflictError, match=f"retract {first} first"):
        session.tell(level("magnesium", "normal"))
    session.retract(first)
    session.tell(level("magnesium", "normal"))


def test_retracting_an_unknown_fact_names_the_facts_there_are():
    session = expert.Session()
    session.tell(symptom("twitching"))
    with pytest.raises(expert.UnknownFactError, match="u1"):
        session.retract("u9")


def test_a_bad_fact_is_refused_and_nothing_told_is_lost():
    session = expert.Session()
    session.tell(symptom("twitching"))
    with pytest.raises(expert.InvalidFactError) as error:
        session.tell(supplement("vitamin_b6", -5))
    assert error.value.problems == ["fact.daily_dose: Input should be greater than 0"]
    assert len(session.facts) == 1


def test_the_firing_cap_turns_a_long_run_into_a_clear_error():
    session = expert.Session(max_firings=3)
    session.tell(level("vitamin_d", "low"))
    with pytest.raises(expert.FiringLimitError, match="more than 3 times"):
        session.run()


def test_every_error_is_an_expert_error():
    for error in (expert.InvalidFactError, expert.FactConflictError, expert.UnknownFactError,
                  expert.InvalidKnowledgeBaseError, expert.FiringLimitError):
        assert issubclass(error, expert.ExpertError)


def test_results_are_typed_models_that_serialise():
    report = expert.consult([symptom("twitching", "eyelids")])
    assert isinstance(report, expert.Report)
    assert isinstance(report.conclusions[0], expert.Conclusion)
    again = expert.Report.model_validate_json(report.model_dump_json())
    assert again == report


def test_the_library_never_prints(capsys):
    expert.consult([symptom("seizures"), level("vitamin_d", "low")])
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_importing_the_library_leaves_logging_unconfigured():
    code = "import logging, expert; print(len(logging.getLogger().handlers))"
    out = run([sys.executable, "-c", code], "the child to import the library and end", capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0"


def test_a_session_gives_its_trace_in_firing_order():
    session = expert.Session()
    session.tell(level("vitamin_d", "low"))
    session.run()
    trace = session.trace
    assert [f.number for f in trace] == list(range(1, len(trace) + 1))
    assert trace[0].rule == "vitamin_d.tested_low"
    assert trace[0].matched[0].origin == "user"


def _every_kind_of_fact():
    """A long but valid case: every symptom, alone and at every place, every nutrient low, every
    lifestyle factor, diet and condition, and a supplement of each nutrient."""
    facts = []
    for name in get_args(vocabulary.SymptomName):
        facts.append(symptom(name))
        facts += [symptom(name, place) for place in get_args(vocabulary.Location)]
    facts += [level(nutrient, "low") for nutrient in get_args(vocabulary.Nutrient)]
    facts += [{"kind": "lifestyle", "factor": factor} for factor in get_args(vocabulary.LifestyleFactor)]
    facts += [{"kind": "diet", "pattern": pattern} for pattern in get_args(vocabulary.DietPattern)]
    facts += [{"kind": "condition", "name": name} for name in get_args(vocabulary.ConditionName)]
    facts += [
        {"kind": "supplement", "nutrient": nutrient, "daily_dose": 500, "unit": "mg", "duration_months": 12}
        for nutrient in get_args(vocabulary.Nutrient)
    ]
    return facts


def test_a_long_case_is_not_mistaken_for_a_runaway_loop():
    facts = _every_kind_of_fact()
    # Five firings for each fact told: the case fires far more than five times in all, and that is
    # the length of the case, not a loop.
    report = expert.consult(facts, max_firings=5)
    assert len(facts) > 150
    assert len(report.fired) > 5 * 10
    assert len(report.fired) <= 5 * len(facts)


def test_the_firing_cap_names_the_limit_it_met():
    session = expert.Session(max_firings=2)
    session.tell(level("vitamin_d", "low"))
    session.tell(symptom("twitching", "eyelids"))
    with pytest.raises(expert.FiringLimitError, match="more than 4 times"):
        session.run()


def test_telling_many_facts_compares_each_with_none_of_the_others(monkeypatch):
    # 10,000 medications once took 17 s: each fact was compared with every fact told before it.
    calls = []
    real_key = Medication.key
    monkeypatch.setattr(Medication, "key", lambda self: calls.append(1) or real_key(self))
    session = expert.Session()
    for number in range(2000):
        session.tell({"kind": "medication", "name": f"medicine {number}"})
    assert len(calls) <= 2 * 2000
    with pytest.raises(expert.FactConflictError, match="conflicts with u7"):
        session.tell({"kind": "medication", "name": "MEDICINE 6"})
    session.retract("u7")
    assert session.tell({"kind": "medication", "name": "MEDICINE 6"}) == "u2001"
