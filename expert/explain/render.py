"""Turning reports into text for a person: red flags first, then what to do, then the possible
causes ranked with what speaks for and against each, then how it comes about.

Each conclusion is printed once, with every sentence it quotes and the document's title; an
outside figure and advice in the system's own words are marked as such, apart from the quotes.
"""

import textwrap

from expert.engine.report import Conclusion, Report
from expert.explain.summary import RankedCause, Summary, summarise
from expert.facts.vocabulary import display, listed
from expert.util.terminal import DEFAULT_WIDTH, terminal_width  # noqa: F401  (others import it from here)
from expert.util.textsafe import safe_text

CATEGORY_HEADINGS = {
    "red_flag": "RED FLAGS",
    "conflict": "Where your answers pull two ways",
    "referral": "What to do",
    "advice": "What to do",
    "explanation": "Possible causes, best supported first",
    "suspicion": "Possible causes, best supported first",
    "ruled_out": "What speaks against",
    "mechanism": "How it comes about",
    "background": "In general",
}
OWN_ADVICE = "Our advice, not the documents':"


def _wrap(text: str, indent: str, width: int, first: str | None = None) -> str:
    # Never break at a hyphen or inside a word: a quote must read back exactly as the document has it.
    return textwrap.fill(
        text,
        width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
        break_long_words=False,
    )


def render_conclusion(conclusion: Conclusion, *, number: int | None = None, width: int = DEFAULT_WIDTH, indent: str = "") -> str:
    """One conclusion: its text, then each source sentence in quotes with the document's title,
    then any outside figure and any advice of ours, each marked."""
    mark = "!! " if conclusion.is_red_flag else ""
    head = indent + (f"{number}. " if number is not None else "- ")
    pad = " " * len(head)
    lines = [_wrap(mark + conclusion.text, pad, width, first=head)]
    for source in conclusion.sources:
        lines.append(_wrap(f'"{source.quote}"', pad + "  ", width))
        lines.append(_wrap(f"(from: {source.title})", pad + "     ", width, first=pad + "    "))
    if conclusion.authority:
        a = conclusion.authority
        lines.append(_wrap(f"Figure not given by the documents: {a.figure}, from {a.source}. {a.note}".rstrip(), pad + "  ", width))
    if conclusion.own_advice:
        lines.append(_wrap(f"{OWN_ADVICE} {conclusion.own_advice}", pad + "  ", width))
    return "\n".join(lines)


def _red_flag_line(s: Summary) -> str:
    names = s.red_flags_not_asked
    if not names:
        return "Red flags: none of the warning signs the documents name."
    verb = "were not asked about" if s.asked_known else "were not reported"
    names_listed = listed(names)
    if len(names) == len(s.red_flags_not_asked) and not s.red_flags:
        return f"Red flags: none reported ({names_listed} {verb})."
    return f"Red flags not {'asked about' if s.asked_known else 'reported'}: {names_listed}."


def render_report(report: Report, *, width: int | None = None) -> str:
    """The whole report as text, then the disclaimer."""
    width = width or DEFAULT_WIDTH
    s = summarise(report)
    parts: list[str] = []
    printed: set[str] = set()
    number = 0

    def emit(conclusion: Conclusion, indent: str = "") -> None:
        nonlocal number
        number += 1
        printed.add(conclusion.rule)
        parts.append(render_conclusion(conclusion, number=number, width=width, indent=indent))

    def section(heading: str, conclusions: list[Conclusion]) -> None:
        todo = [c for c in conclusions if c.rule not in printed]
        if todo:
            parts.append(heading)
            for c in todo:
                emit(c)
            parts.append("")

    if not report.conclusions:
        parts.append("No rule fired on these facts: the documents say nothing that follows from them.\n")
    section("RED FLAGS", s.red_flags)
    section("Where your answers pull two ways", s.conflicts)
    section("What to do", s.referrals + [c for group in s.advice.values() for c in group])
    if s.causes or s.weak:
        parts.append("Possible causes, best supported first")
        for rank, ranked in enumerate(s.causes, start=1):
            _cause(ranked, f"{rank}. ", parts, width)
            for c in ranked.conclusions + ranked.against:
                if c.rule not in printed:
                    emit(c, indent="   ")
        if s.weak:
            names = ", ".join(r.cause.name[0].lower() + r.cause.name[1:] if i else r.cause.name for i, r in enumerate(s.weak))
            parts.append(_wrap(f"Weak evidence, shared by several causes: {names}.", "   ", width, first="- "))
            for ranked in s.weak:
                for c in ranked.conclusions + ranked.against:
                    if c.rule not in printed:
                        emit(c, indent="   ")
        parts.append("")
    if s.ruled_out or s.other_against:
        parts.append("What speaks against")
        for ranked in s.ruled_out:
            _cause(ranked, "- ", parts, width)
            for c in ranked.conclusions + ranked.against:
                if c.rule not in printed:
                    emit(c, indent="   ")
        for c in s.other_against:
            if c.rule not in printed:
                emit(c)
        parts.append("")
    section("Also", [c for c in report.conclusions if c.category in ("explanation", "suspicion", "ruled_out")])
    section("How it comes about", [c for c in report.conclusions if c.category == "mechanism"])
    section("In general", [c for c in report.conclusions if c.category == "background"])
    if s.unused:
        told = "; ".join(safe_text(ref.text) for ref in s.unused)
        parts.append(_wrap(f"Not taken into account, as nothing in the documents follows from it here: {told}.", "", width))
        parts.append("")
    parts.append(_wrap(_red_flag_line(s), "", width))
    parts.append("")
    parts.append(_wrap("Disclaimer: " + report.disclaimer, "", width))
    return "\n".join(parts).rstrip() + "\n"


def _cause(ranked: RankedCause, head: str, parts: list[str], width: int) -> None:
    cause = ranked.cause
    reason = safe_text(cause.reason[0].lower() + cause.reason[1:])
    parts.append(_wrap(f"{cause.name}: {reason}.", " " * len(head), width, first=head))


__all__ = ["CATEGORY_HEADINGS", "render_conclusion", "render_report", "terminal_width", "display"]
