"""Audit records: one tamper-evident JSON Lines record per consultation, chained by SHA-256.

A record says which rules fired, in what order, on which facts, citing which sentences, under
which knowledge base (a hash of its rules and documents) and which versions of the software.
Each record carries the hash of the record before it, so that changing, deleting, inserting or
reordering a record breaks the chain at a place `verify_log` names. With the case's facts in it
(`include_facts=True`; they may be personal health data) a record can also be replayed.
"""

import hashlib
import importlib.metadata
import json
import platform
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from expert.errors import AuditError
from expert.report import Report
from rules.knowledge import KnowledgeBase, default_knowledge_base

RECORD_FORMAT = 1
# The `prev` of a log's first record: there is no record before it.
GENESIS = "0" * 64


def canonical_json(data: Any) -> str:
    """The one text of a JSON value that is hashed: sorted keys, no whitespace, UTF-8 as is."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


@lru_cache(maxsize=16)
def knowledge_base_hash(kb: KnowledgeBase) -> str:
    """The hash of what decides a consultation: the rules (parsed, in order) and the documents' text.

    The coverage ledger is left out: it says which sentences no rule encodes and changes nothing
    a consultation does.
    """
    return sha256(
        {
            "rules": [rule.model_dump(mode="json") for rule in kb.rules],
            "documents": {doc_id: doc.text for doc_id, doc in sorted(kb.documents.items())},
        }
    )


def case_hash(facts: list[dict]) -> str:
    """The hash of a case: its facts in the order told, without fields left unset."""
    return sha256([_drop_none(f) for f in facts])


def _drop_none(fact: dict) -> dict:
    return {k: v for k, v in fact.items() if v is not None}


class Versions(BaseModel):
    """The software a record was made with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    expert: str
    experta: str
    python: str


@lru_cache(maxsize=1)
def current_versions() -> Versions:
    return Versions(
        expert=importlib.metadata.version("expert"),
        experta=importlib.metadata.version("experta"),
        python=platform.python_version(),
    )


class FactLink(BaseModel):
    """A fact a firing matched or concluded: the person's (`u…`) or a firing's (`d…`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    origin: Literal["user", "rule"]
    kind: str
    # A derived finding's content (name, about, basis); the person's own facts are not repeated.
    finding: dict[str, str] | None = None
    derived_by: int | None = None


class Citation(BaseModel):
    """A sentence a firing cites."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document: str
    quote: str


class FiringRecord(BaseModel):
    """One firing as the audit log keeps it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int
    rule: str
    matched: list[FactLink]
    bindings: dict[str, str]
    concluded: list[FactLink]
    citations: list[Citation]


class AuditRecord(BaseModel):
    """One consultation in the audit log. `seq`, `prev` and `hash` are set when it is appended."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: int = RECORD_FORMAT
    seq: int | None = None
    prev: str | None = None
    time: str
    versions: Versions
    knowledge_base: str
    case: str
    case_file: str | None = None
    firings: list[FiringRecord]
    facts: list[dict[str, Any]] | None = None
    hash: str | None = None

    def body(self) -> dict:
        """Everything the record's hash covers: the whole record but the hash itself."""
        return self.model_dump(mode="json", exclude={"hash"})

    def compute_hash(self) -> str:
        return sha256(self.body())

    def line(self) -> str:
        """The record as it is written: one line of canonical JSON."""
        return canonical_json(self.model_dump(mode="json"))


def _link(ref) -> FactLink:
    finding = {k: v for k, v in ref.fact.items() if k != "kind" and v is not None} if ref.origin == "rule" else None
    return FactLink(id=ref.id, origin=ref.origin, kind=ref.kind, finding=finding, derived_by=ref.derived_by)


def firing_records(report: Report) -> list[FiringRecord]:
    """A report's trace as the audit log keeps it: every firing in order, with its citations."""
    return [
        FiringRecord(
            number=f.number,
            rule=f.rule,
            matched=[_link(r) for r in f.matched],
            bindings=dict(f.bindings),
            concluded=[_link(r) for r in f.concluded],
            citations=[Citation(document=s.document, quote=s.quote) for s in f.sources],
        )
        for f in report.fired
    ]


def audit_record(
    report: Report,
    *,
    knowledge_base: KnowledgeBase | None = None,
    include_facts: bool = False,
    case_file: str | None = None,
    time: datetime | None = None,
) -> AuditRecord:
    """The audit record of a consultation (not yet chained: `append_records` seals it).

    The case file's name goes in only with the facts: a name like `jane-doe.json` is personal too.
    Without them the case hash still ties the record to its file.
    """
    kb = knowledge_base or default_knowledge_base()
    facts = [_drop_none(r.fact) for r in report.facts]
    moment = (time or datetime.now(UTC)).astimezone(UTC)
    return AuditRecord(
        time=moment.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        versions=current_versions(),
        knowledge_base=knowledge_base_hash(kb),
        case=case_hash(facts),
        case_file=case_file if include_facts else None,
        firings=firing_records(report),
        facts=facts if include_facts else None,
    )


