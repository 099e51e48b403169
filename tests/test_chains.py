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


def test_low_vitamin_d_puts_calcium_at_risk_and_asks_for_a_calcium_test_not_more():
    # "Vitamin D is crucial for the absorption of calcium ... Without enough vitamin D, the body
    # cannot maintain adequate calcium levels": a risk to calcium, not a finding of low calcium.
    report = expert.consult([level("vitamin_d", "low"), symptom("twitching")])
    steps = _steps(
        report,
        ["vitamin_d.tested_low", "vitamin_d.impairs_calcium_absorption", "vitamin_d.calcium_at_risk", "vitamin_d.calcium_test"],
    )
    assert steps[0].matched[0].origin == "user"
    assert "blood_test_advised" in [r.fact["name"] for r in steps[-1].concluded]
    for not_said in ("calcium.explains", "calcium.tetany", "calcium.excitable_nerves"):
        assert not_said not in report.rules_fired
    # Twitching is a recognized symptom of vitamin D deficiency itself.
    assert report.conclusion("vitamin_d.explains") is not None


def test_a_low_calcium_result_with_low_vitamin_d_follows_the_chain_to_the_nerves():
    report = expert.consult([level("vitamin_d", "low"), level("calcium", "low"), symptom("twitching")])
    _steps(report, ["calcium.tested_low", "calcium.excitable_nerves", "calcium.explains"])
    assert report.conclusion("calcium.with_low_vitamin_d") is not None
    assert report.conclusion("calcium.tetany").sources[0].quote.startswith("This can lead to a condition called tetany")


def test_high_dose_b6_over_time_leads_to_neuropathy_and_its_effects():
    report = expert.consult(
        [supplement("vitamin_b6", 200, months=12), symptom("twitching"), symptom("numbness", "feet")]
    )
    _steps(report, ["vitamin_b6.over_time", "vitamin_b6.explains"])
    assert report.conclusion("vitamin_b6.effects_present").text == "The effects of B6 toxicity may include the numbness you report."
    assert report.conclusion("vitamin_b6.effects_to_watch") is None, "an effect is reported: no list of what to watch for"
    assert report.conclusion("vitamin_b6.stop").hedge == "can sometimes"


def test_low_magnesium_leads_to_overexcited_nerves_and_twitches():
    report = expert.consult([level("magnesium", "low"), symptom("twitching", "legs")])
    _steps(report, ["magnesium.tested_low", "magnesium.overexcited_nerves", "magnesium.explains"])


def test_low_potassium_leads_to_disrupted_signaling_and_cramps():
    report = expert.consult([level("potassium", "low"), symptom("cramps")])
    _steps(report, ["potassium.tested_low", "potassium.disrupted_signaling", "potassium.explains"])
    assert report.conclusion("potassium.explains").text.startswith("Low potassium may explain your cramps:")


def test_low_b12_leads_to_neurological_problems_and_spasms():
    report = expert.consult([level("vitamin_b12", "low"), symptom("spasms")])
    _steps(report, ["vitamin_b12.tested_low", "vitamin_b12.neurological_problems", "vitamin_b12.explains"])


def test_excess_magnesium_can_potentially_explain_twitching():
    report = expert.consult([supplement("magnesium", 600), symptom("twitching")])
    _steps(report, ["magnesium_excess.high_dose", "magnesium_excess.explains"])


def test_suspicion_from_a_sign_of_magnesium_alone_chains_into_the_mechanism_with_a_blood_test():
    report = expert.consult([symptom("twitching", "eyelids")])
    _steps(report, ["magnesium.profile.eyelids", "magnesium.suspected", "magnesium.overexcited_nerves", "magnesium.explains"])
    suspected = [d for d in report.derived if d.fact.get("name") == "deficiency"]
    assert [d.fact for d in suspected] == [{"kind": "finding", "name": "deficiency", "about": "magnesium", "basis": "suspected"}]
    assert "blood test" in report.conclusion("magnesium.suspected").text


def test_red_flags_come_first_in_the_report():
    report = expert.consult([symptom("twitching", "face"), symptom("tingling", "around_mouth"), symptom("seizures")])
    assert report.conclusions[0].category == "red_flag"
    assert report.conclusions[0].rule == "red_flag.seizures"
    order = ["red_flag", "conflict", "referral", "advice", "explanation", "suspicion", "ruled_out", "mechanism", "background"]
    categories = [c.category for c in report.conclusions]
    assert categories == sorted(categories, key=order.index)


def test_red_flags_fire_before_anything_else():
    # Salience: whatever the order the facts come in, the red flags are the first firings. Tetany
    # also makes calcium deficiency suspected; without salience that firing would come between them.
    others = [symptom("twitching", "eyelids"), level("magnesium", "low"), symptom("twitching", "face")]
    flags = [symptom("tetany"), symptom("irregular_heartbeat")]
    for facts in (others + flags, flags + others, others[:1] + flags[::-1] + others[1:]):
        rules = [f.rule for f in expert.consult(facts).fired]
        assert sorted(rules[:2]) == ["red_flag.irregular_heartbeat", "red_flag.tetany"], rules
        assert not [r for r in rules[2:] if r.startswith("red_flag.")], rules


def test_each_matched_fact_is_traceable_to_the_person_or_an_earlier_firing():
    report = expert.consult([level("vitamin_d", "low"), symptom("twitching", "eyelids", persistent=True)])
    told = {f.id for f in report.facts}
    for firing in report.fired:
        for fact in firing.matched:
            if fact.origin == "user":
                assert fact.id in told
            else:
                assert fact.derived_by is not None and fact.derived_by < firing.number


def test_a_rule_firing_on_two_complaints_says_both_once():
    report = expert.consult([level("magnesium", "low"), symptom("twitching"), symptom("cramps")])
    explains = [c for c in report.conclusions if c.rule == "magnesium.explains"]
    assert len(explains) == 1
    assert explains[0].text.startswith("Magnesium deficiency may explain your twitching and cramps:")
    assert len(explains[0].firings) == 2


def test_a_conclusion_names_every_firing_its_chain_rests_on():
    report = expert.consult([level("vitamin_d", "low"), symptom("twitching")])
    conclusion = report.conclusion("vitamin_d.calcium_test")
    rules = [report.fired[n - 1].rule for n in conclusion.chain]
    assert rules == ["vitamin_d.tested_low", "vitamin_d.impairs_calcium_absorption", "vitamin_d.calcium_at_risk", "vitamin_d.calcium_test"]
