"""What one audit record holds, and how it is hashed, keyed, sealed and signed.

A consultation record says which rules fired, in what order, on which facts, citing which
sentences, under which knowledge base (a hash of its rules and documents) and which versions of
the software. Its case hash is keyed (HMAC-SHA256 under a `CaseKey` the auditor keeps), so that
it cannot be reversed by hashing guesses, and the record names the scheme that made it. A
signature record signs the head of the chain with the writer's Ed25519 key. `seal` chains either
kind after the record before it; `expert.audit.log` keeps them in a log.
"""

import hashlib
import importlib.metadata
import json
import platform
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, model_serializer, model_validator

from expert.util.arguments import bool_argument, instance_argument, path_argument
from expert.audit.keys import CaseKey, SigningKey
from expert.engine.report import Report
from expert.rules.knowledge import KnowledgeBase, default_knowledge_base

# 1: the first records (a plain SHA-256 case hash); 2: the case hash names its scheme, and a log
# may hold signature records. Records of both formats verify and replay.
RECORD_FORMAT = 2
# The `prev` of a log's first record: there is no record before it.
GENESIS = "0" * 64

CaseScheme = Literal["sha256", "hmac-sha256"]

def canonical_json(data: Any) -> str:
    """The one text of a JSON value that is hashed: sorted keys, no whitespace, UTF-8 as is."""
    return _CANONICAL.encode(data)


# json.dumps's text for these options, made by one encoder instead of a new one per call, and
# without the check for a value that contains itself: what is hashed comes from a model or from
# JSON, which cannot. Each record is encoded three times on its way into a log.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, check_circular=False)


