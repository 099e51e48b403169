"""`expert rules`: every rule listed with its citations, and the rule graph as valid DOT and Mermaid."""

import json
import re
import shutil

import pytest

from bounded import run
from expert.cli import main
from expert.kb.graph import rule_edges
from expert.rules.knowledge import default_knowledge_base


def output(capsys, *args: str) -> str:
    assert main(["rules", *args]) == 0
    return capsys.readouterr().out


# --- a small parser for the DOT we emit: digraph ID { stmt; ... } -------------------------------

_DOT_TOKEN = re.compile(r'\s*(?:(->)|("(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_.]*|-?[0-9.]+)|([{}\[\];,=]))')


def dot_tokens(text: str) -> list[str]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _DOT_TOKEN.match(text, position)
        if not match:
            raise ValueError(f"DOT: unexpected text at {position}: {text[position:position + 20]!r}")
        tokens.append(next(group for group in match.groups() if group is not None))
        position = match.end()
    return tokens


def parse_dot(text: str) -> tuple[set[str], list[tuple[str, str, dict]]]:
    """The nodes and edges of a digraph; ValueError at the first syntax error."""
    tokens = dot_tokens(text)
    position = 0

    def take(expected: str | None = None) -> str:
        nonlocal position
        if position >= len(tokens):
            raise ValueError("DOT: unexpected end")
        token = tokens[position]
        if expected is not None and token != expected:
            raise ValueError(f"DOT: expected {expected!r}, found {token!r}")
        position += 1
        return token

    def ident() -> str:
        token = take()
        if token in "{}[];,=" or token == "->":
            raise ValueError(f"DOT: expected an id, found {token!r}")
        return token[1:-1].replace('\\"', '"') if token.startswith('"') else token

    def attributes() -> dict:
        attrs = {}
        if tokens[position] == "[":
            take("[")
            while tokens[position] != "]":
                key = ident()
                take("=")
                attrs[key] = ident()
                if tokens[position] == ",":
                    take(",")
            take("]")
        return attrs

    take("digraph")
    ident()
    take("{")
    nodes, edges = set(), []
    while tokens[position] != "}":
        first = ident()
        if tokens[position] == "=":
            take("=")
            ident()
        elif first in ("node", "edge", "graph"):
            attributes()
        elif tokens[position] == "->":
            take("->")
            second = ident()
            edges.append((first, second, attributes()))
        else:
            nodes.add(first)
            attributes()
        take(";")
    take("}")
    if position != len(tokens):
        raise ValueError("DOT: text after the graph")
    return nodes, edges


# --- a structural validator of the Mermaid flowchart we emit ---------------------------------

_MERMAID_NODE = re.compile(r'^  (?P<id>[A-Za-z][A-Za-z0-9_]*)\["(?P<label>[^"]*)"\](?::::(?P<cls>[a-z_]+))?$')
_MERMAID_EDGE = re.compile(r'^  (?P<a>[A-Za-z][A-Za-z0-9_]*) -->\|"(?P<label>[^"|]*)"\| (?P<b>[A-Za-z][A-Za-z0-9_]*)$')
_MERMAID_CLASS = re.compile(r"^  classDef (?P<cls>[a-z_]+) [a-z-]+:[^\s,]+(,[a-z-]+:[^\s,]+)*$")


