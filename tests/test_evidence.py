"""Causes are ranked by the evidence the documents tie to each: a sign shared by several causes
counts little for each, a test or a dose counts much, and what speaks against subtracts."""

import pytest

import expert
from conftest import diet, level, lifestyle, supplement, symptom


def causes(report):
    return {c.cause: c for c in report.causes}


def test_twitching_in_the_legs_counts_a_third_for_each_of_the_three_minerals_listing_it():
    # "| Common Twitching Location | Eyelids and legs. | Face, arms, and legs. | Legs, arms, and feet. |"
    report = expert.consult([symptom("twitching", "legs")])
    found = causes(report)
    assert set(found) == {"magnesium_deficiency", "calcium_deficiency", "potassium_deficiency"}
    for cause in found.values():
        assert cause.standing == "weak"
        assert cause.score == pytest.approx(1 / 3, abs=1e-3)
        assert "twitching (legs) (shared by 3 causes)" in cause.reason


def test_a_sign_of_one_cause_alone_outweighs_a_shared_one():
    report = expert.consult([symptom("twitching", "eyelids"), symptom("twitching", "legs")])
    assert report.causes[0].cause == "magnesium_deficiency"
    assert report.causes[0].standing == "suspected"
    assert report.causes[0].score == pytest.approx(1 + 1 / 3, abs=1e-3)


def test_a_low_result_outweighs_signs_and_a_normal_one_cancels_it():
    low = causes(expert.consult([symptom("twitching", "face"), level("magnesium", "low")]))
    assert low["magnesium_deficiency"].score == 3 and low["magnesium_deficiency"].standing == "tested"
    assert low["calcium_deficiency"].score == 1
    normal = causes(expert.consult([symptom("twitching", "eyelids"), level("magnesium", "normal")]))
    assert normal["magnesium_deficiency"].standing == "against"
    assert normal["magnesium_deficiency"].score == -2  # one sign of it alone (1), a result not low (-3)
    assert "against: normal magnesium (tested)" in normal["magnesium_deficiency"].reason


def test_a_high_b6_dose_taken_over_time_ranks_above_the_deficiencies_its_effects_share():
    report = expert.consult([supplement("vitamin_b6", 250, months=8), symptom("twitching"), symptom("numbness"), symptom("tingling")])
    b6 = report.causes[0]
    assert b6.cause == "vitamin_b6_toxicity" and b6.standing == "dose"
    assert b6.reason.startswith("A dose above the figure the documents name: vitamin B6 supplement, 250 mg a day for 8 months")
    assert "its listed effects: numbness (shared by 4 causes), tingling (shared by 5 causes)" in b6.reason
    assert all(c.standing == "weak" for c in report.causes[1:])


def test_a_missing_food_counts_half_a_shared_sign():
    found = causes(expert.consult([symptom("twitching"), diet("no_dairy")]))
    assert found["calcium_deficiency"].score == pytest.approx(0.5)
    assert found["calcium_deficiency"].evidence[0].kind == "missing_food"


def test_what_the_person_reports_of_their_habits_is_their_own_cause():
    found = causes(expert.consult([symptom("twitching"), lifestyle("stress")]))
    assert found["stress"].standing == "told" and found["stress"].explains


def test_a_dose_within_the_figure_named_speaks_against_without_excluding():
    found = causes(expert.consult([symptom("twitching"), supplement("vitamin_b6", 50, months=12)]))
    assert found["vitamin_b6_toxicity"].standing == "against"
    assert found["vitamin_b6_toxicity"].score == -1
    assert "(within the figure named)" in found["vitamin_b6_toxicity"].reason


def test_every_reason_is_one_line():
    report = expert.consult([
        symptom("twitching", "eyelids"), symptom("cramps"), symptom("fatigue"), lifestyle("excessive_caffeine"),
        supplement("magnesium", 500), level("calcium", "normal"), diet("no_leafy_greens"),
    ])
    assert report.causes and all("\n" not in c.reason and c.reason for c in report.causes)


def test_too_much_magnesium_is_never_said_to_lead_to_nerve_damage():
    # Nerve damage is B6's effect in the vitamins document; nothing says a magnesium dose harms nerves.
    report = expert.consult([
        {"kind": "supplement", "nutrient": "magnesium", "daily_dose": 500, "unit": "mg", "duration_months": 3},
        {"kind": "nutrient_level", "nutrient": "magnesium", "level": "low"},
    ])
    [excess] = [c for c in report.causes if c.cause == "magnesium_excess"]
    assert excess.reason == (
        "A dose above the figure the documents name: magnesium supplement, 500 mg a day for 3 months; "
        "the documents do not tie it directly to what you report"
    )
