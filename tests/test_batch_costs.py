"""What a batch of consultations leaves behind: nothing for the garbage collector, no state
shared between two reports, the same report for the same case however often it is asked."""

import gc

import pytest

import expert
from conftest import level, supplement, symptom
from expert.engine.evidence import Cause, Evidence
from expert.engine.report import Conclusion, Report
from expert.engine.trace import FactRef, Firing

RICH = [
    symptom("twitching", "eyelids", persistent=True),
    symptom("cramps", "legs"),
    symptom("numbness", "hands"),
    level("magnesium", "low"),
    level("vitamin_d", "low"),
    level("calcium", "normal"),
    supplement("vitamin_b6", 200, months=12),
    {"kind": "diet", "pattern": "no_leafy_greens"},
    {"kind": "lifestyle", "factor": "stress"},
]
OURS = (Report, Conclusion, Firing, FactRef, Cause, Evidence)


@pytest.fixture
def garbage_kept():
    """gc.garbage filled with every object the collector finds unreachable, for the test's span."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield gc.garbage
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()


def test_a_dropped_report_is_freed_at_once_not_left_to_the_garbage_collector(garbage_kept):
    # A record held in a reference cycle outlives its report until a full collection, which in
    # a batch of thousands walks every object of the process, again and again.
    for case in (RICH, [symptom("cramps")], [level("vitamin_d", "low")]):
        expert.consult(case)
        session = expert.Session()
        for fact in case:
            session.tell(fact)
        session.run()
    gc.collect()
    kept = sorted({type(o).__name__ for o in garbage_kept if isinstance(o, OURS)})
    assert kept == [], f"records found only by the garbage collector: {kept}"


def test_two_reports_share_no_list_or_dict_a_program_could_change():
    first = expert.consult(RICH)
    first.fired[0].sources.append(first.fired[0].sources[0])
    first.facts[0].fact["name"] = "changed"
    first.conclusions[0].because.clear()
    first.causes[0].evidence.clear()
    second = expert.consult(RICH)
    assert second.model_dump() == expert.consult(RICH).model_dump()
    assert len(second.fired[0].sources) == len(first.fired[0].sources) - 1
    assert second.facts[0].fact["name"] != "changed"
    assert second.conclusions[0].because and second.causes[0].evidence


def test_the_same_case_asked_again_after_others_gives_the_same_report_to_the_byte():
    first = expert.consult(RICH).model_dump_json()
    for nutrient in ("magnesium", "calcium", "potassium", "vitamin_b12", "folate"):
        expert.consult([level(nutrient, "low"), symptom("cramps", "legs"), symptom("twitching", "legs")])
    assert expert.consult(RICH).model_dump_json() == first
