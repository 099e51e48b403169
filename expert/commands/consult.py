"""`expert consult CASE.json`: run one case file and print the report."""

import argparse
import json

from expert.util.casefile import read_case
from expert.explain.proof import proof_trees, render_proofs
from expert.explain.render import render_report
from expert.engine.session import consult


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "consult",
        help="run one case file and print the conclusions with their sources",
        description="Run the rules over the facts of a case file and print every conclusion, "
        "red flags first, each with the sentence and document it comes from.",
    )
    parser.add_argument("case", help='a JSON case file: {"facts": [ {...}, ... ]}')
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
    report = consult(read_case(args.case))
    if args.format == "json":
        data = report_json(report)
        if args.explain:
            data["proofs"] = [p.model_dump(mode="json") for p in proof_trees(report)]
        out.write(json.dumps(data, indent=2) + "\n")
    else:
        out.write(render_report(report))
        if args.explain:
            out.write("\n" + render_proofs(proof_trees(report)))
    return 0
