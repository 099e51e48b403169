"""Hypothesis strategies for valid fact sets, built from the fact models and their vocabularies.

Numbers are drawn near the thresholds the knowledge base compares them with, so that both sides of
every comparison are tried. Doses have at most three decimals, as a label would give them: beyond
fifteen significant digits CLIPS's binary doubles and our exact decimals part ways by design.
"""

import typing
from decimal import Decimal

from hypothesis import assume
from hypothesis import strategies as st
from pydantic import ValidationError

from expert.clips import unwrap_annotation
from facts import FACT_MODELS
from facts.models import IU_PER_MCG, MG_PER_UNIT
from rules.schema import Comparison

MEDICATION_NAMES = ("aspirin", "Omeprazole", 'a "quoted" name', "back\\slash", "métformine")
_THOUSANDTH = Decimal("0.001")


def thresholds(kb) -> dict[str, set[Decimal]]:
    """Every number the knowledge base compares a supplement field with, by field."""
    found: dict[str, set[Decimal]] = {}
    for rule in kb.rules:
        for condition in rule.when:
            for field, test in condition.where.items():
                if isinstance(test, Comparison):
                    found.setdefault(field, set()).add(test.value)
                elif isinstance(test, (int, float)) and not isinstance(test, bool):
                    found.setdefault(field, set()).add(Decimal(repr(test)))
    return found


def _near(value: Decimal) -> list[Decimal]:
    """A threshold and its neighbours a thousandth either side, kept positive."""
    return [v for v in (value - _THOUSANDTH, value, value + _THOUSANDTH) if v > 0]


def dose_values(kb) -> list[float]:
    """Doses that land on, just under and just over each threshold in every unit."""
    found = thresholds(kb)
    doses: set[Decimal] = set()
    for value in found.get("daily_dose", set()):
        doses.update(_near(value))
    for mg in found.get("daily_dose_mg", set()):
        for unit, per in MG_PER_UNIT.items():
            doses.update(_near((mg / per).quantize(_THOUSANDTH)))
        for per_mcg in IU_PER_MCG.values():
            doses.update(_near((mg * 1000 * per_mcg).quantize(_THOUSANDTH)))
    return sorted(float(d) for d in doses if d > 0)


def _any_dose():
    cents = st.integers(min_value=1, max_value=10_000_000)
    return cents.map(lambda c: float(Decimal(c) / 100))


def _field(kind: str, field: str, info, kb):
    base, nullable = unwrap_annotation(info.annotation)
    if typing.get_origin(base) is typing.Literal:
        strategy = st.sampled_from(typing.get_args(base))
    elif base is bool:
        strategy = st.booleans()
    elif base in (float, int):
        near = dose_values(kb) if field == "daily_dose" else sorted(float(v) for v in thresholds(kb).get(field, ()))
        whole = st.integers(min_value=0, max_value=240).map(float)
        strategy = st.one_of(st.sampled_from(near), _any_dose() if field == "daily_dose" else whole) if near else (
            _any_dose() if field == "daily_dose" else whole
        )
    elif base is str:
        strategy = st.sampled_from(MEDICATION_NAMES)
    else:
        raise TypeError(f"no strategy for {kind}.{field}: {info.annotation}")
    if nullable or not info.is_required():
        strategy = st.one_of(st.none(), strategy)
    return strategy


@st.composite
def _valid(draw, model, fields):
    data = {k: v for k, v in draw(st.fixed_dictionaries(fields)).items() if v is not None}
    try:
        return model.model_validate({"kind": model.model_fields["kind"].default, **data})
    except ValidationError:
        assume(False)


def fact_strategy(kind: str, kb):
    """Valid facts of one kind, every field drawn from its vocabulary or near the KB's thresholds."""
    model = FACT_MODELS[kind]
    fields = {f: _field(kind, f, info, kb) for f, info in model.model_fields.items() if f != "kind"}
    return _valid(model, fields)


def fact_sets(kb, max_size: int = 14):
    """Lists of valid facts, no two answering the same question (the same `key()`)."""
    # Symptoms are drawn most: most rules start from one.
    weights = {"symptom": 4, "nutrient_level": 2, "supplement": 2}
    branches = []
    for kind in FACT_MODELS:
        branches += [fact_strategy(kind, kb)] * weights.get(kind, 1)
    return st.lists(st.one_of(branches), max_size=max_size, unique_by=lambda fact: fact.key())
