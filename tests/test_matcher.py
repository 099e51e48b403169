"""The fast walk through experta's network fires exactly what experta's own matcher fires, in order.

CLIPS (tests/test_clips_differential.py) checks which rules fire on which facts; here the
reference is experta's stock ReteMatcher running the same compiled rules with the same strategy,
and every firing is compared in order: rule, matched facts, bindings, what it concluded.
"""

import json

import pytest

import expert.engine  # noqa: F401  (first: under experta's pinned frozendict 1.2, its step must run before experta)
from experta import NOT, Fact, KnowledgeEngine, L, Rule, W
from experta.matchers.rete import ReteMatcher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import expert
from clips_strategies import fact_sets, rich_fact_sets
from conftest import level, supplement, symptom
from expert.engine.compiler import compile_knowledge_base
from expert.engine.matcher import FastReteMatcher
from expert.rules.knowledge import default_knowledge_base
from test_clips_forms import FORMS

KB = default_knowledge_base()


def _reference_engine(kb):
    """The compiled rules under experta's own matcher."""
    return type("Reference", (compile_knowledge_base(kb),), {"__matcher__": ReteMatcher})()


def _fired(facts, kb, reference: bool):
    session = expert.Session(kb)
    if reference:
        session._engine = _reference_engine(kb)
    for fact in facts:
        session.tell(fact)
    return [f.model_dump() for f in session.run().report.fired]


def _assert_same_firings(facts, kb):
    ours, theirs = _fired(facts, kb, False), _fired(facts, kb, True)
    assert [f["rule"] for f in ours] == [f["rule"] for f in theirs]
    assert ours == theirs


_SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@settings(max_examples=200, **_SETTINGS)
@given(facts=st.one_of(fact_sets(KB), rich_fact_sets(KB)))
def test_the_real_knowledge_base_fires_as_under_experta_s_matcher_firing_by_firing(facts):
    _assert_same_firings(facts, KB)


def _by_content(firing: dict) -> str:
    """A firing without what depends on its place in a tie: its number, and the ids (d1, d2...)
    of derived facts, which are numbered in firing order. Facts are named by their content."""
    def ref(r):
        return (r["origin"], json.dumps(r["fact"], sort_keys=True))
    kept = {k: v for k, v in firing.items() if k != "number"}
    kept["matched"] = [ref(r) for r in firing["matched"]]
    kept["concluded"] = [ref(r) for r in firing["concluded"]]
    return json.dumps(kept, sort_keys=True, default=str)


@settings(max_examples=100, **_SETTINGS)
@given(facts=fact_sets(FORMS))
def test_every_form_of_condition_fires_as_under_experta_s_matcher(facts):
    # Two facts can match two patterns of one rule both ways round (same_kind_twice): such firings
    # tie on the agenda, and experta's own matcher orders ties by hash, differently from run to run.
    # So the order is compared rule by rule, and the firings themselves by content.
    ours, theirs = _fired(facts, FORMS, False), _fired(facts, FORMS, True)
    assert sorted(map(_by_content, ours)) == sorted(map(_by_content, theirs))
    assert [f["rule"] for f in ours] == [f["rule"] for f in theirs]


def test_the_real_knowledge_base_takes_the_fast_walk():
    engine = compile_knowledge_base(KB)()
    assert isinstance(engine.matcher, FastReteMatcher) and engine.matcher.fast


def test_a_reset_leaves_no_token_in_any_node():
    session = expert.Session()
    engine = session._engine
    for fact in (symptom("twitching", "eyelids"), level("magnesium", "low"), supplement("vitamin_b6", 200, months=12)):
        session.tell(fact)
    assert session.run().report.fired
    engine.reset()
    for node in _nodes(engine.matcher.root_node):
        for memory in ("memory", "left_memory", "right_memory", "added", "removed"):
            assert not getattr(node, memory, None), f"{type(node).__name__}.{memory} kept a token"
    assert not engine.matcher._pending_nodes


def _nodes(root):
    seen, stack = {}, [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            stack.extend(c.node for c in node.children)
    return list(seen.values())


# --- declared and retracted directly: the paths a Session does not take ---------------------------


class Item(Fact):
    pass


class Flag(Fact):
    pass


class _Small(KnowledgeEngine):
    @Rule(Item(kind="a", size=W("s")), Item(kind="b", size=W("s")))
    def pair(self, s):
        pass

    @Rule(Item(kind="a", size=W("s")), NOT(Flag(size=W("s"))))
    def unflagged(self, s):
        pass

    @Rule(Item(kind=~L("b"), size=W("s")), Item(kind="b", size=W("s")))
    def not_b_then_b(self, s):
        pass


def _agenda(engine_class, steps):
    engine = engine_class()
    engine.reset()
    declared = {}
    snapshots = []
    for op, name, fact in steps:
        if op == "declare":
            declared[name] = engine.declare(fact)
        elif declared.get(name) is not None:
            engine.retract(declared.pop(name))
        snapshots.append(sorted((a.rule.__name__, sorted(f["__factid__"] for f in a.facts)) for a in engine.agenda.activations))
    return snapshots


_STEPS = [
    ("declare", "a1", Item(kind="a", size=1)),
    ("declare", "b1", Item(kind="b", size=1)),
    ("declare", "f1", Flag(size=1)),
    ("declare", "a2", Item(kind="a", size=2)),
    ("retract", "f1", None),
    ("declare", "c3", Item(kind="c", size=3)),
    ("retract", "a1", None),
    ("declare", "f2", Flag(size=2)),
    ("retract", "b1", None),
    ("retract", "f2", None),
]


@pytest.mark.parametrize("fast_walk", [True, False], ids=["compiled", "experta-walk"])
def test_declaring_and_retracting_gives_experta_s_agenda_step_by_step(fast_walk):
    fast = type("Fast", (_Small,), {"__matcher__": FastReteMatcher})
    if fast_walk:
        # A negated literal is beyond the compiled walk: leave that rule out to take it.
        fast = type("Fast", (fast,), {"not_b_then_b": None})
        reference = type("Reference", (_Small,), {"not_b_then_b": None})
    else:
        reference = _Small
    assert fast().matcher.fast is fast_walk
    assert _agenda(fast, _STEPS) == _agenda(reference, _STEPS)
