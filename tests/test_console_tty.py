"""The real console at a terminal (a pseudo-terminal driven by pexpect): an 80-column consultation,
colour, prompts, Ctrl-C, Ctrl-D.

Nothing here waits a fixed time. A key is pressed only once the console waits for a line (readline
turns the terminal's echo off while it reads, and the process sleeps in select), and every wait is for
output, which fails with what was expected as soon as the console ends or sits waiting for input
without having shown it. DEADLINE only bounds a machine so loaded that nothing happens at all.
"""

import platform
import re
import signal
import sys
import time
from pathlib import Path

import pexpect
from bounded import DEADLINE  # a wrong answer fails long before, when the console waits or ends
from console_stories import EYELID_COFFEE_SLEEP, ROOT, env

QUIET = 3  # seconds the console must sleep waiting for a key, printing nothing, before it is taken as idle
ANSI = re.compile(r"\x1b\[[0-9;]*m")
PROMPT = r"\n> "


def words(text: str) -> str:
    """A pattern for this text however the console wraps it."""
    return r"\s+".join(re.escape(word) for word in text.split())


def tail(text) -> str:
    return repr(ANSI.sub("", text if isinstance(text, str) else "")[-600:])


def as_at_a_terminal() -> None:
    """In the console's process before it starts: Ctrl-C as a terminal's shell leaves it. A test run
    started in the background by a script inherits SIGINT ignored, and so would the console."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(columns: int = 80, **extra_env) -> pexpect.spawn:
    child = pexpect.spawn(
        sys.executable, ["-m", "expert"], cwd=str(ROOT), env=env(TERM="xterm", **extra_env),
        encoding="utf-8", timeout=DEADLINE, dimensions=(24, columns), preexec_fn=as_at_a_terminal,
    )
    see(child, "not a diagnosis", "the opening paragraph")
    return child


# The system calls a process sleeps in while it waits for a key (select, pselect6, poll, ppoll).
WAITING_CALLS = {"x86_64": {"23", "270", "7", "271"}, "aarch64": {"72", "73"}}.get(platform.machine())


def reading(child) -> bool:
    """Whether the console is inside readline, waiting for a line: its echo is off only then."""
    return child.isalive() and not child.getecho()


def asleep_on_input(child) -> bool:
    """Whether the console sleeps waiting for a key, not merely about to: readline turns echo off and
    prints the prompt before it waits, and a Ctrl-C that lands in between goes unnoticed until the
    next key (CPython's readline loop), so a test must not press Ctrl-C there."""
    if not reading(child):
        return False
    if WAITING_CALLS is None:
        return True
    try:
        call = Path(f"/proc/{child.pid}/syscall").read_text().split()[0]
        state = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc to look in: echo off is the best sign there is
    return state == "S" and call in WAITING_CALLS


def see(child, pattern: str, what: str):
    """Read output until `pattern` shows; fail, saying what was expected, if the console ends or
    sits reading input without having shown it."""
    end = time.monotonic() + DEADLINE
    last, quiet_since = None, time.monotonic()
    ends = pattern is pexpect.EOF
    while True:
        index = child.expect([pattern, pexpect.TIMEOUT] if ends else [pattern, pexpect.TIMEOUT, pexpect.EOF], timeout=0.5)
        if index == 0:
            return child.match
        shown = child.before
        if index == 2:
            raise AssertionError(f"expected {what} ({pattern!r}), but the console ended after: {tail(shown)}")
        now = time.monotonic()
        if shown != last or not asleep_on_input(child):
            last, quiet_since = shown, now
        elif now - quiet_since > QUIET:
            raise AssertionError(f"expected {what} ({pattern!r}), but the console waits for input after: {tail(shown)}")
        if now > end:
            raise AssertionError(f"expected {what} ({pattern!r}) within {DEADLINE} s; the console printed: {tail(shown)}")


def until_reading(child, what: str) -> None:
    """Wait until the console waits for a line (call after seeing output that follows the last one typed)."""
    end = time.monotonic() + DEADLINE
    while not asleep_on_input(child):
        assert child.isalive(), f"the console ended before {what}"
        assert time.monotonic() < end, f"the console did not read input within {DEADLINE} s ({what})"
        try:
            child.read_nonblocking(100_000, timeout=0.05)  # keep its output flowing
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            raise AssertionError(f"the console ended before {what}") from None


def type_line(child, line: str) -> None:
    """Type a line at the prompt just shown, once the console is reading."""
    until_reading(child, f"the line {line!r} could be typed")
    child.sendline(line)


def finish(child) -> int:
    """The console's exit status once it has ended by itself (a signal that ends it counts as 128+N)."""
    see(child, pexpect.EOF, "the console to end")
    end = time.monotonic() + DEADLINE
    while child.isalive():  # its terminal is closed; its exit is a moment away
        assert time.monotonic() < end, f"the console closed its terminal but did not exit within {DEADLINE} s"
        time.sleep(0.01)
    child.close()
    return child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus


def test_a_whole_consultation_on_80_columns_keeps_every_line_within_them():
    child = spawn(80)
    seen = []
    for line in EYELID_COFFEE_SLEEP.lines:
        see(child, PROMPT, f"the prompt for {line!r}")
        seen.append(child.before)
        type_line(child, line)
    see(child, "You can still type", "the line after the summary")
    seen.append(child.before)
    see(child, PROMPT, "the prompt after the summary")
    type_line(child, "quit")
    assert finish(child) == 0
    out = ANSI.sub("", PROMPT.replace("\\n", "\n").join(seen)).replace("\r", "")
    assert "SUMMARY" in out and "Q11. Do any of these apply to your health?" in out
    long = [line for line in out.splitlines() if len(line) > 80]
    assert not long, long[:3]


def test_at_a_terminal_it_asks_in_colour_and_answers_why_and_how():
    child = spawn()
    see(child, r"\[numbers or words, separated by commas / none / don't know\]", "the first question's hint")
    assert "\x1b[1m" in child.before  # the question in bold
    see(child, PROMPT, "the first prompt")
    type_line(child, "eyelids")
    number = see(child, r"\[(\d+)\] Magnesium deficiency may explain", "the magnesium conclusion").group(1)
    see(child, PROMPT, "the second prompt")
    type_line(child, "why")
    see(child, words("could conclude: Persistent twitching should be evaluated by a healthcare professional"), "why's first line")
    see(child, PROMPT, "the prompt after why")
    type_line(child, f"how {number}")
    see(child, words(f"How [{number}] was reached: Magnesium deficiency may explain your twitching"), f"how {number}")
    see(child, r"because you said: twitching \(eyelids\)", "the chain down to the answer")
    see(child, PROMPT, "the prompt after how")
    type_line(child, "quit")
    see(child, "not saved", "the farewell")
    assert finish(child) == 0


def test_no_color_turns_colour_off_at_a_terminal():
    child = spawn(NO_COLOR="1")
    see(child, r"\[numbers or words", "the first question's hint")
    assert "\x1b[" not in child.before
    see(child, PROMPT, "the first prompt")
    until_reading(child, "Ctrl-D")
    child.sendeof()
    assert finish(child) == 0


def test_ctrl_c_ends_with_130_and_says_how_to_keep_the_answers():
    child = spawn()
    see(child, PROMPT, "the first prompt")
    type_line(child, "eyelids")
    see(child, "Q2", "the second question")  # the answer was taken and the next question is being asked
    see(child, PROMPT, "the second prompt")
    until_reading(child, "Ctrl-C")
    child.sendintr()
    see(child, "Interrupted", "the console to say it was interrupted")
    see(child, "save FILE", "how to keep the answers")
    assert finish(child) == 130


def test_ctrl_d_ends_with_0():
    child = spawn()
    see(child, PROMPT, "the first prompt")
    type_line(child, "none")
    see(child, "Q2", "the second question")
    see(child, PROMPT, "the second prompt")
    until_reading(child, "Ctrl-D")
    child.sendeof()
    see(child, "not saved", "the farewell")
    assert finish(child) == 0


def test_a_bad_answer_at_a_terminal_gets_the_same_question_again():
    child = spawn(NO_COLOR="1")
    see(child, r"Q1\. Which of these do you have\?", "the first question")
    for bad in ["", "200 mg", "ʎǝs"]:
        see(child, PROMPT, "the prompt")
        type_line(child, bad)
        see(child, "Sorry: ", f"a reason for refusing {bad!r}")
        see(child, r"Q1\. Which of these do you have\?", "the first question again")
    see(child, PROMPT, "the prompt")
    until_reading(child, "Ctrl-D")
    child.sendeof()
    assert finish(child) == 0


def test_a_refused_line_of_several_answers_comes_back_with_the_up_arrow():
    child = spawn(NO_COLOR="1")
    see(child, r"Q1\. Which of these do you have\?", "the first question")
    see(child, PROMPT, "the prompt")
    type_line(child, "1, 9, eleven")
    see(child, words("None of that line was taken; the up arrow brings it back to edit."), "how to get the line back")
    see(child, PROMPT, "the prompt again")
    until_reading(child, "the up arrow")
    child.send("\x1b[A")  # the up arrow: the refused line comes back at the prompt
    see(child, re.escape("1, 9, eleven"), "the refused line back at the prompt")
    child.send("\x7f" * len("eleven") + "\x7f\x7f" + "\r")  # edited to "1, 9"
    see(child, r"Magnesium deficiency", "the edited line taken")
    see(child, PROMPT, "the next prompt")
    until_reading(child, "Ctrl-D")
    child.sendeof()
    assert finish(child) == 0
