"""The knowledge base as CLIPS constructs, and a run of it in CLIPS to check our engine against.

`export_clips(kb)` writes one deftemplate per kind of fact (findings included) and one defrule per
rule, its citations in the rule's comment string, loadable by CLIPS as it is. `ClipsEngine` loads
that text into clipspy (a test and benchmark dependency, imported only when a run is asked for),
asserts a case's facts the way the recorder declares them to experta, runs, and returns which
rules fired on which facts: CLIPS is the independent oracle for our compiled experta engine.
"""

import re
import tempfile
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from expert.errors import ExpertError
from expert.facts import FACT_MODELS, Finding
from expert.rules.knowledge import KnowledgeBase
from expert.rules.schema import _DERIVED_FIELDS, Comparison, Condition, OneOf, Presence, Rule, is_variable

_CLIPS_OPS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_KINDS = {**FACT_MODELS, "finding": Finding}
_SAFE_NAME = re.compile(r"^[a-z][a-z0-9_.-]*$")


# --- values ---------------------------------------------------------------------------------------


def clips_string(text: str) -> str:
    """A Python string as a CLIPS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(value) -> str:
    if isinstance(value, int):
        return str(value)
    return format(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), "f")


def clips_literal(value) -> str:
    """A value of ours as a CLIPS literal: None is nil, booleans TRUE/FALSE, strings quoted."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)):
        return _number(value)
    return clips_string(str(value))


def rule_name(rule_id: str) -> str:
    """The CLIPS name of a rule: its id, prefixed where CLIPS could read the id as a number."""
    return rule_id if _SAFE_NAME.match(rule_id) else "rule/" + rule_id


# --- templates ------------------------------------------------------------------------------------


def unwrap_annotation(annotation):
    """(base type, may be None) of a field's annotation, without Annotated metadata."""
    nullable = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        annotation = args[0] if len(args) == 1 else annotation
    if typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation, nullable


def _slot(name: str, annotation, default) -> str:
    base, nullable = unwrap_annotation(annotation)
    parts = [f"(slot {name}"]
    if typing.get_origin(base) is Literal:
        values = " ".join(clips_string(v) for v in typing.get_args(base))
        parts.append("(type STRING SYMBOL) (allowed-symbols nil)" if nullable else "(type STRING)")
        parts.append(f"(allowed-strings {values})")
    elif base is bool:
        parts.append("(type SYMBOL) (allowed-symbols TRUE FALSE" + (" nil)" if nullable else ")"))
    elif base in (float, int, Decimal):
        parts.append("(type NUMBER SYMBOL) (allowed-symbols nil)" if nullable else "(type NUMBER)")
    elif base is str:
        parts.append("(type STRING SYMBOL) (allowed-symbols nil)" if nullable else "(type STRING)")
    if nullable:
        parts.append("(default nil)")
    elif default is not None:
        parts.append(f"(default {clips_literal(default)})")
    else:
        parts.append("(default ?NONE)")
    return " ".join(parts) + ")"


def template_slots(kind: str) -> list[str]:
    """The slots of a kind's template: the model's fields, then the derived ones rules may test."""
    model = _KINDS[kind]
    names = [f for f in model.model_fields if f != "kind"]
    return names + list(_DERIVED_FIELDS.get(kind, {}))


def deftemplate(kind: str) -> str:
    model = _KINDS[kind]
    doc = (model.__doc__ or kind).strip().splitlines()[0]
    lines = [f"(deftemplate {kind} {clips_string(doc)}"]
    for field, info in model.model_fields.items():
        if field == "kind":
            continue
        default = info.default if not info.is_required() else None
        lines.append("   " + _slot(field, info.annotation, default))
    for field, typ in _DERIVED_FIELDS.get(kind, {}).items():
        lines.append("   ; derived from the fields above: fill it in when asserting")
        lines.append("   " + _slot(field, typ, None))
    return "\n".join(lines) + ")"


# --- rules ----------------------------------------------------------------------------------------


