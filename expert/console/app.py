"""The question-and-answer console: reads a line, calls the interview, prints what changed.

All the reasoning lives in the library (expert.console.interview, expert.console.planner, expert.explain.summary,
expert.explain.proof); this module only reads input, turns commands into calls, and prints text made
by expert.console.text. It writes nothing of the person's unless asked (`save`, `--journal`); the
one file it keeps on its own is its first screen, in the user's cache folder (expert.console.opening).
"""

import json
import os
import sys
import tempfile
from pathlib import Path

from expert.console import text
from expert.errors import ExpertError, InvalidFactError
from expert.explain.proof import prove
from expert.console.interview import (
    JOURNAL_HEADER,
    Interview,
    Outcome,
    is_journal_header,
    journal_line,
    read_resumable,
)
from expert.console.opening import PROMPT_SIGN, Opening, colour_wanted
from expert.console.questions import AnswerError, Question
from expert.explain.render import terminal_width
from expert.explain.summary import find_conclusions, red_flag_signs, summarise
from expert.facts.vocabulary import display
from expert.util.textsafe import safe_text

EXIT_OK, EXIT_USAGE, EXIT_INTERRUPTED = 0, 2, 130

COMMANDS = {"why", "how", "facts", "change", "retract", "trace", "summary", "save", "load", "help", "quit", "exit", "done", "verbose"}


