"""The summary: causes ranked by the evidence that bears on each, what speaks against them beside
them, what to do grouped, red flags and what was not asked."""

import expert
from conftest import level, supplement, symptom
from expert.explain.summary import find_conclusions, summarise, user_grounds


def test_a_cause_the_person_reports_a_dose_for_ranks_above_one_resting_on_shared_signs():
    # 250 mg of B6 a day for 8 months, with numbness and tingling: the documents tie the dose to
    # B6 toxicity alone, while numbness and tingling are listed for several deficiencies too.
    report = expert.consult([
        symptom("twitching"), symptom("numbness"), symptom("tingling"), supplement("vitamin_b6", 250, months=8),
    ])
    summary = summarise(report)
    assert [r.cause.cause for r in summary.causes][:1] == ["vitamin_b6_toxicity"]
    assert {r.cause.cause for r in summary.weak} >= {"magnesium_deficiency", "potassium_deficiency"}


def test_support_reaches_down_the_chain_to_the_persons_answers():
    facts = [symptom("twitching"), supplement("vitamin_b6", 200, months=12)]
    report = expert.consult(facts)
    explanation = report.conclusion("vitamin_b6.explains")
    told = {ref.kind for ref in user_grounds(report, explanation)}
    assert told == {"symptom", "supplement"}


def test_a_normal_test_result_sits_beside_the_deficiency_it_speaks_against():
    report = expert.consult([symptom("twitching", "eyelids"), level("magnesium", "normal")])
    summary = summarise(report)
    magnesium = next(r for r in summary.ruled_out if r.cause.cause == "magnesium_deficiency")
    assert [c.rule for c in magnesium.against] == ["magnesium.normal_result"]
    assert not summary.causes, "nothing else speaks for a cause here"


def test_advice_is_grouped_into_tests_supplements_and_foods():
    report = expert.consult([symptom("twitching", "eyelids"), supplement("vitamin_b6", 200, months=12)])
    advice = summarise(report).advice
    assert [c.rule for c in advice["Tests to ask a doctor for"]] == ["advice.blood_test"]
    assert [c.rule for c in advice["Supplements to stop or reduce"]] == ["vitamin_b6.stop"]


def test_red_flags_and_the_disclaimer_are_in_the_summary():
    summary = summarise(expert.consult([symptom("seizures")]))
    assert [c.rule for c in summary.red_flags] == ["red_flag.seizures"]
    assert summary.disclaimer == expert.DISCLAIMER


def test_red_flags_not_asked_are_named_not_called_absent():
    report = expert.consult([symptom("twitching", "eyelids")])
    asked = summarise(report, asked={"twitching", "seizures"})
    assert asked.asked_known
    assert asked.red_flags_not_asked == ["difficulty breathing", "tetany", "irregular heartbeat"]
    from_a_case = summarise(report)
    assert not from_a_case.asked_known
    assert from_a_case.red_flags_not_asked == ["seizures", "difficulty breathing", "tetany", "irregular heartbeat"]


def test_a_fact_no_rule_uses_is_named_as_not_taken_into_account():
    # The documents say nothing about a low vitamin B6 blood level (a high one is named as outside
    # them by a rule of its own).
    report = expert.consult([symptom("twitching"), level("vitamin_b6", "low")])
    assert [ref.text for ref in summarise(report).unused] == ["low vitamin B6 (tested)"]


def test_conclusions_are_found_by_their_words():
    report = expert.consult([symptom("twitching"), {"kind": "lifestyle", "factor": "excessive_caffeine"}])
    found = find_conclusions(report, "CAFFEINE")
    assert [c.rule for c in found] == ["lifestyle.caffeine"]
    assert find_conclusions(report, "zebra") == []