def _test(var: str, value) -> str:
    """A CLIPS test that ?var equals a literal, as experta's `==` sees it (100 matches 100.0)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"(and (numberp {var}) (= {var} {_number(value)}))"
    return f"(eq {var} {clips_literal(value)})"


def _constraint(test, index: int, field: str) -> str:
    var = f"?v-{index}-{field}"
    if isinstance(test, Comparison):
        return f"{var}&:(and (numberp {var}) ({_CLIPS_OPS[test.op]} {var} {_number(test.value)}))"
    if isinstance(test, Presence):
        # A field left out is nil: known means anything but nil.
        return "~nil" if test.known else "nil"
    if is_variable(test):
        return test
    if isinstance(test, OneOf):
        # Bound to the variable and limited to the values: ?complaint&"twitching"|"cramps".
        values = list(test.one_of)
        if all(isinstance(v, (str, bool)) for v in values):
            return f"{test.bind}&" + "|".join(clips_literal(v) for v in values)
        return f"{test.bind}&:(or {' '.join(_test(test.bind, v) for v in values)})"
    if not isinstance(test, (str, bool, int, float, list)):
        raise TypeError(f"no CLIPS form for the field test {test!r} on {field}")
    values = test if isinstance(test, list) else [test]
    if all(isinstance(v, (str, bool)) for v in values):
        return "|".join(clips_literal(v) for v in values)
    if len(values) == 1:
        return f"{var}&:{_test(var, values[0])}"
    return f"{var}&:(or {' '.join(_test(var, v) for v in values)})"


def _pattern(condition: Condition, index: int) -> str:
    slots = " ".join(f"({f} {_constraint(t, index, f)})" for f, t in condition.where.items())
    return f"({condition.fact}{' ' + slots if slots else ''})"


def _comment_lines(rule: Rule) -> list[str]:
    hedge = f", hedge: {rule.hedge}" if rule.hedge else ""
    lines = [f";; {rule.id}: {rule.title} [{rule.category}{hedge}]"]
    for source in rule.sources:
        lines.append(f";;   {source.document}: \"{' '.join(source.quote.split())}\"")
    if rule.authority:
        lines.append(f";;   figure: {rule.authority.figure}, from {rule.authority.source}")
    return lines


def defrule(rule: Rule) -> str:
    """One rule as a CLIPS defrule: positive patterns first (they bind the variables), then the absent ones."""
    cited = " ".join(f"{s.document}: \"{' '.join(s.quote.split())}\"" for s in rule.sources)
    comment = f"{rule.title}. Source: {cited}"
    lines = _comment_lines(rule) + [f"(defrule {rule_name(rule.id)} {clips_string(comment)}"]
    if rule.salience:
        lines.append(f"   (declare (salience {rule.salience}))")
    for i, condition in enumerate(rule.when):
        if not condition.absent:
            lines.append(f"   ?fact-{i} <- {_pattern(condition, i)}")
    for i, condition in enumerate(rule.when):
        if condition.absent:
            lines.append(f"   (not {_pattern(condition, i)})")
    lines.append("   =>")
    for conclusion in rule.then:
        slots = [f"(name {clips_string(conclusion.finding)})"]
        for key in ("about", "basis"):
            value = getattr(conclusion, key)
            if value is not None:
                slots.append(f"({key} {value if is_variable(value) else clips_literal(value)})")
        lines.append(f"   (assert (finding {' '.join(slots)}))")
    return "\n".join(lines) + ")"


def export_clips(kb: KnowledgeBase) -> str:
    """The knowledge base as CLIPS source: a deftemplate per kind of fact and a defrule per rule."""
    header = [
        ";;; The knowledge base of `expert` as CLIPS constructs, exported by `expert export --clips`.",
        f";;; {len(kb.rules)} rules. Load with (load \"FILE.clp\"), then (reset), assert the person's",
        ";;; facts, (run), and list what was concluded with (facts). Strings are CLIPS strings; a",
        ";;; field the person left out is nil; a supplement's daily_dose_mg must be filled in",
        ";;; (the dose converted to milligrams; IU of vitamin D: 1 mcg = 40 IU).",
        ";;; Rules do the same as in `expert`: each fires once per combination of facts, red flags",
        ";;; (salience 10) first; a finding asserted twice is one fact (fact duplication off).",
        "",
    ]
    body = [deftemplate(kind) for kind in _KINDS]
    body += [defrule(rule) for rule in kb.rules]
    return "\n".join(header) + "\n\n".join(body) + "\n"


def deffacts(facts, name: str = "case") -> str:
    """A person's facts (models of ours) as a CLIPS deffacts, asserted by (reset)."""
    lines = [f"(deffacts {name} {clips_string('The facts of a case, given to the rules by (reset).')}"]
    for fact in facts:
        slots = " ".join(f"({k} {clips_literal(v)})" for k, v in _fields(fact).items() if v is not None)
        lines.append(f"   ({fact.kind}{' ' + slots if slots else ''})")
    return "\n".join(lines) + ")\n"


def _fields(fact) -> dict:
    """A fact's fields as the engine sees them: the supplement's dose in mg added (as the recorder does)."""
    fields = {k: v for k, v in fact.model_dump().items() if k != "kind"}
    if fact.kind == "supplement":
        fields["daily_dose_mg"] = fact.daily_dose_mg
    return fields


