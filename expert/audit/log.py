"""Audit logs: one tamper-evident JSON Lines record per consultation, chained by SHA-256.

Each record carries the hash of the record before it, so that changing, deleting, inserting or
reordering a record breaks the chain at a place `verify_log` names. With the case's facts in it
(`include_facts=True`; they may be personal health data) a record can also be replayed. A
signature record (Ed25519) after a batch signs the head, so that a log rewritten with recomputed
hashes fails `verify_log(..., public_key=...)`.

A batch is appended whole or not at all, under an exclusive lock; readers take a shared lock,
so that they never see a batch half written. What each record holds is `expert.audit.record`.
"""

import errno
import os
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


def _write_whole(fd: int, data: bytes, size: int, path: Path) -> None:
    """Append `data` and make it durable, or cut the file back to `size` and raise.

    Whatever stops the write (a full disk, a file-size limit, an I/O error, Ctrl-C) the log is
    left exactly as it was, so that a batch is appended whole or not at all. The caller holds
    the exclusive lock, so no reader sees the batch half written.
    """
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            if written <= 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            view = view[written:]
        os.fsync(fd)
    except BaseException as exc:
        try:
            os.ftruncate(fd, size)
        except OSError as cut:
            raise AuditError(
                f"{path}: cannot be written: {_reason(exc)}; and the log could not be cut back to where it "
                f"was ({_reason(cut)}): it may end in a partial record, run `expert audit verify`"
            ) from exc
        if isinstance(exc, OSError):
            raise AuditError(
                f"{path}: cannot be written: {_reason(exc)}; nothing of this batch was written, the log is as it was"
            ) from exc
        raise


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
    A new log is made readable by its owner only (records may hold health data).
    """
    import fcntl  # POSIX only: imported here so that the rest of the library works everywhere

    path = path_argument(path, "path")
    records = _records_argument(records)
    instance_argument(signing_key, "signing_key", SigningKey, "a SigningKey", optional=True)
    try:
        fd = open_regular(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    except FileFault as exc:
        raise AuditError(f"{path}: cannot be written: {exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        line = _last_line(fd, size)
        previous = _previous(path, line)
        sealed: list[Entry] = []
        for record in records:
            previous = seal(record, previous)
            sealed.append(previous)
        if signing_key is not None and previous is not None:
            sealed.append(sign_head(previous, signing_key))
        if not sealed:
            return []
        # A sound log whose last record lost its newline (an editor, a copy) gets it back,
        # so that the first new record is not glued onto it.
        separator = b"\n" if line is not None and os.pread(fd, 1, size - 1) != b"\n" else b""
        _write_whole(fd, separator + "".join(r.line() + "\n" for r in sealed).encode("utf-8"), size, path)
    finally:
        os.close(fd)  # closing releases the lock
    return sealed


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