def parse_mermaid(text: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Node labels and edges of a flowchart; ValueError naming the first line that does not parse."""
    lines = text.rstrip("\n").split("\n")
    if lines[0] not in ("flowchart LR", "flowchart TD", "flowchart TB"):
        raise ValueError(f"Mermaid: not a flowchart header: {lines[0]!r}")
    nodes, edges, used_classes, classes = {}, [], set(), set()
    for number, line in enumerate(lines[1:], start=2):
        if m := _MERMAID_NODE.match(line):
            if m["id"] in nodes:
                raise ValueError(f"Mermaid line {number}: node {m['id']} defined twice")
            nodes[m["id"]] = m["label"]
            if m["cls"]:
                used_classes.add(m["cls"])
        elif m := _MERMAID_EDGE.match(line):
            edges.append((m["a"], m["b"], m["label"]))
        elif m := _MERMAID_CLASS.match(line):
            classes.add(m["cls"])
        else:
            raise ValueError(f"Mermaid line {number}: does not parse: {line!r}")
    for a, b, _ in edges:
        if a not in nodes or b not in nodes:
            raise ValueError(f"Mermaid: edge {a} --> {b} to an undefined node")
    if used_classes - classes:
        raise ValueError(f"Mermaid: classes used but not defined: {sorted(used_classes - classes)}")
    return nodes, edges


# --- the tests ---------------------------------------------------------------------------------


def test_text_lists_every_rule_with_its_title_and_quotes(capsys):
    kb = default_knowledge_base()
    out = output(capsys)
    for rule in kb.rules:
        assert f"{rule.id}: {rule.title}" in out
        for source in rule.sources:
            assert f'cites {source.document}: "{source.quote}"' in out
    assert out.rstrip().endswith(f"{len(kb.rules)} rules")


def test_json_holds_every_rule_and_the_edges(capsys):
    kb = default_knowledge_base()
    data = json.loads(output(capsys, "--format", "json"))
    assert [r["id"] for r in data["rules"]] == [r.id for r in kb.rules]
    assert data["rules"][0]["sources"][0]["quote"] == kb.rules[0].sources[0].quote
    assert {(e["from"], e["to"]) for e in data["edges"]} == {(e.source, e.target) for e in rule_edges(kb)}


def test_an_edge_joins_a_conclusion_to_a_condition_on_the_same_finding():
    kb = default_knowledge_base()
    edges = rule_edges(kb)
    if any(c.fact == "finding" for r in kb.rules for c in r.when):
        assert edges, "rules build on findings, so the graph has edges"
    for edge in edges:
        source, target = kb.rule(edge.source), kb.rule(edge.target)
        condition = target.when[edge.condition]
        assert condition.fact == "finding"
        name = condition.where.get("name", "?")
        accepted = set(name) if isinstance(name, list) else {name}
        assert accepted & ({c.finding for c in source.then} | {"?"})


def test_dot_parses_with_a_node_per_rule_and_an_edge_per_link(capsys):
    kb = default_knowledge_base()
    nodes, edges = parse_dot(output(capsys, "--format", "dot"))
    assert nodes == {r.id for r in kb.rules}
    assert [(a, b) for a, b, _ in edges] == [(e.source, e.target) for e in rule_edges(kb)]
    assert all("label" in attrs for _, _, attrs in edges)


def test_the_dot_parser_rejects_broken_dot():
    with pytest.raises(ValueError):
        parse_dot('digraph rules {\n  "a" -> ;\n}\n')
    with pytest.raises(ValueError):
        parse_dot('digraph rules {\n  "a" [label="x"]\n')


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_accepts_the_dot(capsys):
    text = output(capsys, "--format", "dot")
    result = run(["dot", "-Tsvg"], "Graphviz to draw the rules", input=text, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_mermaid_parses_with_a_node_per_rule_and_an_edge_per_link(capsys):
    kb = default_knowledge_base()
    nodes, edges = parse_mermaid(output(capsys, "--format", "mermaid"))
    assert sorted(nodes.values()) == sorted(r.id for r in kb.rules)
    assert [(nodes[a], nodes[b]) for a, b, _ in edges] == [(e.source, e.target) for e in rule_edges(kb)]


def test_the_mermaid_validator_rejects_broken_flowcharts():
    with pytest.raises(ValueError):
        parse_mermaid('flowchart LR\n  r1["a"]\n  r1 --> r2\n')
    with pytest.raises(ValueError):
        parse_mermaid('flowchart LR\n  r1["a"]\n  r1 -->|"x"| r9\n')
