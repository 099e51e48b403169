"""The vocabulary: what can be known about a person, and what the rules can conclude."""

from facts.findings import Basis, Finding, FindingName
from facts.models import (
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
from facts.vocabulary import choices

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
