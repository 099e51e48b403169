"""Shared fixtures and small fact builders, so tests read like the documents."""

import pytest

from expert.rules.knowledge import default_knowledge_base


@pytest.fixture(scope="session")
def kb():
    return default_knowledge_base()


def symptom(name, location=None, **flags):
    fact = {"kind": "symptom", "name": name, **flags}
    if location:
        fact["location"] = location
    return fact


def level(nutrient, value):
    return {"kind": "nutrient_level", "nutrient": nutrient, "level": value}


def supplement(nutrient, dose, unit="mg", months=None):
    fact = {"kind": "supplement", "nutrient": nutrient, "daily_dose": dose, "unit": unit}
    if months is not None:
        fact["duration_months"] = months
    return fact


def lifestyle(factor):
    return {"kind": "lifestyle", "factor": factor}


def diet(pattern):
    return {"kind": "diet", "pattern": pattern}


def condition(name):
    return {"kind": "condition", "name": name}


def medication(name="an antidepressant"):
    return {"kind": "medication", "name": name}
