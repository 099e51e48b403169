"""`expert simulate CASE.json`: the console's interview, answered from a case file."""

import argparse
import json


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="run the console's questions on a case file, answering from its facts",
        description="Run the console's interview as the person of a case file would answer it (a fact "
        "not in the case is answered 'no'), and print the questions asked in order, their count, and "
        "whether the conclusions reached equal those of 'expert consult' on the same case.",
    )
    parser.add_argument("case", help='a JSON case file: {"facts": [ {...}, ... ]}')
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out) -> int:
    from expert.console.simulate import simulate
    from expert.explain.render import terminal_width
    from expert.util.casefile import read_case

    result = simulate(read_case(args.case))
    if args.format == "json":
        out.write(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
        return 0
    import textwrap

    width = terminal_width()
    for number, asked in enumerate(result.questions, start=1):
        out.write(textwrap.fill(asked.question, width, initial_indent=f"Q{number}. ", subsequent_indent="    ", break_long_words=False) + "\n")
        out.write(textwrap.fill(asked.answer, width, initial_indent="  > ", subsequent_indent="    ", break_long_words=False) + "\n")
    out.write(f"{result.count} question{'' if result.count == 1 else 's'} asked\n")
    if result.same_as_consult:
        out.write("conclusions: the same as expert consult\n")
    else:
        out.write("conclusions: DIFFERENT from expert consult\n")
        if result.only_console:
            out.write("  only in the console: " + ", ".join(result.only_console) + "\n")
        if result.only_consult:
            out.write("  only in consult: " + ", ".join(result.only_consult) + "\n")
    return 0
