"""Proof trees for `expert consult --explain`: why each conclusion holds, down to what was said.

Each step is a firing: the rule, the sentence it cites, and the facts it matched. A fact the
person gave ends a branch; a derived finding leads to the firing that first concluded it.
"""

from __future__ import annotations

import textwrap

from pydantic import BaseModel, ConfigDict

from expert.engine.report import Conclusion, Report
from expert.engine.trace import FactRef, Firing, Source
from expert.util.arguments import instance_argument
from expert.util.textsafe import safe_text


class Premise(BaseModel):
    """A fact a step rests on; for a derived finding, the step that concluded it."""

    model_config = ConfigDict(frozen=True)

    fact: FactRef
    proof: Step | None = None  # None for a fact the person gave


class Step(BaseModel):
    """One firing in a proof: the rule, what it concluded in plain words, its sentences, its premises."""

    model_config = ConfigDict(frozen=True)

    firing: int
    rule: str
    text: str
    sources: list[Source]
    premises: list[Premise]


class Proof(BaseModel):
    """A conclusion shown to the person, with one proof tree for each firing that reached it."""

    model_config = ConfigDict(frozen=True)

    rule: str
    text: str
    trees: list[Step]


def _step(firing: Firing, by_number: dict[int, Firing]) -> Step:
    premises = []
    for ref in firing.matched:
        proof = None
        if ref.origin == "rule" and ref.derived_by is not None:
            proof = _step(by_number[ref.derived_by], by_number)
        premises.append(Premise(fact=ref, proof=proof))
    return Step(firing=firing.number, rule=firing.rule, text=firing.text, sources=firing.sources, premises=premises)


def prove(report: Report, conclusion: Conclusion) -> Proof:
    """The proof trees of one of a report's conclusions."""
    by_number = {f.number: f for f in report.fired}
    return Proof(
        rule=conclusion.rule,
        text=conclusion.text,
        trees=[_step(by_number[n], by_number) for n in conclusion.firings],
    )


def proof_trees(report: Report) -> list[Proof]:
    """The proof of every conclusion of a report, in the report's order."""
    instance_argument(report, "report", Report, "a Report (from expert.consult or Session.run)")
    return [prove(report, c) for c in report.conclusions]


def _render_step(step: Step, depth: int, seen: set[int], lines: list[str], width: int, *, root: bool = False) -> None:
    pad = "    " * depth
    if step.firing in seen:
        lines.append(f"{pad}[{step.rule}] (firing {step.firing}, shown above)")
        return
    seen.add(step.firing)
    lines.append(f"{pad}[{step.rule}] (firing {step.firing})")
    if not root:  # the root's text is the conclusion's own, printed just above
        lines.append(textwrap.fill(step.text, width, initial_indent=pad + "  ", subsequent_indent=pad + "  "))
    for source in step.sources:
        lines.append(
            textwrap.fill(
                f'cites "{source.quote}" ({source.document})',
                width,
                initial_indent=pad + "  ",
                subsequent_indent=pad + "    ",
            )
        )
    for premise in step.premises:
        if premise.proof is None:
            lines.append(f"{pad}  because you said: {safe_text(premise.fact.text)} [{premise.fact.id}]")
        else:
            lines.append(f"{pad}  because {premise.fact.text} [{premise.fact.id}], concluded by:")
            _render_step(premise.proof, depth + 1, seen, lines, width)


def render_proofs(proofs: list[Proof], *, width: int = 88) -> str:
    """The proof trees as indented text, each step with its rule and sentence, down to the person's facts."""
    if not proofs:
        return "No conclusion to explain.\n"
    lines = ["Why: each conclusion's proof, down to what you said", ""]
    for number, proof in enumerate(proofs, start=1):
        lines.append(textwrap.fill(f"{number}. {proof.text}", width, subsequent_indent="   "))
        for tree in proof.trees:
            _render_step(tree, 1, set(), lines, width, root=True)
        lines.append("")
    return "\n".join(lines)


Premise.model_rebuild()
