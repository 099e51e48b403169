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
    # Signs shared by several causes, and missing foods
    "shared.twitching_legs": [symptom("twitching", "legs")],
    "shared.twitching_arms": [symptom("twitching", "arms")],
    "shared.cramps": [symptom("cramps")],
    "shared.spasms": [symptom("spasms")],
    "shared.fatigue": [TWITCH, symptom("fatigue")],
    "shared.muscle_weakness": [TWITCH, symptom("muscle_weakness")],
    "shared.irregular_heartbeat": [TWITCH, symptom("irregular_heartbeat")],
    "shared.numbness": [TWITCH, symptom("numbness")],
    "shared.tingling": [TWITCH, symptom("tingling")],
    "diet.no_leafy_greens": [TWITCH, diet("no_leafy_greens")],
    "diet.no_nuts_or_seeds": [TWITCH, diet("no_nuts_or_seeds")],
    "diet.no_dairy": [TWITCH, diet("no_dairy")],
    "diet.no_fatty_fish": [TWITCH, diet("no_fatty_fish")],
    "diet.little_sun": [TWITCH, lifestyle("little_sun_exposure")],
    "diet.few_fruits_or_vegetables": [TWITCH, diet("few_fruits_or_vegetables")],
    # Magnesium
    "magnesium.tested_low": [level("magnesium", "low")],
    "magnesium.overexcited_nerves": [level("magnesium", "low")],
    "magnesium.explains": [level("magnesium", "low"), symptom("cramps")],
    "magnesium.profile.eyelids": [symptom("twitching", "eyelids")],
    "magnesium.profile.nausea_appetite": [TWITCH, symptom("loss_of_appetite")],
    "magnesium.profile.eye_movements": [TWITCH, symptom("abnormal_eye_movements")],
    "magnesium.suspected": [symptom("twitching", "eyelids")],
    "magnesium.normal_result": [symptom("twitching", "eyelids"), level("magnesium", "normal")],
    "magnesium.treatment": [level("magnesium", "low")],
    # Calcium
    "calcium.tested_low": [level("calcium", "low")],
    "calcium.excitable_nerves": [level("calcium", "low")],
    "calcium.explains": [level("calcium", "low"), TWITCH],
    "calcium.tetany": [level("calcium", "low")],
    "calcium.explains_tetany": [symptom("tetany")],
    "calcium.vitamin_d_link": [level("calcium", "low")],
    "calcium.with_low_vitamin_d": [level("calcium", "low"), level("vitamin_d", "low")],
    "calcium.address_magnesium": [level("calcium", "low"), level("magnesium", "low")],
    "calcium.treatment": [level("calcium", "low")],
    "calcium.profile.face": [symptom("twitching", "face")],
    "calcium.profile.chvostek": [symptom("facial_twitch_on_tapping")],
    "calcium.profile.around_mouth": [TWITCH, symptom("tingling", "around_mouth")],
    "calcium.profile.severe_signs": [symptom("cramps"), symptom("seizures")],
    "calcium.profile.tetany": [symptom("tetany")],
    "calcium.magnesium_test": [level("calcium", "low")],
    "calcium.suspected": [symptom("twitching", "face")],
    "calcium.normal_result": [symptom("twitching", "face"), level("calcium", "normal")],
    # Potassium
    "potassium.tested_low": [level("potassium", "low")],
    "potassium.disrupted_signaling": [level("potassium", "low")],
    "potassium.explains": [level("potassium", "low"), TWITCH],
    "potassium.profile.feet": [symptom("twitching", "feet")],
    "potassium.profile.constipation": [TWITCH, symptom("constipation")],
    "potassium.suspected": [symptom("twitching", "feet")],
    "potassium.normal_result": [symptom("twitching", "feet"), level("potassium", "normal")],
    "potassium.treatment": [level("potassium", "low")],
    # Vitamin D
    "vitamin_d.tested_low": [level("vitamin_d", "low")],
    "vitamin_d.impairs_calcium_absorption": [level("vitamin_d", "low")],
    "vitamin_d.calcium_at_risk": [level("vitamin_d", "low")],
    "vitamin_d.calcium_at_risk.contradicted": [level("vitamin_d", "low"), level("calcium", "normal")],
    "vitamin_d.calcium_test": [level("vitamin_d", "low")],
    "vitamin_d.explains": [level("vitamin_d", "low"), TWITCH],
    "vitamin_d.profile.sources": [TWITCH, lifestyle("little_sun_exposure"), diet("no_fatty_fish")],
    "vitamin_d.suspected": [TWITCH, lifestyle("little_sun_exposure"), diet("no_fatty_fish")],
    "vitamin_d.normal_result": [TWITCH, lifestyle("little_sun_exposure"), level("vitamin_d", "normal")],
    "vitamin_d.sources": [level("vitamin_d", "low")],
    # B vitamins
    "vitamin_b12.tested_low": [level("vitamin_b12", "low")],
    "vitamin_b12.neurological_problems": [level("vitamin_b12", "low")],
    "vitamin_b12.explains": [level("vitamin_b12", "low"), symptom("spasms")],
    "vitamin_b12.profile.balance": [TWITCH, symptom("balance_problems")],
    "vitamin_b12.profile.diet": [TWITCH, diet("no_animal_products")],
    "vitamin_b12.suspected": [TWITCH, symptom("balance_problems")],
    "vitamin_b12.normal_result": [TWITCH, symptom("balance_problems"), level("vitamin_b12", "normal")],
    "vitamin_b12.sources": [level("vitamin_b12", "low")],
    "folate.tested_low": [level("folate", "low")],
    "folate.explains": [level("folate", "low"), symptom("cramps")],
    # Excess
    "vitamin_b6.high_dose": [supplement("vitamin_b6", 200, months=1)],
    "vitamin_b6.over_time": [supplement("vitamin_b6", 200, months=12)],
    "vitamin_b6.gram_dose_short_time": [supplement("vitamin_b6", 3, unit="g", months=0.5)],
    "vitamin_b6.gram_dose_time_unknown": [supplement("vitamin_b6", 1000)],
    "vitamin_b6.short_time": [supplement("vitamin_b6", 200, months=1)],
    "vitamin_b6.time_unknown": [supplement("vitamin_b6", 200)],
    "vitamin_b6.explains": [supplement("vitamin_b6", 200, months=12), TWITCH],
    "vitamin_b6.effects_explain": [supplement("vitamin_b6", 200, months=1), TWITCH, symptom("numbness")],
    "vitamin_b6.effects_present": [supplement("vitamin_b6", 200, months=12), symptom("difficulty_walking")],
    "vitamin_b6.effects_to_watch": [supplement("vitamin_b6", 200, months=12)],
    "vitamin_b6.stop": [supplement("vitamin_b6", 200, months=12)],
    "vitamin_b6.dose_not_above_100": [supplement("vitamin_b6", 50, months=12)],
    "vitamin_b6.effects_within_figure": [supplement("vitamin_b6", 100, months=12), symptom("numbness")],
    "magnesium_excess.high_dose": [supplement("magnesium", 500)],
    "magnesium_excess.explains": [supplement("magnesium", 500), TWITCH],
    "magnesium_excess.explains.contradicted": [supplement("magnesium", 500), TWITCH, level("magnesium", "low")],
    "magnesium_excess.within_limit": [supplement("magnesium", 300)],
    "magnesium_excess.reduce": [supplement("magnesium", 500)],
    "conflict.replenish_or_reduce": [supplement("magnesium", 500), level("magnesium", "low")],
    "conflict.suspected_or_excess": [supplement("magnesium", 500), TWITCH, symptom("nausea")],
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
    "background.muscle_symptoms": [TWITCH],
    "background.no_muscle_complaint": [symptom("fatigue")],
    "supplement.no_limit_given": [supplement("vitamin_d", 1000, unit="IU")],
    "supplement.still_low": [supplement("vitamin_d", 1000, unit="IU"), level("vitamin_d", "low")],
    "listed_sign.magnesium": [level("magnesium", "low"), symptom("nausea")],
    "listed_sign.calcium": [level("calcium", "low"), symptom("tingling")],
    "listed_sign.potassium": [level("potassium", "low"), symptom("constipation")],
    "listed_sign.vitamin_b12": [level("vitamin_b12", "low"), symptom("fatigue")],
    "result.high": [level("calcium", "high")],
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
    assert "vitamin_b6.dose_not_above_100" in report.rules_fired
    assert "vitamin_b6.high_dose" not in report.rules_fired


