"""Nothing about a person leaks through an audit record: no case hash anyone can test guesses against.

A record made without `--include-facts` keeps a case hash keyed with the auditor's secret
(HMAC-SHA256), so hashing every possible case finds nothing; the same key lets replay and diff
check the hash of a record made with facts, and their output says when they could not.
"""

import itertools
import json
import os
import stat
from pathlib import Path
from typing import get_args

import pytest

import expert
from expert.audit.log import AuditRecord, append_records, audit_record, case_hash, check_case_hash, seal, verify_log
from expert.cli import main
from expert.audit.keys import CaseKey
from expert.facts.vocabulary import Location, SymptomName
from tests.test_audit import CASES, lines_of, write_cases

ROOT = Path(__file__).resolve().parent.parent


def every_single_symptom() -> list[list[dict]]:
    """Every case of one symptom fact a guesser would try: a name, with or without a location."""
    cases = []
    for name, location in itertools.product(get_args(SymptomName), [None, *get_args(Location)]):
        fact = {"kind": "symptom", "name": name}
        if location is not None:
            fact["location"] = location
        cases.append([fact])
    return cases


class TestCaseHash:
    def test_a_record_without_facts_cannot_be_reversed_by_hashing_guesses(self, tmp_path):
        case = tmp_path / "one.json"
        case.write_text(json.dumps({"facts": [{"kind": "symptom", "name": "tetany", "location": "hands"}]}))
        log = tmp_path / "private.jsonl"
        assert main(["audit", str(case), "--log", str(log)]) == 0
        record = AuditRecord.model_validate_json(lines_of(log)[0])
        guesses = every_single_symptom()
        assert len(guesses) > 100
        assert not [g for g in guesses if case_hash(g) == record.case]
        # With the key, the auditor ties the record to its case.
        key = CaseKey.read(f"{log}.key")
        assert [g for g in guesses if case_hash(g, key) == record.case] == [
            [{"kind": "symptom", "name": "tetany", "location": "hands"}]
        ]

    def test_the_record_names_the_scheme_and_the_key(self, tmp_path):
        write_cases(tmp_path / "cases")
        log = tmp_path / "audit.jsonl"
        assert main(["audit", str(tmp_path / "cases"), "--log", str(log)]) == 0
        key = CaseKey.read(f"{log}.key")
        for line in lines_of(log):
            data = json.loads(line)
            assert (data["case_scheme"], data["case_key"], data["format"]) == ("hmac-sha256", key.id, 2)
            assert key.secret.hex() not in line.decode()

    def test_the_key_is_made_once_beside_the_log_for_its_owner_only(self, tmp_path, capsys):
        write_cases(tmp_path / "cases")
        log = tmp_path / "audit.jsonl"
        assert main(["audit", str(tmp_path / "cases" / "a_magnesium.json"), "--log", str(log)]) == 0
        key_file = Path(f"{log}.key")
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(log.stat().st_mode) == 0o600
        assert "made the case-hash key" in capsys.readouterr().err
        secret = key_file.read_bytes()
        assert main(["audit", str(tmp_path / "cases" / "d_b6.json"), "--log", str(log)]) == 0
        assert key_file.read_bytes() == secret and capsys.readouterr().err == ""

    def test_no_key_is_kept_when_the_batch_fails(self, tmp_path):
        bad = tmp_path / "bad.json"
        bad.write_text('{"facts": [{"kind": "symptom", "name": "hiccups"}]}')
        log = tmp_path / "audit.jsonl"
        assert main(["audit", str(bad), "--log", str(log)]) == 2
        assert not Path(f"{log}.key").exists() and not log.exists()

    def test_a_key_file_named_or_in_the_environment_is_used(self, tmp_path, monkeypatch):
        write_cases(tmp_path / "cases")
        key_file = tmp_path / "elsewhere" / "audit.key"
        key_file.parent.mkdir()
        log = tmp_path / "audit.jsonl"
        case = str(tmp_path / "cases" / "a_magnesium.json")
        assert main(["audit", case, "--log", str(log), "--key-file", str(key_file), "--include-facts"]) == 0
        assert not Path(f"{log}.key").exists()
        monkeypatch.setenv("EXPERT_AUDIT_KEY_FILE", str(key_file))
        assert main(["audit", case, "--log", str(log), "--include-facts"]) == 0
        ids = {json.loads(line)["case_key"] for line in lines_of(log)}
        assert ids == {CaseKey.read(key_file).id}
        assert main(["audit", "replay", str(log)]) == 0

    def test_a_key_file_that_is_not_a_key_is_one_line(self, tmp_path, capsys):
        write_cases(tmp_path / "cases")
        junk = tmp_path / "junk.key"
        junk.write_text("hello\n")
        log = tmp_path / "a.jsonl"
        assert main(["audit", str(tmp_path / "cases"), "--log", str(log), "--key-file", str(junk)]) == 1
        assert capsys.readouterr().err == f"expert: {junk}: not a case-hash key (expected 64 hex digits on one line)\n"
        assert not log.exists()


