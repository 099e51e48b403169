"""The README's "Install as a library" section keeps its promises: its example runs as written and
prints what it shows, and the Python versions it names are the ones the package declares."""

import re
import sys
import tomllib
from pathlib import Path

from bounded import run

ROOT = Path(__file__).resolve().parents[1]
SECTION = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Install as a library\n", 1)[1].split("\n## ", 1)[0]


def test_the_embedding_example_prints_what_the_readme_shows(tmp_path):
    example = SECTION.split("\n```python\n", 1)[1].split("\n```\n", 1)[0]
    shown = SECTION.split("\nprints\n\n```\n", 1)[1].split("\n```\n", 1)[0]
    # Run from an empty folder, as a program of someone else's would.
    result = run([sys.executable, "-c", example], "the README's embedding example to end",
                 capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == shown + "\n"


def test_the_python_versions_named_are_the_ones_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"] if re.fullmatch(r".* :: 3\.\d+", c)]
    named = re.search(r"It runs on Python ((?:3\.\d+(?:, | and )?)+)", SECTION).group(1)
    assert re.findall(r"3\.\d+", named) == declared
    assert project["requires-python"] == f">={declared[0]}"
