"""The documents' multi-step chains, end to end, in firing order, each step resting on the last."""

import expert
from conftest import level, supplement, symptom


def _steps(report, rule_ids):
    """The firings of these rules in order, checking each rests on the fact the previous derived."""
    firings = [f for f in report.fired if f.rule in rule_ids]
    assert [f.rule for f in firings] == rule_ids
    for earlier, later in zip(firings, firings[1:]):
        derived = {r.id for r in earlier.concluded}
        assert derived & {m.id for m in later.matched}, f"{later.rule} does not rest on {earlier.rule}"
    return firings


def test_low_vitamin_d_leads_through_calcium_to_twitching_and_tetany():
    report = expert.consult([level("vitamin_d", "low"), symptom("twitching")])
    steps = _steps(
        report,
        [
            "vitamin_d.tested_low",
            "vitamin_d.impairs_calcium_absorption",
            "vitamin_d.calcium_levels_fall",
            "calcium.risk_excites_nerves",
            "calcium.explains_twitching",
        ],
    )
    assert steps[0].matched[0].origin == "user"
    assert "calcium.tetany_risk" in report.rules_fired
    assert report.conclusion("calcium.tetany_risk").sources[0].quote.startswith("This can lead to a condition called tetany")


def test_high_dose_b6_over_time_leads_to_neuropathy_and_its_effects():
    report = expert.consult(
        [supplement("vitamin_b6", 200, months=12), symptom("twitching"), symptom("numbness", "feet")]
    )
    _steps(report, ["vitamin_b6.high_dose_over_time", "vitamin_b6.peripheral_neuropathy", "vitamin_b6.explains_twitching"])
    effects = report.conclusion("vitamin_b6.effects")
    assert "numbness, tingling, muscle twitching and weakness, and difficulty walking" in effects.text
    assert report.conclusion("vitamin_b6.effects_present") is not None
    stop = report.conclusion("vitamin_b6.stop")
    assert stop.hedge == "can sometimes"


def test_low_magnesium_leads_to_overexcited_nerves_and_twitches():
    report = expert.consult([level("magnesium", "low"), symptom("twitching", "legs")])
    _steps(report, ["magnesium.tested_low", "magnesium.overexcited_nerves", "magnesium.explains_twitching"])


def test_low_potassium_leads_to_disrupted_signaling_and_cramps():
    report = expert.consult([level("potassium", "low"), symptom("cramps")])
    _steps(report, ["potassium.tested_low", "potassium.disrupted_signaling", "potassium.explains_twitching"])


def test_low_b12_leads_to_neurological_problems_and_spasms():
    report = expert.consult([level("vitamin_b12", "low"), symptom("spasms")])
    _steps(report, ["vitamin_b12.tested_low", "vitamin_b12.neurological_problems", "vitamin_b12.explains_cramps_spasms"])


def test_excess_magnesium_irritates_the_nerves_and_explains_twitching():
    report = expert.consult([supplement("magnesium", 600), symptom("twitching")])
    _steps(report, ["magnesium_excess.high_dose", "magnesium_excess.irritates_nerves", "magnesium_excess.explains_twitching"])


def test_suspicion_from_symptoms_chains_into_the_mechanism_with_a_blood_test():
    report = expert.consult([symptom("twitching", "eyelids")])
    _steps(report, ["magnesium.profile.location", "magnesium.suspected", "magnesium.overexcited_nerves", "magnesium.explains_twitching"])
    suspected = [d for d in report.derived if d.fact.get("name") == "deficiency"]
    assert [d.fact for d in suspected] == [{"kind": "finding", "name": "deficiency", "about": "magnesium", "basis": "suspected"}]
    assert "blood test" in report.conclusion("magnesium.suspected").text


def test_red_flags_come_first_in_the_report():
    report = expert.consult([symptom("twitching", "face"), symptom("tingling", "around_mouth"), symptom("seizures")])
    assert report.conclusions[0].category == "red_flag"
    assert report.conclusions[0].rule == "red_flag.seizures"
    categories = [c.category for c in report.conclusions]
    assert categories == sorted(categories, key=["red_flag", "referral", "explanation", "suspicion", "mechanism", "ruled_out", "advice", "background"].index)


def test_each_matched_fact_is_traceable_to_the_person_or_an_earlier_firing():
    report = expert.consult([level("vitamin_d", "low"), symptom("twitching", "eyelids", persistent=True)])
    told = {f.id for f in report.facts}
    for firing in report.fired:
        for fact in firing.matched:
            if fact.origin == "user":
                assert fact.id in told
            else:
                assert fact.derived_by is not None and fact.derived_by < firing.number


def test_with_equal_grounds_the_explanation_with_more_lines_of_evidence_comes_first():
    # Facial twitching and tingling around the mouth fit calcium twice over (two profile rules);
    # magnesium and potassium only once each.
    report = expert.consult([symptom("twitching", "face"), symptom("tingling", "around_mouth")])
    explanations = [c.rule for c in report.conclusions if c.category == "explanation"]
    assert explanations[0] == "calcium.explains_twitching"
    assert {tuple(c.grounds) for c in report.conclusions if c.category == "explanation"} == {("u1", "u2")}


def test_a_conclusion_names_every_firing_its_chain_rests_on():
    report = expert.consult([level("vitamin_d", "low"), symptom("twitching")])
    conclusion = report.conclusion("calcium.explains_twitching")
    rules = [report.fired[n - 1].rule for n in conclusion.chain]
    assert rules[:4] == ["vitamin_d.tested_low", "vitamin_d.impairs_calcium_absorption", "vitamin_d.calcium_levels_fall", "calcium.risk_excites_nerves"]
    assert rules[-1] == "calcium.explains_twitching"
