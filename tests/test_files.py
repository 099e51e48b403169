"""Files a person names are read with care: regular files only, a size cap, JSON and TOML that make sense.

/dev/zero would be read until memory ran out and a FIFO would hang the reader; JSON nested
10,000 deep or TOML nested 5,000 deep would end in a RecursionError; a key given twice in one
JSON object means whichever the parser keeps. Each is one line and a clean exit instead.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bounded import run
from expert.util.casefile import MAX_CASE_BYTES, parse_case, read_case, read_text
from expert.cli import main
from expert.errors import InvalidFactError
from expert.rules.knowledge import KB_DIR, LEDGER_FILE, KnowledgeBaseError, load_knowledge_base

ROOT = Path(__file__).resolve().parent.parent
def run_expert(*args: str) -> subprocess.CompletedProcess:
    """`python -m expert ARGS` in a child, so that a regression that hangs or eats memory cannot take the suite."""
    return run([sys.executable, "-m", "expert", *args], f"`expert {' '.join(args)}` to end",
               cwd=ROOT, capture_output=True, text=True)


# Runs `expert.cli.main` on each argument list in turn, in one child: one start-up for many calls.
MAINS = """
import contextlib, io, json, sys
from expert.cli import main
results = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    results.append({"argv": argv, "code": code, "out": out.getvalue(), "err": err.getvalue()})
sys.stdout.write(json.dumps(results))
"""


def run_mains(*argvs: list[str]) -> list[subprocess.CompletedProcess]:
    """What `expert ARGV` gives for each ARGV, all run in one child, guarded against a hang."""
    done = run(
        [sys.executable, "-c", MAINS, json.dumps([list(map(str, a)) for a in argvs])],
        f"the {len(argvs)} commands run in one child to end",
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return [
        subprocess.CompletedProcess(r["argv"], r["code"], r["out"], r["err"]) for r in json.loads(done.stdout)
    ]


def one_clean_line(done: subprocess.CompletedProcess, code: int, words: str) -> None:
    assert done.returncode == code, (done.args, done.stdout + done.stderr)
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert words in done.stderr, (done.args, done.stderr)
    assert done.stdout == ""


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "case.fifo"
    os.mkfifo(path)
    return path


class TestNotRegular:
    COMMANDS = [["consult", "CASE"], ["audit", "CASE", "--log", "LOG"], ["export", "--clips", "OUT", "--case", "CASE"]]

    @staticmethod
    def filled(command: list[str], case: str, tmp_path: Path) -> list[str]:
        fill = {"CASE": case, "LOG": str(tmp_path / "a.jsonl"), "OUT": str(tmp_path / "kb.clp")}
        return [fill.get(word, word) for word in command]

    def test_dev_zero_and_a_fifo_are_refused_at_once(self, fifo, tmp_path):
        names = {"/dev/zero": "a device", str(fifo): "a pipe"}
        calls = [self.filled(command, name, tmp_path) for name in names for command in self.COMMANDS]
        for call, done in zip(calls, run_mains(*calls)):
            name = next(n for n in names if n in call)
            one_clean_line(done, 2, f"expert: {name}: not a regular file ({names[name]})")
        assert not (tmp_path / "a.jsonl").exists()

    def test_a_fifo_is_refused_by_the_command_itself(self, fifo, tmp_path):
        """Once through the real entry point: the open must not wait for a writer."""
        one_clean_line(run_expert("consult", str(fifo)), 2, f"expert: {fifo}: not a regular file (a pipe)")

    def test_a_folder_of_no_case_given_to_consult_is_one_line(self, tmp_path, capsys):
        # consult reads a folder as its .json case files, as audit does; an empty one is named.
        assert main(["consult", str(tmp_path)]) == 2
        assert capsys.readouterr().err == f"expert: {tmp_path}: the folder holds no .json case file\n"

    def test_a_folder_given_as_a_case_to_the_library_is_one_line(self, tmp_path):
        with pytest.raises(InvalidFactError, match=r"not a regular file \(a folder\)"):
            read_case(tmp_path)

    def test_the_library_refuses_the_same(self, fifo):
        with pytest.raises(InvalidFactError, match="not a regular file"):
            read_case(fifo)


class TestSize:
    def test_a_case_file_past_the_cap_is_refused_before_it_is_read(self, tmp_path, capsys):
        big = tmp_path / "big.json"
        with open(big, "wb") as handle:  # sparse: the test writes nothing near that much
            handle.truncate(MAX_CASE_BYTES + 1)
        assert main(["consult", str(big)]) == 2
        assert capsys.readouterr().err == f"expert: {big}: larger than 10 MB, more than a case file can be\n"

    def test_a_case_file_at_the_cap_is_read(self, tmp_path):
        path = tmp_path / "padded.json"
        text = '{"facts": []}'
        path.write_text(text + " " * (MAX_CASE_BYTES - len(text)))
        assert read_text(path).startswith(text)


class TestJson:
    def test_json_nested_10000_deep_is_one_line(self, tmp_path):
        deep = tmp_path / "deep.json"
        deep.write_text('{"facts": [' + "[" * 10_000 + "]" * 10_000 + "]}")
        consulted, audited = run_mains(["consult", deep], ["audit", deep, "--log", tmp_path / "a.jsonl"])
        one_clean_line(consulted, 2, f"expert: {deep}: nested too deeply to be a case file")
        one_clean_line(audited, 2, f"expert: {deep}: nested too deeply to be a case file")

    def test_a_key_given_twice_names_the_key(self, tmp_path, capsys):
        twice = tmp_path / "twice.json"
        twice.write_text('{"facts": [{"kind": "symptom", "name": "twitching", "name": "seizures"}]}')
        assert main(["consult", str(twice)]) == 2
        assert capsys.readouterr().err == f"expert: {twice}: the key 'name' is given twice in one object; give it once\n"

    def test_facts_given_twice_at_the_top_is_refused_too(self):
        with pytest.raises(InvalidFactError, match="the key 'facts' is given twice"):
            parse_case('{"facts": [], "facts": [{"kind": "symptom", "name": "seizures"}]}')

    def test_a_sound_case_still_reads(self):
        assert parse_case(json.dumps({"facts": [{"kind": "symptom", "name": "cramps"}]})) == [
            {"kind": "symptom", "name": "cramps"}
        ]


class TestToml:
    def copy_kb(self, tmp_path) -> Path:
        kb = tmp_path / "kb"
        kb.mkdir()
        for path in KB_DIR.glob("*.toml"):
            (kb / path.name).write_bytes(path.read_bytes())
        return kb

    def test_a_bad_ledger_in_check_is_one_line(self, tmp_path, capsys):
        bad = tmp_path / "ledger.toml"
        bad.write_text("set_aside = [\n")
        assert main(["check", "--ledger", str(bad)]) == 1
        out = capsys.readouterr().out
        assert f"ledger {bad}: not valid TOML: " in out and "Traceback" not in out

    def test_toml_nested_5000_deep_is_one_line(self, tmp_path):
        deep = tmp_path / "ledger.toml"
        deep.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
        kb = self.copy_kb(tmp_path)
        (kb / "zz_deep.toml").write_text(deep.read_text())
        as_ledger, as_rules = run_mains(["check", "--ledger", deep], ["check", "--kb", kb, "--ledger", LEDGER_FILE])
        for done in (as_ledger, as_rules):
            assert done.returncode == 1 and done.stderr == "", done.stderr
        assert f"ledger {deep}: not valid TOML: nested too deeply" in as_ledger.stdout
        assert "zz_deep.toml: not valid TOML: nested too deeply" in as_rules.stdout

    def test_a_ledger_that_is_a_device_is_refused(self, capsys):
        with pytest.raises(KnowledgeBaseError, match="ledger /dev/zero: not a regular file"):
            load_knowledge_base(None, Path("/dev/zero"))

    def test_a_rule_file_whose_rule_is_not_a_list_is_one_line(self, tmp_path):
        kb = self.copy_kb(tmp_path)
        (kb / "zz_single.toml").write_text('[rule]\nid = "x"\n')
        with pytest.raises(KnowledgeBaseError, match=r"zz_single.toml: rule: expected an array of tables \(\[\[rule\]\]\)"):
            load_knowledge_base(kb, LEDGER_FILE)

    def test_check_names_a_folder_or_ledger_that_is_not_there(self, tmp_path, capsys):
        assert main(["check", "--kb", str(tmp_path / "nowhere"), "--ledger", str(tmp_path / "none.toml")]) == 1
        assert capsys.readouterr().err.splitlines() == [
            f"expert: {tmp_path / 'nowhere'}: no such folder",
            f"expert: {tmp_path / 'none.toml'}: no such file",
        ]
