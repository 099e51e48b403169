"""Every rule, read like the documents: given these facts, this rule fires and cites its sentences."""

import pytest

import expert
from conftest import condition, diet, level, lifestyle, medication, supplement, symptom

TWITCH = symptom("twitching")

# For each rule, a case that fires it: the smallest story a person could tell.
CASES = {
    # Red flags and referral
    "red_flag.seizures": [symptom("seizures")],
    "red_flag.difficulty_breathing": [symptom("difficulty_breathing")],
    "red_flag.tetany": [symptom("tetany")],
    "red_flag.irregular_heartbeat": [symptom("irregular_heartbeat")],
    "referral.persistent_twitching": [symptom("twitching", persistent=True)],
    "referral.severe_twitching": [symptom("twitching", severe=True)],
    "referral.rule_out_other_causes": [level("magnesium", "low")],
    # Magnesium
    "magnesium.tested_low": [level("magnesium", "low")],
    "magnesium.overexcited_nerves": [level("magnesium", "low")],
    "magnesium.explains_twitching": [level("magnesium", "low"), symptom("cramps")],
    "magnesium.profile.location": [symptom("twitching", "eyelids")],
    "magnesium.profile.fatigue_weakness": [TWITCH, symptom("muscle_weakness")],
    "magnesium.profile.nausea_appetite": [TWITCH, symptom("loss_of_appetite")],
    "magnesium.profile.eye_movements": [TWITCH, symptom("abnormal_eye_movements")],
    "magnesium.profile.heartbeat": [TWITCH, symptom("irregular_heartbeat")],
    "magnesium.profile.twitches_and_cramps": [TWITCH, symptom("cramps")],
    "magnesium.profile.numbness_tingling": [TWITCH, symptom("numbness")],
    "magnesium.profile.diet": [TWITCH, diet("no_nuts_or_seeds")],
    "magnesium.suspected": [symptom("twitching", "eyelids")],
    "magnesium.normal_result": [symptom("twitching", "eyelids"), level("magnesium", "normal")],
    "magnesium.treatment": [level("magnesium", "low")],
    # Calcium
    "calcium.tested_low": [level("calcium", "low")],
    "calcium.excitable_nerves": [level("calcium", "low")],
    "calcium.risk_excites_nerves": [level("vitamin_d", "low")],
    "calcium.explains_twitching": [level("calcium", "low"), TWITCH],
    "calcium.tetany_risk": [level("calcium", "low")],
    "calcium.vitamin_d_link": [level("calcium", "low")],
    "calcium.address_magnesium": [level("calcium", "low"), level("magnesium", "low")],
    "calcium.treatment": [level("calcium", "low")],
    "calcium.profile.location": [symptom("twitching", "arms")],
    "calcium.profile.paresthesia": [TWITCH, symptom("tingling", "around_mouth")],
    "calcium.profile.cramps_spasms": [TWITCH, symptom("spasms")],
    "calcium.profile.facial_twitching": [symptom("twitching", "face")],
    "calcium.profile.chvostek": [symptom("facial_twitch_on_tapping")],
    "calcium.profile.severe_signs": [symptom("tetany")],
    "calcium.profile.diet": [TWITCH, diet("no_dairy")],
    "calcium.suspected": [symptom("twitching", "face")],
    "calcium.normal_result": [symptom("twitching", "face"), level("calcium", "normal")],
    # Potassium
    "potassium.tested_low": [level("potassium", "low")],
    "potassium.disrupted_signaling": [level("potassium", "low")],
    "potassium.explains_twitching": [level("potassium", "low"), TWITCH],
    "potassium.profile.location": [symptom("twitching", "feet")],
    "potassium.profile.weakness_cramps": [TWITCH, symptom("muscle_weakness")],
    "potassium.profile.fatigue": [TWITCH, symptom("fatigue")],
    "potassium.profile.tingling_numbness": [TWITCH, symptom("tingling")],
    "potassium.profile.heart_rhythm": [TWITCH, symptom("irregular_heartbeat")],
    "potassium.profile.constipation": [TWITCH, symptom("constipation")],
    "potassium.profile.diet": [TWITCH, diet("few_fruits_or_vegetables")],
    "potassium.suspected": [symptom("twitching", "feet")],
    "potassium.normal_result": [symptom("twitching", "feet"), level("potassium", "normal")],
    "potassium.treatment": [level("potassium", "low")],
    # Vitamin D
    "vitamin_d.tested_low": [level("vitamin_d", "low")],
    "vitamin_d.impairs_calcium_absorption": [level("vitamin_d", "low")],
    "vitamin_d.calcium_levels_fall": [level("vitamin_d", "low")],
    "vitamin_d.explains_twitching": [level("vitamin_d", "low"), TWITCH],
    "vitamin_d.profile.sources": [TWITCH, lifestyle("little_sun_exposure"), diet("no_fatty_fish")],
    "vitamin_d.suspected": [TWITCH, lifestyle("little_sun_exposure"), diet("no_fatty_fish")],
    "vitamin_d.normal_result": [
        TWITCH, lifestyle("little_sun_exposure"), diet("no_fatty_fish"), level("vitamin_d", "normal")
    ],
    "vitamin_d.sources": [level("vitamin_d", "low")],
    # B vitamins
    "vitamin_b12.tested_low": [level("vitamin_b12", "low")],
    "vitamin_b12.neurological_problems": [level("vitamin_b12", "low")],
    "vitamin_b12.explains_cramps_spasms": [level("vitamin_b12", "low"), symptom("spasms")],
    "vitamin_b12.profile.balance": [TWITCH, symptom("balance_problems")],
    "vitamin_b12.profile.tingling": [symptom("cramps"), symptom("tingling")],
    "vitamin_b12.profile.diet": [TWITCH, diet("no_animal_products")],
    "vitamin_b12.suspected": [TWITCH, symptom("balance_problems")],
    "vitamin_b12.normal_result": [TWITCH, symptom("balance_problems"), level("vitamin_b12", "normal")],
    "vitamin_b12.sources": [level("vitamin_b12", "low")],
    "folate.tested_low": [level("folate", "low")],
    "folate.neurological_issues": [level("folate", "low")],
    # Excess
    "vitamin_b6.high_dose_over_time": [supplement("vitamin_b6", 200, months=12)],
    "vitamin_b6.peripheral_neuropathy": [supplement("vitamin_b6", 200, months=12)],
    "vitamin_b6.explains_twitching": [supplement("vitamin_b6", 200, months=12), TWITCH],
    "vitamin_b6.effects": [supplement("vitamin_b6", 200, months=12)],
    "vitamin_b6.effects_present": [supplement("vitamin_b6", 200, months=12), symptom("difficulty_walking")],
    "vitamin_b6.stop": [supplement("vitamin_b6", 200, months=12)],
    "vitamin_b6.high_dose_recent": [supplement("vitamin_b6", 200, months=1)],
    "vitamin_b6.high_dose_duration_unknown": [supplement("vitamin_b6", 200)],
    "vitamin_b6.dose_below_threshold": [supplement("vitamin_b6", 50, months=12)],
    "magnesium_excess.high_dose": [supplement("magnesium", 500)],
    "magnesium_excess.irritates_nerves": [supplement("magnesium", 500)],
    "magnesium_excess.explains_twitching": [supplement("magnesium", 500), TWITCH],
    "magnesium_excess.dose_within_limit": [supplement("magnesium", 300)],
    "excess.reduce_supplement": [supplement("magnesium", 500)],
    # Other causes
    "lifestyle.caffeine": [TWITCH, lifestyle("excessive_caffeine")],
    "lifestyle.alcohol": [TWITCH, lifestyle("excessive_alcohol")],
    "lifestyle.stress": [TWITCH, lifestyle("stress")],
    "lifestyle.poor_sleep": [TWITCH, lifestyle("poor_sleep")],
    "lifestyle.dehydration": [TWITCH, lifestyle("dehydration")],
    "lifestyle.intense_exercise": [TWITCH, lifestyle("intense_exercise")],
    "medication.side_effect": [TWITCH, medication()],
    "condition.neuromuscular_disorder": [TWITCH, condition("neuromuscular_disorder")],
    "diet.deficiency_context": [TWITCH, diet("malabsorption")],
    "condition.deficiency_context": [TWITCH, condition("other_health_condition")],
    # Advice and background
    "advice.blood_test": [symptom("twitching", "eyelids")],
    "advice.supervised_supplements": [level("potassium", "low")],
    "advice.balanced_diet": [level("calcium", "low")],
    "background.twitching_causes": [TWITCH],
}


