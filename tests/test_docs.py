"""The README keeps its promises: the quickstart commands, real example output, every command."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from expert.cli import SUBCOMMANDS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_quickstart_is_the_two_commands():
    quickstart = README.split("## Quickstart", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^uv run \S+", quickstart, flags=re.M)
    assert commands == ["uv run expert", "uv run pytest"]


def test_the_worked_example_shows_the_real_output():
    block = README.split("$ uv run expert consult examples/magnesium-supplement.json\n", 1)[1].split("```", 1)[0]
    out = subprocess.run(
        [sys.executable, "-m", "expert", "consult", "examples/magnesium-supplement.json"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    assert out.stdout == block


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_command_is_documented_and_has_help(command):
    assert f"expert {command}" in README
    out = subprocess.run([sys.executable, "-m", "expert", command, "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "usage: expert " + command in out.stdout


def test_the_library_docstring_examples_hold():
    import doctest

    import expert

    result = doctest.testmod(expert)
    assert result.attempted >= 3 and result.failed == 0
