"""The README keeps its promises: the quickstart commands, real example output, every command."""

import contextlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bounded
from expert.cli import SUBCOMMANDS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_quickstart_is_the_two_commands():
    quickstart = README.split("## Quickstart", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^uv run \S+", quickstart, flags=re.M)
    assert commands == ["uv run expert", "uv run pytest"]


def test_the_worked_example_shows_the_real_output():
    block = README.split("$ uv run expert consult examples/magnesium-supplement.json\n", 1)[1].split("```", 1)[0]
    out = run(["consult", "examples/magnesium-supplement.json"])
    assert out.returncode == 0, out.stderr
    assert out.stdout == block


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_command_is_documented_and_has_help(command):
    assert f"expert {command}" in README
    out = run([command, "--help"])
    assert out.returncode == 0 and "usage: expert " + command in out.stdout


def test_the_library_docstring_examples_hold():
    import doctest

    import expert

    result = doctest.testmod(expert)
    assert result.attempted >= 3 and result.failed == 0


# --- the README's other examples, run for real ---------------------------------------------------
#
# Only what truly varies is normalised: hashes and key fingerprints (each README hash must stand
# for one real hash throughout a walk-through, so a head printed twice is the same head), and the
# hash of the knowledge base the diff compares with. Everything else is compared as printed.

HEX64 = re.compile(r"\b[0-9a-f]{64}\b")
SHORT = re.compile(r"\b([0-9a-f]{12,16})…")


def fenced_block_after(line: str) -> list[str]:
    """The lines of the README's fenced block that starts with this line (the line itself left out)."""
    start = README.index("\n" + line + "\n") + len(line) + 2
    return README[start:README.index("\n```", start)].split("\n")


def fenced_block_holding(line: str) -> list[str]:
    """The lines of the fenced block holding this line, from it to the block's end."""
    at = README.index("\n" + line + "\n") + 1
    return README[at:README.index("\n```", at)].split("\n")


def indented_block_after(line: str) -> list[str]:
    """The lines of a 4-space indented block that starts with this line, dedented."""
    start = README.index("    " + line + "\n")
    lines = []
    for text in README[start:].split("\n")[1:]:
        if not text.startswith("    "):
            break
        lines.append(text[4:])
    return lines


def elided_chunks(lines: list[str]) -> list[str]:
    """The README's output split where it leaves lines out ("..." or "... (what is left out)")."""
    chunks, current = [], []
    for text in lines:
        if text == "..." or text.startswith("... ("):
            chunks.append("\n".join(current))
            current = []
        else:
            current.append(text)
    chunks.append("\n".join(current))
    return [c for c in chunks if c.strip()]


def assert_chunks_in_order(chunks: list[str], out: str) -> None:
    at = 0
    for chunk in chunks:
        found = out.find(chunk, at)
        assert found >= 0, f"the README shows this, the real output does not (after position {at}):\n{chunk}\n---\n{out[at:at + 2000]}"
        at = found + len(chunk)


def run(args: list[str], cwd=ROOT, env=None) -> subprocess.CompletedProcess:
    # The README's blocks are output as piped with no COLUMNS set. The environment is given whole:
    # GNU readline, once imported in this process, exports COLUMNS to children behind os.environ.
    env = env if env is not None else {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    return bounded.run([sys.executable, "-m", "expert", *args], f"`expert {' '.join(args)}` to end",
                       capture_output=True, text=True, cwd=cwd, env=env)


@pytest.fixture
def expert_in(capsys, monkeypatch):
    """`expert ARGS` run in this process in a folder (quicker than a process per command), as (code, out, err)."""
    from expert.cli import main

    monkeypatch.setenv("COLUMNS", "80")

    def call(args: list[str], cwd: Path = ROOT) -> tuple[int, str, str]:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(args)
        out, err = capsys.readouterr()
        return code, out, err

    return call


class Hashes:
    """Names each distinct hash and fingerprint in the order it first appears, in one text or many."""

    def __init__(self):
        self.names: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        def full(match):
            return self.names.setdefault(match.group(0), f"<hash {len(self.names) + 1}>")

        def short(match):
            prefix = match.group(1)
            known = next((name for value, name in self.names.items() if value.startswith(prefix)), None)
            return (known or self.names.setdefault(prefix, f"<hash {len(self.names) + 1}>")) + "…"

        return SHORT.sub(short, HEX64.sub(full, text))


def test_the_console_transcript_is_a_real_run_on_80_columns():
    command = next(line for line in README.split("\n") if line.startswith("$ printf '") and line.endswith("| uv run expert"))
    typed = command.split("'")[1].encode().decode("unicode_escape")
    block = fenced_block_after(command)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    out = bounded.run([sys.executable, "-m", "expert"], "the README's console session to end", input=typed,
                      capture_output=True, text=True, cwd=ROOT, env={**env, "COLUMNS": "80"})
    assert out.returncode == 0, out.stderr
    chunks = elided_chunks(block)
    assert len(chunks) >= 3 and chunks[0].startswith("This console asks")
    assert_chunks_in_order(chunks, out.stdout)


def test_the_check_figures_are_the_real_ones(expert_in):
    block = fenced_block_after("$ expert check")
    code, out, _ = expert_in(["check"])
    assert code == 0
    assert out.splitlines() == block


def test_the_figures_in_the_prose_agree_with_check_and_the_rule_files(expert_in):
    import tomllib

    _, out, _ = expert_in(["check"])
    sentences = re.search(r"sentences: (\d+) cited by a rule, (\d+) set aside", out).groups()
    rows = re.search(r"table rows: (\d+) cited by a rule, (\d+) set aside", out).groups()
    cited, set_aside = int(sentences[0]) + int(rows[0]), int(sentences[1]) + int(rows[1])
    prose = " ".join(README.split())
    assert f"{cited} of the {cited + set_aside} units are cited and {set_aside} set aside" in prose
    # Every line of a table in the documents, as read from the files, is a table row to account for.
    table_lines = sum(
        line.startswith("|") for doc in ("minerals", "vitamins")
        for line in (ROOT / "rules" / "documents" / f"{doc}.txt").read_text(encoding="utf-8").splitlines()
    )
    assert f"{table_lines} of {table_lines} table rows accounted for" in out
    written = sum(len(tomllib.loads(p.read_text(encoding="utf-8"))["rule"]) for p in (ROOT / "rules" / "kb").glob("*.toml"))
    loaded = int(re.search(r"rules: (\d+);", out).group(1))
    assert f"({written} rules as data; {loaded} once the two `unless` add their companions)" in README


def test_the_error_lines_are_the_real_ones(tmp_path, expert_in):
    block = fenced_block_after("$ uv run expert consult bad.json")
    # A case with the faults the README's lines name: a dose of 0 in an unknown unit, a symptom's colour.
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"facts": [
        {"kind": "supplement", "nutrient": "vitamin_b6", "daily_dose": 0, "unit": "ml"},
        {"kind": "symptom", "name": "twitching", "colour": "red"},
    ]}), encoding="utf-8")
    code, out, err = expert_in(["consult", "bad.json"], tmp_path)
    assert code == 2 and out == ""
    assert err.splitlines() == block