class TestCheckingWithTheKey:
    @pytest.fixture
    def log(self, tmp_path) -> Path:
        write_cases(tmp_path / "cases")
        path = tmp_path / "audit.jsonl"
        assert main(["audit", str(tmp_path / "cases"), "--log", str(path), "--include-facts"]) == 0
        return path

    def test_replay_and_diff_check_the_case_hash_with_the_key_beside_the_log(self, log, capsys):
        assert {r.case_hash for r in expert.replay_log(log, case_key=CaseKey.read(f"{log}.key"))} == {"matches"}
        assert main(["audit", "replay", str(log)]) == 0
        assert "not checked" not in capsys.readouterr().out

    def test_without_the_key_replay_says_so_and_exits_3(self, log, tmp_path, capsys):
        Path(f"{log}.key").rename(tmp_path / "kept-apart.key")
        assert main(["audit", "replay", str(log)]) == 3
        out = capsys.readouterr().out
        assert out.count("identical, but its case hash was not checked: it is keyed, and no key was given") == len(CASES)
        assert out.splitlines()[-1].endswith(f"; {len(CASES)} case hashes not checked (no key, or another)")
        assert main(["audit", "replay", str(log), "--key-file", str(tmp_path / "kept-apart.key")]) == 0

    def test_with_another_key_replay_and_diff_say_so(self, log, tmp_path, capsys):
        other = tmp_path / "other.key"
        CaseKey.generate().save(other)
        assert main(["audit", "replay", str(log), "--key-file", str(other)]) == 3
        assert "it was made with another key than the one given" in capsys.readouterr().out
        assert main(["audit", "diff", str(log), "--key-file", str(other)]) == 0
        captured = capsys.readouterr()
        assert f"the case hashes of {len(CASES)} records were not checked" in captured.err
        # The line wraps at the output's width: read it as words.
        assert "(its case hash was not checked: it was made with another key" in " ".join(captured.out.split())

    def test_changed_facts_resealed_into_the_chain_fail_the_keyed_case_hash(self, log, capsys):
        lines = lines_of(log)
        records = [AuditRecord.model_validate_json(line) for line in lines]
        # The forger runs the engine on other facts, so the firings agree with them; only the key can tell.
        forged_facts = CASES["d_b6.json"]
        rerun = audit_record(expert.consult(forged_facts), include_facts=True)
        forged = records[0].model_copy(update={"facts": forged_facts, "firings": rerun.firings})
        resealed, previous = [], None
        for record in [forged, *records[1:]]:
            previous = seal(record, previous)
            resealed.append(previous.line().encode())
        log.write_bytes(b"".join(line + b"\n" for line in resealed))
        assert verify_log(log).ok
        assert main(["audit", "replay", str(log)]) == 1
        out = capsys.readouterr().out
        assert "record 1: DIFFERENT" in out and "its facts do not match its case hash" in out
        assert expert.diff_log(log, case_key=CaseKey.read(f"{log}.key")).records[0].status == "invalid_facts"

    def test_verify_needs_no_key(self, log, tmp_path, capsys):
        Path(f"{log}.key").unlink()
        assert main(["audit", "verify", str(log)]) == 0


class TestOlderRecords:
    def test_a_record_of_format_1_still_verifies_and_replays(self, tmp_path):
        """Records made before the case hash was keyed: a plain SHA-256, no scheme named."""
        report = expert.consult(CASES["b_vitamin_d.json"])
        now = audit_record(report, include_facts=True)
        old = now.model_copy(update={"format": 1, "case_scheme": None, "case": case_hash(now.facts)})
        path = tmp_path / "old.jsonl"
        path.write_bytes(seal(old, None).line().encode() + b"\n")
        assert b"case_scheme" not in path.read_bytes()
        assert verify_log(path).ok
        (result,) = expert.replay_log(path)
        assert (result.status, result.case_hash) == ("identical", "matches")

    def test_the_example_log_of_format_1_still_verifies(self):
        assert verify_log(ROOT / "examples" / "audit-before-issue-8.jsonl").ok

    def test_a_scheme_that_does_not_fit_its_record_is_not_a_record(self, tmp_path):
        record = audit_record(expert.consult(CASES["a_magnesium.json"]), include_facts=True)
        bad = record.model_dump(mode="json")
        bad["case_scheme"] = "hmac-sha256"  # names a keyed hash, but no key
        with pytest.raises(ValueError, match="case_key names the key"):
            AuditRecord.model_validate(bad)

    def test_the_library_gives_a_plain_hash_only_beside_the_facts(self):
        report = expert.consult(CASES["a_magnesium.json"])
        with_facts = audit_record(report, include_facts=True)
        assert (with_facts.case_scheme, check_case_hash(with_facts, None)) == ("sha256", "matches")
        assert audit_record(report).case is None


def test_a_log_with_facts_is_made_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "new.jsonl"
    append_records(path, [audit_record(expert.consult(CASES["a_magnesium.json"]), include_facts=True)])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
