"""The real console at a terminal (a pseudo-terminal driven by pexpect): colour, prompts, Ctrl-C, Ctrl-D."""

import sys

import pexpect
from console_stories import ROOT, env

TIMEOUT = 20


def spawn(**extra_env) -> pexpect.spawn:
    child = pexpect.spawn(
        sys.executable, ["-m", "expert"], cwd=str(ROOT), env=env(TERM="xterm", **extra_env),
        encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 120),
    )
    child.expect("not a diagnosis")
    return child


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus


def test_at_a_terminal_it_asks_in_colour_and_answers_why_and_how():
    child = spawn()
    child.expect(r"\[yes / no / don't know\]")
    assert "\x1b[1m" in child.before  # the question in bold
    child.sendline("yes")
    child.expect(r"\[(\d+)\] ")  # the first conclusion, numbered
    number = child.match.group(1)
    child.expect(r"\n> ")
    child.sendline("why")
    child.expect("could conclude")
    child.expect(r"\n> ")
    child.sendline(f"how {number}")
    child.expect("because you said: twitching")
    child.expect(r"\n> ")
    child.sendline("quit")
    child.expect("not saved")
    assert finish(child) == 0


def test_no_color_turns_colour_off_at_a_terminal():
    child = spawn(NO_COLOR="1")
    child.expect(r"\[yes / no / don't know\]")
    assert "\x1b[" not in child.before
    child.sendeof()
    assert finish(child) == 0


def test_ctrl_c_ends_with_130_and_says_how_to_keep_the_answers():
    child = spawn()
    child.expect(r"\n> ")
    child.sendline("yes")
    child.expect(r"\n> ")
    child.sendintr()
    child.expect("Interrupted")
    child.expect("save FILE")
    assert finish(child) == 130


def test_ctrl_d_ends_with_0():
    child = spawn()
    child.expect(r"\n> ")
    child.sendline("no")
    child.expect(r"\n> ")
    child.sendeof()
    child.expect("not saved")
    assert finish(child) == 0


def test_a_bad_answer_at_a_terminal_gets_the_same_question_again():
    child = spawn(NO_COLOR="1")
    child.expect(r"Q1\. Do you have muscle twitching")
    for bad in ["", "200 mg", "ʎǝs"]:
        child.expect(r"\n> ")
        child.sendline(bad)
        child.expect("Sorry: ")
        child.expect(r"Q1\. Do you have muscle twitching")
    child.sendeof()
    assert finish(child) == 0
