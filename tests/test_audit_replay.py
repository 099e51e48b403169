"""Replaying an audit log, counting its firings, and auditing batches of case files."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bounded
import expert
from expert.audit.log import AuditRecord, append_records, audit_record, seal, verify_log
from expert.audit.batch import audit_cases, expand_cases
from expert.cli import main
from expert.audit.replay import log_stats, replay_log
from expert.rules.knowledge import default_knowledge_base
from tests.test_audit import (  # noqa: F401 (log is the fixture both files use)
    CASES,
    changed_knowledge_base,
    lines_of,
    log,
    write_cases,
    write_lines,
)

ROOT = Path(__file__).resolve().parent.parent


def without_time(record: AuditRecord) -> dict:
    return record.model_dump(exclude={"time", "hash", "prev", "seq"})


class TestReplay:
    def test_a_fresh_log_replays_identical(self, log, capsys):
        results = replay_log(log)
        assert [r.status for r in results] == ["identical"] * len(CASES)
        assert main(["audit", "replay", str(log)]) == 0
        out = capsys.readouterr().out
        assert out.count(": identical") == len(CASES)
        assert f"{len(CASES)} records: {len(CASES)} identical" in out

    def test_a_log_written_and_replayed_in_fresh_processes_under_other_hash_seeds(self, tmp_path):
        # Many facts at once, so that any dependence of firing order on set order would show.
        facts = [f for case in CASES.values() for f in case]
        case = tmp_path / "many.json"
        case.write_text(json.dumps({"facts": facts}), encoding="utf-8")
        path = tmp_path / "seeded.jsonl"

        def run(seed: str, *args: str) -> subprocess.CompletedProcess:
            env = {**os.environ, "PYTHONHASHSEED": seed}
            command = [sys.executable, "-m", "expert", "audit", *args]
            return bounded.run(command, f"`expert audit {' '.join(args[:1])}` to end", cwd=ROOT, env=env,
                               capture_output=True, text=True)

        assert run("1", str(case), "--log", str(path), "--include-facts").returncode == 0
        assert run("2", str(case), "--log", str(path), "--include-facts").returncode == 0
        replayed = run("3", "replay", str(path))
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        assert replayed.stdout.count(": identical") == 2
        first, second = (AuditRecord.model_validate_json(line) for line in lines_of(path))
        assert first.firings and first.firings == second.firings

    def test_a_record_from_another_knowledge_base_is_reported_as_such(self, log, tmp_path):
        results = replay_log(log, knowledge_base=changed_knowledge_base(tmp_path))
        assert [r.status for r in results] == ["other_knowledge_base"] * len(CASES)
        assert not any(r.failed for r in results)
        assert "made under knowledge base" in results[0].differences[0]

    def test_cli_reports_another_knowledge_base_without_failing(self, tmp_path, capsys):
        changed = changed_knowledge_base(tmp_path)
        report = expert.consult(CASES["a_magnesium.json"], knowledge_base=changed)
        path = tmp_path / "old.jsonl"
        append_records(path, [audit_record(report, knowledge_base=changed, include_facts=True)])
        # Not a failure (1), but nothing was replayed either: 3, not 0.
        assert main(["audit", "replay", str(path)]) == 3
        assert "record 1: not replayed: made under another knowledge base" in capsys.readouterr().out

    def test_the_summary_tells_each_kind_of_record_not_replayed_apart(self, tmp_path, capsys):
        changed = changed_knowledge_base(tmp_path)
        path = tmp_path / "mixed.jsonl"
        report = expert.consult(CASES["a_magnesium.json"], knowledge_base=changed)
        old = audit_record(report, knowledge_base=changed, include_facts=True)
        private = audit_record(expert.consult(CASES["a_magnesium.json"]))
        append_records(path, [old, private, private])
        assert main(["audit", "replay", str(path)]) == 3
        summary = capsys.readouterr().out.splitlines()[-1]
        assert summary == "3 records: 1 not replayed (another knowledge base), 2 not replayed (without facts)"

    def test_records_without_facts_are_not_replayed(self, tmp_path, capsys):
        write_cases(tmp_path / "cases")
        path = tmp_path / "private.jsonl"
        assert main(["audit", str(tmp_path / "cases"), "--log", str(path)]) == 0
        assert {r.status for r in replay_log(path)} == {"no_facts"}

    def test_a_forged_record_resealed_into_the_chain_replays_different(self, log, capsys):
        lines = lines_of(log)
        records = [AuditRecord.model_validate_json(line) for line in lines]
        target = records[1]
        assert len(target.firings) >= 2
        forged_firings = [target.firings[1], target.firings[0], *target.firings[2:]]
        resealed, previous = [], records[0]
        for record in [target.model_copy(update={"firings": forged_firings}), *records[2:]]:
            previous = seal(record, previous)
            resealed.append(previous.line().encode("utf-8"))
        write_lines(log, [lines[0], *resealed])
        assert verify_log(log).ok  # whoever rewrites the whole chain defeats verify, not replay
        results = replay_log(log)
        assert results[1].status == "different"
        assert results[1].differences[0].startswith("firing 1: recorded ")
        assert main(["audit", "replay", str(log)]) == 1
        assert "record 2: DIFFERENT" in capsys.readouterr().out


def test_replay_and_stats_warn_of_a_broken_chain(log, capsys):
    """A copied record would be replayed and counted twice: the reader must hear the log is not sound."""
    lines = lines_of(log)
    write_lines(log, [*lines[:2], lines[1], *lines[2:]])
    assert main(["audit", "replay", str(log)]) == 1
    captured = capsys.readouterr()
    assert captured.out.count(": identical") == len(CASES) + 1
    assert "warning: " in captured.err and "BROKEN: record 3:" in captured.err
    assert main(["audit", "stats", str(log), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["records"] == len(CASES) + 1
    assert "BROKEN: record 3:" in captured.err


class TestStats:
    def test_counts_every_firing_and_lists_rules_that_never_fired(self, log, capsys):
        stats = log_stats(log)
        fired = [f.rule for case in CASES.values() for f in expert.consult(case).fired]
        assert stats.records == len(CASES)
        assert stats.firings == len(fired)
        assert {c.rule: c.firings for c in stats.fired} == {r: fired.count(r) for r in set(fired)}
        all_rules = [r.id for r in default_knowledge_base().rules]
        assert stats.never_fired == [r for r in all_rules if r not in fired]
        assert main(["audit", "stats", str(log)]) == 0
        out = capsys.readouterr().out
        assert f"never fired: {len(stats.never_fired)} rules" in out
        top = stats.fired[0]
        assert any(line.split() == [top.rule, str(top.firings), str(top.records)] for line in out.splitlines())

    def test_stats_as_json(self, log, capsys):
        assert main(["audit", "stats", str(log), "--format", "json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["records"] == len(CASES) and data["never_fired"] == log_stats(log).never_fired


class TestBatch:
    def test_folders_and_globs_expand_sorted_and_once(self, tmp_path):
        paths = write_cases(tmp_path / "cases")
        found = expand_cases([str(tmp_path / "cases" / "b_*.json"), str(tmp_path / "cases")])
        assert found == [paths[1], *[p for p in sorted(paths) if p != paths[1]]]

    def test_several_workers_give_the_same_records_in_the_same_order(self, tmp_path):
        paths = write_cases(tmp_path / "cases")
        one = audit_cases(paths, workers=1, include_facts=True)
        two = audit_cases(paths, workers=2, include_facts=True)
        assert [without_time(r) for r in one] == [without_time(r) for r in two]
        assert [r.case_file for r in two] == [str(p) for p in paths]

    def test_a_bad_case_stops_the_batch_before_anything_is_written(self, tmp_path, capsys):
        write_cases(tmp_path / "cases")
        (tmp_path / "cases" / "z_bad.json").write_text('{"facts": [{"kind": "symptom", "name": "hiccups"}]}')
        path = tmp_path / "audit.jsonl"
        assert main(["audit", str(tmp_path / "cases"), "--log", str(path)]) == 2
        err = capsys.readouterr().err
        assert "z_bad.json: facts[0].name" in err
        assert not path.exists() or path.read_bytes() == b""

    def test_a_pattern_that_matches_nothing_is_an_error(self, tmp_path, capsys):
        assert main(["audit", str(tmp_path / "*.json"), "--log", str(tmp_path / "x.jsonl")]) == 1
        assert "no case file matches" in capsys.readouterr().err

    def test_progress_shows_on_a_terminal_only(self, tmp_path, monkeypatch, capsys):
        write_cases(tmp_path / "cases")

        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert main(["audit", str(tmp_path / "cases"), "--log", str(tmp_path / "a.jsonl")]) == 0
        assert f"audited {len(CASES)}/{len(CASES)} cases" in terminal.getvalue()
        monkeypatch.undo()
        assert main(["audit", str(tmp_path / "cases"), "--log", str(tmp_path / "b.jsonl")]) == 0
        assert "audited" not in capsys.readouterr().err

    def test_verbs_and_case_files_share_the_command(self, tmp_path, capsys):
        paths = write_cases(tmp_path / "cases")
        path = tmp_path / "a.jsonl"
        assert main(["audit", "run", str(paths[0]), "--log", str(path)]) == 0
        assert main(["audit", str(paths[1]), "--log", str(path), "--workers", "1"]) == 0
        assert ": record 2, head " in capsys.readouterr().out
        with pytest.raises(SystemExit):
            main(["audit", str(paths[0])])  # --log is required
        assert "--log" in capsys.readouterr().err


CTRL_C_SCRIPT = """
import os, signal, sys, time, multiprocessing
from pathlib import Path
from expert.audit.batch import audit_cases

