"""What the commands print goes somewhere that may fail: a full disk, a reader that went away.

`expert consult x.json > /dev/full` and `expert consult x.json | head -c 10` ended in a traceback,
or in Python's "Exception ignored" when it flushed stdout once more on the way out.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import bounded
from tests.test_audit import CASES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def case(tmp_path) -> Path:
    path = tmp_path / "b6.json"
    path.write_text(json.dumps({"facts": CASES["d_b6.json"]}))
    return path


@pytest.fixture
def log(tmp_path, case) -> Path:
    from expert.cli import main

    path = tmp_path / "audit.jsonl"
    assert main(["audit", str(case), "--log", str(path)]) == 0
    return path


class TestStandardOutput:
    """A full disk or a reader that went away behind stdout: one line, or a quiet exit; never a traceback.

    Only a real child shows it: Python flushes stdout once more as it exits, and a failure there
    is printed as "Exception ignored". The children run side by side, to keep the suite fast.
    """

    @pytest.fixture
    def commands(self, case, log) -> list[list[str]]:
        return [
            ["consult", str(case), "--explain"],
            ["audit", "verify", str(log)],
            ["rules", "--format", "json"],
        ]

    @staticmethod
    def run_all(commands: list[list[str]], stdout, before_wait=None) -> list[tuple[int, str]]:
        children = [
            subprocess.Popen([sys.executable, "-m", "expert", *args], cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE)
            for args in commands
        ]
        results = []
        try:
            for child in children:
                if before_wait is not None:
                    before_wait(child)
            for child, args in zip(children, commands):
                _, err = bounded.communicate(child, f"`expert {' '.join(args)}` to end")
                results.append((child.returncode, err.decode()))
        finally:
            for child in children:
                if child.poll() is None:
                    child.kill()
                    child.wait()
                child.stderr.close()
        return results

    def test_a_full_disk_is_one_line(self, commands):
        with open("/dev/full", "w") as full:
            results = self.run_all(commands, full)
        for args, (code, err) in zip(commands, results):
            assert (code, err) == (1, "expert: cannot write the output: No space left on device\n"), args

    def test_a_reader_that_went_away_is_a_quiet_exit(self, commands):
        # As `| head -c 0` would: the reading end is closed before the command writes anything.
        results = self.run_all(commands, subprocess.PIPE, before_wait=lambda child: child.stdout.close())
        for args, result in zip(commands, results):
            assert result == (0, ""), args

    def test_a_reader_that_takes_a_little_and_goes(self):
        def head_c_10(child):
            assert len(child.stdout.read(10)) == 10
            child.stdout.close()

        assert self.run_all([["rules", "--format", "json"]], subprocess.PIPE, before_wait=head_c_10) == [(0, "")]
