"""Cases and knowledge bases for the benchmark: a rich case, generated cases, and scaled-up copies.

Everything is derived from the fact models and the knowledge base as they are, so the benchmark
follows the KB as it grows; a fixed seed makes every run measure the same cases.
"""

import random
import typing

from pydantic import ValidationError

from expert.kb.clips import unwrap_annotation
from expert.facts import FACT_MODELS, Diet, Lifestyle, Medication, NutrientLevel, Supplement, Symptom
from expert.facts.vocabulary import Location, SymptomName, choices
from expert.rules.knowledge import KnowledgeBase
from expert.rules.schema import Rule

RICH_CASE = [
    Symptom(name="twitching", location="eyelids", persistent=True),
    Symptom(name="cramps", location="legs"),
    Symptom(name="fatigue"),
    Symptom(name="numbness", location="hands"),
    Symptom(name="tingling", location="feet"),
    NutrientLevel(nutrient="magnesium", level="low"),
    NutrientLevel(nutrient="vitamin_d", level="low"),
    NutrientLevel(nutrient="calcium", level="normal"),
    Supplement(nutrient="vitamin_b6", daily_dose=200.0, unit="mg", duration_months=12.0),
    Diet(pattern="no_leafy_greens"),
    Lifestyle(factor="excessive_caffeine"),
    Lifestyle(factor="stress"),
]


def _value(rng: random.Random, field: str, annotation):
    base, nullable = unwrap_annotation(annotation)
    if nullable and rng.random() < 0.4:
        return None
    if typing.get_origin(base) is typing.Literal:
        return rng.choice(typing.get_args(base))
    if base is bool:
        return rng.random() < 0.5
    if base in (float, int):
        if field == "daily_dose":
            return float(rng.choice([1, 5, 10, 50, 100, 101, 200, 400, 500, 1000, 2500, 4000, 10000]))
        return float(rng.randint(0, 36))
    return rng.choice(["aspirin", "omeprazole", "metformin", "levothyroxine"])


def generated_case(rng: random.Random, size: int) -> list:
    """A valid case of about `size` facts, no two with the same key, symptoms drawn most."""
    kinds = [k for k in FACT_MODELS for _ in range(4 if k == "symptom" else 1)]
    facts: dict[tuple, object] = {}
    for _ in range(size * 5):
        if len(facts) >= size:
            break
        kind = rng.choice(kinds)
        model = FACT_MODELS[kind]
        data = {f: _value(rng, f, info.annotation) for f, info in model.model_fields.items() if f != "kind"}
        try:
            fact = model.model_validate({k: v for k, v in data.items() if v is not None})
        except ValidationError:
            continue
        facts.setdefault(fact.key(), fact)
    return list(facts.values())


def generated_cases(count: int, seed: int = 5) -> list[list]:
    rng = random.Random(seed)
    return [generated_case(rng, rng.randint(3, 14)) for _ in range(count)]


def bigger_case(base: list, factor: int) -> list:
    """The case with `factor` times its facts: more symptoms where they go, then medications."""
    facts = {f.key(): f for f in base}
    target = len(base) * factor
    extra = [Symptom(name=n, location=loc) for n in choices(SymptomName) for loc in choices(Location)]
    for fact in extra:
        if len(facts) >= target:
            break
        facts.setdefault(fact.key(), fact)
    number = 0
    while len(facts) < target:
        number += 1
        fact = Medication(name=f"medication {number}")
        facts.setdefault(fact.key(), fact)
    return list(facts.values())


def scaled_knowledge_base(kb: KnowledgeBase, factor: int) -> KnowledgeBase:
    """`factor` copies of every rule, each copy with its own ids and its own findings.

    A copy's conclusions carry its tag in `about` (a literal or no `about` becomes tagged), and
    its conditions on findings look only at findings of the same copy, so the copies chain
    within themselves as the real rules do, and do not multiply each other's firings.
    """
    if factor == 1:
        return kb
    producers: dict[str, list] = {}
    for rule in kb.rules:
        for c in rule.then:
            producers.setdefault(c.finding, []).append(c.about)
    rules = []
    for copy in range(factor):
        def tag(about, copy=copy):
            return f"{about or 'none'}#{copy}"

        for rule in kb.rules:
            data = rule.model_dump(mode="json", exclude_none=True)
            data["id"] = f"{rule.id}.copy{copy}"
            if rule.contradicts:
                # An `unless` companion names the rule it contradicts: its own copy's.
                data["contradicts"] = f"{rule.contradicts}.copy{copy}"
            for conclusion in data.get("then", []):
                about = conclusion.get("about")
                if about is None or not about.startswith("?"):
                    conclusion["about"] = tag(about)
            for condition in data["when"]:
                if condition["fact"] != "finding":
                    continue
                where = condition.setdefault("where", {})
                about = where.get("about")
                name = where.get("name")
                if isinstance(about, str) and not about.startswith("?"):
                    where["about"] = tag(about)
                elif isinstance(about, list):
                    where["about"] = [tag(a) for a in about]
                elif about is None and isinstance(name, str):
                    made = producers.get(name, [])
                    if made and all(a is None or not a.startswith("?") for a in made):
                        where["about"] = sorted({tag(a) for a in made})
            rules.append(Rule.model_validate(data))
    return KnowledgeBase(rules=tuple(rules), documents=kb.documents, ledger=kb.ledger)


def fact_dicts(facts) -> list[dict]:
    return [f.model_dump(mode="json", exclude_none=True) for f in facts]

