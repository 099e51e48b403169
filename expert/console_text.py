"""What the console shows, as text: questions, conclusions as they fire, chains, trace and summary.

Every function returns a string; none prints. Colour is applied through a Style, which does
nothing unless the console turned it on.
"""

import textwrap
from dataclasses import dataclass

from expert.proof import Proof, Step
from expert.planner import Reason
from expert.questions import Question
from expert.report import Conclusion, Report
from expert.summary import Summary
from rules.knowledge import KnowledgeBase

WIDTH = 88

LABELS = {
    "red_flag": "RED FLAG",
    "conflict": "Pulls two ways",
    "referral": "See a professional",
    "explanation": "Possible explanation",
    "suspicion": "Your answers fit",
    "mechanism": "How it comes about",
    "ruled_out": "Speaks against",
    "advice": "Advice",
    "background": "In general",
}

OWN_ADVICE = "Our advice, not the documents':"

HELP = """\
Answer the question, or type one of these commands:
  why             why this question is asked: the rules its answer could fire
  how N           how conclusion [N] was reached, step by step (or: how WORDS)
  facts           what you have said so far, numbered
  change [N]      answer question N again (the last answer if no N)
  retract [N]     take answer N back (the last answer if no N)
  trace           the rules fired so far, in order
  summary         the summary of the consultation so far
  save FILE       save your answers as a case file (for expert consult, or --resume)
  load FILE       continue from a case file or a journal
  done            stop the questions and show the summary
  help            this list
  quit            leave (Ctrl-D leaves too)"""


@dataclass(frozen=True)
class Style:
    """ANSI colour for a terminal; plain text when `on` is False."""

    on: bool = False

    def _sgr(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.on else text

    def bold(self, text: str) -> str:
        return self._sgr("1", text)

    def red(self, text: str) -> str:
        return self._sgr("1;31", text)

    def dim(self, text: str) -> str:
        return self._sgr("2", text)

    def green(self, text: str) -> str:
        return self._sgr("32", text)


def wrap(text: str, indent: str = "", first: str | None = None) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent if first is None else first, subsequent_indent=indent)


def intro(kb: KnowledgeBase) -> str:
    titles = " and ".join(f"“{d.title}”" for d in kb.documents.values())
    return wrap(
        "This console asks about muscle twitching and what may lie behind it, one question at a "
        f"time, and tells you what two short documents say about your answers: {titles}. Each "
        "conclusion comes with the sentence it rests on. It is information, not a diagnosis. "
        "Type 'help' at any prompt for commands such as why, how, change and save."
    )


def prompt(q: Question, number: int, style: Style) -> str:
    """A question, its accepted answers, and the prompt sign."""
    head = wrap(q.text, "    ", first=f"Q{number}. ")
    return f"\n{style.bold(head)}\n    [{q.accepted}]\n> "


def _words(text: str) -> set[str]:
    return {w.strip(".,:;()“”\"'").casefold() for w in text.split() if len(w) > 3}


def by_relevance(sources: list, text: str) -> list:
    """The sources, the one sharing most words with the conclusion's text first (ties keep their order)."""
    words = _words(text)
    return sorted(sources, key=lambda s: -len(words & _words(s.quote)))


def quotes(conclusion: Conclusion, indent: str, style: Style, limit: int | None = None) -> list[str]:
    lines = []
    for source in by_relevance(conclusion.sources, conclusion.text)[:limit]:
        lines.append(style.dim(wrap(f"“{source.quote.strip()}”", indent + " ")))
        lines.append(style.dim(f"{indent}   ({source.title})"))
    if conclusion.authority:
        a = conclusion.authority
        lines.append(wrap(f"Figure not given by the documents: {a.figure}, from {a.source}.", indent))
    hidden = len(conclusion.sources) - len(conclusion.sources[:limit])
    if hidden:
        lines.append(style.dim(f"{indent}   (and {hidden} more sentence{'s' if hidden > 1 else ''}: type how N)"))
    return lines


def conclusion(c: Conclusion, number: int, style: Style) -> str:
    """One conclusion as it fires: a red flag marked and with urgent advice; then its sources."""
    label = LABELS.get(c.category, c.category.replace("_", " "))
    head = f"[{number}] {label}: "
    if c.is_red_flag:
        lines = [style.red(wrap(c.text, "     ", first="!! " + head))]
    else:
        body = wrap(c.text, "     ", first=head)
        lines = [style.bold(head) + body[len(head):]]
    if c.own_advice:
        advice = wrap(f"{OWN_ADVICE} {c.own_advice}", "     ")
        lines.append(style.red(advice) if c.is_red_flag else advice)
    return "\n".join(lines + quotes(c, "     ", style, limit=1))


def new_conclusions(items: list[tuple[int, Conclusion]], style: Style) -> str:
    return "\n".join(conclusion(c, n, style) for n, c in items)


def withdrawn(items: list[tuple[int, Conclusion]], style: Style) -> str:
    lines = [style.bold("Withdrawn, as it no longer follows from your answers:")]
    lines += [wrap(c.text, "     ", first=f"  [{n}] ") for n, c in items]
    return "\n".join(lines)


