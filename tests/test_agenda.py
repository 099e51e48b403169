"""The agenda a compiled engine keeps orders its activations exactly as experta's would.

CompiledEngine places activations by bisecting a list of their keys (KeyedAgenda), where experta's
DepthStrategy bisects the activations themselves. The tests elsewhere compare whole runs, but the
knowledge base's own cases never take an activation off the agenda before it fires; here random
sequences of additions and removals, equal keys included, are applied to both agendas and must
leave the same activations in the same order, and the next to fire must be the same.
"""

from types import SimpleNamespace

import expert.engine  # noqa: F401  (first: under experta's pinned frozendict 1.2, its step must run before experta)
from experta.activation import Activation
from experta.agenda import Agenda
from hypothesis import given, settings
from hypothesis import strategies as st

from expert.engine.compiler import CitedStrategy, KeyedAgenda

# Three rules: two of the same salience, so that ties are broken by the rule's place.
RULES = [SimpleNamespace(salience=s, _wrapped=SimpleNamespace(ordinal=o)) for s, o in ((0, 0), (0, 1), (5, 2))]


class _Fact(dict):
    def __hash__(self):
        return hash(self["__factid__"])


def _activation(rule: int, facts: frozenset, context: int) -> Activation:
    return Activation(RULES[rule], [_Fact(__factid__=f) for f in sorted(facts)], {"x": context})


# An activation: a rule, the facts it matched (ids 1 to 3) and a context. Activations of the same
# rule and facts have equal keys, and are still different activations if their contexts differ:
# experta's removal looks at three places around the bisection point (one of them, from the first
# place, the last activation), and only runs of equal keys reach all three.
_ACTIVATION = st.tuples(st.integers(0, 2), st.frozensets(st.integers(1, 3), min_size=1, max_size=2), st.integers(0, 2))
_STEP = st.tuples(st.lists(_ACTIVATION, max_size=5), st.lists(_ACTIVATION, max_size=3), st.booleans())


def _apply(agenda, steps) -> list:
    """Run the steps on an agenda; what fired (by content) in order, then what is left."""
    strategy = CitedStrategy()
    fired = []
    for added, removed, fire in steps:
        strategy._update_agenda(
            agenda, [_activation(*a) for a in added], [_activation(*a) for a in removed]
        )
        if fire:
            act = agenda.get_next()
            fired.append(None if act is None else _content(act))
    return fired + ["left"] + [_content(act) for act in agenda.activations]


def _content(act) -> tuple:
    return (RULES.index(act.rule), sorted(f["__factid__"] for f in act.facts), act.context["x"])


@settings(max_examples=500, deadline=None)
@given(steps=st.lists(_STEP, max_size=8))
def test_the_keyed_agenda_fires_and_keeps_what_experta_s_agenda_does(steps):
    keyed = KeyedAgenda()
    assert _apply(keyed, steps) == _apply(Agenda(), steps)
    # The keys stay beside their activations.
    assert keyed.keys == [act.key for act in keyed.activations]


def test_an_activation_taken_off_leaves_the_others_in_order():
    agenda = KeyedAgenda()
    strategy = CitedStrategy()
    first, high, other = _activation(0, frozenset({1}), 0), _activation(2, frozenset({2}), 0), _activation(1, frozenset({3}), 0)
    strategy._update_agenda(agenda, [first, high, other], [])
    assert agenda.activations == [first, other, high]  # the last fires first: the higher salience
    strategy._update_agenda(agenda, [], [_activation(1, frozenset({3}), 0)])  # an equal activation, not the same object
    assert agenda.activations == [first, high]
    assert agenda.get_next() is high
    assert agenda.keys == [first.key]


def test_among_equal_keys_an_activation_is_taken_off_where_experta_would_find_it():
    # Four activations of one rule on the same fact, differing only in context: experta looks at
    # the first two places and at the last, so it takes off the fourth but not the third.
    adds = [(0, frozenset({1}), x) for x in range(4)]
    for gone in (3, 2):
        steps = [(adds, [], False), ([], [(0, frozenset({1}), gone)], False)]
        assert _apply(KeyedAgenda(), steps) == _apply(Agenda(), steps)
    left = _apply(KeyedAgenda(), [(adds, [], False), ([], [(0, frozenset({1}), 2)], False)])
    assert [x for *_, x in left[1:]] == [0, 1, 2, 3]