class Console:
    """One consultation at a terminal or over pipes."""

    def __init__(self, interview: Interview, stdin, stdout, *, journal: Path | None = None, verbose: bool = False):
        self.interview = interview
        self.stdin, self.stdout = stdin, stdout
        self.tty = stdin.isatty()
        self.style = text.Style(colour_wanted(stdout))
        self.journal = journal
        self.journaled = 0  # events written to the journal
        self.journal_failed = False
        self.saved = 0  # events covered by the last save
        self.numbers: dict[str, int] = {}  # rule id -> the number its conclusion was shown with
        self.replaced_by: dict[int, int] = {}  # a replaced conclusion's number -> the one in its place
        self.verbose = verbose
        self.current: Question | None = None
        self.asked_again: Question | None = None
        self.asked = len(interview.answers)  # questions answered at a prompt (numbers the next one)
        self.stopped = False  # `done`: no more questions unless an answer is changed
        self.finished = False

    # --- input and output ----------------------------------------------------------------

    def say(self, message: str = "") -> None:
        """Print a message, any line longer than the width wrapped at a space under its own indent."""
        self.stdout.write(self.wrapped(message))
        self.stdout.flush()

    def wrapped(self, message: str) -> str:
        """A message as `say` prints it."""
        width = self.width
        lines = []
        for line in message.split("\n"):
            if len(line) > width and "\x1b" not in line:
                indent = line[: len(line) - len(line.lstrip())]
                line = text.wrap(line.strip(), indent, width=width)
            lines.append(line)
        return "\n".join(lines) + "\n"

    @property
    def at_terminal(self) -> bool:
        """Whether lines are read by `input` at a terminal (with readline's editing, once loaded)."""
        return self.tty and self.stdout is sys.stdout

    def read(self, prompt: str) -> str:
        if self.at_terminal:
            return input(prompt)
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            raise EOFError
        line = line.rstrip("\r\n")
        self.stdout.write(line + "\n")  # piped: echo, so the transcript reads as a dialogue
        return line

    @property
    def unsaved(self) -> bool:
        kept = self.journaled if self.journal is not None else self.saved
        return len(self.interview.events) > max(kept, self.saved)

    def farewell(self) -> None:
        if self.journal is not None and not self.unsaved:
            self.say(f"Your answers are kept in {self.journal}; continue with: expert --resume {self.journal} --journal {self.journal}")
        elif self.unsaved:
            self.say(
                "Your answers were not saved. To keep them, type 'save FILE' before leaving, "
                "or start with 'expert --journal FILE'."
            )

    # --- the consultation ----------------------------------------------------------------

    @property
    def width(self) -> int:
        return terminal_width()

    def run(self, resumed: Outcome | None = None, resumed_from: str | None = None, opening: Opening | None = None) -> int:
        """The consultation, to its end. `opening`: what expert.console.opening knows of the first
        screen (the introduction and the first question), shown already or to be kept for next time."""
        intro = self.wrapped(text.intro(self.interview.knowledge_base, self.width))
        if opening is None or opening.shown is None:
            self.stdout.write(intro)
            self.stdout.flush()
        if resumed is not None:
            self.say(f"\nContinuing from {resumed_from}: {_count(len(self.interview.answers), 'answer')} so far.")
            self.show(resumed)
        self.write_journal()
        while True:
            q = self.next_question()
            self.current = q
            if q is None:
                if not self.finished:
                    if not self.stopped:
                        self.say("\nNothing more I could ask would change the conclusions.")
                    self.say("\n" + self.summary_text())
                    self.say("\nYou can still type how N, why, facts, change N, save FILE, or quit.")
                    self.finished = True
                line = self.read("> ")
            else:
                self.finished = False
                prompt = text.prompt(q, self.asked + 1, self.style, self.width)
                if opening is not None:
                    prompt = self._after_opening(opening, intro, prompt)
                    opening = None
                line = self.read(prompt)
            if self.command(line) == "quit":
                self.farewell()
                return EXIT_OK

    @staticmethod
    def _after_opening(opening: Opening, intro: str, prompt: str) -> str:
        """The first question's prompt less what the opening showed of it; the first screen is kept
        for the next start."""
        if not prompt.endswith(PROMPT_SIGN):
            return prompt  # not a screen the opening knows how to keep
        screen = intro + prompt.removesuffix(PROMPT_SIGN)
        opening.remember(screen)
        # A screen shown that is not this one (it cannot be, for the same files) is followed by the question in full.
        return PROMPT_SIGN if opening.shown == screen else prompt

    def next_question(self) -> Question | None:
        if self.asked_again is not None:
            return self.asked_again
        if self.stopped:
            return None
        return self.interview.next_question()

    def command(self, line: str) -> str | None:
        words = line.strip().split(maxsplit=1)
        name = words[0].casefold() if words else ""
        rest = words[1].strip() if len(words) > 1 else ""
        if name not in COMMANDS:
            if self.current is None:
                self.say("No question is waiting. Type 'help' to see the commands.")
                return None
            self.answer(self.current, line)
            return None
        if name in ("quit", "exit"):
            return "quit"
        getattr(self, "do_" + name)(rest)
        return None

    def answer(self, q: Question, line: str) -> None:
        try:
            answers = q.parse_all(line)
            outcome = self.interview.answer_all(answers)
            self.asked += 1
        except AnswerError as exc:
            self.say(f"Sorry: {safe_text(str(exc))}.{self._none_taken(q, line)} (Type 'help' for commands.)")
            return
        except ExpertError as exc:
            # The rules could not run on it (a runaway loop): the answers are as they were.
            self.say(f"That answer could not be taken: {safe_text(str(exc))}. Your other answers are kept.")
            return
        self.asked_again = None
        self.write_journal()
        self.show(outcome)

    def _none_taken(self, q: Question, line: str) -> str:
        """For a refused line of several items: that none of them was kept, and at a terminal with
        line editing, how to get the line back rather than type it all again."""
        if not q.lists_several(line):
            return ""
        if self.at_terminal and "readline" in sys.modules:
            return " None of that line was taken; the up arrow brings it back to edit."
        return " None of that line was taken."

    def show(self, outcome: Outcome) -> None:
        """What a change did: new red flags before anything else, then what was withdrawn or
        updated, then the rest, grouped by cause."""
        gone = {c.rule: c for c in outcome.withdrawn}
        items, changed = [], []
        for c in outcome.new:
            self.numbers.setdefault(c.rule, len(self.numbers) + 1)
            (changed if c.rule in gone else items).append((self.numbers[c.rule], c))
        report = outcome.report
        red = [item for item in items if item[1].is_red_flag]
        if red:
            self.say(text.new_conclusions(red, report, self.style, verbose=self.verbose, width=self.width))
        still = {c.rule for _, c in changed}
        withdrawn = [(self.numbers.get(rule, 0), c) for rule, c in gone.items() if rule not in still]
        # A conclusion whose findings a new one now reaches (a B6 dose's nerve damage, once the
        # time is told) is not taken back: saying "withdrawn" would read as the warning lifted.
        reaching = [(item, {_content(ref) for ref in item[1].concluded}) for item in items if not item[1].is_red_flag]
        replaced: dict[int, tuple] = {}  # a new conclusion's number -> ((number, it), the numbers it replaces)
        kept = []
        for n, c in withdrawn:
            found = {_content(ref) for ref in c.concluded}
            by = next((item for item, reached in reaching if found and found <= reached), None)
            if by is None:
                kept.append((n, c))
            else:
                replaced.setdefault(by[0], (by, []))[1].append(n)
                self.replaced_by[n] = by[0]
        if replaced:
            self.say(text.replaced(list(replaced.values()), self.style, self.width))
            items = [item for item in items if item[0] not in replaced]
            withdrawn = kept
        if withdrawn:
            self.say(text.withdrawn(withdrawn, self.style, self.width))
        if changed:
            self.say(text.updated(changed, self.style, self.width))
        rest = [item for item in items if not item[1].is_red_flag]
        if rest:
            self.say(text.new_conclusions(rest, report, self.style, verbose=self.verbose, width=self.width))

    def write_journal(self) -> None:
        """Append the new answers to the journal, whole lines or nothing: on a write error (a full
        disk) the journal is cut back to its last whole answer, and the person told at once."""
        if self.journal is None:
            return
        events = self.interview.events[self.journaled :]
        if not events:
            return
        data = "".join(journal_line(event) for event in events).encode("utf-8")
        size = None
        try:
            with open(self.journal, "ab") as handle:
                size = handle.tell()
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            if size is not None:
                try:
                    os.truncate(self.journal, size)
                except OSError:
                    pass
            self.say(
                f"Could not write to the journal {self.journal} ({exc.strerror or exc}): it keeps the answers "
                "before this one. Your answers are all still here; type 'save FILE' to keep them elsewhere."
            )
            self.journal_failed = True
            return
        self.journaled = len(self.interview.events)

    def number_of(self, conclusion) -> int | None:
        return self.numbers.get(conclusion.rule)

    def summary_text(self) -> str:
        interview = self.interview
        not_asked = []
        if self.stopped:
            not_asked = [q.label for q in interview.planner.ranked(interview.answers, interview.facts(), interview.report())
                         if q.field is None and q.id != "complaint" and not q.id.startswith("symptom:")]
        s = summarise(interview.report(), asked=interview.asked_symptoms(), knowledge_base=interview.knowledge_base)
        # A warning sign answered "don't know" is neither reported nor ruled out: it is named.
        unsure = [display(name) for name in red_flag_signs(interview.knowledge_base)
                  if f"symptom:{name}" in interview.answers and interview.answers[f"symptom:{name}"] is None]
        return text.summary(s, self.number_of, self.style, not_asked=not_asked, unsure=unsure, width=self.width)

    # --- commands ------------------------------------------------------------------------

    def do_help(self, rest: str) -> None:
        self.say(text.HELP)

    def do_why(self, rest: str) -> None:
        if self.current is None:
            self.say("No question is waiting, so there is nothing to explain; 'how N' explains a conclusion.")
            return
        found = self.interview.reasons(self.current)
        limit = None if rest.casefold() == "all" else 6
        self.say(text.reasons(self.current, found, self.style, limit, self.width))

    def do_how(self, rest: str) -> None:
        report = self.interview.report()
        if not rest:
            self.say("Type 'how N' with the number of a conclusion in brackets, or 'how' and some of its words.")
            return
        if _is_number(rest.strip("[]")):
            number = int(rest.strip("[]"))
            found = [c for c in report.conclusions if self.number_of(c) == number]
            if not found:
                if number in self.replaced_by:
                    self.say(f"Conclusion [{number}] was replaced by [{self.replaced_by[number]}]; type how {self.replaced_by[number]}.")
                elif number in self.numbers.values():
                    self.say(f"Conclusion [{number}] was withdrawn.")
                else:
                    self.say(f"Conclusion [{number}] does not exist; conclusions are numbered in brackets as they appear.")
                return
        else:
            found = find_conclusions(report, rest)
            if not found:
                self.say(f"No conclusion mentions '{rest[:40]}'. Type 'summary' to see them all.")
                return
            if len(found) > 1:
                listed = "; ".join(f"[{self.number_of(c)}] {c.title}" for c in found[:6])
                self.say(f"Several conclusions match: {listed}. Type 'how N' with one number.")
                return
        c = found[0]
        self.say(text.chain(c, self.number_of(c) or 0, prove(report, c), self.style, self.width))

    def do_facts(self, rest: str) -> None:
        self.say(text.facts(self.interview.answered(), self.width))

    def do_verbose(self, rest: str) -> None:
        self.verbose = not self.verbose
        self.say("Conclusions will be shown with their sentences." if self.verbose else "Conclusions will be shown in short; 'how N' shows one whole.")

    def _pick(self, rest: str, verb: str) -> Question | None:
        answered = self.interview.answered()
        if not answered:
            self.say(f"There is no answer to {verb} yet.")
            return None
        if not rest:
            return self.interview.last_answered()
        numbers = ", ".join(str(n) for n, _, _ in answered)
        if _is_number(rest):
            q = self.interview.question_numbered(int(rest))
            if q is not None:
                return q
        self.say(f"Type '{verb} N' with N one of the numbers 'facts' shows ({numbers}), or '{verb}' for the answer you gave last.")
        return None

    def do_change(self, rest: str) -> None:
        q = self._pick(rest, "change")
        if q is None:
            return
        try:
            outcome = self.interview.forget(q.id, ask_again=True)
        except ExpertError as exc:
            self.say(f"Could not take it back: {safe_text(str(exc))}. Your answers are as they were.")
            return
        self.write_journal()
        self.show(outcome)
        self.asked_again = q
        self.say(f"Answer it again: {q.text}")

    def do_retract(self, rest: str) -> None:
        q = self._pick(rest, "retract")
        if q is None:
            return
        try:
            outcome = self.interview.forget(q.id)
        except ExpertError as exc:
            self.say(f"Could not take it back: {safe_text(str(exc))}. Your answers are as they were.")
            return
        self.write_journal()
        self.say(f"Taken back: {q.label} (it is now 'don't know').")
        self.show(outcome)
        if not outcome.withdrawn:
            self.say("No conclusion rested on it.")

    def do_trace(self, rest: str) -> None:
        self.say(text.trace(self.interview.report(), self.number_of, self.width))

    def do_summary(self, rest: str) -> None:
        self.say(self.summary_text())

    def do_done(self, rest: str) -> None:
        self.stopped = True
        self.asked_again = None
        self.finished = False

    def do_save(self, rest: str) -> None:
        path = _file_argument(rest)
        if not path:
            self.say("Type 'save FILE' with the name of the file to write, e.g. save my-case.json")
            return
        problem = _unsafe_target(path)
        if problem:
            self.say(f"Not saved: {problem}.")
            return
        if self.journal is not None and Path(path).resolve() == self.journal.resolve():
            self.say(f"{path} is your journal, which already keeps every answer; save to another file.")
            return
        try:
            _write_atomically(Path(path), json.dumps(self.interview.case_file(), indent=2, ensure_ascii=False) + "\n")
        except (OSError, ValueError) as exc:
            self.say(f"Could not save to {safe_text(path)}: {getattr(exc, 'strerror', None) or exc}.")
            return
        self.saved = len(self.interview.events)
        answers, facts = len(self.interview.answers), len(self.interview.facts())
        self.say(f"Saved {_count(answers, 'answer')} ({_count(facts, 'fact')}) to {path}. Continue later with: expert --resume {path}")

    def do_load(self, rest: str) -> None:
        path = _file_argument(rest)
        if not path:
            self.say("Type 'load FILE' with a case file or a journal.")
            return
        if "\x00" in path:
            self.say("Could not load it: a file name cannot hold a NUL character.")
            return
        merge = False
        if self.interview.answers:
            ask = (
                f"You have {_count(len(self.interview.answers), 'answer')}. Replace them with the file's, or merge "
                "(the file's answers take the place of the same questions', the others stay)? [replace / merge / cancel]"
            )
            choice = self.read(text.wrap(ask, width=self.width) + "\n> ").strip().casefold()
            if choice.startswith("m"):
                merge = True
            elif not choice.startswith("r"):
                self.say("Nothing loaded.")
                return
        try:
            outcome = load_into(self.interview, path, merge=merge)
        except ExpertError as exc:
            problems = getattr(exc, "problems", [str(exc)])
            self.say("Could not load it: " + "; ".join(problems))
            return
        self.write_journal()
        how = "merged with your answers" if merge else "in place of any answers before"
        self.say(f"Loaded {path} ({how}): {_count(len(self.interview.answers), 'answer')} now.")
        self.show(outcome)
        self.stopped = False
        self.asked_again = None  # the question being answered again may be answered by the file


