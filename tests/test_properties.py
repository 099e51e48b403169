"""Invariants over random valid fact sets: termination, order independence, verbatim quotes."""

from hypothesis import given, settings
from hypothesis import strategies as st

import expert
from clips_strategies import fact_sets
from expert.rules.knowledge import default_knowledge_base
from expert.rules.schema import CATEGORY_ORDER

KB = default_knowledge_base()


def _outcome(report):
    fired = [(f.rule, tuple(sorted(repr(sorted(m.fact.items())) for m in f.matched))) for f in report.fired]
    return fired, sorted(c.key for c in report.conclusions)


@settings(max_examples=150, deadline=None)
@given(facts=fact_sets(KB), data=st.data())
def test_conclusions_do_not_depend_on_the_order_facts_are_given(facts, data):
    shuffled = data.draw(st.permutations(facts))
    assert _outcome(expert.consult(facts)) == _outcome(expert.consult(shuffled))


@settings(max_examples=150, deadline=None)
@given(facts=fact_sets(KB))
def test_the_engine_terminates_and_every_quote_is_verbatim(facts):
    report = expert.consult(facts)  # the firing cap would raise on a runaway loop
    assert len(report.fired) < 1000
    for conclusion in report.conclusions:
        for source in conclusion.sources:
            assert source.quote in KB.documents[source.document].text
    order = [CATEGORY_ORDER[c.category] for c in report.conclusions]
    assert order == sorted(order)


@settings(max_examples=60, deadline=None)
@given(facts=fact_sets(KB, max_size=8), data=st.data())
def test_a_session_told_and_retracted_ends_where_a_fresh_consultation_does(facts, data):
    extra = data.draw(fact_sets(KB, max_size=4))
    extra = [f for f in extra if f.key() not in {g.key() for g in facts}]
    session = expert.Session()
    ids = [session.tell(f) for f in facts + extra]
    session.run()
    for fact_id in ids[len(facts):]:
        session.retract(fact_id)
    assert _outcome(session.run().report) == _outcome(expert.consult(facts))
