"""The knowledge base as a listing and as a graph: which rule's conclusions feed which rule.

There is an edge from rule A to rule B when a finding A concludes can satisfy a condition of B.
A variable in A's conclusion stands for any value the variable can take (the values of the field
it is bound to, when that field's values are a known vocabulary); a variable in B's condition
accepts any value.
"""

import json
import typing
from dataclasses import dataclass

from expert.facts import FACT_MODELS, Finding
from expert.rules.knowledge import KnowledgeBase
from expert.rules.schema import Comparison, Conclusion, Condition, OneOf, Presence, Rule, is_variable

# What a variable may stand for: a set of values, or None for "anything".
Domain = frozenset | None


def field_values(kind: str, field: str) -> Domain:
    """The values a field of a fact kind can take, when they are a fixed vocabulary; else None."""
    model = Finding if kind == "finding" else FACT_MODELS.get(kind)
    if model is None or field not in model.model_fields:
        return None
    annotation = model.model_fields[field].annotation
    values = set()
    for arg in [annotation] if typing.get_origin(annotation) is typing.Literal else typing.get_args(annotation):
        if typing.get_origin(arg) is typing.Literal:
            values |= set(typing.get_args(arg))
        elif arg is type(None):
            values.add(None)
        else:
            return None
    return frozenset(values) or None


def variable_domains(rule: Rule) -> dict[str, Domain]:
    """What each variable of a rule can stand for, from the fields its positive conditions bind it to."""
    found: dict[str, list[Domain]] = {}
    for condition in rule.when:
        if not condition.absent:
            for field, test in condition.where.items():
                if is_variable(test):
                    found.setdefault(test, []).append(field_values(condition.fact, field))
                elif isinstance(test, OneOf):
                    found.setdefault(test.bind, []).append(frozenset(test.one_of))
    domains: dict[str, Domain] = {}
    for variable, candidates in found.items():
        known = [d for d in candidates if d is not None]
        domains[variable] = frozenset.intersection(*known) if known else None
    return domains


def _accepts(test, values: Domain) -> bool:
    """Whether a field test can accept one of `values` (None: any value)."""
    if is_variable(test):
        return True
    if isinstance(test, Comparison):
        return True
    if isinstance(test, Presence):
        return values is None or any((v is not None) == test.known for v in values)
    if isinstance(test, OneOf):
        test = list(test.one_of)
    accepted = set(test) if isinstance(test, list) else {test}
    return values is None or bool(accepted & values)


def can_satisfy(conclusion: Conclusion, rule: Rule, condition: Condition) -> bool:
    """Whether a finding `rule` concludes can match `condition` (a condition on findings)."""
    if condition.fact != "finding" or condition.absent:
        return False
    domains = variable_domains(rule)
    produced = {"name": conclusion.finding, "about": conclusion.about, "basis": conclusion.basis}
    for field, test in condition.where.items():
        value = produced[field]
        values: Domain = domains.get(value) if is_variable(value) else frozenset({value})
        if not _accepts(test, values):
            return False
    return True


@dataclass(frozen=True)
class Edge:
    """Rule `source` concludes a finding that satisfies condition `condition` (0-based) of `target`."""

    source: str
    target: str
    finding: str
    condition: int


def rule_edges(kb: KnowledgeBase) -> list[Edge]:
    """Every edge of the rule graph, in knowledge-base order of source then target."""
    edges = []
    for source in kb.rules:
        for target in kb.rules:
            for index, condition in enumerate(target.when):
                for conclusion in source.then:
                    if can_satisfy(conclusion, source, condition):
                        edges.append(Edge(source.id, target.id, describe_conclusion(conclusion), index))
                        break
    return edges


def describe_conclusion(conclusion: Conclusion) -> str:
    words = conclusion.finding
    if conclusion.about is not None:
        words += f"({conclusion.about})"
    if conclusion.basis is not None:
        words += f" [{conclusion.basis}]"
    return words


def describe_condition(condition: Condition) -> str:
    """A condition in one line: `no supplement(nutrient=magnesium)`, `finding(name=deficiency, about=?n)`."""
    tests = []
    for field, test in condition.where.items():
        if isinstance(test, Comparison):
            symbol = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}[test.op]
            tests.append(f"{field}{symbol}{test.value}")
        elif isinstance(test, Presence):
            tests.append(f"{field} {'given' if test.known else 'not given'}")
        elif isinstance(test, list):
            tests.append(f"{field} in {'|'.join(str(v) for v in test)}")
        elif isinstance(test, OneOf):
            tests.append(f"{field}={test.bind} in {'|'.join(str(v) for v in test.one_of)}")
        else:
            tests.append(f"{field}={str(test).lower() if isinstance(test, bool) else test}")
    return ("no " if condition.absent else "") + f"{condition.fact}({', '.join(tests)})"


