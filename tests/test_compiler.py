"""The compiled engine: rules asked only when their matches change, nothing stale after an abort."""

import pytest

import expert
from conftest import level, symptom


def test_an_engine_interrupted_by_the_firing_cap_starts_clean_on_the_next_run():
    session = expert.Session(max_firings=2)
    session.tell(level("vitamin_d", "low"))
    session.tell(symptom("twitching", "eyelids"))
    with pytest.raises(expert.FiringLimitError):
        session.run()
    session._max_firings = 1000  # the same engine, now allowed to finish
    again = session.run().report
    fresh = expert.consult([level("vitamin_d", "low"), symptom("twitching", "eyelids")])
    assert [f.rule for f in again.fired] == [f.rule for f in fresh.fired]
    told = {f.id for f in again.facts}
    assert all(m.id in told for f in again.fired for m in f.matched if m.origin == "user")


def test_each_rule_fires_once_per_combination_of_facts():
    report = expert.consult([symptom("twitching", "eyelids"), symptom("cramps"), level("magnesium", "low")])
    firings = [f for f in report.fired if f.rule == "magnesium.explains"]
    assert sorted(f.bindings["complaint"] for f in firings) == ["cramps", "twitching"]
    # One conclusion for the rule, naming both.
    assert len(report.conclusion("magnesium.explains").firings) == 2


def test_a_rule_variable_named_like_a_fact_binding_keeps_its_value(tmp_path):
    from expert.rules.knowledge import load_knowledge_base

    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "one.toml").write_text('''
[[rule]]
id = "test.variable"
title = "A variable called f0"
category = "advice"
when = [{ fact = "nutrient_level", where = { nutrient = "?f0", level = "low" } }]
then = [{ finding = "blood_test_advised", about = "?f0" }]
text = "Ask about your {f0}."
sources = [{ document = "vitamins", quote = "If a deficiency is suspected, a doctor can confirm with a blood test." }]
''')
    kb = load_knowledge_base(tmp_path / "kb", tmp_path / "no-ledger.toml")
    report = expert.consult([level("folate", "low")], knowledge_base=kb)
    firing = report.fired[0]
    assert firing.bindings == {"f0": "folate"}
    assert firing.text == "Ask about your folate."
    assert firing.concluded[0].fact["about"] == "folate"
