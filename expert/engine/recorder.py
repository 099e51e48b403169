"""Recording firings while experta runs: the right-hand side of every compiled rule lands here."""

import json
from decimal import Decimal
from functools import cache, lru_cache
from typing import NamedTuple

from expert.engine.compiler import to_experta
from expert.engine.evidence import sorted_causes
from expert.errors import FiringLimitError
from expert.engine.trace import FactRef, Firing, Source, builder, trusted
from expert.facts import Finding
from expert.facts.vocabulary import display
from expert.rules.knowledge import KnowledgeBase
from expert.rules.schema import PLACEHOLDER, Rule, is_variable


def jsonable(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class Recorder:
    """Collects one run's firings and gives every fact an id traceable to its origin.

    What a firing of a rule needs that does not depend on the facts (its sources as models, its
    conclusions' form, whether its text names variables) is worked out once per knowledge base,
    and a finding's content is validated and described once per process.
    """

    def __init__(self, kb: KnowledgeBase, max_firings: int):
        self.kb = kb
        self.max_firings = max_firings
        self.firings: list[Firing] = []
        self.refs: dict[int, FactRef] = {}  # experta fact id -> our reference
        self.user_refs: list[FactRef] = []  # the person's facts, as declared
        self.causes: dict[str, tuple[str, ...]] = {}  # our fact id -> the causes it bears on (evidence.sorted_causes)
        self._derived_by_content: dict[tuple, FactRef] = {}
        self._plans = _plans(kb)

    def add_user_facts(self, engine, facts) -> None:
        """Declare the person's facts, (id, fact) pairs, and the agenda once after the last
        (experta would work out the activations again after each).

        They are declared in a canonical order, so that what fires, and in which order, does not
        depend on the order the person gave the facts in.
        """
        declared = []
        for told, fact_id, fact in sorted(((_user_fact(fact), fact_id, fact) for fact_id, fact in facts), key=_in_order):
            ref = _FACT_REF({"id": fact_id, "origin": "user", "kind": fact.kind, "fact": told.dumped, "text": told.text})
            declared.append((to_experta(fact.kind, told.fields), ref))
            self.user_refs.append(ref)
            self.causes[fact_id] = told.causes
        engine.declare(*(experta_fact for experta_fact, _ in declared))
        for experta_fact, ref in declared:
            self.refs[experta_fact["__factid__"]] = ref

    def record(self, engine, rule: Rule, matched: list, bindings: dict) -> None:
        number = len(self.firings) + 1
        if number > self.max_firings:
            raise FiringLimitError(
                f"the rules fired more than {self.max_firings} times (last: {rule.id}); "
                "the knowledge base has a runaway loop"
            )
        plan = self._plans[rule.id]
        concluded = []
        for name, about, about_bound, basis, basis_bound in plan.conclusions:
            if about_bound:
                about = bindings[about]
            if basis_bound:
                basis = bindings[basis]
            content = (name, about, basis)
            ref = self._derived_by_content.get(content)
            if ref is None:
                fact, text, causes = _finding(content)
                declared = engine.declare_concluded(to_experta("finding", {"name": name, "about": about, "basis": basis}))
                ref = _DERIVED_REF({
                    "id": f"d{len(self._derived_by_content) + 1}",
                    "origin": "rule",
                    "kind": "finding",
                    "fact": dict(fact),  # a copy: `fact` is _finding's, shared by every run
                    "text": text,
                    "derived_by": number,
                })
                self._derived_by_content[content] = ref
                self.causes[ref.id] = causes
                self.refs[declared["__factid__"]] = ref
            concluded.append(ref)
        text = rule.text
        if plan.template:  # literal text and variables' names, in turn
            text = "".join([part if i % 2 == 0 else display(bindings[part]) for i, part in enumerate(plan.template)])
        refs = self.refs
        self.firings.append(
            _FIRING({
                "number": number,
                "rule": rule.id,
                "matched": [refs[f["__factid__"]] for f in matched],
                "bindings": {k: v if v.__class__ is str else str(jsonable(v)) for k, v in sorted(bindings.items())},
                "concluded": concluded,
                "text": text,
                "sources": list(plan.sources),  # a copy: the plan's list serves every firing of the rule
                "authority": rule.authority,
            })
        )


_FACT_REF = builder(FactRef)
# A firing and a derived fact are made of values the recorder has just made or checked (a finding
# is validated once per content, in _finding): not validated again, hundreds of times a run.
_DERIVED_REF = trusted(FactRef)
_FIRING = trusted(Firing)


class _Plan(NamedTuple):
    """What recording a rule's firing needs, worked out once per knowledge base."""

    # (finding, about, about is a variable's name, basis, basis is a variable's name)
    conclusions: tuple[tuple[str, object, bool, object, bool], ...]
    # The text split at its placeholders: literal text and variables' names in turn (empty if none).
    template: tuple[str, ...]
    sources: list[Source]


@cache
def _plans(kb: KnowledgeBase) -> dict[str, _Plan]:
    docs = kb.documents
    plans = {}
    for rule in kb.rules:
        conclusions = []
        for c in rule.then:
            about_bound, basis_bound = is_variable(c.about), is_variable(c.basis)
            conclusions.append((
                c.finding,
                c.about[1:] if about_bound else c.about,
                about_bound,
                c.basis[1:] if basis_bound else c.basis,
                basis_bound,
            ))
        plans[rule.id] = _Plan(
            conclusions=tuple(conclusions),
            template=tuple(PLACEHOLDER.split(rule.text)) if PLACEHOLDER.search(rule.text) else (),
            sources=[Source(document=s.document, title=docs[s.document].title, quote=s.quote) for s in rule.sources],
        )
    return plans


class _Told(NamedTuple):
    """A person's fact worked out for a run: its place in the canonical order (its JSON, keys
    sorted), as the engine holds it (floats as exact decimals, a supplement's dose in mg added),
    as a FactRef holds it, in words, and the causes it bears on."""

    order: str
    fields: dict
    dumped: dict
    text: str
    causes: tuple[str, ...]


def _in_order(item: tuple) -> str:
    return item[0].order


def _user_fact(fact) -> _Told:
    """A person's fact worked out for a run; the same told fact is worked out once."""
    try:
        return _user_fact_cached(fact)
    except TypeError:  # a fact that cannot be hashed: worked out every time
        return _user_fact_cached.__wrapped__(fact)


# Bounded, so that a batch of many cases keeps constant memory; large enough to hold the
# distinct answers of a batch of thousands of varied cases (1,840 in bench/cases.py's 1,000).
@lru_cache(maxsize=4096)
def _user_fact_cached(fact) -> _Told:
    fields = {k: v for k, v in fact.model_dump().items() if k != "kind"}
    if fact.kind == "supplement":
        fields["daily_dose_mg"] = fact.daily_dose_mg
    fields = {k: Decimal(repr(v)) if isinstance(v, float) else v for k, v in fields.items()}
    dumped = fact.model_dump(mode="json")
    causes = sorted_causes(fact.kind, dumped)
    return _Told(json.dumps(dumped, sort_keys=True), fields, dumped, fact.describe(), causes)


@lru_cache(maxsize=4096)
def _finding(content: tuple) -> tuple[dict, str, tuple[str, ...]]:
    """A concluded finding validated (an error if a rule binds a value no finding may hold):
    its fields as a FactRef holds them, its description, and the causes it bears on."""
    name, about, basis = content
    fields = {"name": name, "about": about, "basis": basis}
    finding = Finding.model_validate({k: v for k, v in fields.items() if v is not None})
    dumped = finding.model_dump(mode="json", exclude_none=True)
    return dumped, finding.describe(), sorted_causes("finding", dumped)
