"""How a run is driven: the garbage collector paused and restored, engines pooled clean."""

import gc
import threading

import pytest
from pydantic import BaseModel

import expert
from conftest import level, symptom
from expert.engine import session as session_module


def test_a_run_leaves_the_garbage_collector_as_it_found_it():
    assert gc.isenabled()
    expert.consult([symptom("twitching", "eyelids")])
    assert gc.isenabled()
    gc.disable()
    try:
        expert.consult([symptom("twitching", "eyelids")])
        assert not gc.isenabled(), "a program that turned the collector off keeps it off"
    finally:
        gc.enable()


def test_a_run_stopped_by_an_error_enables_the_collector_again():
    session = expert.Session(max_firings=1)
    session.tell(level("vitamin_d", "low"))
    with pytest.raises(expert.FiringLimitError):
        session.run()
    assert gc.isenabled()


def test_the_collector_is_paused_during_a_run(monkeypatch):
    seen = []
    real = session_module.Session._run

    def spying(self):
        seen.append(gc.isenabled())
        return real(self)

    monkeypatch.setattr(session_module.Session, "_run", spying)
    expert.consult([symptom("cramps")])
    assert seen == [False] and gc.isenabled()


def test_overlapping_pauses_enable_the_collector_only_when_the_last_ends():
    first, second = session_module._gc_paused(), session_module._gc_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_runs_in_threads_agree_with_runs_in_turn():
    cases = [[symptom("twitching", "eyelids")], [level("magnesium", "low"), symptom("cramps")], [symptom("seizures")]]
    expected = [[f.rule for f in expert.consult(case).fired] for case in cases]
    results: dict[int, list] = {}

    def work(i):
        for _ in range(20):
            results.setdefault(i, []).append([f.rule for f in expert.consult(cases[i % 3]).fired])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gc.isenabled()
    for i, runs in results.items():
        assert all(run == expected[i % 3] for run in runs)


def test_a_pooled_engine_holds_no_facts_between_consultations():
    expert.consult([level("magnesium", "low"), symptom("twitching", "eyelids")])
    kb = expert.Session().knowledge_base
    for engine in session_module._IDLE_ENGINES[kb]:
        assert [type(f).__name__ for f in engine.facts.values()] == ["InitialFact"]
        assert not engine.agenda.activations


def test_records_built_without_validation_are_what_validation_gives():
    # The recorder builds firings and derived facts, and the report its conclusions, with
    # trace.trusted: each must equal the same fields validated, set the same fields in the model's
    # order, and share no list or dict with another record or with a cache (a caller changing one
    # would change the others).
    from expert.engine.report import Conclusion
    from expert.engine.trace import FactRef, Firing

    first = expert.consult([symptom("twitching", "legs"), level("vitamin_d", "low"), level("magnesium", "low")])
    again = expert.consult([symptom("twitching", "legs"), level("vitamin_d", "low")])
    assert first.fired and first.derived
    for model, records in ((Firing, first.fired), (FactRef, first.derived), (Conclusion, first.conclusions)):
        for record in records:
            validated = model.model_validate(record.model_dump())
            assert record == validated
            assert list(record.__dict__) == list(model.model_fields)
            assert record.model_fields_set == validated.model_fields_set
    containers = [id(c) for f in first.fired + again.fired for c in (f.matched, f.bindings, f.concluded, f.sources)]
    containers += [id(ref.fact) for ref in first.derived + again.derived]
    containers += [id(c) for conclusion in first.conclusions + again.conclusions
                   for c in (conclusion.sources, conclusion.causes, conclusion.because, conclusion.firings,
                             conclusion.concluded, conclusion.grounds, conclusion.chain)]
    assert len(containers) == len(set(containers))


def test_records_built_without_validation_share_their_model_s_set_of_fields_safely():
    # Every such record sets every field, so one set per model serves them all, and is one object
    # fewer per record for the collector to walk. Pydantic changes it only on a copy, and only a
    # frozen model's records may share it.
    from expert.engine.trace import Firing, trusted

    report = expert.consult([symptom("twitching", "legs"), level("magnesium", "low")])
    first, second = report.fired[0], report.fired[1]
    assert first.model_fields_set is second.model_fields_set == set(Firing.model_fields)
    changed = first.model_copy(update={"text": "changed"})
    assert changed.text == "changed" and first.text != "changed"
    assert first.model_fields_set == set(Firing.model_fields)

    class Mutable(BaseModel):
        value: int

    with pytest.raises(TypeError, match="not frozen"):
        trusted(Mutable)


def test_a_reset_empties_the_network_s_memories_in_place():
    # New empty memories at every reset were garbage the collector walked after every run: at 50
    # times the knowledge base, a quarter of what it found young.
    from expert.engine.matcher import FastConflictSetNode, FastJoinNode, FastNotNode, _all_nodes

    session = expert.Session()
    session.tell(symptom("twitching", "eyelids"))
    session.tell(level("magnesium", "low"))
    session.tell(level("calcium", "normal"))

    def memories():
        found = {}
        for node in _all_nodes(session._engine.matcher.root_node):
            if isinstance(node, (FastJoinNode, FastNotNode)):
                found[id(node)] = (node.left_memory, node.right_memory)
            elif isinstance(node, FastConflictSetNode):
                found[id(node)] = (node.memory, node.added, node.removed)
        return found

    first = session.run()
    before = memories()
    again = session.run()
    after = memories()
    assert [f.rule for f in again.report.fired] == [f.rule for f in first.report.fired]
    assert len(before) > 50
    for node, held in after.items():
        assert all(now is then for now, then in zip(held, before[node])), "the same containers"
        assert not any(held), "emptied"


def test_a_run_frees_the_engine_s_working_memory_before_the_collector_resumes(monkeypatch):
    # Left until the next run, the engine's facts and tokens were walked by the collection that
    # follows the run's pause (at 50 times the knowledge base, a tenth of a run's time).
    enabled_at_reset = []
    session = expert.Session()
    real_reset = type(session._engine).reset

    def spying(engine, **kwargs):
        enabled_at_reset.append(gc.isenabled())
        return real_reset(engine, **kwargs)

    monkeypatch.setattr(type(session._engine), "reset", spying)
    session.tell(symptom("twitching", "eyelids"))
    session.tell(level("magnesium", "low"))
    assert session.run().report.fired
    assert enabled_at_reset == [False], "reset once, inside the pause"
    assert len(session._engine.facts) == 1, "only what a reset declares (experta's InitialFact) is left"
    session.run()  # the next run finds the engine clean and does not reset it first
    assert enabled_at_reset == [False, False]
