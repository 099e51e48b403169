"""Our engine and CLIPS, running the exported knowledge base, fire the same rules on the same facts.

CLIPS is the oracle: for every generated case the set of (rule, matched facts) and the set of
findings must be equal. Firing order is not compared (the two break ties differently).
"""

import os

import pytest
from hypothesis import HealthCheck, given, settings

import expert
from hypothesis import strategies as st

from clips_strategies import fact_sets, rich_fact_sets
from expert.kb.clips import ClipsEngine, outcome_of_report
from expert.rules.knowledge import default_knowledge_base

KB = default_knowledge_base()


@pytest.fixture(scope="module")
def clips_engine():
    return ClipsEngine(KB)


def assert_same_outcome(facts, clips_engine, kb=None):
    ours = outcome_of_report(expert.consult(facts, knowledge_base=kb))
    theirs = clips_engine.run(facts)
    only_ours = sorted(ours.firings - theirs.firings)
    only_clips = sorted(theirs.firings - ours.firings)
    assert not only_ours and not only_clips, (
        f"facts: {[f.model_dump(exclude_none=True) for f in facts]}\n"
        f"fired only in ours: {only_ours}\nfired only in CLIPS: {only_clips}"
    )
    assert ours.findings == theirs.findings
    return ours


_SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])


@settings(max_examples=250, **_SETTINGS)
@given(facts=st.one_of(fact_sets(KB), rich_fact_sets(KB)))
def test_generated_cases_fire_the_same_rules_on_the_same_facts_as_clips(clips_engine, facts):
    assert_same_outcome(facts, clips_engine)


@pytest.fixture(scope="module")
def slow_selected(request):
    """Skip unless `-m slow` asked for it (until pyproject deselects slow tests by default)."""
    if "slow" not in (request.config.getoption("markexpr") or "").replace("not slow", ""):
        pytest.skip("a long property run: select it with -m slow")


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("EXPERT_CLIPS_EXAMPLES", "3000")), **_SETTINGS)
@given(facts=st.one_of(fact_sets(KB, max_size=30), rich_fact_sets(KB, max_size=30)))
def test_many_more_generated_cases_agree_with_clips(slow_selected, clips_engine, facts):
    assert_same_outcome(facts, clips_engine)


def test_a_rich_case_fires_rules_and_agrees_with_clips(clips_engine):
    """Not a vacuous comparison: a case with every kind of fact makes the rules fire in both."""
    from expert.facts import Diet, Lifestyle, NutrientLevel, Supplement, Symptom

    facts = [
        Symptom(name="twitching", location="eyelids", persistent=True, severe=True),
        Symptom(name="cramps", location="legs"),
        Symptom(name="fatigue"),
        Symptom(name="numbness", location="hands"),
        NutrientLevel(nutrient="magnesium", level="low"),
        NutrientLevel(nutrient="vitamin_d", level="low"),
        NutrientLevel(nutrient="calcium", level="normal"),
        Supplement(nutrient="vitamin_b6", daily_dose=200.0, unit="mg", duration_months=12.0),
        Diet(pattern="no_leafy_greens"),
        Lifestyle(factor="excessive_caffeine"),
        Lifestyle(factor="stress"),
    ]
    ours = assert_same_outcome(facts, clips_engine)
    assert len(ours.firings) >= 5


def test_a_consultation_after_another_starts_from_nothing(clips_engine):
    """consult() reuses engines: the next person's run sees none of the last person's facts."""
    from expert.facts import NutrientLevel, Symptom

    expert.consult([Symptom(name="twitching", location="eyelids"), NutrientLevel(nutrient="magnesium", level="low")])
    ours = assert_same_outcome([Symptom(name="fatigue")], clips_engine)
    assert all(fact[0] != "nutrient_level" for _, matched in ours.firings for fact in matched)
    assert ("finding", ("about", "magnesium"), ("basis", "tested"), ("name", "deficiency")) not in ours.findings
