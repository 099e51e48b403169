"""What the console shows, as text: questions, conclusions as they fire, chains, trace and summary.

Every function returns a string; none prints. Text is wrapped to a width the console passes
(the terminal's, see expert.explain.render.terminal_width), never breaking a word. Colour is applied
through a Style, which does nothing unless the console turned it on.

After an answer each new conclusion takes a line or two (what it says, and the document's
title), grouped by the cause it bears on; `verbose` shows each with its sentence in quotes, and
`how N` the whole chain.
"""

import textwrap
from dataclasses import dataclass

from expert.engine.evidence import cause_name
from expert.console.planner import Reason
from expert.explain.proof import Proof, Step
from expert.console.questions import Question, option_label, short_label
from expert.explain.render import terminal_width
from expert.engine.report import Conclusion, Report
from expert.explain.summary import Summary
from expert.facts.vocabulary import listed
from expert.rules.knowledge import KnowledgeBase
from expert.util.textsafe import safe_text

LABELS = {
    "red_flag": "RED FLAG",
    "conflict": "Pulls two ways",
    "referral": "See a professional",
    "explanation": "May explain it",
    "suspicion": "Fits",
    "mechanism": "How it comes about",
    "ruled_out": "Speaks against",
    "advice": "What to do",
    "background": "In general",
}
OWN_ADVICE = "Our advice, not the documents':"
# Shown after an answer without being asked for: the rest is counted and left to `how N`.
SHOWN = ("red_flag", "conflict", "referral", "advice", "explanation", "suspicion", "ruled_out")

HELP = """\
Answer the question, or type one of these commands:
  why             why this question is asked: what each answer could change
  how N           how conclusion [N] was reached, step by step (or: how WORDS)
  verbose         show each conclusion with its sentences (type it again for short)
  facts           your answers so far, numbered
  change [N]      answer N again (the last answer if no N)
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


def wrap(text: str, indent: str = "", first: str | None = None, width: int | None = None) -> str:
    """Text wrapped to the width, no word broken, continuation lines indented."""
    return textwrap.fill(
        text,
        width or terminal_width(),
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def intro(kb: KnowledgeBase, width: int | None = None) -> str:
    titles = " and ".join(f"“{d.title}”" for d in kb.documents.values())
    return wrap(
        "This console asks about muscle twitching, cramps and spasms and what may lie behind them, "
        f"and tells you what two short documents say about your answers: {titles}. It is "
        "information, not a diagnosis. Type 'help' at any prompt for commands such as why, how, "
        "change and save.",
        width=width,
    )


def prompt(q: Question, number: int, style: Style, width: int | None = None) -> str:
    """A question, its options when it has a list, its accepted answers, and the prompt sign."""
    width = width or terminal_width()
    lines = [style.bold(wrap(q.text, "    ", first=f"Q{number}. ", width=width))]
    if q.answer == "choose_any":
        lines += _columns([option_label(o) for o in q.options], width)
    lines.append(wrap(f"[{q.accepted}]", "     ", first="    ", width=width))
    return "\n" + "\n".join(lines) + "\n> "


def _columns(labels: list[str], width: int) -> list[str]:
    """Numbered options, in two columns when they fit the width, else one."""
    numbered = [f"{i:>2} {label}" for i, label in enumerate(labels, start=1)]
    column = max(len(n) for n in numbered) + 2
    if 4 + 2 * column <= width and len(numbered) > 4:
        half = (len(numbered) + 1) // 2
        rows = []
        for left, right in zip(numbered[:half], numbered[half:] + [""]):
            rows.append(("    " + left.ljust(column) + right).rstrip())
        return rows
    return [wrap(n[3:], " " * 7, first="    " + n[:3], width=width) for n in numbered]


def _words(text: str) -> set[str]:
    return {w.strip(".,:;()“”\"'").casefold() for w in text.split() if len(w) > 3}


def by_relevance(sources: list, text: str, more: str = "") -> list:
    """The sources, the one sharing most words with `text` first, then with `more` (the rest of a
    conclusion, whose first clause is `text`); ties keep their order."""
    words, rest = _words(text), _words(more)
    return sorted(sources, key=lambda s: (-len(words & _words(s.quote)), -len(rest & _words(s.quote))))


def short_text(c: Conclusion) -> str:
    """What a conclusion says, in its first clause."""
    text = c.text
    depth = 0
    for i, char in enumerate(text):
        depth += char in "([" and 1 or (char in ")]" and -1 or 0)
        # Cut at the first clause's end, never inside brackets: "(the minerals document adds: ...)"
        if depth == 0 and i > 0 and char in ":;." and text[i + 1 : i + 2] == " ":
            return text[:i] + "."
    return text.rstrip(".") + "."


def quotes(conclusion: Conclusion, indent: str, style: Style, width: int, limit: int | None = None) -> list[str]:
    lines = []
    for source in by_relevance(conclusion.sources, short_text(conclusion), conclusion.text)[:limit]:
        lines.append(style.dim(wrap(f"“{source.quote.strip()}”", indent + " ", width=width)))
        lines.append(style.dim(wrap(f"({source.title})", indent + "   ", width=width)))
    if conclusion.authority:
        a = conclusion.authority
        lines.append(wrap(f"Figure not given by the documents: {a.figure}, from {a.source}.", indent, width=width))
    hidden = len(conclusion.sources) - len(conclusion.sources[:limit])
    if hidden:
        lines.append(style.dim(wrap(f"(and {hidden} more sentence{'s' if hidden > 1 else ''}: type how N)", indent + "   ", width=width)))
    return lines


def _hanging(text: str, head: str, width: int | None) -> str:
    """`head` then the text, its continuation lines under the text: every numbered item's layout."""
    return wrap(text, " " * len(head), first=head, width=width)