def _unsafe_target(path: str) -> str | None:
    """Why a file may not be written by 'save', or None: only a new or a regular file is replaced."""
    if "\x00" in path:
        return "a file name cannot hold a NUL character"
    target = Path(path)
    if target.is_symlink():
        return f"{safe_text(path)} is a symbolic link; save to a plain file"
    if target.exists() and not target.is_file():
        return f"{safe_text(path)} is not a regular file (a folder or a device)"
    return None


def _is_number(text: str) -> bool:
    """A plain number a person types: ASCII digits, not too long (not '²', not 5,000 digits)."""
    return text.isascii() and text.isdigit() and len(text) <= 6


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _file_argument(rest: str) -> str:
    """The file named after save or load, as a shell would read it: quotes removed, ~ expanded."""
    return os.path.expanduser(rest.strip().strip("'\""))


def load_into(interview: Interview, path: str, *, merge: bool = False) -> Outcome:
    """Put a case file's answers (or facts) or a journal's answers into an interview, in place of
    its answers or, with merge, beside them (a journal always starts afresh).

    The outcome compares with what was concluded before: what is new, and what was withdrawn.
    """
    form, content = read_resumable(path)
    before = {c.key: c for c in interview.report().conclusions}
    if form == "case":
        facts, answers = content
        interview.load(facts, answers, merge=merge)
    else:
        if interview.answers:
            interview.load([])  # a journal starts a consultation afresh
        interview.replay(content)
    report = interview.report()
    now = {c.key: c for c in report.conclusions}
    new = [c for key, c in now.items() if key not in before]
    withdrawn = [c for key, c in before.items() if key not in now]
    return Outcome(new=new, withdrawn=withdrawn, report=report)


