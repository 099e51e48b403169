"""Recording firings while experta runs: the right-hand side of every compiled rule lands here."""

import re
from decimal import Decimal

from expert.compiler import to_experta
from expert.errors import FiringLimitError
from expert.trace import FactRef, Firing, Source
from facts import Finding
from facts.vocabulary import display
from rules.knowledge import KnowledgeBase
from rules.schema import Rule, is_variable


def jsonable(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class Recorder:
    """Collects one run's firings and gives every fact an id traceable to its origin."""

    def __init__(self, kb: KnowledgeBase, max_firings: int):
        self.kb = kb
        self.max_firings = max_firings
        self.firings: list[Firing] = []
        self.refs: dict[int, FactRef] = {}  # experta fact id -> our reference
        self._derived_by_content: dict[tuple, FactRef] = {}

    def add_user_fact(self, engine, fact_id: str, fact) -> None:
        fields = {k: v for k, v in fact.model_dump().items() if k != "kind"}
        if fact.kind == "supplement":
            fields["daily_dose_mg"] = fact.daily_dose_mg
        fields = {k: Decimal(repr(v)) if isinstance(v, float) else v for k, v in fields.items()}
        declared = engine.declare(to_experta(fact.kind, fields))
        self.refs[declared["__factid__"]] = FactRef(
            id=fact_id,
            origin="user",
            kind=fact.kind,
            fact=fact.model_dump(mode="json"),
            text=fact.describe(),
        )

    def record(self, engine, rule: Rule, matched: list, bindings: dict) -> None:
        number = len(self.firings) + 1
        if number > self.max_firings:
            raise FiringLimitError(
                f"the rules fired more than {self.max_firings} times (last: {rule.id}); "
                "the knowledge base has a runaway loop"
            )
        values = {"?" + k: v for k, v in bindings.items()}
        concluded = []
        for conclusion in rule.then:
            fields = {"name": conclusion.finding, "about": None, "basis": None}
            for key in ("about", "basis"):
                raw = getattr(conclusion, key)
                fields[key] = values[raw] if is_variable(raw) else raw
            finding = Finding.model_validate({k: v for k, v in fields.items() if v is not None})
            content = (finding.name, finding.about, finding.basis)
            ref = self._derived_by_content.get(content)
            if ref is None:
                declared = engine.declare(to_experta("finding", fields))
                ref = FactRef(
                    id=f"d{len(self._derived_by_content) + 1}",
                    origin="rule",
                    kind="finding",
                    fact=finding.model_dump(mode="json", exclude_none=True),
                    text=finding.describe(),
                    derived_by=number,
                )
                self._derived_by_content[content] = ref
                self.refs[declared["__factid__"]] = ref
            concluded.append(ref)
        text = re.sub(r"\{([a-z_][a-z0-9_]*)\}", lambda m: display(bindings[m.group(1)]), rule.text)
        docs = self.kb.documents
        self.firings.append(
            Firing(
                number=number,
                rule=rule.id,
                matched=[self.refs[f["__factid__"]] for f in matched],
                bindings={k: str(jsonable(v)) for k, v in sorted(bindings.items())},
                concluded=concluded,
                text=text,
                sources=[Source(document=s.document, title=docs[s.document].title, quote=s.quote) for s in rule.sources],
                authority=rule.authority,
            )
        )
