"""Audit records: what a record holds, the hash chain, and every kind of tampering detected."""

import json
import shutil
from pathlib import Path

import pytest

import expert
from expert.audit.log import (
    GENESIS,
    AuditRecord,
    append_records,
    audit_record,
    canonical_json,
    case_hash,
    knowledge_base_hash,
    seal,
    verify_log,
)
from expert.cli import main
from expert.rules.knowledge import KB_DIR, LEDGER_FILE, default_knowledge_base, load_knowledge_base

# Cases told in the fact vocabulary: what fires is whatever the knowledge base says follows.
CASES = {
    "a_magnesium.json": [
        {"kind": "symptom", "name": "twitching", "location": "eyelids"},
        {"kind": "nutrient_level", "nutrient": "magnesium", "level": "low"},
    ],
    "b_vitamin_d.json": [
        {"kind": "nutrient_level", "nutrient": "vitamin_d", "level": "low"},
        {"kind": "symptom", "name": "cramps", "location": "legs"},
    ],
    "c_calcium.json": [
        {"kind": "symptom", "name": "numbness", "location": "hands"},
        {"kind": "nutrient_level", "nutrient": "calcium", "level": "low"},
        {"kind": "lifestyle", "factor": "stress"},
    ],
    "d_b6.json": [
        {"kind": "supplement", "nutrient": "vitamin_b6", "daily_dose": 200, "unit": "mg", "duration_months": 6},
        {"kind": "symptom", "name": "tingling", "location": "feet"},
    ],
}