def _write_atomically(path: Path, content: str) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _open_journal(path: Path, resume: str | None) -> str | None:
    """Check a journal can be written, and start or reopen it; a problem as one line, or None."""
    if "\x00" in str(path):
        return "a journal's file name cannot hold a NUL character"
    if path.exists() and not path.is_file():
        return f"{safe_text(str(path))} is not a regular file (a device, a pipe or a folder); give --journal a file"
    try:
        content = path.read_bytes() if path.exists() else b""
    except OSError as exc:
        return f"{path}: cannot be used as a journal: {exc.strerror or exc}"
    try:
        if not content:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(journal_line(JOURNAL_HEADER))
            return None
        if not is_journal_header(content.split(b"\n", 1)[0].decode("utf-8", errors="replace")):
            # Journal lines appended to a case file would make it unreadable.
            return f"{path} is not a journal (a case file?); keep it as it is and give --journal a new file"
        if resume is None or Path(resume).resolve() != path.resolve():
            return (
                f"{path} already holds a consultation; continue it with: expert --resume {path} --journal {path}, "
                "or choose another file"
            )
        if not content.endswith(b"\n"):
            # A last line cut short by a crash was left out on resuming; drop it so the next answer starts a line.
            with open(path, "r+b") as handle:
                handle.truncate(content.rfind(b"\n") + 1)
    except OSError as exc:
        return f"{path}: cannot be written: {exc.strerror or exc}"
    return None


