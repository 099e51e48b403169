"""The audit trail as an outside auditor checks it: what each hash and signature covers, byte for byte.

The README promises a chain over canonical JSON, a keyed case hash (HMAC-SHA256) and Ed25519
signatures of the head. These tests recompute each with hashlib, hmac and the cryptography
package alone, so that a record this version writes verifies with another tool, and a change to
what is hashed or signed (which the library's own verify would happily agree with) fails here.
"""

import base64
import hashlib
import hmac
import importlib.metadata
import json
import platform
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import serialization

import expert
from expert.audit.keys import CaseKey, SigningKey
from expert.audit.log import (
    append_records, audit_record, check_case_hash, firing_records, read_records, seal, verify_log,
)
from expert.audit.record import GENESIS, sign_head

FACTS = [
    {"kind": "symptom", "name": "twitching", "location": "eyelids"},
    {"kind": "nutrient_level", "nutrient": "magnesium", "level": "low"},
]
MOMENT = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
SECRET = bytes(range(32))


def canonical(data) -> bytes:
    """Canonical JSON as the README describes it: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record(**options):
    return audit_record(expert.consult(FACTS), time=MOMENT, **options)


def test_a_records_hash_is_sha256_of_its_canonical_json_without_the_hash():
    first = seal(record(include_facts=True), None)
    second = seal(record(), first)
    for sealed in (first, second):
        body = json.loads(sealed.line())
        assert body.pop("hash") == hashlib.sha256(canonical(body)).hexdigest()
    assert (first.seq, first.prev) == (1, GENESIS)
    assert (second.seq, second.prev) == (2, first.hash)


def test_the_time_is_written_in_utc_to_the_microsecond():
    assert record().time == "2026-01-02T03:04:05.678901Z"
    two_hours_east = datetime(2026, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    assert audit_record(expert.consult(FACTS), time=two_hours_east).time == "2026-01-02T03:04:05.000000Z"


def test_a_record_names_the_software_that_made_it():
    versions = record().versions
    assert versions.expert == importlib.metadata.version("expert")
    assert versions.experta == importlib.metadata.version("experta")
    assert versions.python == platform.python_version()


def test_a_keyed_case_hash_is_hmac_sha256_of_the_facts_in_canonical_json():
    key = CaseKey(SECRET)
    keyed = record(case_key=key)
    assert keyed.case == hmac.new(SECRET, canonical(FACTS), hashlib.sha256).hexdigest()
    assert (keyed.case_scheme, keyed.case_key) == ("hmac-sha256", key.id)
    assert keyed.facts is None and keyed.case_file is None


def test_a_plain_case_hash_goes_only_beside_the_facts():
    with_facts = record(include_facts=True, case_file="cases/a.json")
    assert with_facts.case == hashlib.sha256(canonical(FACTS)).hexdigest()
    assert with_facts.case_scheme == "sha256"
    assert with_facts.facts == FACTS
    assert with_facts.case_file == "cases/a.json"
    without = record(case_file="cases/a.json")
    assert (without.case, without.facts, without.case_file) == (None, None, None)
    assert "case_scheme" not in json.loads(seal(without, None).line())


def test_checking_a_case_hash_says_whether_the_facts_still_give_it():
    key = CaseKey(SECRET)
    keyed = record(case_key=key, include_facts=True)
    edited = keyed.model_copy(update={"facts": [dict(FACTS[0], location="legs"), FACTS[1]]})
    assert check_case_hash(keyed, key) == "matches"
    assert check_case_hash(edited, key) == "differs"
    assert check_case_hash(keyed, None) == "no_key"
    assert check_case_hash(keyed, CaseKey(bytes(32))) == "other_key"
    plain = record(include_facts=True)
    assert check_case_hash(plain, None) == "matches"
    assert check_case_hash(plain, key) == "matches"
    assert check_case_hash(plain.model_copy(update={"facts": FACTS[:1]}), None) == "differs"
    assert check_case_hash(record(case_key=key), key) == "none"  # keyed, but no facts to hash
    assert check_case_hash(record(), key) == "none"


def test_a_signature_is_plain_ed25519_over_the_documented_message():
    key = SigningKey.generate()
    head = seal(record(), None)
    signature = sign_head(head, key, time=MOMENT)
    raw = key.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert signature.key == "ed25519:" + hashlib.sha256(raw).hexdigest()
    assert (signature.seq, signature.prev, signature.time) == (2, head.hash, "2026-01-02T03:04:05.678901Z")
    body = json.loads(signature.line())
    assert body.pop("hash") == hashlib.sha256(canonical(body)).hexdigest()
    signed = body.pop("signature")
    # Raises InvalidSignature if the message signed is anything but this.
    key.key.public_key().verify(base64.b64decode(signed), b"expert audit log head\n" + canonical(body))
    assert body == {"format": 2, "seq": 2, "prev": head.hash, "time": signature.time, "kind": "signature",
                    "key": signature.key}


def test_reading_a_signed_log_gives_its_consultations_in_order_and_no_signature(tmp_path):
    log = tmp_path / "audit.jsonl"
    key = SigningKey.generate()
    other = expert.consult([{"kind": "lifestyle", "factor": "stress"}])
    written = append_records(log, [record(include_facts=True),
                                   audit_record(other, time=MOMENT, include_facts=True)], signing_key=key)
    assert [entry.seq for entry in written] == [1, 2, 3]
    records = read_records(log)
    assert [r.seq for r in records] == [1, 2]
    assert [r.facts for r in records] == [FACTS, [{"kind": "lifestyle", "factor": "stress"}]]
    assert verify_log(log, public_key=key.public).fully_signed


@pytest.mark.parametrize("trace", ["in a record", "on its own"])
def test_a_firing_record_names_the_facts_matched_and_concluded_and_the_sentences_cited(trace):
    report = expert.consult(FACTS)
    # The audit API gives a report's trace on its own too (`firing_records`), as a record keeps it.
    firings = record().firings if trace == "in a record" else firing_records(report)
    assert [f.rule for f in firings] == [f.rule for f in report.fired]
    assert [f.number for f in firings] == list(range(1, len(report.fired) + 1))
    for kept, fired in zip(firings, report.fired):
        assert [c.model_dump() for c in kept.citations] == [{"document": s.document, "quote": s.quote} for s in fired.sources]
        assert kept.bindings == fired.bindings
        for links, refs in ((kept.matched, fired.matched), (kept.concluded, fired.concluded)):
            assert [(l.id, l.origin, l.kind, l.derived_by) for l in links] == [(r.id, r.origin, r.kind, r.derived_by) for r in refs]
            for link, ref in zip(links, refs):
                # A derived finding is kept with its content; the person's own facts are not repeated.
                if ref.origin == "rule":
                    assert link.finding == {k: v for k, v in ref.fact.items() if k != "kind" and v is not None}
                    assert link.finding["name"]
                else:
                    assert link.finding is None
    assert any(l.origin == "rule" for f in firings for l in f.concluded)
    assert any(l.origin == "user" for f in firings for l in f.matched)


@pytest.mark.parametrize("options", [{}, {"include_facts": True}, {"case_key": CaseKey(SECRET)}])
def test_every_record_form_survives_a_round_trip_through_the_log(tmp_path, options):
    log = tmp_path / "audit.jsonl"
    (written,) = append_records(log, [record(**options)])
    (read,) = read_records(log)
    assert read == written
    assert log.read_text(encoding="utf-8") == written.line() + "\n"


# --- a batch held on disk until it is appended ----------------------------------------------------------


def test_a_batch_counts_what_it_holds_and_appends_the_same_chain_as_a_list_would(tmp_path):
    from expert.audit.log import AuditBatch

    records = [record(include_facts=True), audit_record(expert.consult([{"kind": "lifestyle", "factor": "stress"}]),
                                                        time=MOMENT, include_facts=True)]
    with AuditBatch(tmp_path / "batch.jsonl") as batch:
        for each in records:
            batch.add(each)
        assert (batch.records, batch.firings) == (2, sum(len(r.firings) for r in records))
        appended = batch.append()
    append_records(tmp_path / "list.jsonl", records)
    assert (tmp_path / "batch.jsonl").read_bytes() == (tmp_path / "list.jsonl").read_bytes()
    assert (appended.records, appended.first, appended.last) == (2, 1, 2)
    assert appended.firings == sum(len(r.firings) for r in records)
    assert appended.head == read_records(tmp_path / "batch.jsonl")[-1].hash


def test_a_batch_names_what_it_refuses(tmp_path):
    from expert import InvalidArgumentError
    from expert.audit.log import AuditBatch

    with pytest.raises(InvalidArgumentError) as wrong_log:
        AuditBatch(5)
    assert str(wrong_log.value).startswith("log: ")
    batch = AuditBatch(tmp_path / "audit.jsonl")
    with pytest.raises(InvalidArgumentError) as wrong_record:
        batch.add({"facts": FACTS})
    assert str(wrong_record.value) == "record: expected an AuditRecord (from audit_record), got a dict"
    with pytest.raises(InvalidArgumentError) as wrong_key:
        batch.append(signing_key="auditor")
    assert str(wrong_key.value).startswith("signing_key: expected a SigningKey")
    batch.add(record())
    batch.append()
    with pytest.raises(InvalidArgumentError) as again:
        batch.add(record())
    assert str(again.value) == "record: this batch was appended already; start a new AuditBatch"


def test_a_record_that_cannot_be_read_is_named_with_its_log(tmp_path):
    from expert import AuditError

    log = tmp_path / "audit.jsonl"
    append_records(log, [record()])
    with log.open("a", encoding="utf-8") as file:
        file.write('{"not": "a record"}\n')
    with pytest.raises(AuditError) as error:
        read_records(log)
    assert str(error.value).startswith(f"{log}: record 2: not an audit record (")


def test_a_batch_falls_back_to_the_systems_temporary_folder_and_a_full_disk_is_one_line(tmp_path, monkeypatch):
    import errno
    import tempfile

    from expert import AuditError
    from expert.audit.log import AuditBatch

    real = tempfile.TemporaryFile

    def no_room_beside_the_log(*args, dir=None, **kwargs):
        if dir is not None:
            raise OSError(errno.EACCES, "Permission denied")
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", no_room_beside_the_log)
    log = tmp_path / "audit.jsonl"
    with AuditBatch(log) as batch:
        batch.add(record())
        assert batch.append().records == 1
    assert len(read_records(log)) == 1

    class FullDisk:
        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    batch = AuditBatch(log)
    monkeypatch.setattr(batch, "_spill", lambda: FullDisk())
    with pytest.raises(AuditError) as error:
        batch.add(record())
    assert str(error.value) == (f"{log}: cannot be written: No space left on device (while the batch was held in a "
                                "temporary file); nothing of this batch was written, the log is as it was")
    assert batch.records == 0 and len(read_records(log)) == 1


def test_each_wrong_argument_to_the_log_is_named(tmp_path):
    from expert import AuditError, InvalidArgumentError

    log = tmp_path / "audit.jsonl"
    one = record()
    calls = [
        (lambda: append_records(5, [one]), InvalidArgumentError, "path: expected a file path (a str or pathlib.Path), got an int"),
        (lambda: append_records(log, "x"), InvalidArgumentError, "records: expected a list of AuditRecord (from audit_record), got a str"),
        (lambda: append_records(log, [one, {"a": 1}]), InvalidArgumentError, "records[1]: expected an AuditRecord (from audit_record), got a dict"),
        (lambda: append_records(log, [one], signing_key="k"), InvalidArgumentError, "signing_key: expected a SigningKey or None, got a str"),
        (lambda: verify_log(log, expected_head=5), InvalidArgumentError, "expected_head: expected a hash (str) or None, got an int"),
        (lambda: append_records(tmp_path / "no" / "a.jsonl", [one]), AuditError, None),
    ]
    for call, error, message in calls:
        with pytest.raises(error) as raised:
            call()
        if message is not None:
            assert str(raised.value) == message
    assert not log.exists()
    from expert.audit.log import check_appendable

    with pytest.raises(AuditError) as missing:
        check_appendable(tmp_path / "no" / "a.jsonl")
    assert str(missing.value) == f"{tmp_path / 'no' / 'a.jsonl'}: cannot be written: No such file or directory"


@pytest.mark.parametrize("line, reason", [
    (b"\n", "an empty line, not an audit record"),
    (b"\xff\xfe\n", "not an audit record (Invalid JSON: expected value at line 1 column 1)"),
    (b'{"format": 2}\n', "not an audit record (time: Field required)"),
    (b"[1]\n", "not an audit record (Input should be an object)"),
    (b'{"format": 2, "time": "t", "versions": {"expert": "1"}}\n', "not an audit record (versions.experta: Field required)"),
])
def test_a_line_that_is_no_record_is_named_by_its_place_and_what_is_wrong(tmp_path, line, reason):
    from expert import AuditError

    log = tmp_path / "audit.jsonl"
    append_records(log, [record()])
    with log.open("ab") as file:
        file.write(line)
    with pytest.raises(AuditError) as error:
        read_records(log)
    assert str(error.value) == f"{log}: record 2: {reason}"


# --- what verify says of each broken line ------------------------------------------------------------


@pytest.fixture
def signed_twice(tmp_path):
    """A log of two batches of one record, the first signed by `mine`, the second by another key."""
    log = tmp_path / "audit.jsonl"
    mine, other = SigningKey.generate(), SigningKey.generate()
    append_records(log, [record()], signing_key=mine)
    append_records(log, [record()], signing_key=other)
    return log, mine, other


def test_a_broken_last_line_keeps_what_the_records_before_it_showed(signed_twice, tmp_path):
    log, mine, other = signed_twice
    for tail, problem in ((b"\n", "record 5: an empty line, not an audit record"),
                          (b"\xff\n", "record 5: not UTF-8 (a byte was changed)")):
        broken = tmp_path / "broken.jsonl"
        broken.write_bytes(log.read_bytes() + tail)
        result = verify_log(broken, public_key=mine.public)
        sound = verify_log(log)
        assert (result.problem, result.records, result.failed_record) == (problem, 4, 5)
        assert (result.signatures, result.signed_to, result.head) == (2, 2, sound.head)
        assert (result.public_key, result.other_keys) == (mine.public.fingerprint, [other.public.fingerprint])


def test_a_first_line_unsealed_or_not_canonical_or_a_signature_alone_is_named(signed_twice, tmp_path):
    log, mine, _ = signed_twice
    first, signature = log.read_bytes().split(b"\n")[:2]
    unsealed = json.loads(first)
    del unsealed["hash"]
    cases = [
        (json.dumps(unsealed).encode(), "record 1: not sealed (it has no hash, seq or prev)"),
        (first.replace(b"{", b"{ ", 1), "record 1: not in canonical form (bytes were changed outside its values)"),
        (signature, "record 1: does not follow the start of the log (its prev hash differs): "
                    "a record was deleted, inserted or moved here"),
    ]
    for line, problem in cases:
        broken = tmp_path / "broken.jsonl"
        broken.write_bytes(line + b"\n")
        result = verify_log(broken)
        assert (result.problem, result.records, result.failed_record, result.head) == (problem, 0, 1, None)


def test_a_forged_signature_is_named_with_the_key_that_does_not_verify_it(signed_twice, tmp_path):
    from expert.audit.record import SignatureRecord

    log, mine, _ = signed_twice
    lines = log.read_bytes().split(b"\n")
    forged = SignatureRecord.model_validate(dict(json.loads(lines[1]), signature="AAAA"))
    lines[1] = forged.model_copy(update={"hash": forged.compute_hash()}).line().encode()
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"\n".join(lines))
    result = verify_log(broken, public_key=mine.public)
    assert result.problem == (f"record 2: its signature does not verify with the key {mine.public.short}\u2026: the "
                              "records before it were changed, or the signature was forged")
    assert (result.records, result.signatures, result.signed_to) == (1, 1, None)
    from expert import InvalidArgumentError

    with pytest.raises(InvalidArgumentError) as wrong:
        verify_log(log, public_key="auditor.pub")
    assert str(wrong.value) == "public_key: expected a PublicKey or None, got a str"


def test_an_empty_batch_appends_nothing_and_a_batch_appends_once(tmp_path):
    import errno

    from expert import AuditError, InvalidArgumentError
    from expert.audit.log import AuditBatch

    log = tmp_path / "audit.jsonl"
    empty = AuditBatch(log).append()
    assert (empty.records, empty.first, empty.last) == (0, None, None) and log.read_bytes() == b""
    batch = AuditBatch(log)
    batch.add(record())
    batch.append()
    with pytest.raises(InvalidArgumentError) as again:
        batch.append()
    assert str(again.value) == "this batch was appended already; start a new AuditBatch"

    class Unflushable:
        def flush(self):
            raise OSError(errno.EIO, "Input/output error")

        def close(self):
            pass

    broken = AuditBatch(log)
    broken._file = Unflushable()
    with pytest.raises(AuditError) as error:
        broken.append()
    assert str(error.value) == (f"{log}: cannot be written: Input/output error (while the batch was held in a temporary "
                                "file); nothing of this batch was written, the log is as it was")
    assert len(read_records(log)) == 1


def test_verify_names_a_line_that_is_no_record_and_a_record_left_unlinked(tmp_path):
    from expert.audit.record import SignatureRecord

    sealed = seal(record(), None)
    unlinked = sealed.model_copy(update={"prev": None})
    unlinked = unlinked.model_copy(update={"hash": unlinked.compute_hash()})
    lone = seal(SignatureRecord(time="2026-01-02T03:04:05.000000Z", key="ed25519:" + "0" * 64, signature="AAAA"), None)
    cases = [
        (b"[1]", "record 1: not an audit record (Input should be an object)"),
        (b'{"format": 2, "time": "t", "versions": {"expert": "1"}}', "record 1: not an audit record (versions.experta: Field required)"),
        (unlinked.line().encode(), "record 1: not sealed (it has no hash, seq or prev)"),
        (lone.line().encode(), "record 1: a signature of nothing: no record comes before it"),
    ]
    for line, problem in cases:
        log = tmp_path / "audit.jsonl"
        log.write_bytes(line + b"\n")
        assert verify_log(log).problem == problem


def test_a_sound_log_names_the_other_keys_that_signed_it(signed_twice):
    log, mine, other = signed_twice
    result = verify_log(log, public_key=mine.public)
    assert result.ok and not result.fully_signed
    assert (result.signatures, result.signed_to, result.unsigned) == (2, 2, 2)
    assert result.other_keys == [other.public.fingerprint]


class _SystemCalls:
    """The `os` module as the log sees it, with some calls replaced (the rest are the real ones)."""

    def __init__(self, **replaced):
        self.__dict__.update(replaced)

    def __getattr__(self, name):
        import os

        return getattr(os, name)


def test_a_write_that_fails_says_why_and_leaves_the_log_as_it_was(tmp_path, monkeypatch):
    import expert.audit.log as log_module
    from expert import AuditError

    log = tmp_path / "audit.jsonl"
    append_records(log, [record()])
    before = log.read_bytes()

    def gone(fd, data):
        raise OSError("the device went away")  # an error with no system message of its own

    monkeypatch.setattr(log_module, "os", _SystemCalls(write=gone))
    with pytest.raises(AuditError) as error:
        append_records(log, [record()])
    assert str(error.value) == f"{log}: cannot be written: the device went away; nothing of this batch was written, the log is as it was"
    monkeypatch.undo()
    assert log.read_bytes() == before and verify_log(log).ok


def test_ctrl_c_during_a_write_that_cannot_be_undone_says_both_and_what_to_run(tmp_path, monkeypatch):
    import errno

    import expert.audit.log as log_module
    from expert import AuditError

    log = tmp_path / "audit.jsonl"
    append_records(log, [record()])

    def interrupted(fd, data):
        raise KeyboardInterrupt

    def read_only(fd, size):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(log_module, "os", _SystemCalls(write=interrupted, ftruncate=read_only))
    with pytest.raises(AuditError) as error:
        append_records(log, [record()])
    assert str(error.value) == (
        f"{log}: cannot be written: KeyboardInterrupt; and the log could not be cut back to where it was "
        "(Read-only file system): it may end in a partial record, run `expert audit verify`"
    )


def test_verify_with_the_head_noted_earlier_says_where_the_log_ends_now(tmp_path):
    # The README's a3.jsonl: records cut off the end, which the chain alone cannot show.
    log = tmp_path / "audit.jsonl"
    append_records(log, [record()])
    first = verify_log(log).head
    append_records(log, [record()])
    noted = verify_log(log).head
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(lines[0])
    cut = verify_log(log, expected_head=noted)
    assert not cut.ok and (cut.records, cut.failed_record) == (1, 2)
    assert cut.problem == f"the log ends at {first}, not at the expected head {noted}: records were removed from its end"
    log.write_bytes(b"")
    emptied = verify_log(log, expected_head=noted)
    assert emptied.problem == f"the log ends at no record, not at the expected head {noted}: records were removed from its end"
    # Without a key to check, nothing is counted as unsigned.
    log.write_bytes(b"".join(lines))
    assert verify_log(log).unsigned == 0 and verify_log(log, expected_head=noted).ok


@pytest.mark.parametrize("others, said", [
    (0, ""),
    (1, " (it holds signatures by 1 other key)"),
    (2, " (it holds signatures by 2 other keys)"),
])
def test_a_log_never_signed_by_the_key_given_says_so_and_counts_the_other_keys(tmp_path, others, said):
    log = tmp_path / "audit.jsonl"
    append_records(log, [record()])
    for _ in range(others):
        append_records(log, [record()], signing_key=SigningKey.generate())
    mine = SigningKey.generate().public
    result = verify_log(log, public_key=mine)
    assert not result.ok and result.signed_to is None and len(result.other_keys) == others
    assert result.problem == (f"no record is signed by the key {mine.short}\u2026: the log was never signed with it, "
                              f"or its signatures were removed{said}")


@pytest.mark.parametrize("content", [b"x", b"\n"], ids=["a-stray-byte", "a-blank-line"])
def test_a_log_of_one_byte_that_is_no_record_is_not_chained_onto(tmp_path, content):
    from expert import AuditError

    log = tmp_path / "audit.jsonl"
    log.write_bytes(content)
    with pytest.raises(AuditError) as error:
        append_records(log, [record()])
    assert str(error.value) == f"{log}: the last line is not an audit record; not appending (run `expert audit verify`)"
    assert log.read_bytes() == content


def test_a_new_log_is_readable_by_its_owner_alone_as_health_data_should_be(tmp_path):
    import stat

    log = tmp_path / "audit.jsonl"
    append_records(log, [record()])
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_a_log_that_cannot_be_opened_is_one_line_naming_it(tmp_path):
    from expert import AuditError

    log = tmp_path / "no-such-folder" / "audit.jsonl"
    with pytest.raises(AuditError) as error:
        append_records(log, [record()])
    assert str(error.value) == f"{log}: cannot be written: no such file"


def test_a_disk_that_takes_nothing_more_is_a_full_disk(tmp_path, monkeypatch):
    import expert.audit.log as log_module
    from expert import AuditError

    log = tmp_path / "audit.jsonl"
    append_records(log, [record()])
    before = log.read_bytes()
    monkeypatch.setattr(log_module, "os", _SystemCalls(write=lambda fd, data: 0))
    with pytest.raises(AuditError) as error:
        append_records(log, [record()])
    assert str(error.value) == f"{log}: cannot be written: No space left on device; nothing of this batch was written, the log is as it was"
    monkeypatch.undo()
    assert log.read_bytes() == before


def test_a_write_the_system_takes_only_in_part_is_finished_and_a_big_batch_goes_in_pieces(tmp_path, monkeypatch):
    import os

    import expert.audit.log as log_module

    sizes = []

    def a_little_at_a_time(fd, data):
        sizes.append(len(data))
        take = 1 if len(sizes) % 2 else 4096  # as a pipe or a slow disk may: sometimes a single byte
        return os.write(fd, bytes(data[:take]))

    monkeypatch.setattr(log_module, "os", _SystemCalls(write=a_little_at_a_time))
    log = tmp_path / "audit.jsonl"
    records = [record(include_facts=True) for _ in range(60)]
    append_records(log, records)
    monkeypatch.undo()
    assert verify_log(log).records == 60 and [r.facts for r in read_records(log)] == [FACTS] * 60
    # The batch (more than 64 KiB) is not handed to the system whole, but in pieces of about 64 KiB.
    batch = log.stat().st_size
    assert batch > 1 << 16 and sizes[0] < batch
    assert max(sizes) <= (1 << 16) + len(records[0].line()) + 1


def test_an_empty_batch_on_a_log_gives_back_the_logs_head(tmp_path):
    from expert.audit.log import AuditBatch

    log = tmp_path / "audit.jsonl"
    append_records(log, [record(), record()])
    empty = AuditBatch(log).append()
    assert (empty.records, empty.first, empty.head) == (0, None, verify_log(log).head)


def test_a_log_whose_last_newline_was_lost_still_shows_its_last_record(tmp_path):
    log = tmp_path / "audit.jsonl"
    append_records(log, [record(), record()])
    log.write_bytes(log.read_bytes().removesuffix(b"\n"))
    result = verify_log(log)
    assert result.ok and result.records == 2 and len(read_records(log)) == 2


def test_reading_names_a_wrong_path_and_a_log_past_the_cap(tmp_path, monkeypatch):
    import expert.audit.log as log_module
    from expert import AuditError, InvalidArgumentError

    for call in (lambda: verify_log(123), lambda: read_records(123)):
        with pytest.raises(InvalidArgumentError) as wrong:
            call()
        assert str(wrong.value) == "path: expected a file path (a str or pathlib.Path), got an int"
    with pytest.raises(InvalidArgumentError) as not_a_report:
        audit_record("a report")
    assert str(not_a_report.value) == "report: expected a Report (from expert.consult), got a str"
    log = tmp_path / "big.jsonl"
    append_records(log, [record()])
    monkeypatch.setattr(log_module, "MAX_LOG_BYTES", 100)
    with pytest.raises(AuditError) as big:
        verify_log(log)
    assert str(big.value) == f"{log}: larger than 100 bytes, more than an audit log can be"


def test_the_time_is_utc_whatever_zone_the_machine_is_in(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert record().time == "2026-01-02T03:04:05.678901Z"
        now = audit_record(expert.consult(FACTS)).time
    finally:
        monkeypatch.undo()
        time.tzset()
    assert now.endswith("Z") and abs(datetime.fromisoformat(now) - datetime.now(UTC)) < timedelta(hours=1)


def test_verify_waits_for_a_batch_being_written_instead_of_reading_it_half_way(tmp_path):
    import fcntl
    import os
    import threading
    from pathlib import Path

    from bounded import until

    if not Path("/proc/locks").exists():
        pytest.skip("needs /proc/locks to see a reader wait")
    log = tmp_path / "audit.jsonl"
    append_records(log, [record()])
    inode = os.stat(log).st_ino

    def a_reader_waits() -> bool:
        with open("/proc/locks") as locks:
            return any("->" in entry and any(f.endswith(f":{inode}") for f in entry.split()) for entry in locks)

    results = []
    with open(log, "ab") as writer:
        fcntl.flock(writer, fcntl.LOCK_EX)  # as append_records holds it while it writes
        reader = threading.Thread(target=lambda: results.append(verify_log(log)))
        reader.start()
        until(lambda: a_reader_waits() or not reader.is_alive(), "verify to wait for the lock or to finish")
        finished_early = not reader.is_alive()
        fcntl.flock(writer, fcntl.LOCK_UN)
    reader.join()
    assert not finished_early, "verify read the log while a batch held it"
    assert results[0].ok and results[0].records == 1


@pytest.mark.parametrize("wrong, said", [
    ({"knowledge_base": "kb"}, "knowledge_base: expected a KnowledgeBase or None, got a str"),
    ({"include_facts": "yes"}, "include_facts: expected True or False, got a str"),
    ({"case_file": 5}, "case_file: expected a file path (a str or pathlib.Path), got an int"),
    ({"time": "now"}, "time: expected a datetime or None, got a str"),
    ({"case_key": "k"}, "case_key: expected a CaseKey or None, got a str"),
])
def test_each_wrong_argument_to_a_record_is_named(wrong, said):
    from expert import InvalidArgumentError

    with pytest.raises(InvalidArgumentError) as error:
        audit_record(expert.consult(FACTS), **wrong)
    assert str(error.value) == said


def test_the_knowledge_base_hash_names_a_wrong_argument():
    from expert import InvalidArgumentError
    from expert.audit.record import knowledge_base_hash

    with pytest.raises(InvalidArgumentError) as error:
        knowledge_base_hash("rules/kb")
    assert str(error.value) == "kb: expected a KnowledgeBase, got a str"
