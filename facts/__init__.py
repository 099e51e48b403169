"""The vocabulary: what can be known about a person, and what the rules can conclude."""

from expert.facts.findings import Basis, Finding, FindingName
from expert.facts.models import (
    FACT_MODELS,
    CaseFile,
    Condition,
    Diet,
    Lifestyle,
    Medication,
    NutrientLevel,
    Supplement,
    Symptom,
    UserFact,
)
from expert.facts.vocabulary import choices

__all__ = [
    "FACT_MODELS",
    "Basis",
    "CaseFile",
    "Condition",
    "Diet",
    "Finding",
    "FindingName",
    "Lifestyle",
    "Medication",
    "NutrientLevel",
    "Supplement",
    "Symptom",
    "UserFact",
    "choices",
]
