"""Audit logs: one tamper-evident JSON Lines record per consultation, chained by SHA-256.

Each record carries the hash of the record before it, so that changing, deleting, inserting or
reordering a record breaks the chain at a place `verify_log` names. With the case's facts in it
(`include_facts=True`; they may be personal health data) a record can also be replayed. A
signature record (Ed25519) after a batch signs the head, so that a log rewritten with recomputed
hashes fails `verify_log(..., public_key=...)`.

A batch is appended whole or not at all, under an exclusive lock; readers take a shared lock,
so that they never see a batch half written. A batch of any size is gathered in an `AuditBatch`,
which keeps its records in an unnamed temporary file beside the log rather than in memory, and
appends them in one locked write at the end. What each record holds is `expert.audit.record`.
"""

import errno
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from expert.util.arguments import given, instance_argument, path_argument
from expert.audit.record import (  # noqa: F401  (re-exported: the audit API is this module's)
    GENESIS,
    RECORD_FORMAT,
    AuditRecord,
    CaseCheck,
    Entry,
    FiringRecord,
    SignatureRecord,
    audit_record,
    canonical_json,
    case_hash,
    sha256,
    check_case_hash,
    firing_records,
    knowledge_base_hash,
    parse_entry,
    seal,
    sign_head,
)
from expert.errors import AuditError, InvalidArgumentError
from expert.util.files import FileFault, not_regular, open_regular, read_regular
from expert.audit.keys import PublicKey, SigningKey

# A log is read whole; more than this is refused rather than read into memory.
MAX_LOG_BYTES = 1_000_000_000
# A batch is written to the log in pieces of about this size (what it holds in memory while it is written).
_WRITE_CHUNK = 1 << 16


def _last_line(fd: int, size: int) -> bytes | None:
    """A log's last line without its newline, read from the end; None for an empty log.

    Only one final newline is taken off: a log that ends in a blank line ends in no record.
    """
    position, tail = size, b""
    while position > 0:
        step = min(65536, position)
        position -= step
        tail = os.pread(fd, step, position) + tail
        body = tail.removesuffix(b"\n")
        if b"\n" in body:
            return body.rsplit(b"\n", 1)[1]
    return tail.removesuffix(b"\n") if tail else None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return type(exc).__name__


class _Appender:
    """Appends bytes to a log in pieces, then makes them durable; or cuts the log back to `size`.

    Whatever stops the batch (a full disk, a file-size limit, an I/O error, Ctrl-C, a fault while
    sealing) the log is left exactly as it was, so that a batch is appended whole or not at all.
    The caller holds the exclusive lock, so no reader sees the batch half written.
    """

    def __init__(self, fd: int, size: int, path: Path):
        self.fd, self.size, self.path = fd, size, path
        self._pending: list[bytes] = []
        self._held = 0

    def write(self, data: bytes) -> None:
        self._pending.append(data)
        self._held += len(data)
        if self._held >= _WRITE_CHUNK:
            self._flush()

    def _flush(self) -> None:
        view = memoryview(b"".join(self._pending))
        self._pending, self._held = [], 0
        while view:
            written = os.write(self.fd, view)
            if written <= 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            view = view[written:]

    def finish(self) -> None:
        self._flush()
        os.fsync(self.fd)

    def cut_back(self, exc: BaseException) -> None:
        """After `exc` stopped the batch: the log back to where it was, and the error to raise."""
        try:
            os.ftruncate(self.fd, self.size)
        except OSError as cut:
            raise AuditError(
                f"{self.path}: cannot be written: {_reason(exc)}; and the log could not be cut back to where it "
                f"was ({_reason(cut)}): it may end in a partial record, run `expert audit verify`"
            ) from exc
        if isinstance(exc, OSError):
            raise AuditError(
                f"{self.path}: cannot be written: {_reason(exc)}; nothing of this batch was written, the log is as it was"
            ) from exc


def _seal_body(body: dict, seq: int, prev: str) -> tuple[bytes, str]:
    """A record's JSON form (`model_dump(mode="json")`) chained after `prev` as record `seq`: its
    line and its hash, exactly as `seal` and `line` make them from the model (tests/test_audit_memory.py
    checks this), without building the model again."""
    body = {**body, "seq": seq, "prev": prev}
    body.pop("hash", None)
    digest = sha256(body)
    body["hash"] = digest
    return canonical_json(body).encode("utf-8"), digest


@dataclass(frozen=True)
class Appended:
    """What one batch added to a log: its records' numbers, their firings, and the new head."""

    records: int  # consultation records appended
    firings: int
    first: int | None  # the seq of the first record appended (None when none was)
    last: int | None  # the seq of the last consultation record appended
    head: str | None  # the hash of the log's last record now (a signature record, if one was added)
    signature: int | None = None  # the seq of the signature record that follows the batch


