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

from expert.kb.clips import unwrap_annotation
from expert.facts import FACT_MODELS
from expert.facts.models import IU_PER_MCG, MG_PER_UNIT
from expert.rules.schema import Comparison, Presence

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


def tested_values(kb, kind: str, field: str) -> list:
    """The literal values the rules test a field of a kind against, most tested first."""
    counts: dict = {}
    for rule in kb.rules:
        for condition in rule.when:
            test = condition.where.get(field)
            if condition.fact != kind or test is None:
                continue
            for value in test if isinstance(test, list) else [test]:
                if isinstance(value, (str, bool)) and not str(value).startswith("?"):
                    counts[value] = counts.get(value, 0) + 1
    return sorted(counts, key=lambda v: (-counts[v], str(v)))


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
        # Values the rules test are drawn more often, so that the rules get to fire.
        tested = tested_values(kb, kind, field)
        strategy = st.sampled_from(typing.get_args(base))
        if tested:
            strategy = st.one_of(st.sampled_from(tested), strategy)
    elif base is bool:
        strategy = st.booleans()
        if tested_values(kb, kind, field):
            strategy = st.one_of(st.just(True), strategy)
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


def fact_sets(kb, min_size: int = 1, max_size: int = 14):
    """Lists of valid facts, no two answering the same question (the same `key()`)."""
    # Symptoms are drawn most: most rules start from one.
    weights = {"symptom": 4, "nutrient_level": 2, "supplement": 2}
    branches = []
    for kind in FACT_MODELS:
        branches += [fact_strategy(kind, kb)] * weights.get(kind, 1)
    return st.lists(st.one_of(branches), min_size=min_size, max_size=max_size, unique_by=lambda fact: fact.key())


_STEP = {"daily_dose": _THOUSANDTH, "daily_dose_mg": _THOUSANDTH, "duration_months": Decimal(1)}


def _satisfying_number(test: Comparison, field: str) -> float:
    step = _STEP.get(field, _THOUSANDTH)
    value = {"gt": test.value + step, "ge": test.value, "lt": test.value - step, "le": test.value}[test.op]
    return float(max(value, step))


@st.composite
def _fact_for(draw, condition, kb):
    """A fact of ours meeting one positive condition of a rule (its variables drawn freely)."""
    model = FACT_MODELS[condition.fact]
    fields = {f: _field(condition.fact, f, info, kb) for f, info in model.model_fields.items() if f != "kind"}
    for field, test in condition.where.items():
        if isinstance(test, Comparison):
            fields[field] = st.just(_satisfying_number(test, field))
            if field == "daily_dose_mg":
                fields.pop(field)
                fields["daily_dose"] = st.just(_satisfying_number(test, field))
                fields["unit"] = st.just("mg")
        elif isinstance(test, Presence):
            base = _field(condition.fact, field, model.model_fields[field], kb)
            fields[field] = base.filter(lambda v: v is not None) if test.known else st.none()
        elif isinstance(test, list):
            fields[field] = st.sampled_from(test)
        elif not (isinstance(test, str) and test.startswith("?")):
            fields[field] = st.just(test)
    return draw(_valid(model, fields))


def _satisfying(draw, rule, kb, depth: int) -> list:
    facts = []
    for condition in rule.when:
        if condition.absent:
            continue
        if condition.fact != "finding":
            facts.append(draw(_fact_for(condition, kb)))
            continue
        name = condition.where.get("name")
        makers = [r for r in kb.rules if any(c.finding == name for c in r.then)]
        if depth and makers:
            maker = kb.rule(draw(st.sampled_from([r.id for r in makers])))
            facts += _satisfying(draw, maker, kb, depth - 1)
    return facts


class _Named:
    """A knowledge base shown by its size in hypothesis's reports, not by all its rules."""

    def __init__(self, kb):
        self.kb = kb

    def __repr__(self):
        return f"<knowledge base of {len(self.kb.rules)} rules>"


def rich_fact_sets(kb, max_size: int = 14):
    """Fact sets seeded with what one to three rules need (chains of findings followed back), plus noise."""
    return _rich_fact_sets(_Named(kb), max_size)


@st.composite
def _rich_fact_sets(draw, named, max_size):
    kb = named.kb
    facts = []
    for rule_id in draw(st.lists(st.sampled_from([r.id for r in kb.rules]), min_size=1, max_size=3)):
        facts += _satisfying(draw, kb.rule(rule_id), kb, depth=3)
    facts += draw(fact_sets(kb, min_size=0, max_size=max_size))
    unique = {}
    for fact in facts:
        unique.setdefault(fact.key(), fact)
    return list(unique.values())
