"""The `expert` command: a thin adapter that parses arguments, calls the library, maps errors to exit codes."""

import argparse
import importlib
import os
import sys

from expert.errors import ExpertError, InvalidFactError, InvalidKnowledgeBaseError
from expert.util.textsafe import safe_text

# Each module adds one subcommand; the console runs when no subcommand is given.
SUBCOMMANDS = ("consult", "simulate", "export", "audit", "rules", "check")

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="expert",
        description="A source-cited expert system on muscle twitching from vitamin and mineral "
        "imbalances. With no command, it starts the question-and-answer console.",
    )
    from expert.console.app import add_arguments as add_console_arguments

    add_console_arguments(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"expert.commands.{name}").register(subparsers)
    return parser


class _OutputFailed(Exception):
    """Writing to standard output failed: the reader went away, or the disk is full."""


class _Output:
    """Standard output for a command; a failed write or flush is an _OutputFailed, told apart from
    any other OSError the command meets (a log or case file that cannot be read)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise _OutputFailed() from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise _OutputFailed() from exc

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _drop_stdout() -> None:
    """Point standard output at /dev/null, so that flushing it at exit cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (as under a test's capture): nothing will be flushed to a dead pipe


def _output_failed(exc: BaseException | None) -> int:
    _drop_stdout()
    if isinstance(exc, BrokenPipeError):
        return EXIT_OK  # the reader stopped reading (`| head`): nothing to say, and no one to say it to
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    _error(f"cannot write the output: {reason}")
    return EXIT_ERROR


def _error(line: str) -> None:
    """One line of error on stderr, with any control character (from a file name, a fact) escaped."""
    print(f"expert: {safe_text(line)}", file=sys.stderr)


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    try:
        return parser.parse_args(argv)
    except SystemExit:
        # --help and usage errors print, then exit: flush here, where a failure can still be caught.
        try:
            sys.stdout.flush()
        except OSError as exc:
            _output_failed(exc)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = _parse(parser, argv)
    if not getattr(args, "handler", None):
        from expert.console.app import run_console

        return run_console(args)
    out = _Output(sys.stdout)
    try:
        code = args.handler(args, out)
        out.flush()
        return code
    except _OutputFailed as exc:
        return _output_failed(exc.__cause__)
    except InvalidFactError as exc:
        for problem in exc.problems:
            _error(problem)
        return EXIT_USAGE
    except InvalidKnowledgeBaseError as exc:
        for problem in exc.problems:
            _error(problem)
        return EXIT_ERROR
    except ExpertError as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            _error(line)
        return EXIT_ERROR
    except BrokenPipeError as exc:
        return _output_failed(exc)
    except KeyboardInterrupt:
        print("expert: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