def test_the_export_message_and_excerpt_are_real(tmp_path, expert_in):
    (tmp_path / "case.json").write_text(json.dumps({"facts": [{"kind": "symptom", "name": "twitching"}]}), encoding="utf-8")
    expected = indented_block_after("$ uv run expert export --clips kb.clp --case case.json")
    code, out, err = expert_in(["export", "--clips", "kb.clp", "--case", "case.json"], tmp_path)
    assert code == 0, err
    assert out.splitlines() == expected
    excerpt = README.split("A real excerpt:\n\n", 1)[1].split("\n\n", 1)[0]
    excerpt = "\n".join(line.removeprefix("    ") for line in excerpt.split("\n"))
    assert excerpt.startswith(";; magnesium.suspected: ")
    assert excerpt in (tmp_path / "kb.clp").read_text(encoding="utf-8")


def test_the_rules_report_begins_as_shown(expert_in):
    for command, args in (("$ expert rules", ["rules"]), ("$ expert rules --format mermaid", ["rules", "--format", "mermaid"])):
        lines = fenced_block_holding(command)
        shown = lines[1:lines.index("...")]
        code, out, _ = expert_in(args)
        assert code == 0
        assert out.splitlines()[: len(shown)] == shown, command


def test_the_explain_excerpt_is_real():
    lines = fenced_block_after("$ expert consult examples/vitamin-d.json --explain      # low vitamin D, cramps in the legs")
    out = run(["consult", "examples/vitamin-d.json", "--explain"])
    assert out.returncode == 0
    assert_chunks_in_order(elided_chunks(lines), out.stdout)


