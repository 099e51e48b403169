"""`expert consult` wraps to the reader's width: COLUMNS when set (40 to 100), else 88 when piped.

A report printed at 88 columns into an 80-column terminal breaks words in the middle ("an / d
allows"). Every line must fit, and no word may be split to make it fit.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import bounded

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "examples" / "b6.json"


def consult(*args: str, columns: str | None) -> str:
    # The environment is given whole: GNU readline, once imported by the test process, exports
    # COLUMNS to children behind os.environ.
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = columns
    done = bounded.run([sys.executable, "-m", "expert", "consult", *args, str(CASE)], "`expert consult` to end",
                       capture_output=True, text=True, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def words(text: str) -> list[str]:
    return re.findall(r"\S+", text)


@pytest.mark.parametrize("columns, width", [("80", 80), ("40", 40), ("60", 60), ("200", 100), ("10", 40), (None, 88)])
@pytest.mark.parametrize("explain", [False, True])
def test_every_line_fits_the_width_and_no_word_is_split(columns, width, explain):
    args = ("--explain",) if explain else ()
    out = consult(*args, columns=columns)
    too_long = [line for line in out.splitlines() if len(line) > width and " " in line.strip()]
    assert not too_long, f"lines over {width} columns: {too_long[:3]}"
    # The same words as at the widest setting, so none was split across lines.
    assert words(out) == words(consult(*args, columns="100"))


def test_piped_output_wraps_to_the_terminal_it_is_read_in():
    # `expert consult x | less` in a 60-column terminal: stdout is a pipe, but stderr is still
    # the terminal, and the text is read there.
    import fcntl
    import pty
    import struct
    import termios

    main, side = pty.openpty()
    try:
        fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 60, 0, 0))
        env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
        done = bounded.run([sys.executable, "-m", "expert", "consult", str(CASE)], "`expert consult` to end",
                           stdout=subprocess.PIPE, stderr=side, text=True, cwd=ROOT, env=env)
    finally:
        os.close(side)
        os.close(main)
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines if " " in line.strip()) <= 60
    assert any(len(line) > 50 for line in lines), "wrapped far narrower than the terminal"
