"""Every form a condition can take means the same in our engine as in CLIPS.

The real knowledge base may not use every form (or not in every combination), so a small
synthetic one does: variables shared across patterns, an absent condition listed before the
condition that binds its variable, comparisons on a field the person left out, numbers written
as integers, presence tests, booleans, the same kind matched twice, and a red flag in a chain.
Each is checked on hand-picked facts and on generated ones.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import expert
from clips_strategies import fact_sets, rich_fact_sets
from expert.kb.clips import ClipsEngine, export_clips, outcome_of_report
from expert.facts import Lifestyle, Medication, NutrientLevel, Supplement, Symptom
from expert.rules.corpus import corpus
from expert.rules.knowledge import KnowledgeBase
from expert.rules.schema import Rule

QUOTE = {"document": "minerals", "quote": "This vital mineral plays a crucial role in nerve function and muscle relaxation."}


def _rule(rule_id, when, then=(), category="mechanism", **extra):
    return Rule.model_validate(
        {"id": rule_id, "title": f"Synthetic rule {rule_id}", "category": category, "when": when,
         "then": list(then), "text": "A synthetic conclusion.", "sources": [QUOTE], **extra}
    )


FORMS = KnowledgeBase(
    rules=(
        _rule("shared_variable", [
            {"fact": "supplement", "where": {"nutrient": "?n"}},
            {"fact": "nutrient_level", "where": {"nutrient": "?n", "level": "high"}},
        ], [{"finding": "excess_intake", "about": "?n", "basis": "tested"}]),
        _rule("large_dose", [
            {"fact": "supplement", "where": {"nutrient": "?n", "daily_dose_mg": {"gt": 1000}}},
        ], [{"finding": "excess_intake", "about": "?n", "basis": "suspected"}]),
        _rule("absent_listed_first", [
            {"fact": "nutrient_level", "where": {"nutrient": "?n"}, "absent": True},
            {"fact": "finding", "where": {"name": "excess_intake", "about": "?n"}},
        ], [{"finding": "blood_test_advised", "about": "?n"}]),
        _rule("compare_optional_field", [
            {"fact": "supplement", "where": {"duration_months": {"ge": 2}, "daily_dose_mg": {"gt": 100}}},
        ], [{"finding": "stop_supplement"}]),
        _rule("integer_literal_on_a_float", [{"fact": "supplement", "where": {"daily_dose": 100}}]),
        _rule("numbers_in_a_list", [{"fact": "supplement", "where": {"daily_dose": [50, 200.5]}}]),
        _rule("unknown_duration", [{"fact": "supplement", "where": {"duration_months": {"known": False}}}]),
        _rule("known_location", [{"fact": "symptom", "where": {"name": "twitching", "location": {"known": True}}}]),
        _rule("said_not_persistent", [{"fact": "symptom", "where": {"persistent": False}}]),
        _rule("same_kind_twice", [
            {"fact": "symptom", "where": {"location": "?where"}},
            {"fact": "symptom", "where": {"location": "?where", "severe": True}},
        ], [{"finding": "nervous_system_irritation", "about": "?where"}]),
        _rule("absent_with_a_list", [
            {"fact": "symptom", "where": {"name": ["cramps", "spasms"]}},
            {"fact": "lifestyle", "where": {"factor": ["stress", "poor_sleep"]}, "absent": True},
        ], [{"finding": "profile_match", "about": "magnesium", "basis": "suspected"}]),
        _rule("red_flag_in_a_chain", [
            {"fact": "finding", "where": {"name": "nervous_system_irritation"}},
        ], [{"finding": "urgent_care"}], category="red_flag"),
        _rule("medication_named", [{"fact": "medication", "where": {"name": "?drug"}}],
              [{"finding": "professional_evaluation", "about": "?drug"}]),
        _rule("finding_of_a_finding", [
            {"fact": "finding", "where": {"name": "blood_test_advised", "about": "?n"}},
            {"fact": "supplement", "where": {"nutrient": "?n", "unit": ["IU", "mcg"]}},
        ], [{"finding": "dietary_advice", "about": "?n"}]),
        _rule("one_of_bound", [
            {"fact": "symptom", "where": {"name": {"one_of": ["cramps", "spasms"], "bind": "?c"}}},
        ], [{"finding": "neurological_problems", "about": "?c"}]),
        _rule("one_of_numbers", [{"fact": "supplement", "where": {"daily_dose": {"one_of": [50, 200.5], "bind": "?d"}}}]),
        # An `unless`: the rule itself with an absent condition, then its companion.
        *_rule("unless_stressed", [{"fact": "symptom", "where": {"name": "twitching", "location": "?where"}}],
               unless=[{"fact": "lifestyle", "where": {"factor": "stress"}, "text": "Stress at {where} contradicts it."}]).expanded(),
    ),
    documents=corpus(),
    ledger=(),
)


@pytest.fixture(scope="module")
def forms_engine():
    return ClipsEngine(FORMS)


def _compare(facts, engine):
    ours = outcome_of_report(expert.consult(facts, knowledge_base=FORMS))
    theirs = engine.run(facts)
    assert ours.firings == theirs.firings, (
        f"only ours: {sorted(ours.firings - theirs.firings)}\nonly CLIPS: {sorted(theirs.firings - ours.firings)}"
    )
    assert ours.findings == theirs.findings
    return ours


def test_the_synthetic_rules_export_and_load(forms_engine):
    assert export_clips(FORMS).count("(defrule ") == len(FORMS.rules)


def test_a_variable_shared_across_patterns_joins_them(forms_engine):
    facts = [
        Supplement(nutrient="vitamin_d", daily_dose=50.0, unit="mcg"),
        NutrientLevel(nutrient="vitamin_d", level="high"),
        NutrientLevel(nutrient="calcium", level="high"),
    ]
    ours = _compare(facts, forms_engine)
    assert {rule for rule, _ in ours.firings} >= {"shared_variable"}
    assert ("finding", ("about", "calcium"), ("basis", "tested"), ("name", "excess_intake")) not in ours.findings


def test_an_absent_condition_listed_first_still_uses_the_variable_bound_after_it(forms_engine):
    # A large calcium dose is excess intake; a blood test is advised only while no calcium level is known.
    dose = Supplement(nutrient="calcium", daily_dose=2.0, unit="g")
    untested = _compare([dose, NutrientLevel(nutrient="magnesium", level="low")], forms_engine)
    assert "absent_listed_first" in untested.rules_fired
    tested = _compare([dose, NutrientLevel(nutrient="calcium", level="normal")], forms_engine)
    assert "large_dose" in tested.rules_fired and "absent_listed_first" not in tested.rules_fired


def test_a_comparison_on_a_field_left_out_does_not_hold(forms_engine):
    facts = [Supplement(nutrient="vitamin_b6", daily_dose=200.0, unit="mg")]
    ours = _compare(facts, forms_engine)
    assert "compare_optional_field" not in ours.rules_fired
    assert "unknown_duration" in ours.rules_fired


def test_an_integer_in_a_rule_matches_the_same_number_given_as_a_float(forms_engine):
    ours = _compare([Supplement(nutrient="magnesium", daily_dose=100.0, unit="mg")], forms_engine)
    assert "integer_literal_on_a_float" in ours.rules_fired


def test_false_is_not_the_same_as_not_said(forms_engine):
    ours = _compare([Symptom(name="cramps"), Symptom(name="spasms", persistent=False)], forms_engine)
    assert [m for r, m in ours.firings if r == "said_not_persistent"] == [
        (("symptom", ("name", "spasms"), ("persistent", False)),)
    ]


def test_the_same_fact_may_match_two_patterns_of_one_rule(forms_engine):
    ours = _compare([Symptom(name="cramps", location="legs", severe=True)], forms_engine)
    assert "same_kind_twice" in ours.rules_fired and "red_flag_in_a_chain" in ours.rules_fired


def test_two_facts_without_a_location_share_the_unbound_location(forms_engine):
    ours = _compare([Symptom(name="cramps"), Symptom(name="fatigue", severe=True)], forms_engine)
    assert len([1 for r, _ in ours.firings if r == "same_kind_twice"]) == 2


def test_a_medication_name_with_quotes_travels_through_clips_intact(forms_engine):
    ours = _compare([Medication(name='a "quoted" \\ name')], forms_engine)
    assert ("finding", ("about", 'a "quoted" \\ name'), ("name", "professional_evaluation")) in ours.findings


def test_a_one_of_binds_the_value_it_matched(forms_engine):
    ours = _compare([Symptom(name="cramps"), Symptom(name="twitching")], forms_engine)
    assert ("finding", ("about", "cramps"), ("name", "neurological_problems")) in ours.findings
    assert [m for r, m in ours.firings if r == "one_of_bound"] == [(("symptom", ("name", "cramps")),)]


def test_a_one_of_on_numbers_matches_an_integer_given_as_a_float(forms_engine):
    assert "one_of_numbers" in _compare([Supplement(nutrient="folate", daily_dose=50.0, unit="mcg")], forms_engine).rules_fired


def test_an_unless_stops_the_rule_and_fires_its_companion_instead(forms_engine):
    assert [r.id for r in FORMS.rules if r.id.startswith("unless_stressed")] == ["unless_stressed", "unless_stressed.contradicted"]
    calm = _compare([Symptom(name="twitching", location="eyelids")], forms_engine)
    assert "unless_stressed" in calm.rules_fired and "unless_stressed.contradicted" not in calm.rules_fired
    stressed = [Symptom(name="twitching", location="eyelids"), Lifestyle(factor="stress")]
    ours = _compare(stressed, forms_engine)
    assert "unless_stressed" not in ours.rules_fired and "unless_stressed.contradicted" in ours.rules_fired
    companion = expert.consult(stressed, knowledge_base=FORMS).conclusion("unless_stressed.contradicted")
    assert companion.text == "Stress at eyelids contradicts it."
    assert companion.category == "ruled_out" and companion.contradicts == "unless_stressed"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=st.one_of(fact_sets(FORMS), rich_fact_sets(FORMS)))
def test_generated_cases_agree_with_clips_on_every_form(forms_engine, facts):
    _compare(facts, forms_engine)
