"""Audit batches of any size: records wait on disk, not in memory, and still go in whole or not at all.

A batch's records are kept in an unnamed temporary file beside the log while the cases are
consulted (expert.audit.log.AuditBatch), then sealed and appended in one locked write. Peak memory
is measured by bench/audit_memory.py; here, that it does not grow with the batch, in allocations
traced by tracemalloc, which do not depend on the machine's load.
"""

import errno
import json
import os
import shutil
import tracemalloc
from pathlib import Path

import pytest

import expert
import expert.audit.log
from expert.audit.batch import audit_cases, audit_to_log
from expert.audit.keys import CaseKey, SigningKey
from expert.audit.log import GENESIS, AuditBatch, append_records, audit_record, seal, verify_log
from expert.cli import main
from tests.test_audit import CASES, lines_of, write_cases


def many_cases(folder: Path, count: int) -> list[Path]:
    """`count` case files, the four of test_audit in turn, so that each record is like the others."""
    folder.mkdir(parents=True)
    facts = list(CASES.values())
    paths = []
    for i in range(count):
        path = folder / f"case{i:04d}.json"
        path.write_text(json.dumps({"facts": facts[i % len(facts)]}), encoding="utf-8")
        paths.append(path)
    return paths


def records_of_every_kind() -> list[expert.AuditRecord]:
    key = CaseKey.generate()
    reports = [expert.consult(facts) for facts in CASES.values()]
    return [
        audit_record(reports[0], include_facts=True, case_file="a.json"),
        audit_record(reports[1]),
        audit_record(reports[2], case_key=key),
        audit_record(reports[3], include_facts=True, case_key=key),
    ]


def test_records_held_on_disk_are_sealed_byte_for_byte_as_the_models_seal_them(tmp_path):
    records = records_of_every_kind()
    log = tmp_path / "audit.jsonl"
    with AuditBatch(log) as batch:
        for record in records:
            batch.add(record)
        appended = batch.append()
    expected, previous = [], None
    for record in records:
        previous = seal(record, previous)
        expected.append(previous.line().encode("utf-8"))
    assert lines_of(log) == expected
    assert (appended.records, appended.first, appended.last, appended.head) == (4, 1, 4, previous.hash)
    assert appended.firings == sum(len(r.firings) for r in records)
    assert verify_log(log).ok


def test_a_second_batch_continues_the_chain_and_a_signature_follows_it(tmp_path):
    log = tmp_path / "audit.jsonl"
    first = append_records(log, records_of_every_kind()[:1])
    key = SigningKey.generate()
    with AuditBatch(log) as batch:
        for record in records_of_every_kind():
            batch.add(record)
        appended = batch.append(signing_key=key)
    assert (appended.first, appended.last, appended.signature) == (2, 5, 6)
    second = json.loads(lines_of(log)[1])
    assert second["prev"] == first[0].hash and first[0].prev == GENESIS
    result = verify_log(log, public_key=key.public)
    assert result.fully_signed and result.head == appended.head


def test_append_records_and_a_batch_write_the_same_log(tmp_path):
    records = records_of_every_kind()
    append_records(tmp_path / "a.jsonl", records)
    with AuditBatch(tmp_path / "b.jsonl") as batch:
        for record in records:
            batch.add(record)
        batch.append()
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def peak_of_a_batch(tmp_path: Path, count: int) -> int:
    paths = many_cases(tmp_path / f"cases{count}", count)
    log = tmp_path / f"audit{count}.jsonl"
    expert.consult(CASES["a_magnesium.json"])  # the knowledge base and an engine, made before measuring
    tracemalloc.start()
    try:
        appended = audit_to_log(log, paths, include_facts=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert appended.records == count
    return peak


def test_memory_does_not_grow_with_the_number_of_cases(tmp_path):
    small, large = peak_of_a_batch(tmp_path, 40), peak_of_a_batch(tmp_path, 200)
    # Held in memory, five times the cases took about five times the memory.
    assert large < small * 1.5, (small, large)


def test_records_come_out_in_the_order_of_the_arguments_with_workers(tmp_path):
    paths = many_cases(tmp_path / "cases", 40)
    log = tmp_path / "audit.jsonl"
    reverse = [str(p) for p in reversed(paths)]
    assert main(["audit", *reverse, "--log", str(log), "--include-facts", "--workers", "2"]) == 0
    assert [json.loads(line)["case_file"] for line in lines_of(log)] == reverse
    assert verify_log(log).records == 40
    # The same records as one process makes, in the same order.
    one = audit_cases([Path(p) for p in reverse], include_facts=True)
    assert [json.loads(line)["firings"] for line in lines_of(log)] == [r.model_dump(mode="json")["firings"] for r in one]


def test_a_bad_case_appends_nothing_and_leaves_nothing_beside_the_log(tmp_path, capsys):
    paths = many_cases(tmp_path / "cases", 30)
    paths[17].write_text(json.dumps({"facts": [{"kind": "symptom", "name": "hiccups"}]}), encoding="utf-8")
    folder = tmp_path / "logs"
    folder.mkdir()
    log = folder / "audit.jsonl"
    append_records(log, records_of_every_kind()[:1])
    before = log.read_bytes()
    assert main(["audit", str(tmp_path / "cases"), "--log", str(log)]) == 2
    assert "case0017.json" in capsys.readouterr().err
    assert log.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["audit.jsonl"]  # no batch file, no new key


def test_ctrl_c_while_consulting_appends_nothing(tmp_path):
    paths = many_cases(tmp_path / "cases", 12)
    log = tmp_path / "audit.jsonl"
    append_records(log, records_of_every_kind()[:1])
    before = log.read_bytes()

    def interrupt(done: int, total: int) -> None:
        if done == 7:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        audit_to_log(log, paths, progress=interrupt)
    assert log.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.jsonl", "cases"]


class _FullDisk:
    """A temporary file on a disk that is full."""

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def close(self):
        pass


def test_a_batch_that_cannot_be_held_on_disk_is_one_line_and_the_log_as_it_was(tmp_path, monkeypatch, capsys):
    write_cases(tmp_path / "cases")
    log = tmp_path / "audit.jsonl"
    append_records(log, records_of_every_kind()[:1])
    before = log.read_bytes()
    monkeypatch.setattr(expert.audit.log.tempfile, "TemporaryFile", lambda **kwargs: _FullDisk())
    assert main(["audit", str(tmp_path / "cases"), "--log", str(log)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"expert: {log}: cannot be written: No space left on device")
    assert "nothing of this batch was written" in err
    assert log.read_bytes() == before


def test_a_batch_is_appended_once(tmp_path):
    log = tmp_path / "audit.jsonl"
    with AuditBatch(log) as batch:
        batch.add(records_of_every_kind()[0])
        batch.append()
        with pytest.raises(expert.InvalidArgumentError, match="appended already"):
            batch.append()
        with pytest.raises(expert.InvalidArgumentError, match="appended already"):
            batch.add(records_of_every_kind()[0])
    with pytest.raises(expert.InvalidArgumentError, match="expected an AuditRecord"):
        AuditBatch(log).add({"time": "now"})
    assert verify_log(log).records == 1


def test_a_log_in_a_folder_that_is_gone_is_said_before_any_case_is_consulted(tmp_path):
    paths = many_cases(tmp_path / "cases", 2)
    gone = tmp_path / "gone"
    gone.mkdir()
    log = gone / "audit.jsonl"
    shutil.rmtree(gone)
    consulted = []
    with pytest.raises(expert.AuditError, match="cannot be written"):
        audit_to_log(log, paths, progress=lambda done, total: consulted.append(done))
    assert consulted == []
