"""`expert consult CASE...`: run case files and print each report.

One case file prints its report alone (one JSON object with --format json), as it always has.
Several, or a folder or a glob, print each report under its file's name, in the order given (one
JSON array); a file that cannot be consulted is named on stderr with the reason, the others are
still reported, and the exit status says that one failed.
"""

import argparse
import glob
import json
import sys
from pathlib import Path

# A case file could not be consulted: the status the command line gives for bad input.
EXIT_BAD_CASE = 2


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "consult",
        help="run case files and print the conclusions with their sources",
        description="Run the rules over the facts of each case file and print every conclusion, "
        "red flags first, each with the sentence and document it comes from. Given several case "
        "files, a folder (every .json inside) or a glob, each report is printed under its file's "
        "name, in the order given, and the disclaimer once at the end; with --format json they "
        'make one array of {"case", "report"}. A case file that cannot be consulted is named on '
        'stderr with the reason (and in the array as {"case", "problems"}), the others are still '
        "reported, and the exit status is 2.",
    )
    parser.add_argument(
        "cases",
        nargs="+",
        metavar="CASE",
        help='a JSON case file {"facts": [ {...}, ... ]}, a folder of them, or a glob',
    )
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also print each conclusion's proof tree, down to your facts (in JSON: a 'proofs' list)",
    )
    parser.set_defaults(handler=run)


def report_json(report) -> dict:
    """The report as the documented JSON: conclusions, fired, facts, derived, disclaimer."""
    return report.model_dump(mode="json")


def run(args: argparse.Namespace, out) -> int:
    if len(args.cases) == 1 and not _names_many(args.cases[0]):
        # One file keeps the output it has always had; a bad one is the command line's error.
        report = _consult(Path(args.cases[0]))
        if args.format == "json":
            out.write(json.dumps(_json(report, args.explain), indent=2) + "\n")
        else:
            out.write(_text(report, args.explain)[0])
        return 0
    return _run_many(args, out)


def _run_many(args: argparse.Namespace, out) -> int:
    from expert.errors import AuditError, InvalidFactError
    from expert.util.textsafe import safe_text

    entries: list[dict] = []
    disclaimers: list[str] = []
    seen: set[Path] = set()
    failed, shown = False, 0

    def bad(name: str, problems: list[str]) -> None:
        nonlocal failed
        failed = True
        entries.append({"case": name, "problems": problems})
        out.flush()  # what was reported so far comes first in a terminal
        for problem in problems:
            line = problem if problem.startswith(f"{name}:") else f"{name}: {problem}"
            sys.stderr.write(f"expert: {safe_text(line)}\n")

    for target in args.cases:
        try:
            paths = _case_paths(target)
        except AuditError as exc:  # a folder or a glob with no case file in it
            bad(target, [str(exc).removeprefix(f"{target}: ")])
            continue
        for path in paths:
            if path in seen:
                continue
            seen.add(path)
            try:
                report = _consult(path)
            except InvalidFactError as exc:
                bad(str(path), exc.problems)
                continue
            if args.format == "json":
                entries.append({"case": str(path), "report": _json(report, args.explain)})
                continue
            body, disclaimer = _text(report, args.explain, disclaimer_apart=True)
            if disclaimer not in disclaimers:
                disclaimers.append(disclaimer)
            out.write(("\n" if shown else "") + f"==> {safe_text(str(path))} <==\n{body}")
            shown += 1
    if args.format == "json":
        out.write(json.dumps(entries, indent=2) + "\n")
    else:
        for disclaimer in disclaimers:
            out.write("\n" + disclaimer)
    return EXIT_BAD_CASE if failed else 0


def _names_many(target: str) -> bool:
    """Whether an argument stands for any number of case files: a folder, or a glob that is no file's name."""
    path = Path(target)
    return path.is_dir() or (not path.exists() and glob.has_magic(target))


def _case_paths(target: str) -> list[Path]:
    """The case files one argument names, read as `expert audit` reads it; AuditError for an empty folder or glob."""
    if not _names_many(target):
        return [Path(target)]
    from expert.audit.batch import expand_cases  # only here: it brings in the audit machinery

    return expand_cases([target])


def _consult(path: Path):
    from expert.engine.session import consult
    from expert.util.casefile import read_case

    return consult(read_case(path))


def _json(report, explain: bool) -> dict:
    from expert.explain.proof import proof_trees

    data = report_json(report)
    if explain:
        data["proofs"] = [p.model_dump(mode="json") for p in proof_trees(report)]
    return data


def _text(report, explain: bool, *, disclaimer_apart: bool = False) -> tuple[str, str]:
    """The report as text, then its proofs if asked; with `disclaimer_apart`, the disclaimer is
    taken out of the report and given second, to be printed once for several reports."""
    from expert.explain.proof import proof_trees, render_proofs
    from expert.explain.render import render_report
    from expert.util.terminal import terminal_width

    # The terminal's width (COLUMNS first), so that no line is longer than the screen.
    text, disclaimer = render_report(report, width=terminal_width()), ""
    if disclaimer_apart:
        # render_report ends with the disclaimer's paragraph.
        head, mark, tail = text.rpartition("\nDisclaimer: ")
        if mark:
            text, disclaimer = head.rstrip("\n") + "\n", mark.lstrip("\n") + tail
    if explain:
        text += "\n" + render_proofs(proof_trees(report), width=terminal_width())
    return text, disclaimer