def _records_argument(records) -> list[AuditRecord]:
    if isinstance(records, (str, bytes, dict, AuditRecord)) or not hasattr(records, "__iter__"):
        raise InvalidArgumentError(f"records: expected a list of AuditRecord (from audit_record), got {given(records)}")
    records = list(records)
    for index, record in enumerate(records):
        if not isinstance(record, AuditRecord):
            raise InvalidArgumentError(
                f"records[{index}]: expected an AuditRecord (from audit_record), got {given(record)}"
            )
    return records


def _previous(path: Path, line: bytes | None) -> Entry | None:
    """The record a new one is chained after; AuditError if the log's last line is not a sound record."""
    if line is None:
        return None
    try:
        previous = parse_entry(line)
    except ValidationError as exc:
        raise AuditError(
            f"{path}: the last line is not an audit record; not appending (run `expert audit verify`)"
        ) from exc
    if previous.hash != previous.compute_hash() or previous.seq is None:
        raise AuditError(
            f"{path}: the last record does not match its hash; run `expert audit verify` before appending"
        )
    return previous


def check_appendable(path: str | Path) -> None:
    """AuditError if `path` could not be an audit log: not a regular file, or in no folder."""
    path = Path(path)
    problem = not_regular(path)
    if problem is None and not path.exists() and not path.parent.is_dir():
        problem = "No such file or directory"
    if problem is not None:
        raise AuditError(f"{path}: cannot be written: {problem}")


def append_records(
    path: str | Path, records: list[AuditRecord], *, signing_key: SigningKey | None = None
) -> list[Entry]:
    """Append records to a log, continuing its chain; return them sealed.

    The log is locked while it is read and written, so that two writers cannot fork the chain.
    Its last record must be intact (its hash must match), or nothing is appended. With
    `signing_key`, a signature record of the new head follows them, in the same write. The write
    is whole or nothing: on any failure the log is cut back to what it was, under the same lock.
    A new log is made readable by its owner only (records may hold health data). For a batch too
    large to hold in memory, gather it in an `AuditBatch`.
    """
    path = path_argument(path, "path")
    records = _records_argument(records)
    instance_argument(signing_key, "signing_key", SigningKey, "a SigningKey", optional=True)
    lines: list[bytes] = []
    _append(path, (record.model_dump(mode="json") for record in records), signing_key, lines.append)
    return [parse_entry(line) for line in lines]