def seal(record: AuditRecord, previous: AuditRecord | None) -> AuditRecord:
    """The record chained after `previous` (None for a log's first): numbered, linked and hashed."""
    unsealed = record.model_copy(
        update={
            "seq": previous.seq + 1 if previous else 1,
            "prev": previous.hash if previous else GENESIS,
            "hash": None,
        }
    )
    return unsealed.model_copy(update={"hash": unsealed.compute_hash()})


def _last_line(handle) -> bytes | None:
    """A log's last line without its newline, read from the end; None for an empty log.

    Only one final newline is taken off: a log that ends in a blank line ends in no record.
    """
    handle.seek(0, 2)
    position, tail = handle.tell(), b""
    while position > 0:
        step = min(4096, position)
        position -= step
        handle.seek(position)
        tail = handle.read(step) + tail
        body = tail.removesuffix(b"\n")
        if b"\n" in body:
            return body.rsplit(b"\n", 1)[1]
    return tail.removesuffix(b"\n") if tail else None


def append_records(path: str | Path, records: list[AuditRecord]) -> list[AuditRecord]:
    """Append records to a log, continuing its chain; return them sealed.

    The log is locked while it is read and written, so that two writers cannot fork the chain.
    Its last record must be intact (its hash must match), or nothing is appended.
    """
    import fcntl  # POSIX only: imported here so that the rest of the library works everywhere

    path = Path(path)
    sealed = []
    try:
        handle = open(path, "a+b")
    except OSError as exc:
        raise AuditError(f"{path}: cannot be written: {exc.strerror or exc}") from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            line = _last_line(handle)
            previous = None
            if line is not None:
                try:
                    previous = AuditRecord.model_validate_json(line)
                except ValidationError as exc:
                    raise AuditError(
                        f"{path}: the last line is not an audit record; not appending (run `expert audit verify`)"
                    ) from exc
                if previous.hash != previous.compute_hash() or previous.seq is None:
                    raise AuditError(
                        f"{path}: the last record does not match its hash; run `expert audit verify` "
                        "before appending"
                    )
            for record in records:
                previous = seal(record, previous)
                sealed.append(previous)
            # A sound log whose last record lost its newline (an editor, a copy) gets it back,
            # so that the first new record is not glued onto it.
            separator = b""
            if line is not None:
                handle.seek(-1, 2)
                separator = b"" if handle.read(1) == b"\n" else b"\n"
            handle.write(separator + "".join(r.line() + "\n" for r in sealed).encode("utf-8"))
            handle.flush()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return sealed


class Verification(BaseModel):
    """The outcome of verifying a log: sound, or the first record that fails and why."""

    model_config = ConfigDict(frozen=True)

    records: int  # how many records were read before the first failure (all of them if sound)
    head: str | None  # the hash of the last sound record: note it to detect a truncated log later
    failed_record: int | None = None  # 1-based position in the file of the first record that fails
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _record_problem(
    raw: bytes, position: int, previous: AuditRecord | None, seen: dict[str, int]
) -> tuple[str | None, AuditRecord | None]:
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
        record = AuditRecord.model_validate_json(line)
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
    return None, record


def verify_lines(lines: list[bytes], *, expected_head: str | None = None) -> Verification:
    """Check a log's lines: each record canonical, matching its hash, numbered and linked to the last."""
    previous: AuditRecord | None = None
    seen: dict[str, int] = {}
    for position, raw in enumerate(lines, start=1):
        problem, record = _record_problem(raw, position, previous, seen)
        if problem is not None:
            return Verification(
                records=position - 1,
                head=previous.hash if previous else None,
                failed_record=position,
                problem=f"record {position}: {problem}",
            )
        seen[record.hash] = position
        previous = record
    head = previous.hash if previous else None
    if expected_head is not None and head != expected_head:
        return Verification(
            records=len(lines),
            head=head,
            failed_record=len(lines) + 1,
            problem=f"the log ends at {head or 'no record'}, not at the expected head {expected_head}: "
            "records were removed from its end",
        )
    return Verification(records=len(lines), head=head)


def read_lines(path: str | Path) -> list[bytes]:
    """The lines of a log file, as bytes; AuditError if it cannot be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AuditError(f"{path}: no such file") from None
    except OSError as exc:
        raise AuditError(f"{path}: cannot be read: {exc}") from exc
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def verify_log(path: str | Path, *, expected_head: str | None = None) -> Verification:
    """Verify a log file's chain; `expected_head` (a hash noted earlier) also detects a cut-off end."""
    return verify_lines(read_lines(path), expected_head=expected_head)


def read_records(path: str | Path) -> list[AuditRecord]:
    """The records of a log, without verifying the chain; AuditError naming a record that cannot be read."""
    records = []
    for position, line in enumerate(read_lines(path), start=1):
        try:
            records.append(AuditRecord.model_validate_json(line))
        except (ValidationError, UnicodeDecodeError) as exc:
            raise AuditError(f"{path}: record {position}: not an audit record; run `expert audit verify`") from exc
    return records
