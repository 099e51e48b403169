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


def _fill(text: str, width: int, first: str, rest: str) -> str:
    # A line of the proof, wrapped to the width without splitting a word or a quoted hyphenation.
    return textwrap.fill(text, width, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False)


def _render_step(step: Step, depth: int, seen: set[int], lines: list[str], width: int, *, root: bool = False) -> None:
    pad = "    " * depth
    if step.firing in seen:
        lines.append(_fill(f"[{step.rule}] (firing {step.firing}, shown above)", width, pad, pad + "  "))
        return
    seen.add(step.firing)
    lines.append(_fill(f"[{step.rule}] (firing {step.firing})", width, pad, pad + "  "))
    if not root:  # the root's text is the conclusion's own, printed just above
        lines.append(_fill(step.text, width, pad + "  ", pad + "  "))
    for source in step.sources:
        lines.append(
            textwrap.fill(
                f'cites "{source.quote}" ({source.document})',
                width,
                initial_indent=pad + "  ",
                subsequent_indent=pad + "    ",
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    for premise in step.premises:
        if premise.proof is None:
            line = f"because you said: {safe_text(premise.fact.text)} [{premise.fact.id}]"
        else:
            line = f"because {premise.fact.text} [{premise.fact.id}], concluded by:"
        lines.append(textwrap.fill(line, width, initial_indent=pad + "  ", subsequent_indent=pad + "    ",
                                   break_long_words=False, break_on_hyphens=False))
        if premise.proof is not None:
            _render_step(premise.proof, depth + 1, seen, lines, width)


def render_proofs(proofs: list[Proof], *, width: int = 88) -> str:
    """The proof trees as indented text, each step with its rule and sentence, down to the person's facts."""
    if not proofs:
        return "No conclusion to explain.\n"
    lines = [_fill("Why: each conclusion's proof, down to what you said", width, "", ""), ""]
    for number, proof in enumerate(proofs, start=1):
        lines.append(textwrap.fill(f"{number}. {proof.text}", width, subsequent_indent="   ",
                                   break_long_words=False, break_on_hyphens=False))
        for tree in proof.trees:
            _render_step(tree, 1, set(), lines, width, root=True)
        lines.append("")
    return "\n".join(lines)


Premise.model_rebuild()
