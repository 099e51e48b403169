"""Turning reports into text for a person: red flags first, each conclusion with its quote."""

import textwrap

from expert.report import Conclusion, Report

WIDTH = 88

CATEGORY_HEADINGS = {
    "red_flag": "RED FLAGS: seek urgent care",
    "referral": "See a healthcare professional",
    "explanation": "Possible explanations",
    "suspicion": "What your symptoms fit",
    "mechanism": "How it comes about",
    "ruled_out": "What speaks against",
    "advice": "What you can do",
    "background": "In general",
}


def _wrap(text: str, indent: str) -> str:
    # Never break at a hyphen: a quote must read back exactly as the document has it.
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False)


def render_conclusion(conclusion: Conclusion, *, number: int | None = None) -> str:
    """One conclusion: its text, then each source sentence in quotes with the document's title."""
    mark = "!! " if conclusion.is_red_flag else ""
    head = f"{number}. " if number is not None else "- "
    lines = [_wrap(mark + conclusion.text, "").replace("\n", "\n" + " " * len(head), 0)]
    lines[0] = head + lines[0].replace("\n", "\n" + " " * len(head))
    pad = " " * len(head)
    for source in conclusion.sources:
        lines.append(_wrap(f'"{source.quote}"', pad + "  "))
        lines.append(f"{pad}    (from: {source.title})")
    if conclusion.authority:
        a = conclusion.authority
        lines.append(_wrap(f"Threshold not given by the documents: {a.figure}, from {a.source}. {a.note}".rstrip(), pad + "  "))
    return "\n".join(lines)


def render_report(report: Report) -> str:
    """The whole report as text: conclusions grouped by kind, red flags first, then the disclaimer."""
    parts = []
    if not report.conclusions:
        parts.append("No rule fired on these facts: the documents say nothing that follows from them.")
    number = 0
    for category, heading in CATEGORY_HEADINGS.items():
        group = [c for c in report.conclusions if c.category == category]
        if not group:
            continue
        parts.append(heading.upper() if category == "red_flag" else heading)
        for conclusion in group:
            number += 1
            parts.append(render_conclusion(conclusion, number=number))
        parts.append("")
    parts.append(_wrap("Disclaimer: " + report.disclaimer, ""))
    return "\n".join(parts).rstrip() + "\n"