def sha256(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def knowledge_base_hash(kb: KnowledgeBase) -> str:
    """The hash of what decides a consultation: the rules (parsed, in order) and the documents' text.

    The coverage ledger is left out: it says which sentences no rule encodes and changes nothing
    a consultation does.
    """
    return _knowledge_base_hash(instance_argument(kb, "kb", KnowledgeBase, "a KnowledgeBase"))


@lru_cache(maxsize=16)
def _knowledge_base_hash(kb: KnowledgeBase) -> str:
    return sha256(
        {
            "rules": [rule.model_dump(mode="json") for rule in kb.rules],
            "documents": {doc_id: doc.text for doc_id, doc in sorted(kb.documents.items())},
        }
    )


def case_hash(facts: list[dict], key: CaseKey | None = None) -> str:
    """The hash of a case: its facts in the order told, without fields left unset.

    With a key, HMAC-SHA256 under it (the scheme `hmac-sha256`); without, plain SHA-256 (`sha256`),
    which anyone can recompute from guesses and so is only ever stored beside the facts themselves.
    """
    data = canonical_json([_drop_none(f) for f in facts]).encode("utf-8")
    return key.digest(data) if key is not None else hashlib.sha256(data).hexdigest()


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


class _Sealed(BaseModel):
    """What every line of a log has: its place in the chain and the hash that seals it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: int = RECORD_FORMAT
    seq: int | None = None
    prev: str | None = None
    time: str
    hash: str | None = None

    def body(self) -> dict:
        """Everything the record's hash covers: the whole record but the hash itself."""
        return self.model_dump(mode="json", exclude={"hash"})

    def compute_hash(self) -> str:
        return sha256(self.body())

    def line(self) -> str:
        """The record as it is written: one line of canonical JSON."""
        return canonical_json(self.model_dump(mode="json"))


class AuditRecord(_Sealed):
    """One consultation in the audit log. `seq`, `prev` and `hash` are set when it is appended.

    `case` is the case hash, made by `case_scheme` (`hmac-sha256` under the key named by
    `case_key`, or `sha256`; a record of format 1 names no scheme and used `sha256`). It is None
    in a record made without facts and without a key: a plain hash would give the facts away.
    """

    versions: Versions
    knowledge_base: str
    case: str | None
    # Left out of the record when unset (see _leave_out_unset_scheme): records of format 1 keep their bytes.
    case_scheme: CaseScheme | None = None
    case_key: str | None = None
    case_file: str | None = None
    firings: list[FiringRecord]
    facts: list[dict[str, Any]] | None = None

    @model_validator(mode="after")
    def _scheme_fits(self) -> "AuditRecord":
        if (self.case_scheme == "hmac-sha256") != (self.case_key is not None):
            raise ValueError("case_key names the key of an hmac-sha256 case hash, and only of one")
        if self.format < 2 and (self.case_scheme is not None or self.case is None):
            raise ValueError("a record of format 1 has a plain case hash and names no scheme")
        if self.format >= 2 and (self.case is None) != (self.case_scheme is None):
            raise ValueError("case_scheme names how the case hash was made, and is given only with one")
        return self

    @model_serializer(mode="wrap")
    def _leave_out_unset_scheme(self, handler) -> dict:
        data = handler(self)
        for name in ("case_scheme", "case_key"):
            if name in data and data[name] is None:
                del data[name]
        return data

    @property
    def scheme(self) -> CaseScheme | None:
        """How the case hash was made (None when the record has none)."""
        if self.case is None:
            return None
        return self.case_scheme or "sha256"


class SignatureRecord(_Sealed):
    """A signature of the log's head: its holder vouches for every record up to the one before it.

    `prev` is the head signed; `signature` (Ed25519, base64) covers this record without its
    `signature` and `hash`, so the head, the time and the key's fingerprint together.
    """

    kind: Literal["signature"] = "signature"
    key: str  # the signing key's fingerprint: "ed25519:" and the SHA-256 of the raw public key
    signature: str | None = None

    def signed_message(self) -> bytes:
        return b"expert audit log head\n" + canonical_json(
            self.model_dump(mode="json", exclude={"hash", "signature"})
        ).encode("utf-8")


Entry = AuditRecord | SignatureRecord


def _link(ref) -> dict:
    """A fact a firing matched or concluded, as a FactLink's fields."""
    finding = {k: v for k, v in ref.fact.items() if k != "kind" and v is not None} if ref.origin == "rule" else None
    return {"id": ref.id, "origin": ref.origin, "kind": ref.kind, "finding": finding, "derived_by": ref.derived_by}


def _firings_data(report: Report) -> list[dict]:
    """A report's trace as FiringRecords' fields, for pydantic to build every record of it in one
    validation instead of a model at a time (each checked again by the record holding it)."""
    links: dict[str, dict] = {}  # a fact is in many firings: its link is made once

    def link(ref) -> dict:
        data = links.get(ref.id)
        if data is None:
            links[ref.id] = data = _link(ref)
        return data

    return [
        {
            "number": f.number,
            "rule": f.rule,
            "matched": [link(r) for r in f.matched],
            "bindings": f.bindings,
            "concluded": [link(r) for r in f.concluded],
            "citations": [{"document": s.document, "quote": s.quote} for s in f.sources],
        }
        for f in report.fired
    ]


_FIRING_RECORDS = TypeAdapter(list[FiringRecord])


def firing_records(report: Report) -> list[FiringRecord]:
    """A report's trace as the audit log keeps it: every firing in order, with its citations."""
    return _FIRING_RECORDS.validate_python(_firings_data(report))


def _utc(moment: datetime | None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def audit_record(
    report: Report,
    *,
    knowledge_base: KnowledgeBase | None = None,
    include_facts: bool = False,
    case_file: str | None = None,
    time: datetime | None = None,
    case_key: CaseKey | None = None,
) -> AuditRecord:
    """The audit record of a consultation (not yet chained: `append_records` seals it).

    The case file's name goes in only with the facts: a name like `jane-doe.json` is personal too.
    With `case_key`, the case hash is keyed (`hmac-sha256`): whoever holds the key can tie a record
    made without facts to its file, and nobody else can test guesses against it. Without a key,
    a record with facts gets a plain SHA-256 case hash, and one without facts none at all.
    """
    instance_argument(report, "report", Report, "a Report (from expert.consult)")
    kb = instance_argument(knowledge_base, "knowledge_base", KnowledgeBase, "a KnowledgeBase", optional=True)
    kb = kb or default_knowledge_base()
    bool_argument(include_facts, "include_facts")
    if case_file is not None:
        case_file = str(path_argument(case_file, "case_file"))
    instance_argument(time, "time", datetime, "a datetime", optional=True)
    instance_argument(case_key, "case_key", CaseKey, "a CaseKey", optional=True)
    facts = [_drop_none(r.fact) for r in report.facts]
    if case_key is not None:
        case = {"case": case_hash(facts, case_key), "case_scheme": "hmac-sha256", "case_key": case_key.id}
    elif include_facts:
        case = {"case": case_hash(facts), "case_scheme": "sha256"}
    else:
        case = {"case": None}
    return AuditRecord(
        time=_utc(time),
        versions=current_versions(),
        knowledge_base=knowledge_base_hash(kb),
        case_file=case_file if include_facts else None,
        firings=_firings_data(report),
        facts=facts if include_facts else None,
        **case,
    )


CaseCheck = Literal["matches", "differs", "no_key", "other_key", "none"]


def check_case_hash(record: AuditRecord, key: CaseKey | None) -> CaseCheck:
    """Whether a record's facts still give its case hash: `matches` or `differs`; or why it cannot be told.

    `no_key`: the hash is keyed and no key was given; `other_key`: the key given is not the one it
    was made with; `none`: the record has no case hash (or no facts to hash).
    """
    if record.case is None or record.facts is None:
        return "none"
    if record.scheme == "sha256":
        return "matches" if case_hash(record.facts) == record.case else "differs"
    if key is None:
        return "no_key"
    if key.id != record.case_key:
        return "other_key"
    return "matches" if case_hash(record.facts, key) == record.case else "differs"


def seal(record: Entry, previous: Entry | None) -> Entry:
    """The record chained after `previous` (None for a log's first): numbered, linked and hashed."""
    unsealed = record.model_copy(
        update={
            "seq": previous.seq + 1 if previous else 1,
            "prev": previous.hash if previous else GENESIS,
            "hash": None,
        }
    )
    return unsealed.model_copy(update={"hash": unsealed.compute_hash()})


def sign_head(previous: Entry, key: SigningKey, time: datetime | None = None) -> SignatureRecord:
    """A sealed signature record chained after `previous`, signing it as the log's head."""
    unsigned = SignatureRecord(
        seq=previous.seq + 1, prev=previous.hash, time=_utc(time), key=key.public.fingerprint
    )
    signed = unsigned.model_copy(update={"signature": key.sign(unsigned.signed_message())})
    return signed.model_copy(update={"hash": signed.compute_hash()})


def parse_entry(line: bytes | str) -> Entry:
    """The record on one line of a log, a consultation or a signature; ValidationError if neither.

    A line is taken for a signature only when it fails as a consultation and says it is one, so
    that a broken consultation record is reported with the consultation's own fields.
    """
    try:
        return AuditRecord.model_validate_json(line)
    except ValidationError:
        try:
            claims = json.loads(line)
        except (ValueError, RecursionError):
            claims = None
        if not (isinstance(claims, dict) and claims.get("kind") == "signature"):
            raise
    return SignatureRecord.model_validate_json(line)