# --- running in CLIPS -----------------------------------------------------------------------------


def fact_content(kind: str, fields: dict) -> tuple:
    """A fact by content, for comparing runs: its kind and the fields it has, None left out."""
    def norm(value):
        if isinstance(value, float) and not isinstance(value, bool):
            return Decimal(repr(value))
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return Decimal(value)
        return value

    return (kind,) + tuple(sorted((k, norm(v)) for k, v in fields.items() if v is not None and k != "kind"))


@dataclass(frozen=True)
class Outcome:
    """What a run did, by content: (rule id, matched facts) for every firing, and the findings."""

    firings: frozenset[tuple[str, tuple[tuple, ...]]]
    findings: frozenset[tuple]

    @property
    def rules_fired(self) -> set[str]:
        return {rule for rule, _ in self.firings}


def outcome_of_report(report) -> Outcome:
    """The outcome of one of our runs (an expert Report), in the form `ClipsEngine.run` gives."""
    firings = frozenset(
        (f.rule, tuple(fact_content(ref.kind, ref.fact) for ref in f.matched)) for f in report.fired
    )
    findings = frozenset(fact_content("finding", ref.fact) for ref in report.derived)
    return Outcome(firings, findings)


def _slot_values(fact) -> dict:
    """A fact of ours as CLIPS slot values, with what the recorder adds (daily_dose_mg)."""
    import clips

    out = {}
    for key, value in _fields(fact).items():
        if value is None:
            out[key] = clips.Symbol("nil")
        elif isinstance(value, bool):
            out[key] = clips.Symbol("TRUE" if value else "FALSE")
        elif isinstance(value, Decimal):
            out[key] = float(value)
        else:
            out[key] = value
    return out


class ClipsEngine:
    """The exported knowledge base loaded once into a CLIPS environment, run case after case."""

    _FIRE = re.compile(r"^FIRE\s+\d+\s+(\S+):\s*(.*)$")

    def __init__(self, kb: KnowledgeBase, *, trace: bool = True):
        try:
            import clips
        except ImportError as exc:
            raise ExpertError("running the rules in CLIPS needs clipspy: uv sync --group dev") from exc
        self._clips = clips
        self.kb = kb
        self.source = export_clips(kb)
        self.names = {rule_name(r.id): r.id for r in kb.rules}
        self.env = clips.Environment()
        self._lines: list[str] = []
        if trace:
            self.env.add_router(_capture_router(clips, self._lines))
        # Loaded from a file, exactly as a CLIPS user would load the export.
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "expert.clp"
            path.write_text(self.source, encoding="utf-8")
            self.env.load(str(path))
        self.env.eval("(set-fact-duplication FALSE)")
        self.trace = trace
        if trace:
            self.env.eval("(watch rules)")
        self._templates = {kind: self.env.find_template(kind) for kind in _KINDS}

    def run(self, facts, limit: int = 10_000) -> Outcome:
        """Reset, assert the facts (models of ours), run; return the firings and findings by content."""
        env = self.env
        env.reset()
        self._lines.clear()
        by_index = {}
        for fact in facts:
            asserted = self._templates[fact.kind].assert_fact(**_slot_values(fact))
            by_index[asserted.index] = fact_content(fact.kind, fact.model_dump())
        env.run(limit)
        findings = {}
        for fact in env.facts():
            if fact.template.name == "finding":
                fields = {k: (None if v == "nil" and isinstance(v, self._clips.Symbol) else v) for k, v in dict(fact).items()}
                findings[fact.index] = fact_content("finding", fields)
        contents = {**by_index, **findings}
        firings = set()
        for line in "".join(self._lines).splitlines():
            match = self._FIRE.match(line.strip())
            if not match:
                continue
            name, ids = match.groups()
            matched = tuple(contents[int(i[2:])] for i in ids.split(",") if i.startswith("f-"))
            firings.add((self.names[name], matched))
        return Outcome(frozenset(firings), frozenset(findings.values()))

    def count_findings(self, facts, limit: int = 10_000) -> int:
        """Reset, assert, run, and count the findings: the least a CLIPS consultation does (benchmarks)."""
        self.env.reset()
        for fact in facts:
            self._templates[fact.kind].assert_fact(**_slot_values(fact))
        self.env.run(limit)
        return sum(1 for f in self.env.facts() if f.template.name == "finding")


def _capture_router(clips, lines: list[str]):
    """A CLIPS router keeping what `(watch rules)` prints: one FIRE line per firing."""

    class Capture(clips.Router):
        def query(self, name):
            return name == "stdout"

        def write(self, name, message):
            lines.append(message)

    return Capture("expert-trace", 30)