def reasons(q: Question, found: list[Reason], style: Style, limit: int | None = 6) -> str:
    """Why a question is asked: the rules its answer could fire or rule out, with their sentences."""
    if not found:
        return "This question is asked to complete an answer you gave (a supplement needs its dose)."
    lines = [f"Your answer could change these conclusions ({len(found)} rule{'s' if len(found) != 1 else ''}):"]
    for r in found[:limit]:
        effect = "could conclude" if r.effect == "fire" else "could rule out"
        lines.append(wrap(f"{effect}: {r.rule.title}", "    ", first="  - "))
        for s in by_relevance(r.rule.sources, r.rule.title + " " + r.rule.text):
            lines.append(style.dim(wrap(f"“{s.quote.strip()}”", "      ")))
    if limit is not None and len(found) > limit:
        lines.append(f"  ... and {len(found) - limit} more (type 'why all' to see them all)")
    return "\n".join(lines)


def chain(c: Conclusion, number: int, proof: Proof, style: Style) -> str:
    """How a conclusion was reached, step by step down to the person's own answers."""
    lines = [style.bold(wrap(f"How [{number}] was reached: {c.text}"))]
    lines += quotes(c, "  ", style)
    for i, tree in enumerate(proof.trees):
        if i:
            lines.append("  It was also reached another way:")
        _premises(tree, "  ", lines, style)
    return "\n".join(lines)


def _premises(step: Step, indent: str, lines: list[str], style: Style) -> None:
    for premise in step.premises:
        if premise.proof is None:
            lines.append(wrap(f"because you said: {premise.fact.text}", indent + "  ", first=indent + "- "))
            continue
        inner = premise.proof
        lines.append(wrap(f"because {inner.text}", indent + "  ", first=indent + "- "))
        for s in inner.sources[:1]:
            lines.append(style.dim(wrap(f"“{s.quote.strip()}”", indent + "   ")))
            lines.append(style.dim(f"{indent}     ({s.title})"))
        _premises(inner, indent + "    ", lines, style)


def facts(answered: list[tuple[Question, object]], told: list) -> str:
    if not answered and not told:
        return "You have not answered anything yet."
    lines = ["What you have said (change N or retract N to take one back):"]
    for i, (q, value) in enumerate(answered, start=1):
        lines.append(wrap(f"{q.label}: {q.describe(value)}", "      ", first=f"  {i:>2}. "))
    if told:
        lines.append("As facts: " + "; ".join(f.describe() for f in told))
    return "\n".join(lines)


def trace(report: Report) -> str:
    if not report.fired:
        return "No rule has fired yet."
    lines = ["Rules fired so far, in order:"]
    for f in report.fired:
        grounds = ", ".join(r.text for r in f.matched)
        lines.append(wrap(f"{f.rule}: {f.text}", "      ", first=f"  {f.number:>2}. "))
        lines.append(wrap(f"on: {grounds}", "          "))
    return "\n".join(lines)


def summary(s: Summary, number_of, style: Style) -> str:
    """The summary: red flags, conflicts, what to do, the causes ranked with a one-line reason
    and what speaks against each, what was left out, and the disclaimer.

    `number_of(conclusion)` gives the number a conclusion was shown with, or None.
    """
    def num(c: Conclusion) -> str:
        n = number_of(c)
        return f"[{n}] " if n else ""

    out = [style.bold("SUMMARY")]
    if s.red_flags:
        out.append(style.red("Red flags"))
        for c in s.red_flags:
            out.append(style.red(wrap(num(c) + c.text, "     ", first="  !! ")))
            if c.own_advice:
                out.append(style.red(wrap(f"{OWN_ADVICE} {c.own_advice}", "     ")))
    if s.red_flags_not_asked:
        names = s.red_flags_not_asked
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        how = "not asked about" if s.asked_known else "not reported"
        out.append(wrap(f"Warning signs {how}: {listed}." if s.red_flags else f"Red flags: none reported; {how}: {listed}."))
    elif not s.red_flags:
        out.append("Red flags: none of the warning signs the documents name.")
    for c in s.conflicts:
        out.append(style.bold("Where your answers pull two ways"))
        out.append(wrap(num(c) + c.text, "    ", first="  - "))
        if c.own_advice:
            out.append(wrap(f"{OWN_ADVICE} {c.own_advice}", "    "))
    todo = s.referrals + [c for group in s.advice.values() for c in group]
    if todo:
        out.append(style.bold("What to do"))
        out += [wrap(num(c) + c.text, "    ", first="  - ") for c in todo]
    if s.causes:
        out.append(style.bold("Possible causes, best supported first"))
        for i, ranked in enumerate(s.causes, start=1):
            out.append(wrap(f"{ranked.cause.name}: {ranked.cause.reason[0].lower()}{ranked.cause.reason[1:]}.", "     ", first=f"  {i}. "))
            for c in ranked.conclusions:
                out.append(wrap(num(c) + c.text, "       ", first="     "))
            for a in ranked.against:
                out.append(wrap(f"against: {num(a)}{a.text}", "       ", first="     "))
    if s.weak:
        names = ", ".join(r.cause.name for r in s.weak)
        out.append(wrap(f"Weak evidence, shared by several causes: {names}.", "    ", first="  "))
    if not s.causes and not s.weak:
        out.append("Possible causes: none follow from your answers so far.")
    if s.ruled_out or s.other_against:
        out.append(style.bold("What speaks against"))
        for ranked in s.ruled_out:
            out.append(wrap(f"{ranked.cause.name}: {ranked.cause.reason[0].lower()}{ranked.cause.reason[1:]}.", "    ", first="  - "))
        out += [wrap(num(c) + c.text, "    ", first="  - ") for c in s.other_against]
    if s.unused:
        told = "; ".join(ref.text for ref in s.unused)
        out.append(wrap(f"Not taken into account, as nothing in the documents follows from it here: {told}."))
    out.append(wrap("Disclaimer: " + s.disclaimer))
    return "\n".join(out)
