"""The `expert` command: a thin adapter that parses arguments, calls the library, maps errors to exit codes.

It imports almost nothing before it has to: `expert --help` builds the parser from modules that
name their options and import their work inside the function that does it, and the console shows
its first question before the rules are loaded (expert.console.opening).
"""

import os
import sys

from expert.errors import ExpertError, InvalidFactError, InvalidKnowledgeBaseError
from expert.util.textsafe import safe_text

# Each module adds one subcommand; the console runs when no subcommand is given.
SUBCOMMANDS = ("consult", "simulate", "export", "audit", "rules", "check")

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

def _parser_class():
    import argparse

    class Parser(argparse.ArgumentParser):
        """argparse's parser, except that help which cannot be written to stdout (a full disk, a
        closed pipe) is an error to report rather than something to drop in silence."""

        def _print_message(self, message, file=None):
            if message and file is not None and file is sys.stdout:
                try:
                    file.write(message)
                except OSError as exc:
                    raise _OutputFailed() from exc
                return
            super()._print_message(message, file)

    return Parser


def add_console_arguments(parser) -> None:
    """The console's options, on the top-level `expert` parser."""
    parser.add_argument("--resume", metavar="FILE", help="continue a consultation from a case file or a journal")
    parser.add_argument(
        "--journal", metavar="FILE", help="write each answer to FILE as it is given, so that nothing is lost"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="show each conclusion with its sentences as it is reached (the 'verbose' command toggles it)"
    )


def build_parser():
    import importlib

    parser = _parser_class()(
        prog="expert",
        description="A source-cited expert system on muscle twitching from vitamin and mineral "
        "imbalances. With no command, it starts the question-and-answer console.",
    )
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


def _parse(parser, argv: list[str] | None):
    try:
        return parser.parse_args(argv)
    except _OutputFailed as exc:
        # Help that could not be written: say so, and do not exit 0 as if it had been read.
        raise SystemExit(_output_failed(exc.__cause__)) from None
    except SystemExit:
        # --help and usage errors print, then exit: flush here, where a failure can still be caught.
        try:
            sys.stdout.flush()
        except OSError as exc:
            raise SystemExit(_output_failed(exc)) from None
        raise


def main(argv: list[str] | None = None) -> int:
    try:
        return _run(argv)
    except KeyboardInterrupt:
        # Ctrl-C at any moment: while the modules are still loading as much as during a command.
        _interrupted()
        return EXIT_INTERRUPTED


def _interrupted() -> None:
    try:
        print("expert: interrupted", file=sys.stderr)
    except OSError:
        pass


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    args = _parse(parser, argv)
    out = _Output(sys.stdout)
    try:
        if not getattr(args, "handler", None):
            return _console(args)
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


def _console(args) -> int:
    """The console: its first screen at once when it is known (expert.console.opening), then the
    rules loaded while the person reads it."""
    from expert.console import opening

    shown = opening.show_first_screen(args, sys.stdout)
    from expert.console.app import run_console

    return run_console(args, shown)
