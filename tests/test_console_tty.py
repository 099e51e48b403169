"""The real console at a terminal (a pseudo-terminal driven by pexpect): an 80-column consultation,
colour, prompts, Ctrl-C, Ctrl-D."""

import re
import sys

import pexpect
from console_stories import EYELID_COFFEE_SLEEP, ROOT, env

TIMEOUT = 60
ANSI = re.compile(r"\x1b\[[0-9;]*m")
PROMPT = r"\n> "


def spawn(columns: int = 80, **extra_env) -> pexpect.spawn:
    child = pexpect.spawn(
        sys.executable, ["-m", "expert"], cwd=str(ROOT), env=env(TERM="xterm", **extra_env),
        encoding="utf-8", timeout=TIMEOUT, dimensions=(24, columns),
    )
    child.expect("not a diagnosis")
    return child


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus


def test_a_whole_consultation_on_80_columns_keeps_every_line_within_them():
    child = spawn(80)
    seen = []
    for line in EYELID_COFFEE_SLEEP.lines:
        child.expect(PROMPT)
        seen.append(child.before)
        child.sendline(line)
    child.expect("You can still type")
    seen.append(child.before)
    child.sendline("quit")
    assert finish(child) == 0
    out = ANSI.sub("", PROMPT.replace("\\n", "\n").join(seen)).replace("\r", "")
    assert "SUMMARY" in out and "Q11. Do any of these apply to your health?" in out
    long = [line for line in out.splitlines() if len(line) > 80]
    assert not long, long[:3]


def test_at_a_terminal_it_asks_in_colour_and_answers_why_and_how():
    child = spawn()
    child.expect(r"\[numbers or words, separated by commas / none / don't know\]")
    assert "\x1b[1m" in child.before  # the question in bold
    child.sendline("eyelids")
    child.expect(r"\[(\d+)\] Magnesium deficiency may explain")
    number = child.match.group(1)
    child.expect(PROMPT)
    child.sendline("why")
    child.expect("could conclude")
    child.expect(PROMPT)
    child.sendline(f"how {number}")
    child.expect(r"because you said: twitching \(eyelids\)")
    child.expect(PROMPT)
    child.sendline("quit")
    child.expect("not saved")
    assert finish(child) == 0


def test_no_color_turns_colour_off_at_a_terminal():
    child = spawn(NO_COLOR="1")
    child.expect(r"\[numbers or words")
    assert "\x1b[" not in child.before
    child.sendeof()
    assert finish(child) == 0


def test_ctrl_c_ends_with_130_and_says_how_to_keep_the_answers():
    child = spawn()
    child.expect(PROMPT)
    child.sendline("eyelids")
    child.expect("Q2")  # the answer was taken and the next question is being asked
    child.expect(PROMPT)
    child.sendintr()
    child.expect("Interrupted")
    child.expect("save FILE")
    assert finish(child) == 130


def test_ctrl_d_ends_with_0():
    child = spawn()
    child.expect(PROMPT)
    child.sendline("none")
    child.expect(PROMPT)
    child.sendeof()
    child.expect("not saved")
    assert finish(child) == 0


def test_a_bad_answer_at_a_terminal_gets_the_same_question_again():
    child = spawn(NO_COLOR="1")
    child.expect(r"Q1\. Which of these do you have\?")
    for bad in ["", "200 mg", "ʎǝs"]:
        child.expect(PROMPT)
        child.sendline(bad)
        child.expect("Sorry: ")
        child.expect(r"Q1\. Which of these do you have\?")
    child.sendeof()
    assert finish(child) == 0