def test_every_rule_has_a_case(kb):
    assert sorted(CASES) == sorted(r.id for r in kb.rules)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_and_cites_its_sentences(kb, rule_id):
    report = expert.consult(CASES[rule_id])
    conclusion = report.conclusion(rule_id)
    assert conclusion is not None, f"{rule_id} did not fire; fired: {report.rules_fired}"
    rule = kb.rule(rule_id)
    assert [(s.document, s.quote) for s in conclusion.sources] == [(s.document, s.quote) for s in rule.sources]
    for source in conclusion.sources:
        document = kb.documents[source.document]
        assert source.quote in document.text
        assert source.title == document.title
    if rule.hedge:
        assert any(rule.hedge.lower() in s.quote.lower() for s in conclusion.sources)


def test_a_dose_of_exactly_100_mg_is_not_above_100():
    report = expert.consult([supplement("vitamin_b6", 100, months=24)])
    assert "vitamin_b6.dose_below_threshold" in report.rules_fired
    assert "vitamin_b6.high_dose_over_time" not in report.rules_fired


def test_100000_mcg_of_b6_is_exactly_100_mg_and_not_toxic():
    report = expert.consult([supplement("vitamin_b6", 100000, unit="mcg", months=24)])
    assert "vitamin_b6.high_dose_over_time" not in report.rules_fired


def test_magnesium_given_in_grams_is_compared_exactly_with_the_upper_limit():
    # 0.35 g is 350 mg exactly (binary floats would make it 350.00000000000006).
    at_limit = expert.consult([supplement("magnesium", 0.35, unit="g")])
    assert "magnesium_excess.dose_within_limit" in at_limit.rules_fired
    above = expert.consult([supplement("magnesium", 0.351, unit="g")])
    assert "magnesium_excess.high_dose" in above.rules_fired


def test_outside_thresholds_name_their_authority_apart_from_the_quotes():
    report = expert.consult([supplement("magnesium", 500)])
    conclusion = report.conclusion("magnesium_excess.high_dose")
    assert conclusion.authority is not None
    assert "NIH Office of Dietary Supplements" in conclusion.authority.source
    assert "350 mg a day" == conclusion.authority.figure
    assert all("NIH" not in s.quote for s in conclusion.sources)


def test_where_the_documents_differ_each_keeps_its_own_claim():
    # Numbness with twitching fits magnesium only in the vitamins document.
    report = expert.consult([TWITCH, symptom("numbness")])
    conclusion = report.conclusion("magnesium.profile.numbness_tingling")
    assert {s.document for s in conclusion.sources} == {"vitamins"}
    assert "minerals document does not list" in conclusion.text


def test_where_the_documents_agree_both_are_cited():
    report = expert.consult([level("magnesium", "low")])
    conclusion = report.conclusion("magnesium.overexcited_nerves")
    assert {s.document for s in conclusion.sources} == {"minerals", "vitamins"}
