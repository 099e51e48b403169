"""The summary: explanations ranked by what supports them, what speaks against them, advice grouped."""

import expert
from conftest import level, supplement, symptom
from expert.summary import find_conclusions, subjects, summarise, user_grounds


def test_explanations_are_ranked_by_how_many_answers_support_them():
    report = expert.consult([
        symptom("twitching", "eyelids"),
        symptom("cramps"),
        symptom("fatigue"),
        {"kind": "lifestyle", "factor": "excessive_caffeine"},
    ])
    summary = summarise(report)
    counts = [len(e.support) for e in summary.explanations]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    for e in summary.explanations:
        assert e.conclusion.category in ("explanation", "suspicion")
        assert all(ref.origin == "user" for ref in e.support)


def test_support_reaches_down_the_chain_to_the_persons_answers():
    facts = [symptom("twitching"), supplement("vitamin_b6", 200, months=12)]
    report = expert.consult(facts)
    explanation = next(c for c in report.conclusions if c.category == "explanation" and "vitamin_b6" in subjects(c))
    told = {ref.kind for ref in user_grounds(report, explanation)}
    assert told == {"symptom", "supplement"}


def test_a_normal_test_result_speaks_against_the_deficiency_it_concerns():
    report = expert.consult([symptom("twitching", "eyelids"), level("magnesium", "normal")])
    summary = summarise(report)
    against = [(e.conclusion, a) for e in summary.explanations for a in e.against]
    assert against, "a ruled-out conclusion is attached to the explanation it speaks against"
    for conclusion, a in against:
        assert a.category == "ruled_out" and subjects(a) & subjects(conclusion)


def test_advice_is_grouped_into_tests_foods_and_supplements_to_stop():
    report = expert.consult([symptom("twitching", "eyelids"), supplement("vitamin_b6", 200, months=12)])
    advice = summarise(report).advice
    assert "Tests to ask a doctor for" in advice
    assert "Supplements to stop or reduce" in advice
    assert any("B6" in c.text or "b6" in c.text for c in advice["Supplements to stop or reduce"])


def test_red_flags_and_the_disclaimer_are_in_the_summary():
    summary = summarise(expert.consult([symptom("seizures")]))
    assert summary.red_flags and all(c.is_red_flag for c in summary.red_flags)
    assert summary.disclaimer == expert.DISCLAIMER


def test_conclusions_are_found_by_their_words():
    report = expert.consult([symptom("twitching"), {"kind": "lifestyle", "factor": "excessive_caffeine"}])
    found = find_conclusions(report, "CAFFEINE")
    assert found and all("caffeine" in (c.text + c.title + c.rule).casefold() for c in found)
    assert find_conclusions(report, "zebra") == []