def write_cases(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, facts in CASES.items():
        path = folder / name
        path.write_text(json.dumps({"facts": facts}), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def log(tmp_path) -> Path:
    """A fresh log of the four cases, with their facts."""
    write_cases(tmp_path / "cases")
    path = tmp_path / "audit.jsonl"
    assert main(["audit", str(tmp_path / "cases"), "--log", str(path), "--include-facts"]) == 0
    return path


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")[:-1]


def write_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(line + b"\n" for line in lines))


class TestRecord:
    def test_record_holds_versions_hashes_and_every_firing_in_order(self):
        report = expert.consult(CASES["a_magnesium.json"])
        assert report.fired, "the case must fire rules for this test to mean anything"
        record = audit_record(report)
        assert record.versions.experta == "1.9.4"
        assert record.versions.python.count(".") == 2
        assert record.knowledge_base == knowledge_base_hash(default_knowledge_base())
        # Without its facts and without a key, a record has no case hash: a plain one is reversed by guessing.
        assert record.case is None
        key = expert.CaseKey.generate()
        keyed = audit_record(report, case_key=key)
        assert (keyed.case, keyed.case_scheme, keyed.case_key) == (
            case_hash(CASES["a_magnesium.json"], key), "hmac-sha256", key.id
        )
        assert [f.rule for f in record.firings] == [f.rule for f in report.fired]
        first = record.firings[0]
        assert first.citations[0].quote == report.fired[0].sources[0].quote
        assert all(link.origin in ("user", "rule") for f in record.firings for link in f.matched)
        assert record.time.endswith("Z")

    def test_derived_facts_matched_say_which_firing_made_them(self):
        report = expert.consult(CASES["b_vitamin_d.json"])
        record = audit_record(report)
        derived = [link for f in record.firings for link in f.matched if link.origin == "rule"]
        assert derived, "the case must chain for this test to mean anything"
        for link in derived:
            assert link.finding and link.derived_by is not None
            maker = record.firings[link.derived_by - 1]
            assert link.id in [c.id for c in maker.concluded]

    def test_facts_go_in_only_when_asked(self):
        report = expert.consult(CASES["a_magnesium.json"])
        assert audit_record(report).facts is None
        # The person's facts are not in the line (the rules fired are, and README says they are health data too).
        line = audit_record(report).line()
        assert '"location"' not in line and '"persistent"' not in line
        assert audit_record(report, include_facts=True).facts == CASES["a_magnesium.json"]

    def test_the_case_file_name_goes_in_only_with_the_facts(self, tmp_path):
        case = tmp_path / "jane-doe-1970.json"
        case.write_text(json.dumps({"facts": CASES["a_magnesium.json"]}), encoding="utf-8")
        assert main(["audit", str(case), "--log", str(tmp_path / "private.jsonl")]) == 0
        assert b"jane-doe" not in (tmp_path / "private.jsonl").read_bytes()
        assert main(["audit", str(case), "--log", str(tmp_path / "full.jsonl"), "--include-facts"]) == 0
        assert AuditRecord.model_validate_json(lines_of(tmp_path / "full.jsonl")[0]).case_file == str(case)

    def test_case_hash_ignores_fields_left_unset(self):
        assert case_hash([{"kind": "symptom", "name": "cramps"}]) == case_hash(
            [{"kind": "symptom", "name": "cramps", "location": None}]
        )

    def test_canonical_json_sorts_keys_keeps_unicode_and_has_no_spaces(self):
        assert canonical_json({"b": 1, "a": "µg"}) == '{"a":"µg","b":1}'

    def test_knowledge_base_hash_changes_with_a_rule_text(self, tmp_path):
        changed = changed_knowledge_base(tmp_path)
        assert knowledge_base_hash(changed) != knowledge_base_hash(default_knowledge_base())
        assert knowledge_base_hash(load_knowledge_base()) == knowledge_base_hash(default_knowledge_base())


def changed_knowledge_base(tmp_path: Path):
    """A copy of the knowledge base with one rule's text changed: same documents, other rules."""
    kb_dir = tmp_path / "kb_changed"
    kb_dir.mkdir()
    for path in sorted(KB_DIR.glob("*.toml")):
        shutil.copy(path, kb_dir / path.name)
    first = sorted(kb_dir.glob("*.toml"))[0]
    text = first.read_text(encoding="utf-8")
    assert '\ntext = "' in text
    first.write_text(text.replace('\ntext = "', '\ntext = "Changed. ', 1), encoding="utf-8")
    return load_knowledge_base(kb_dir, LEDGER_FILE)


class TestChain:
    def test_a_fresh_log_verifies(self, log):
        result = verify_log(log)
        assert result.ok and result.records == len(CASES)
        records = [AuditRecord.model_validate_json(line) for line in lines_of(log)]
        assert [r.seq for r in records] == [1, 2, 3, 4]
        assert records[0].prev == GENESIS
        assert all(b.prev == a.hash for a, b in zip(records, records[1:]))

    def test_appending_continues_the_chain(self, log, tmp_path):
        assert main(["audit", str(tmp_path / "cases" / "a_magnesium.json"), "--log", str(log)]) == 0
        result = verify_log(log)
        assert result.ok and result.records == len(CASES) + 1
        last = AuditRecord.model_validate_json(lines_of(log)[-1])
        assert last.seq == len(CASES) + 1 and last.hash == result.head

    def test_appending_to_a_log_whose_last_record_was_changed_is_refused(self, log, tmp_path, capsys):
        lines = lines_of(log)
        lines[-1] = lines[-1].replace(b'"seq":4', b'"seq":5')
        write_lines(log, lines)
        assert main(["audit", str(tmp_path / "cases" / "a_magnesium.json"), "--log", str(log)]) == 1
        assert "does not match its hash" in capsys.readouterr().err
        assert len(lines_of(log)) == len(CASES)

    def test_appending_to_a_log_whose_last_newline_was_lost_keeps_it_sound(self, log, tmp_path):
        log.write_bytes(log.read_bytes().rstrip(b"\n"))  # as some editors save a file
        assert verify_log(log).ok
        assert main(["audit", str(tmp_path / "cases" / "a_magnesium.json"), "--log", str(log)]) == 0
        result = verify_log(log)
        assert result.ok and result.records == len(CASES) + 1

    def test_appending_after_a_blank_last_line_is_refused(self, log, tmp_path, capsys):
        log.write_bytes(log.read_bytes() + b"\n")
        assert main(["audit", str(tmp_path / "cases" / "a_magnesium.json"), "--log", str(log)]) == 1
        assert "the last line is not an audit record" in capsys.readouterr().err
        assert verify_log(log).failed_record == len(CASES) + 1

    def test_a_log_that_cannot_be_written_is_named_without_a_traceback(self, tmp_path, capsys):
        write_cases(tmp_path / "cases")
        for log in (tmp_path / "no_such_folder" / "a.jsonl", tmp_path):
            assert main(["audit", str(tmp_path / "cases"), "--log", str(log)]) == 1
            assert capsys.readouterr().err.startswith(f"expert: {log}: cannot be written: ")

    def test_library_appends_and_seals(self, tmp_path):
        path = tmp_path / "lib.jsonl"
        record = audit_record(expert.consult(CASES["a_magnesium.json"]))
        sealed = append_records(path, [record, record])
        assert [r.seq for r in sealed] == [1, 2]
        assert sealed[1].prev == sealed[0].hash
        assert verify_log(path).ok


class TestTampering:
    """Each kind of tampering is detected, and the first record that fails is named."""

    def check(self, log: Path, record: int, words: str, capsys) -> None:
        result = verify_log(log)
        assert not result.ok
        assert result.failed_record == record
        assert words in result.problem
        assert main(["audit", "verify", str(log)]) == 1
        out = capsys.readouterr().out
        assert f"BROKEN: record {record}:" in out

    def test_a_changed_byte_in_a_value(self, log, capsys):
        lines = lines_of(log)
        at = lines[2].index(b'"rule":"') + len(b'"rule":"')
        lines[2] = lines[2][:at] + bytes([lines[2][at] ^ 0x01]) + lines[2][at + 1 :]
        write_lines(log, lines)
        self.check(log, 3, "does not match its hash", capsys)

    def test_a_changed_byte_in_the_stored_hash(self, log, capsys):
        lines = lines_of(log)
        at = lines[1].index(b'"hash":"') + len(b'"hash":"')
        swapped = b"1" if lines[1][at : at + 1] != b"1" else b"2"
        lines[1] = lines[1][:at] + swapped + lines[1][at + 1 :]
        write_lines(log, lines)
        self.check(log, 2, "does not match its hash", capsys)

    def test_a_byte_that_leaves_the_values_alone(self, log, capsys):
        lines = lines_of(log)
        lines[1] = lines[1].replace(b'","', b'", "', 1)
        write_lines(log, lines)
        self.check(log, 2, "not in canonical form", capsys)

    def test_a_byte_that_breaks_the_json(self, log, capsys):
        lines = lines_of(log)
        lines[3] = lines[3][:-1]
        write_lines(log, lines)
        self.check(log, 4, "not an audit record", capsys)

    def test_a_byte_that_is_not_utf8(self, log, capsys):
        lines = lines_of(log)
        lines[0] = lines[0].replace(b'"case":"', b'"case":"\xff', 1)
        write_lines(log, lines)
        self.check(log, 1, "not UTF-8", capsys)

    def test_a_deleted_record(self, log, capsys):
        lines = lines_of(log)
        del lines[1]
        write_lines(log, lines)
        self.check(log, 2, "does not follow record 1", capsys)

    def test_the_first_record_deleted(self, log, capsys):
        write_lines(log, lines_of(log)[1:])
        self.check(log, 1, "does not follow the start of the log", capsys)

    def test_an_inserted_record_even_one_sealed_in_place(self, log, capsys):
        lines = lines_of(log)
        first = AuditRecord.model_validate_json(lines[0])
        forged = seal(audit_record(expert.consult(CASES["d_b6.json"])), first)
        lines.insert(1, forged.line().encode("utf-8"))
        write_lines(log, lines)
        # The forgery itself is well formed: the record after it no longer follows.
        self.check(log, 3, "does not follow record 2", capsys)

    def test_reordered_records(self, log, capsys):
        lines = lines_of(log)
        lines[1], lines[2] = lines[2], lines[1]
        write_lines(log, lines)
        self.check(log, 2, "does not follow record 1", capsys)

    def test_a_duplicated_record_is_named_as_a_copy(self, log, capsys):
        lines = lines_of(log)
        write_lines(log, [*lines[:2], lines[0], *lines[2:]])
        self.check(log, 3, "a copy of record 1", capsys)

    def test_a_record_without_a_field_names_the_field(self, log, capsys):
        lines = lines_of(log)
        lines[1] = lines[1].replace(b'"time":', b'"tiem":', 1)
        write_lines(log, lines)
        self.check(log, 2, "not an audit record (time: Field required)", capsys)

    def test_an_empty_line_is_named_as_such(self, log, capsys):
        lines = lines_of(log)
        write_lines(log, [*lines[:2], b"", *lines[2:]])
        self.check(log, 3, "an empty line", capsys)

    def test_one_record_is_counted_in_the_singular(self, tmp_path, capsys):
        path = tmp_path / "one.jsonl"
        append_records(path, [audit_record(expert.consult(CASES["a_magnesium.json"]))])
        assert main(["audit", "verify", str(path)]) == 0
        assert ": sound: 1 record, head " in capsys.readouterr().out

    def test_records_cut_off_the_end_against_a_noted_head(self, log, capsys):
        head = verify_log(log).head
        write_lines(log, lines_of(log)[:-1])
        assert verify_log(log).ok  # a chain alone cannot tell a shorter log from a cut one
        result = verify_log(log, expected_head=head)
        assert not result.ok and result.failed_record == len(CASES)
        assert main(["audit", "verify", str(log), "--head", head]) == 1
        assert "removed from its end" in capsys.readouterr().out

    def test_verify_prints_the_head_to_note(self, log, capsys):
        assert main(["audit", "verify", str(log)]) == 0
        out = capsys.readouterr().out
        assert f"sound: {len(CASES)} records, head {verify_log(log).head}" in out


def test_the_library_gives_records_verify_and_replay(tmp_path):
    path = tmp_path / "library.jsonl"
    report = expert.consult(CASES["b_vitamin_d.json"])
    expert.append_records(path, [expert.audit_record(report, include_facts=True)])
    assert expert.verify_log(path).ok
    assert [r.status for r in expert.replay_log(path)] == ["identical"]
    assert expert.log_stats(path).firings == len(report.fired)
