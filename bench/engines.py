"""The engines the benchmark sets beside ours: the same compiled rules without our records and
report, and under experta as shipped.

- `bare_engine(kb)`: our engine class (experta's KnowledgeEngine as we drive it: the compiled
  alpha walk, the dirty tracking, the cheap reset), firing the same rules on the same facts and
  declaring the same findings, but recording no Firing and building no report: the share of a
  consultation that is the engine.
- `bare_engine(kb, shipped=True)`: the same rules under experta 1.9.4 as shipped (its
  KnowledgeEngine, its ReteMatcher), with our tie-break on the agenda so the firings are the same.

`run_bare(engine, facts)` resets, declares the facts in the order a Session does, runs, and
returns the number of firings (the benchmark checks it equals ours).
"""

import json
from decimal import Decimal

from experta import KnowledgeEngine
from experta import Rule as ExpertaRule
from experta.matchers.rete import ReteMatcher

from expert.engine.compiler import CitedStrategy, compile_knowledge_base, to_experta


class BareRecorder:
    """What a firing must do for the rules to chain: declare each concluded finding, once."""

    def __init__(self):
        self.firings = 0
        self.declared: set[tuple] = set()

    def record(self, engine, rule, matched, bindings) -> None:
        self.firings += 1
        for conclusion in rule.then:
            fields = {"name": conclusion.finding, "about": conclusion.about, "basis": conclusion.basis}
            for key in ("about", "basis"):
                if isinstance(fields[key], str) and fields[key].startswith("?"):
                    fields[key] = bindings[fields[key][1:]]
            content = tuple(fields.values())
            if content not in self.declared:
                self.declared.add(content)
                getattr(engine, "declare_concluded", engine.declare)(to_experta("finding", fields))


def bare_engine(kb, *, shipped: bool = False):
    compiled = compile_knowledge_base(kb)
    if not shipped:
        return compiled()
    rules = {name: value for name, value in vars(compiled).items() if isinstance(value, ExpertaRule)}
    shipped_class = type("Shipped", (KnowledgeEngine,), {**rules, "__strategy__": CitedStrategy, "__matcher__": ReteMatcher})
    return shipped_class()


def engine_fields(fact) -> dict:
    """A person's fact as the recorder declares it: exact decimals, a supplement's dose in mg."""
    fields = {k: v for k, v in fact.model_dump().items() if k != "kind"}
    if fact.kind == "supplement":
        fields["daily_dose_mg"] = fact.daily_dose_mg
    return {k: Decimal(repr(v)) if isinstance(v, float) else v for k, v in fields.items()}


def canonical_order(facts) -> list:
    return sorted(facts, key=lambda f: json.dumps(f.model_dump(mode="json"), sort_keys=True))


def run_bare(engine, facts) -> int:
    engine.reset()
    recorder = engine.recorder = BareRecorder()
    for fact in canonical_order(facts):
        engine.declare(to_experta(fact.kind, engine_fields(fact)))
    try:
        engine.run()
    finally:
        engine.running = False
        engine.recorder = None
    return recorder.firings