def run_console(args, opening: Opening | None = None) -> int:
    """The console's entry point, called by `expert` with no command (and, before it, by
    expert.console.opening, which may have shown the first screen already)."""
    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    resume = getattr(args, "resume", None)
    journal = getattr(args, "journal", None)
    interview = Interview()
    outcome = None
    try:
        if resume:
            outcome = load_into(interview, resume)
        if journal:
            problem = _open_journal(Path(journal), resume)
            if problem:
                print(f"expert: {problem}", file=sys.stderr)
                return EXIT_USAGE
    except InvalidFactError as exc:
        for p in exc.problems:
            print(f"expert: {p}", file=sys.stderr)
        return EXIT_USAGE
    console = Console(interview, sys.stdin, sys.stdout, journal=Path(journal) if journal else None,
                      verbose=bool(getattr(args, "verbose", False)))
    if journal and resume and Path(resume).resolve() == Path(journal).resolve():
        console.journaled = len(interview.events)
    console.saved = len(interview.events)
    if console.tty:
        import readline  # noqa: F401  (line editing at a terminal; its history is never written)
    try:
        return console.run(outcome, resume, opening)
    except EOFError:
        console.write_journal()
        console.say("")
        console.farewell()
        return EXIT_OK
    except KeyboardInterrupt:
        # An answer interrupted while the rules ran is recorded but not yet journaled.
        console.write_journal()
        console.say("\nInterrupted.")
        console.farewell()
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        # Standard output cannot be written (a full disk): say so once where it can be seen.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        print(f"expert: cannot write the console's output: {exc.strerror or exc}", file=sys.stderr)
        return 1


def _content(ref) -> tuple:
    """A derived fact's content, whatever run or id it came with."""
    return ref.kind, tuple(sorted(ref.fact.items()))
