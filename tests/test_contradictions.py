"""What the person says can contradict a chain, and two pieces of advice can pull apart.

A test result that contradicts a step (`unless` in the rule's data) stops the step and everything
resting on it, and says so under what speaks against; advice pulling two ways on one nutrient is
concluded as a conflict citing both sides, with a doctor.
"""

import pytest
from pydantic import ValidationError

import expert
from conftest import level, supplement, symptom
from expert.rules.schema import Rule

RESOLUTION_ROW = "| Resolution | Requires correcting the deficiency. | Requires reducing or stopping high-dose supplements. |"


def test_a_normal_calcium_result_withdraws_the_route_from_low_vitamin_d_through_calcium():
    session = expert.Session()
    session.tell(level("vitamin_d", "low"))
    session.tell(symptom("twitching"))
    before = session.run().report
    assert {"vitamin_d.calcium_at_risk", "vitamin_d.calcium_test"} <= set(before.rules_fired)
    assert "calcium" in before.conclusion("advice.blood_test").text

    session.tell(level("calcium", "normal"))
    result = session.run()
    withdrawn = {c.rule for c in result.withdrawn}
    # The contradicted step and what rested on it: the risk, the calcium test and its advice.
    assert {"vitamin_d.calcium_at_risk", "vitamin_d.calcium_test", "advice.blood_test"} <= withdrawn
    new = {c.rule: c for c in result.new}
    assert "vitamin_d.calcium_at_risk.contradicted" in new
    said = new["vitamin_d.calcium_at_risk.contradicted"]
    assert said.category == "ruled_out" and said.contradicts == "vitamin_d.calcium_at_risk"
    assert "does not apply" in said.text
    # What the documents say of vitamin D itself stands.
    assert result.report.conclusion("vitamin_d.explains") is not None


def test_the_withdrawal_is_shown_beside_the_cause_it_speaks_against():
    report = expert.consult([level("vitamin_d", "low"), level("calcium", "normal"), symptom("twitching")])
    summary = expert.summarise(report)
    beside = {r.cause.cause: [c.rule for c in r.against] for r in summary.causes + summary.weak + summary.ruled_out}
    assert "vitamin_d.calcium_at_risk.contradicted" in beside["vitamin_d_deficiency"]


def test_without_the_contradicting_result_the_companion_never_fires():
    report = expert.consult([level("vitamin_d", "low"), level("calcium", "low"), symptom("twitching")])
    assert "vitamin_d.calcium_at_risk" in report.rules_fired
    assert "vitamin_d.calcium_at_risk.contradicted" not in report.rules_fired


def test_replenishing_and_reducing_magnesium_are_concluded_as_a_conflict_citing_both():
    report = expert.consult([supplement("magnesium", 500), level("magnesium", "low"), symptom("twitching")])
    conflict = report.conclusion("conflict.replenish_or_reduce")
    assert conflict is not None and conflict.category == "conflict"
    quotes = [s.quote for s in conflict.sources]
    assert RESOLUTION_ROW in quotes  # both sides: correcting the deficiency, reducing the supplement
    assert "Taking excessive magnesium can potentially irritate the nervous system and lead to muscle twitches." in quotes
    assert "doctor" in conflict.own_advice
    # Neither side is told alone, as if the other were not there.
    assert report.conclusion("magnesium.treatment") is None
    assert report.conclusion("magnesium_excess.reduce") is None
    # It comes right after any red flag, before the rest of what to do.
    assert report.conclusions[0].rule == "conflict.replenish_or_reduce"
    # A low result speaks against too much magnesium as the explanation, and the low result ranks first.
    assert report.conclusion("magnesium_excess.explains") is None
    assert report.conclusion("magnesium_excess.explains.contradicted").category == "ruled_out"
    assert [c.cause for c in report.causes][:2] == ["magnesium_deficiency", "magnesium_excess"]
    assert report.cause("magnesium_excess").reason.endswith("against: low magnesium (tested) (contradicts it)")


def test_each_side_alone_gets_its_own_advice():
    low = expert.consult([level("magnesium", "low")])
    assert low.conclusion("magnesium.treatment") is not None and low.conclusion("conflict.replenish_or_reduce") is None
    high = expert.consult([supplement("magnesium", 500)])
    assert high.conclusion("magnesium_excess.reduce") is not None and high.conclusion("conflict.replenish_or_reduce") is None


def _rule(**unless):
    return {
        "id": "test.rule",
        "title": "A rule with an unless",
        "category": "mechanism",
        "when": [{"fact": "symptom", "where": {"name": "twitching"}}],
        "text": "Something follows.",
        "sources": [{"document": "vitamins", "quote": "If a deficiency is suspected, a doctor can confirm with a blood test."}],
        "unless": [{"fact": "nutrient_level", "where": {"nutrient": "magnesium", "level": "normal"}, **unless}],
    }


def test_an_unless_becomes_an_absent_condition_and_a_companion():
    main, companion = Rule.model_validate(_rule(text="Your magnesium is normal.")).expanded()
    assert main.unless == [] and main.when[-1].absent and main.when[-1].fact == "nutrient_level"
    assert companion.id == "test.rule.contradicted" and companion.contradicts == "test.rule"
    assert [c.absent for c in companion.when] == [False, False]
    assert companion.sources == main.sources  # the rule's own, when the unless names none


def test_an_unless_text_naming_a_variable_nothing_binds_is_refused():
    with pytest.raises(ValidationError, match=r"an unless text uses \{where\}, which no condition binds"):
        Rule.model_validate(_rule(text="At {where}."))