def _numbered(text: str, number: int, width: int | None) -> str:
    return _hanging(text, f"  [{number}] ", width)


def conclusion(c: Conclusion, number: int, style: Style, *, verbose: bool = False, width: int | None = None) -> str:
    """One conclusion: short, its first clause and the document's title; verbose, its whole text
    and a sentence in quotes. A red flag is marked, with our advice."""
    width = width or terminal_width()
    head = f"  [{number}] "
    pad = " " * len(head)
    if verbose:
        lines = [_hanging(c.text, head, width)] + quotes(c, pad, style, width, limit=1)
    else:
        # The document of the sentence sharing most words with the whole conclusion, not only the
        # clause shown: "with a healthcare professional" would otherwise outweigh the sentence
        # the advice rests on.
        title = by_relevance(c.sources, c.text)[0].title
        lines = [_hanging(f"{short_text(c)} ({title})", head, width)]
    if c.is_red_flag:
        lines[0] = style.red("!!" + lines[0][2:])
    if c.own_advice:
        advice = wrap(f"{OWN_ADVICE} {c.own_advice}", pad, width=width)
        lines.insert(1, style.red(advice) if c.is_red_flag else advice)
    return "\n".join(lines)


def new_conclusions(items: list[tuple[int, Conclusion]], report: Report, style: Style, *, verbose: bool = False,
                    width: int | None = None) -> str:
    """New conclusions: red flags, conflicts and what to do first, then those about each cause under
    its name, best supported first; mechanisms and background counted, unless verbose."""
    width = width or terminal_width()
    shown = [(n, c) for n, c in items if verbose or c.category in SHOWN]
    rest = [(n, c) for n, c in items if (n, c) not in shown]
    lines: list[str] = []
    heads = [("red_flag",), ("conflict",), ("referral", "advice")]
    for categories in heads:
        group = [(n, c) for n, c in shown if c.category in categories]
        if group:
            lines.append(style.bold(LABELS[categories[-1]] if categories[0] != "red_flag" else "RED FLAG") + ":")
            lines += [conclusion(c, n, style, verbose=verbose, width=width) for n, c in group]
    placed = {n for cats in heads for n, c in shown if c.category in cats}
    rank = {cause.cause: i for i, cause in enumerate(report.causes)}
    by_cause: dict[str, list[tuple[int, Conclusion]]] = {}
    for n, c in shown:
        if n in placed:
            continue
        known = sorted((cause for cause in c.causes if cause in rank), key=rank.__getitem__)
        key = known[0] if known else ""
        if len(known) > 1 and all(report.cause(k).standing == "weak" for k in known):
            # A sign shared by several causes alike is not put under one of their names: its own
            # text names them all.
            key = _SHARED
        by_cause.setdefault(key, []).append((n, c))
    for key in sorted(by_cause, key=lambda k: rank.get(k, len(rank) - (k == _SHARED))):
        cause = report.cause(key) if key and key != _SHARED else None
        if key == _SHARED:
            heading = "Weak, shared by several causes"
        else:
            heading = f"{cause_name(key)} ({_standing(cause.standing)})" if cause else "Also"
        lines.append(style.bold(heading) + ":")
        lines += [conclusion(c, n, style, verbose=verbose, width=width) for n, c in by_cause[key]]
    if rest:
        numbers = " ".join(f"[{n}]" for n, _ in rest)
        lines.append(style.dim(wrap(f"(and how it comes about: {numbers}; type how N, or verbose)", "   ", first="  ", width=width)))
    return "\n".join(lines)