def test_100000_mcg_of_b6_is_exactly_100_mg_and_not_above_it():
    report = expert.consult([supplement("vitamin_b6", 100000, unit="mcg", months=24)])
    assert "vitamin_b6.high_dose" not in report.rules_fired
    assert "vitamin_b6.dose_not_above_100" in report.rules_fired


def test_magnesium_given_in_grams_is_compared_exactly_with_the_upper_limit():
    # 0.35 g is 350 mg exactly (binary floats would make it 350.00000000000006).
    at_limit = expert.consult([supplement("magnesium", 0.35, unit="g")])
    assert "magnesium_excess.within_limit" in at_limit.rules_fired
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
    # Numbness is listed for magnesium only in the vitamins document: the text says so.
    report = expert.consult([TWITCH, symptom("numbness")])
    conclusion = report.conclusion("shared.numbness")
    assert "magnesium (in the vitamins document)" in conclusion.text
    assert ("vitamins", "- Numbness and tingling") in [(s.document, s.quote) for s in conclusion.sources]


def test_where_the_documents_agree_both_are_cited():
    report = expert.consult([level("magnesium", "low")])
    conclusion = report.conclusion("magnesium.overexcited_nerves")
    assert {s.document for s in conclusion.sources} == {"minerals", "vitamins"}