def ignores_sigint(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            mask = next(line for line in status if line.startswith("SigIgn:")).split()[1]
    except (OSError, StopIteration):
        return False  # gone, or not yet there
    return bool(int(mask, 16) & (1 << (signal.SIGINT - 1)))

def interrupt(done, total):
    # As a person would: once the batch is under way, every worker started and ready for Ctrl-C.
    end = time.monotonic() + DEADLINE
    while not (workers := multiprocessing.active_children()) or not all(ignores_sigint(w.pid) for w in workers):
        if time.monotonic() > end:
            sys.exit("the pool's workers never came to ignore SIGINT")
        time.sleep(0.01)
    os.killpg(0, signal.SIGINT)  # what a terminal's Ctrl-C does: every process of the group
    signal.pause()  # the interrupt arrives here at the latest

# Ctrl-C as at a terminal, even when the tests were started with SIGINT ignored (in the background).
signal.signal(signal.SIGINT, signal.default_int_handler)
try:
    audit_cases([Path(p) for p in PATHS], workers=2, progress=interrupt)
except KeyboardInterrupt:
    sys.exit(130)
sys.exit("the batch finished although Ctrl-C was pressed")
"""


def test_ctrl_c_stops_a_batch_with_workers(tmp_path):
    """Ctrl-C reaches the whole process group; the batch must stop (exit 130), not hang on dead workers."""
    paths = write_cases(tmp_path / "cases")
    script = f"DEADLINE = {bounded.DEADLINE}\nPATHS = {[str(p) for p in paths * 50]!r}\n" + CTRL_C_SCRIPT
    batch = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
    out, err = bounded.communicate(batch, "the batch to stop with exit 130 at Ctrl-C, not hang on its workers")
    assert batch.returncode == 130, err
    assert "Traceback" not in err, err