def test_the_ranked_causes_excerpt_is_real(tmp_path):
    # "With 250 mg of vitamin B6 a day for 8 months, twitching, numbness and tingling:"
    assert "With 250 mg of vitamin B6 a day for 8 months, twitching, numbness and tingling:" in README
    (tmp_path / "b6-numbness.json").write_text(json.dumps({"facts": [
        {"kind": "supplement", "nutrient": "vitamin_b6", "daily_dose": 250, "unit": "mg", "duration_months": 8},
        {"kind": "symptom", "name": "twitching"},
        {"kind": "symptom", "name": "numbness"},
        {"kind": "symptom", "name": "tingling"},
    ]}), encoding="utf-8")
    out = run(["consult", "b6-numbness.json"], cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert_chunks_in_order(elided_chunks(fenced_block_after("$ uv run expert consult b6-numbness.json")), out.stdout)


def test_the_library_example_runs_and_a_retraction_withdraws_what_rested_on_the_b6_fact():
    source = README.split("## The library\n\n```python\n", 1)[1].split("\n```", 1)[0]
    printed = io.StringIO()
    scope: dict = {}
    with contextlib.redirect_stdout(printed):
        exec(compile(source, "README.md", "exec"), scope)  # noqa: S102 (the README's own example)
    assert printed.getvalue(), "the example prints each conclusion"
    result, b6 = scope["result"], scope["b6"]
    assert result.withdrawn, "the README says the retraction withdraws everything that rested on the B6 fact"
    assert all(b6 in c.grounds for c in result.withdrawn)
    assert not any(b6 in c.grounds for c in result.report.conclusions)


# The audit walk-through: the README's commands in order, in a folder holding copies of the examples.
def walkthrough_steps() -> list[tuple[str, list[str]]]:
    """(command, output lines shown) for each `$ expert audit` line of the Auditing section, in order."""
    section = README.split("## Auditing", 1)[1].split("\n## ", 1)[0]
    section = section.split("<details>", 1)[0]
    steps = []
    for block in re.findall(r"\n```\n(.*?)\n```", section, flags=re.S):
        if not block.startswith("$ expert audit"):
            continue
        for text in block.split("\n"):
            if text.startswith("$ "):
                steps.append((text[2:], []))
            else:
                steps[-1][1].append(text)
    return steps


def prepare_tampered_copies(folder: Path) -> None:
    """a1, a2 and a3 as the README's comments describe them, made from audit.jsonl."""
    lines = (folder / "audit.jsonl").read_bytes().split(b"\n")[:-1]
    assert b'"poor_sleep"' in lines[1]
    edited = [lines[0], lines[1].replace(b'"poor_sleep"', b'"stress"'), *lines[2:]]
    (folder / "a1.jsonl").write_bytes(b"".join(line + b"\n" for line in edited))
    (folder / "a2.jsonl").write_bytes(b"".join(line + b"\n" for line in lines[:2] + lines[3:]))
    (folder / "a3.jsonl").write_bytes(b"".join(line + b"\n" for line in lines[:4]))


def test_the_audit_walkthrough_is_a_real_run(tmp_path, expert_in):
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns("cases", "*.jsonl"))
    steps = walkthrough_steps()
    assert len(steps) >= 10
    readme_hashes, real_hashes = Hashes(), Hashes()
    for command, shown in steps:
        words, _, comment = command.partition("#")
        if "a1.jsonl" in words and not (tmp_path / "a1.jsonl").exists():
            prepare_tampered_copies(tmp_path)
        words = readme_hashes(words.strip())
        # A hash given on the command line is the real hash the README's stands for.
        for value, name in readme_hashes.names.items():
            real = next((v for v, n in real_hashes.names.items() if n == name), None)
            if name in words and real:
                words = words.replace(name, real)
        argv = []
        for word in shlex.split(words)[1:]:  # after "expert"; a glob is expanded as the shell would
            argv += sorted(str(p.relative_to(tmp_path)) for p in tmp_path.glob(word)) if "*" in word else [word]
        code, stdout, stderr = expert_in(argv, tmp_path)
        expected_code = int(re.search(r"exits (\d)", comment).group(1)) if "exits" in comment else None
        if expected_code is not None:
            assert code == expected_code, (command, stdout, stderr)
        if not shown:
            continue  # the README shows no output for it
        said = [readme_hashes(line) for line in shown]
        to_stderr = [line for line in said if line.startswith("expert: ")]
        to_stdout = [line for line in said if not line.startswith("expert: ")]
        real_out = [real_hashes(line) for line in stdout.splitlines()]
        if "..." in to_stdout:
            real_out = real_out[: to_stdout.index("...")]
            to_stdout = to_stdout[: to_stdout.index("...")]
        assert real_out == to_stdout, command
        if to_stderr:
            assert [real_hashes(line) for line in stderr.splitlines()] == to_stderr, command


def test_the_audit_diff_of_the_example_log_is_the_real_one(expert_in):
    lines = README.split("<summary><code>$ expert audit diff examples/audit-before-issue-8.jsonl</code></summary>\n\n```\n", 1)[1]
    shown = lines.split("\n```", 1)[0].split("\n")
    code, out, err = expert_in(["audit", "diff", "examples/audit-before-issue-8.jsonl"])
    assert code == 0, err
    real = out.splitlines()
    # The knowledge base compared with is today's, whose hash changes with any edit of a rule.
    current = re.compile(r"compared with [0-9a-f]{12}…")
    assert current.sub("compared with <now>", real[0]) == current.sub("compared with <now>", shown[0])
    assert real[1:] == shown[1:]
