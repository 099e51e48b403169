"""The library: incremental sessions, retraction, independence, and quiet behaviour."""

import subprocess
import sys

import pytest

import expert
from conftest import level, supplement, symptom


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
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_a_session_gives_its_trace_in_firing_order():
    session = expert.Session()
    session.tell(level("vitamin_d", "low"))
    session.run()
    trace = session.trace
    assert [f.number for f in trace] == list(range(1, len(trace) + 1))
    assert trace[0].rule == "vitamin_d.tested_low"
    assert trace[0].matched[0].origin == "user"