_SHARED = "(shared)"  # the group of signs shared by several weak causes alike

_STANDINGS = {
    "tested": "a low test result",
    "dose": "a high dose",
    "told": "you report it",
    "suspected": "suspected",
    "weak": "weak: shared signs only",
    "against": "spoken against",
}


def _standing(standing: str) -> str:
    return _STANDINGS.get(standing, standing)


def withdrawn(items: list[tuple[int, Conclusion]], style: Style, width: int | None = None) -> str:
    lines = [style.bold("Withdrawn, as it no longer follows from your answers:")]
    lines += [_numbered(short_text(c), n, width) for n, c in items]
    return "\n".join(lines)


def replaced(items: list[tuple[tuple[int, Conclusion], list[int]]], style: Style, width: int | None = None) -> str:
    """Conclusions whose findings a new conclusion now reaches: each new one, with the numbers it replaces."""
    lines = [style.bold("Replaced, now that you have answered:")]
    for (m, new), old in items:
        title = by_relevance(new.sources, new.text)[0].title
        places = ", ".join(f"[{n}]" for n in old)
        lines.append(_numbered(f"{new.text} ({title}; in place of {places})", m, width))
    return "\n".join(lines)


def updated(items: list[tuple[int, Conclusion]], style: Style, width: int | None = None) -> str:
    lines = [style.bold("Updated:")]
    lines += [_numbered(short_text(c), n, width) for n, c in items]
    return "\n".join(lines)


def reasons(q: Question, found: list[Reason], style: Style, limit: int | None = 6, width: int | None = None) -> str:
    """Why a question is asked: the rules its answer could fire or rule out, with their sentences."""
    if not found:
        return "This question completes an answer you gave: a supplement needs its dose, a test its result."
    lines = [f"Your answer could change these conclusions ({len(found)} rule{'s' if len(found) != 1 else ''}):"]
    for r in found[:limit]:
        effect = "could conclude" if r.effect == "fire" else "could rule out"
        lines.append(wrap(f"{effect}: {r.rule.title}", "    ", first="  - ", width=width))
        for s in by_relevance(r.rule.sources, r.rule.title, r.rule.text)[:1]:
            lines.append(style.dim(wrap(f"“{s.quote.strip()}”", "      ", width=width)))
    if limit is not None and len(found) > limit:
        lines.append(f"  ... and {len(found) - limit} more (type 'why all' to see them all)")
    return "\n".join(lines)


def chain(c: Conclusion, number: int, proof: Proof, style: Style, width: int | None = None) -> str:
    """How a conclusion was reached, step by step down to the person's own answers."""
    lines = [style.bold(wrap(f"How [{number}] was reached: {c.text}", width=width))]
    if c.own_advice:
        lines.append(wrap(f"{OWN_ADVICE} {c.own_advice}", "  ", width=width))
    lines += quotes(c, "  ", style, width or terminal_width())
    for i, tree in enumerate(proof.trees):
        if i:
            lines.append("  It was also reached another way:")
        _premises(tree, "  ", lines, style, width)
    return "\n".join(lines)


