"""The `expert` command: a thin adapter that parses arguments, calls the library, maps errors to exit codes."""

import argparse
import importlib
import sys

from expert.errors import ExpertError, InvalidFactError

# Each module adds one subcommand; the console runs when no subcommand is given.
SUBCOMMANDS = ("consult", "simulate", "export", "audit", "rules", "check")

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="expert",
        description="A source-cited expert system on muscle twitching from vitamin and mineral "
        "imbalances. With no command, it starts the question-and-answer console.",
    )
    from expert.console import add_arguments as add_console_arguments

    add_console_arguments(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"expert.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        from expert.console import run_console

        return run_console(args)
    try:
        return args.handler(args, sys.stdout)
    except InvalidFactError as exc:
        for problem in exc.problems:
            print(f"expert: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except ExpertError as exc:
        print(f"expert: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        print("expert: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
