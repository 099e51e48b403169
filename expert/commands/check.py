"""`expert check`: is the knowledge base sound? One line per problem, the coverage figures, exit 0 only if sound."""

import argparse
from pathlib import Path

from expert.errors import InvalidKnowledgeBaseError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check that the knowledge base is sound; exit 0 only if it is",
        description="Check the knowledge base: every quote verbatim; every sentence and table row accounted "
        "for (the coverage ledger); every condition can be met by something a person can say or by another "
        "rule's conclusion; every derived finding used or shown; no cycles; no duplicate or subsumed rules. "
        "Prints one line per problem and the coverage figures; exits 0 only when there is no problem.",
    )
    parser.add_argument("--kb", metavar="DIR", help="check the rule files in DIR instead of the project's own")
    parser.add_argument("--ledger", metavar="FILE", help="the coverage ledger to use with --kb")
    parser.set_defaults(handler=run)


def _not_there(kb_dir: str | None, ledger: str | None) -> list[str]:
    """The folder or ledger named that is not there: checking nothing would look like a knowledge base without rules."""
    problems = []
    if kb_dir is not None and not Path(kb_dir).is_dir():
        problems.append(f"{kb_dir}: no such folder")
    if ledger is not None and not Path(ledger).exists():
        problems.append(f"{ledger}: no such file")
    return problems


def run(args: argparse.Namespace, out) -> int:
    problems = _not_there(args.kb, args.ledger)
    if problems:
        raise InvalidKnowledgeBaseError(problems)
    from expert.kb.check import check_files

    result = check_files(args.kb, args.ledger)
    if result.coverage is not None:
        out.write("\n".join(result.coverage.lines()) + "\n")
        out.write(f"rules: {result.rules}; rule graph: {result.edges} edges\n")
    for note in result.notes:
        out.write(f"note: {note}\n")
    for problem in result.problems:
        out.write(problem + "\n")
    if result.sound:
        out.write("sound: no problems\n")
        return 0
    out.write(f"not sound: {len(result.problems)} problem{'s' if len(result.problems) != 1 else ''}\n")
    return 1