def _mid_sentence(text: str) -> str:
    """A sentence continued after "because": its first word in lower case, unless it is a name
    or an abbreviation ("B6", "IV")."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower():
        return text[0].lower() + text[1:]
    return text


def _premises(step: Step, indent: str, lines: list[str], style: Style, width: int | None) -> None:
    for premise in step.premises:
        if premise.proof is None:
            lines.append(wrap(f"because you said: {safe_text(premise.fact.text)}", indent + "  ", first=indent + "- ", width=width))
            continue
        inner = premise.proof
        lines.append(wrap(f"because {_mid_sentence(inner.text)}", indent + "  ", first=indent + "- ", width=width))
        for s in inner.sources[:1]:
            lines.append(style.dim(wrap(f"“{s.quote.strip()}”", indent + "   ", width=width)))
            lines.append(style.dim(wrap(f"({s.title})", indent + "     ", width=width)))
        _premises(inner, indent + "    ", lines, style, width)


def facts(answered: list[tuple[int, Question, object]], width: int | None = None) -> str:
    if not answered:
        return "You have not answered anything yet."
    lines = ["Your answers (change N or retract N to take one back):"]
    for number, q, value in answered:
        lines.append(_hanging(f"{q.label}: {_described(q, value)}", f"  {number:>2}. ", width))
    return "\n".join(lines)


def _described(q: Question, value) -> str:
    if q.answer == "choose_any" and isinstance(value, list):
        return ", ".join(short_label(v) for v in value) or "none"
    return q.describe(value)


def trace(report: Report, number_of, width: int | None = None) -> str:
    """The firings in order, each with the number of the conclusion it gave (as `how N` takes it)."""
    if not report.fired:
        return "No rule has fired yet."
    lines = ["Rules fired so far, in order (with the conclusion each gave):"]
    by_rule = {c.rule: c for c in report.conclusions}
    for f in report.fired:
        n = number_of(by_rule[f.rule]) if f.rule in by_rule else None
        tag = f"[{n}] " if n else ""
        grounds = ", ".join(safe_text(r.text) for r in f.matched)
        head = f"  {f.number:>2}. "
        lines.append(_hanging(f"{tag}{f.rule}: {f.text}", head, width))
        pad = " " * len(head)
        lines.append(wrap(f"on: {grounds}", pad + "    ", first=pad, width=width))
    return "\n".join(lines)


def summary(s: Summary, number_of, style: Style, *, not_asked: list[str] = (), unsure: list[str] = (),
            width: int | None = None) -> str:
    """The summary, one screen for a typical story: red flags, what pulls two ways, what to do, the
    causes ranked with one line of reason each, what speaks against, what was not asked.

    `number_of(conclusion)` gives the number a conclusion was shown with, or None.
    """
    def num(c: Conclusion) -> str:
        n = number_of(c)
        return f"[{n}] " if n else ""

    out = [style.bold("SUMMARY")]
    if s.red_flags:
        out.append(style.bold("Red flags:"))
    for c in s.red_flags:
        out.append(style.red(wrap(num(c) + short_text(c), "     ", first="  !! ", width=width)))
        if c.own_advice:
            out.append(style.red(wrap(f"{OWN_ADVICE} {c.own_advice}", "     ", width=width)))
    if not s.red_flags:
        out.append("Red flags: none of the warning signs the documents name" + (
            "." if not s.red_flags_not_asked and not unsure else ", as far as you were asked."))
    if unsure:
        signs = "a warning sign" if len(unsure) == 1 else "warning signs"
        out.append(style.red(wrap(f"You were not sure about {listed(list(unsure))}, {signs} the documents name.",
                                  "    ", first="  ", width=width)))
    for c in s.conflicts:
        out.append(style.bold("Pulls two ways:"))
        out.append(wrap(num(c) + short_text(c), "    ", first="  - ", width=width))
        if c.own_advice:
            out.append(wrap(f"{OWN_ADVICE} {c.own_advice}", "    ", width=width))
    todo = s.referrals + [c for group in s.advice.values() for c in group]
    if todo:
        out.append(style.bold("What to do:"))
        out += [wrap(num(c) + short_text(c), "    ", first="  - ", width=width) for c in todo]
    if s.causes:
        out.append(style.bold("Possible causes, best supported first:"))
        for i, ranked in enumerate(s.causes, start=1):
            reason = safe_text(ranked.cause.reason[0].lower() + ranked.cause.reason[1:])
            out.append(wrap(f"{ranked.cause.name}: {reason}.", "     ", first=f"  {i}. ", width=width))
    elif not s.weak:
        out.append("Possible causes: none follow from your answers so far.")
    if s.weak:
        names = ", ".join(r.cause.name[0].lower() + r.cause.name[1:] if i else r.cause.name for i, r in enumerate(s.weak))
        out.append(wrap(f"Weak, shared signs only: {names}.", "    ", first="  ", width=width))
    against = [r.cause.name for r in s.ruled_out]
    if against:
        out.append(wrap("Spoken against by your answers: " + ", ".join(against) + ".", "    ", first="  ", width=width))
    if s.unused:
        told = "; ".join(safe_text(ref.text) for ref in s.unused)
        out.append(wrap(f"Not taken into account, as nothing in the documents follows from it here: {told}.", width=width))
    missing = list(s.red_flags_not_asked) + list(not_asked)
    if missing:
        out.append(wrap("Not asked: " + ", ".join(missing) + ".", "  ", width=width))
    out.append(wrap("Disclaimer: " + s.disclaimer, width=width))
    return "\n".join(out)