def _append(path: Path, bodies: Iterable[dict], signing_key: SigningKey | None, sealed=None) -> Appended:
    """Seal records (their JSON form) after a log's last one and append them, with a signature of the
    new head if `signing_key` is given, in one write under the exclusive lock; `sealed` is given
    each line written."""
    import fcntl  # POSIX only: imported here so that the rest of the library works everywhere

    try:
        fd = open_regular(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    except FileFault as exc:
        raise AuditError(f"{path}: cannot be written: {exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        line = _last_line(fd, size)
        previous = _previous(path, line)
        seq, head = (previous.seq, previous.hash) if previous is not None else (0, GENESIS)
        first, records, firings, last_line, signature = seq + 1, 0, 0, None, None
        appender = _Appender(fd, size, path)
        try:
            # A sound log whose last record lost its newline (an editor, a copy) gets it back,
            # so that the first new record is not glued onto it.
            if line is not None and os.pread(fd, 1, size - 1) != b"\n":
                appender.write(b"\n")
            for body in bodies:
                seq += 1
                last_line, head = _seal_body(body, seq, head)
                appender.write(last_line + b"\n")
                records += 1
                firings += len(body.get("firings") or ())
                if sealed is not None:
                    sealed(last_line)
            newest = previous if last_line is None or signing_key is None else parse_entry(last_line)
            if signing_key is not None and newest is not None:
                signed = sign_head(newest, signing_key)
                seq, head, signature = signed.seq, signed.hash, signed.seq
                appender.write(signed.line().encode("utf-8") + b"\n")
                if sealed is not None:
                    sealed(signed.line().encode("utf-8"))
            if records or signature is not None:
                appender.finish()
        except BaseException as exc:
            appender.cut_back(exc)
            raise
    finally:
        os.close(fd)  # closing releases the lock
    if not records:
        first = None
    return Appended(records, firings, first, first + records - 1 if records else None,
                    head if records or signature else (previous.hash if previous else None), signature)


class AuditBatch:
    """Records gathered for one append to a log, held on disk instead of in memory.

    `add` writes each record (not yet chained) to an unnamed temporary file in the log's folder
    (else the system's temporary folder), readable by its owner only and gone when the batch is
    closed, whatever happens; `append` then seals them after the log's last record and appends
    them in one write under the log's lock, whole or not at all, as `append_records` does. Memory
    stays the same whatever the number of records.

        with AuditBatch("audit.jsonl") as batch:
            for report in reports:
                batch.add(audit_record(report))
            appended = batch.append()
    """

    def __init__(self, log: str | Path):
        self.log = path_argument(log, "log")
        self.records = 0
        self.firings = 0
        self._file = None
        self._appended = False

    def _spill(self):
        if self._file is None:
            try:
                self._file = tempfile.TemporaryFile(dir=self.log.parent, prefix=f".{self.log.name}.")
            except OSError:
                self._file = tempfile.TemporaryFile(prefix="expert-audit-")
        return self._file

    def add(self, record: AuditRecord) -> None:
        """Keep one more record of the batch, in the order the records are to be appended."""
        if not isinstance(record, AuditRecord):
            raise InvalidArgumentError(f"record: expected an AuditRecord (from audit_record), got {given(record)}")
        if self._appended:
            raise InvalidArgumentError("record: this batch was appended already; start a new AuditBatch")
        try:
            self._spill().write(record.line().encode("utf-8") + b"\n")
        except OSError as exc:
            raise AuditError(
                f"{self.log}: cannot be written: {_reason(exc)} (while the batch was held in a temporary file); "
                "nothing of this batch was written, the log is as it was"
            ) from exc
        self.records += 1
        self.firings += len(record.firings)

    def _bodies(self) -> Iterator[dict]:
        spill = self._file
        if spill is None:
            return
        spill.seek(0)
        for line in spill:
            yield json.loads(line)

    def append(self, *, signing_key: SigningKey | None = None) -> Appended:
        """Append the batch to the log, chained after its last record (and signed with `signing_key`)."""
        instance_argument(signing_key, "signing_key", SigningKey, "a SigningKey", optional=True)
        if self._appended:
            raise InvalidArgumentError("this batch was appended already; start a new AuditBatch")
        if self._file is not None:
            try:
                self._file.flush()
            except OSError as exc:
                raise AuditError(
                    f"{self.log}: cannot be written: {_reason(exc)} (while the batch was held in a temporary "
                    "file); nothing of this batch was written, the log is as it was"
                ) from exc
        appended = _append(self.log, self._bodies(), signing_key)
        self._appended = True
        self.close()
        return appended

    def close(self) -> None:
        """Let the batch go (its temporary file with it); nothing is appended."""
        if self._file is not None:
            spill, self._file = self._file, None
            try:
                spill.close()
            except OSError:
                pass  # what it could not flush is thrown away with it (it is closed all the same)

    def __enter__(self) -> "AuditBatch":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Verification(BaseModel):
    """The outcome of verifying a log: sound, or the first record that fails and why.

    Given a public key, also how far the key's signatures vouch for it: `signed_to` is the
    position of the last signature record by that key, and `unsigned` counts the records after
    it, which anyone could have added (a log not signed by the key at all is a `problem`).
    """

    model_config = ConfigDict(frozen=True)

    records: int  # how many records were read before the first failure (all of them if sound)
    head: str | None  # the hash of the last sound record: note it to detect a truncated log later
    failed_record: int | None = None  # 1-based position in the file of the first record that fails
    problem: str | None = None
    signatures: int = 0  # how many of the records read are signature records
    public_key: str | None = None  # the fingerprint of the key the signatures were checked with
    signed_to: int | None = None
    unsigned: int = 0
    other_keys: list[str] = []  # fingerprints of keys that signed records, other than the one given

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def fully_signed(self) -> bool:
        """Sound, and signed by the key given up to its last record."""
        return self.ok and self.public_key is not None and self.unsigned == 0


def _record_problem(
    raw: bytes, position: int, previous: Entry | None, seen: dict[str, int]
) -> tuple[str | None, Entry | None]:
    """What is wrong with one line of a log (None if nothing), and the record it holds.

    `seen` maps the hash of each sound record before this one to its position.
    """
    if not raw.strip():
        return "an empty line, not an audit record", None
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 (a byte was changed)", None
    try:
        record = parse_entry(line)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        return f"not an audit record ({where + ': ' if where else ''}{error['msg']})", None
    if record.hash is None or record.seq is None or record.prev is None:
        return "not sealed (it has no hash, seq or prev)", None
    if record.compute_hash() != record.hash:
        return "its content does not match its hash (the record was changed)", None
    if record.line() != line:
        return "not in canonical form (bytes were changed outside its values)", None
    if record.hash in seen:
        return f"a copy of record {seen[record.hash]}", None
    if record.prev != (previous.hash if previous else GENESIS):
        after = "the start of the log" if previous is None else f"record {position - 1}"
        return f"does not follow {after} (its prev hash differs): a record was deleted, inserted or moved here", None
    if record.seq != position:
        return f"numbered {record.seq}: records were deleted, inserted or reordered", None
    if isinstance(record, SignatureRecord) and position == 1:
        return "a signature of nothing: no record comes before it", None
    return None, record


def verify_lines(
    lines: list[bytes], *, expected_head: str | None = None, public_key: PublicKey | None = None
) -> Verification:
    """Check a log's lines: each record canonical, matching its hash, numbered and linked to the last.

    With `public_key`, every signature record by that key must verify, and at least one must.
    """
    previous: Entry | None = None
    seen: dict[str, int] = {}
    signatures, signed_to, others = 0, None, []
    fingerprint = public_key.fingerprint if public_key is not None else None

    def failed(position: int, problem: str) -> Verification:
        return Verification(
            records=position - 1,
            head=previous.hash if previous else None,
            failed_record=position,
            problem=f"record {position}: {problem}",
            signatures=signatures,
            public_key=fingerprint,
            signed_to=signed_to,
            other_keys=others,
        )

    for position, raw in enumerate(lines, start=1):
        problem, record = _record_problem(raw, position, previous, seen)
        if problem is not None:
            return failed(position, problem)
        if isinstance(record, SignatureRecord):
            signatures += 1
            if public_key is not None and record.key == fingerprint:
                if not public_key.verify(record.signature or "", record.signed_message()):
                    return failed(
                        position,
                        f"its signature does not verify with the key {public_key.short}\u2026: the records "
                        "before it were changed, or the signature was forged",
                    )
                signed_to = position
            elif record.key not in others:
                others.append(record.key)
        seen[record.hash] = position
        previous = record
    head = previous.hash if previous else None
    outcome = {"records": len(lines), "head": head, "signatures": signatures, "public_key": fingerprint}
    outcome |= {"signed_to": signed_to, "other_keys": others}
    if expected_head is not None and head != expected_head:
        return Verification(
            **outcome,
            failed_record=len(lines) + 1,
            problem=f"the log ends at {head or 'no record'}, not at the expected head {expected_head}: "
            "records were removed from its end",
        )
    if public_key is not None and signed_to is None:
        return Verification(
            **outcome,
            problem=f"no record is signed by the key {public_key.short}\u2026: the log was never signed with it, "
            "or its signatures were removed"
            + (f" (it holds signatures by {len(others)} other key{'s' if len(others) > 1 else ''})" if others else ""),
        )
    return Verification(**outcome, unsigned=len(lines) - signed_to if signed_to is not None else 0)


def _log_path(path) -> Path:
    return path_argument(path, "path")


def read_lines(path: str | Path) -> list[bytes]:
    """The lines of a log file, as bytes; AuditError if it cannot be read.

    The log is read under a shared lock, so that a batch being appended is read whole or not at all.
    """
    path = _log_path(path)
    try:
        data = read_regular(path, MAX_LOG_BYTES, what="an audit log", shared_lock=True)
    except FileFault as exc:
        raise AuditError(str(exc)) from None
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def verify_log(
    path: str | Path, *, expected_head: str | None = None, public_key: PublicKey | None = None
) -> Verification:
    """Verify a log file's chain; `expected_head` (a hash noted earlier) also detects a cut-off end.

    With `public_key` (`expert.PublicKey.read("KEYFILE.pub")`), the log must also be signed by
    that key: `signed_to` and `unsigned` say how far. Needs no case-hash key.
    """
    path = _log_path(path)
    instance_argument(expected_head, "expected_head", str, "a hash (str)", optional=True)
    instance_argument(public_key, "public_key", PublicKey, "a PublicKey", optional=True)
    return verify_lines(read_lines(path), expected_head=expected_head, public_key=public_key)


def _entries(path: Path, lines: list[bytes]) -> list[tuple[int, Entry]]:
    entries = []
    for position, line in enumerate(lines, start=1):
        if not line.strip():
            raise AuditError(f"{path}: record {position}: an empty line, not an audit record")
        try:
            entries.append((position, parse_entry(line)))
        except UnicodeDecodeError:
            raise AuditError(f"{path}: record {position}: not an audit record (not UTF-8)") from None
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"])
            reason = f"{where}: {error['msg']}" if where else error["msg"]
            raise AuditError(f"{path}: record {position}: not an audit record ({reason})") from None
    return entries


def consultations(path: Path, lines: list[bytes]) -> list[tuple[int, AuditRecord]]:
    """A log's consultation records with their positions, signatures left out; AuditError naming a bad line."""
    return [(position, entry) for position, entry in _entries(path, lines) if isinstance(entry, AuditRecord)]


def read_records(path: str | Path) -> list[AuditRecord]:
    """The consultation records of a log, without verifying the chain; AuditError naming a record that cannot be read."""
    path = _log_path(path)
    return [record for _, record in consultations(path, read_lines(path))]
