"""The vocabulary: strict, frozen facts, exact unit conversion, clear refusals."""

import math
from decimal import Decimal

import pytest
from pydantic import ValidationError

import expert
from expert.facts import Supplement, Symptom, choices
from expert.facts.vocabulary import SymptomName


def problems(fact):
    with pytest.raises(expert.InvalidFactError) as error:
        expert.parse_fact(fact)
    return error.value.problems


@pytest.mark.parametrize(
    ("dose", "unit", "mg"),
    [(200, "mg", "200"), (0.35, "g", "350.00"), (100000, "mcg", "100.000"), (500, "µg", "0.500"),
     (500, "ug", "0.500")],
)
def test_doses_convert_to_milligrams_exactly(dose, unit, mg):
    fact = Supplement(nutrient="magnesium", daily_dose=dose, unit=unit)
    assert fact.daily_dose_mg == Decimal(mg)


def test_vitamin_d_in_iu_converts_at_40_iu_per_microgram():
    fact = Supplement(nutrient="vitamin_d", daily_dose=4000, unit="IU")
    assert fact.daily_dose_mg == Decimal("0.1")


def test_iu_for_a_nutrient_without_a_conversion_is_refused_with_what_is_accepted():
    [line] = problems({"kind": "supplement", "nutrient": "vitamin_b6", "daily_dose": 50, "unit": "IU"})
    assert "IU" in line and "vitamin B6" in line and "mg, mcg or g" in line


@pytest.mark.parametrize("dose", [-1, 0, math.nan, math.inf, 10**9])
def test_negative_zero_nan_infinite_and_absurd_doses_are_refused(dose):
    [line] = problems({"kind": "supplement", "nutrient": "magnesium", "daily_dose": dose, "unit": "mg"})
    assert line.startswith("fact") and "daily_dose" in line


def test_an_absurd_duration_is_refused():
    [line] = problems({"kind": "supplement", "nutrient": "magnesium", "daily_dose": 1, "unit": "mg",
                       "duration_months": 5000})
    assert line.startswith("fact.duration_months:")


def test_unknown_unit_lists_the_accepted_units():
    [line] = problems({"kind": "supplement", "nutrient": "magnesium", "daily_dose": 1, "unit": "kg"})
    assert line.startswith("fact.unit:") and "'mg'" in line and "'IU'" in line


def test_unknown_kind_lists_the_kinds():
    [line] = problems({"kind": "mood", "name": "sad"})
    assert "'symptom'" in line and "'supplement'" in line


def test_unknown_field_names_the_field_and_the_accepted_ones():
    [line] = problems({"kind": "symptom", "name": "twitching", "colour": "red"})
    assert line.startswith("fact.colour:") and "location" in line


def test_wrong_type_is_refused_not_coerced():
    [line] = problems({"kind": "symptom", "name": "twitching", "persistent": "yes"})
    assert line.startswith("fact.persistent:") and "boolean" in line


def test_every_documented_symptom_name_is_accepted():
    for name in choices(SymptomName):
        assert Symptom(name=name).name == name


def test_facts_are_frozen():
    fact = Symptom(name="twitching")
    with pytest.raises(ValidationError):
        fact.name = "cramps"