def rules_text(kb: KnowledgeBase) -> str:
    """Every rule with its id, title, category, hedge, conditions, conclusions and citations."""
    blocks = []
    for rule in kb.rules:
        hedge = repr(rule.hedge) if rule.hedge else "none (stated flatly)"
        lines = [f"{rule.id}: {rule.title}", f"  category: {rule.category}; hedge: {hedge}"]
        lines += [f"  when {describe_condition(c)}" for c in rule.when]
        lines += [f"  then {describe_conclusion(c)}" for c in rule.then]
        lines.append(f"  says: {rule.text}")
        lines += [f'  cites {s.document}: "{s.quote}"' for s in rule.sources]
        if rule.authority:
            lines.append(f"  authority: {rule.authority.figure} ({rule.authority.source})")
        if rule.own_advice:
            lines.append(f"  our own advice: {rule.own_advice}")
        if rule.contradicts:
            lines.append(f"  says what contradicts rule {rule.contradicts}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + f"\n\n{len(kb.rules)} rules\n"


def rules_json(kb: KnowledgeBase) -> dict:
    """The rules as data, with the graph's edges: `{"rules": [...], "edges": [...]}`."""
    return {
        "rules": [rule.model_dump(mode="json", exclude_none=True) for rule in kb.rules],
        "edges": [
            {"from": e.source, "to": e.target, "finding": e.finding, "condition": e.condition} for e in rule_edges(kb)
        ],
    }


_CATEGORY_COLOURS = {
    "red_flag": "#f4a6a6",
    "referral": "#f7d08a",
    "explanation": "#b7d7f0",
    "suspicion": "#d5c6ef",
    "mechanism": "#e3e3e3",
    "ruled_out": "#c9e7c1",
    "advice": "#c1e7e3",
}
_OTHER_COLOUR = "#ffffff"


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def rules_dot(kb: KnowledgeBase) -> str:
    """The rule graph in Graphviz DOT: one node per rule (coloured by category), edges labelled by finding."""
    lines = [
        "digraph rules {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for rule in kb.rules:
        label = _dot_string(f"{rule.id}\n{rule.category}")
        colour = _dot_string(_CATEGORY_COLOURS.get(rule.category, _OTHER_COLOUR))
        lines.append(f"  {_dot_string(rule.id)} [label={label}, fillcolor={colour}];")
    for edge in rule_edges(kb):
        source, target, label = map(_dot_string, (edge.source, edge.target, edge.finding))
        lines.append(f"  {source} -> {target} [label={label}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_label(text: str) -> str:
    # Mermaid has no backslash escapes: quotes and pipes become HTML entities.
    return text.replace('"', "#quot;").replace("|", "#124;")


def rules_mermaid(kb: KnowledgeBase) -> str:
    """The rule graph as a Mermaid flowchart: nodes r1, r2, … labelled with the rule ids."""
    node = {rule.id: f"r{i}" for i, rule in enumerate(kb.rules, start=1)}
    lines = ["flowchart LR"]
    for rule in kb.rules:
        lines.append(f'  {node[rule.id]}["{_mermaid_label(rule.id)}"]:::{rule.category}')
    for edge in rule_edges(kb):
        lines.append(f'  {node[edge.source]} -->|"{_mermaid_label(edge.finding)}"| {node[edge.target]}')
    for category in dict.fromkeys(rule.category for rule in kb.rules):
        colour = _CATEGORY_COLOURS.get(category, _OTHER_COLOUR)
        lines.append(f"  classDef {category} fill:{colour},stroke:#555")
    return "\n".join(lines) + "\n"


def rules_as(kb: KnowledgeBase, form: str) -> str:
    """The knowledge base in one of the forms of `expert rules`: text, json, dot or mermaid."""
    if form == "json":
        return json.dumps(rules_json(kb), indent=2, ensure_ascii=False) + "\n"
    return {"text": rules_text, "dot": rules_dot, "mermaid": rules_mermaid}[form](kb)
