"""Shared fixtures and small fact builders, so tests read like the documents."""

import os

import pytest
from hypothesis import settings

from expert.rules.knowledge import default_knowledge_base

# The bounded slow run (CI): `EXPERT_HYPOTHESIS_PROFILE=slow uv run pytest -m slow` runs every
# property test marked slow with EXPERT_SLOW_EXAMPLES generated cases (1,000 unless set), the CLIPS
# differential run included (its EXPERT_CLIPS_EXAMPLES defaults to the same). The default run
# leaves the slow tests out and keeps each other property test to the count it names.
SLOW_EXAMPLES = int(os.environ.get("EXPERT_SLOW_EXAMPLES", "1000"))
settings.register_profile("slow", max_examples=SLOW_EXAMPLES, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("EXPERT_HYPOTHESIS_PROFILE", "default"))
if os.environ.get("EXPERT_HYPOTHESIS_PROFILE") == "slow":
    os.environ.setdefault("EXPERT_CLIPS_EXAMPLES", str(SLOW_EXAMPLES))


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
