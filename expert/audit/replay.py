"""Reading an audit log back: replaying its consultations, and counting which rules fired."""

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from expert.util.arguments import instance_argument, path_argument
from expert.audit.log import (
    AuditRecord,
    CaseCheck,
    audit_record,
    check_case_hash,
    consultations,
    knowledge_base_hash,
    read_lines,
    read_records,
)
from expert.errors import InvalidFactError
from expert.audit.keys import CaseKey
from expert.engine.session import consult
from expert.rules.knowledge import KnowledgeBase, default_knowledge_base

ReplayStatus = Literal["identical", "different", "other_knowledge_base", "no_facts", "invalid_facts"]


class ReplayResult(BaseModel):
    """What re-running one record gave: identical, what differs, or why it was not re-run.

    `case_hash` says whether the record's facts were checked against its case hash: `matches`;
    `no_key` or `other_key` when it is keyed and the key given is missing or another (the facts
    are replayed, but nothing shows they are the ones recorded); `none` when it has none, or the
    record was not replayed.
    """

    model_config = ConfigDict(frozen=True)

    record: int  # 1-based position in the log
    status: ReplayStatus
    differences: list[str] = []
    case_hash: CaseCheck = "none"

    @property
    def failed(self) -> bool:
        """True only when the engine, re-run on the same facts and knowledge base, did otherwise."""
        return self.status in ("different", "invalid_facts")

    @property
    def checked(self) -> bool:
        """True when the record was replayed and nothing about it was left unchecked."""
        return self.status == "identical" and self.case_hash not in ("no_key", "other_key")


def _describe(firing) -> str:
    concluded = ", ".join(link.id for link in firing.concluded) or "nothing"
    matched = ", ".join(link.id for link in firing.matched)
    return f"{firing.rule} on {matched} concluding {concluded}"


def compare_firings(recorded: AuditRecord, replayed: AuditRecord) -> list[str]:
    """One line per difference between two records' firings (empty when they are identical)."""
    differences = []
    if recorded.case != replayed.case:
        differences.append(f"case hash: recorded {recorded.case[:12]}…, facts now hash to {replayed.case[:12]}…")
    for position, (old, new) in enumerate(zip(recorded.firings, replayed.firings), start=1):
        if old != new:
            before, after = _describe(old), _describe(new)
            if before == after:
                fields = [name for name in type(old).model_fields if getattr(old, name) != getattr(new, name)]
                after += f" (its {', '.join(fields)} differ)"
            differences.append(f"firing {position}: recorded {before}; replayed {after}")
    if len(recorded.firings) != len(replayed.firings):
        longer = recorded.firings if len(recorded.firings) > len(replayed.firings) else replayed.firings
        extra = ", ".join(f.rule for f in longer[min(len(recorded.firings), len(replayed.firings)) :])
        differences.append(
            f"recorded {len(recorded.firings)} firings, replayed {len(replayed.firings)} "
            f"({'only recorded' if longer is recorded.firings else 'only replayed'}: {extra})"
        )
    return differences


def replay_record(record: AuditRecord, position: int, kb: KnowledgeBase, case_key: CaseKey | None = None) -> ReplayResult:
    """Re-run one record's facts and compare what fires with what it recorded."""
    if record.facts is None:
        return ReplayResult(record=position, status="no_facts")
    current = knowledge_base_hash(kb)
    if record.knowledge_base != current:
        return ReplayResult(
            record=position,
            status="other_knowledge_base",
            differences=[f"made under knowledge base {record.knowledge_base[:12]}…, now {current[:12]}…"],
        )
    check = check_case_hash(record, case_key)
    if check == "differs":
        return ReplayResult(
            record=position, status="different", differences=["its facts do not match its case hash"], case_hash=check
        )
    try:
        report = consult(record.facts, knowledge_base=kb)
    except InvalidFactError as exc:
        return ReplayResult(record=position, status="invalid_facts", differences=exc.problems, case_hash=check)
    # The facts as the engine took them now must hash as they did, under the same scheme; where
    # that cannot be told (no key, or no case hash), only the firings are compared.
    keyed = record.scheme == "hmac-sha256"
    replayed = audit_record(report, knowledge_base=kb, include_facts=True, case_key=case_key if keyed else None)
    if check != "matches":
        replayed = replayed.model_copy(update={"case": record.case})
    differences = compare_firings(record, replayed)
    status = "different" if differences else "identical"
    return ReplayResult(record=position, status=status, differences=differences, case_hash=check)


def replay_log(
    path: str | Path, *, knowledge_base: KnowledgeBase | None = None, case_key: CaseKey | None = None
) -> list[ReplayResult]:
    """Re-run every record of a log that holds its facts; one result per record, in log order.

    `case_key` is the key the case hashes were made with (`expert.CaseKey.read(FILE)`); without it
    a keyed case hash cannot be checked, and each such result says so (`case_hash="no_key"`).
    Signature records are not consultations and give no result.
    """
    path = path_argument(path, "path")
    kb = instance_argument(knowledge_base, "knowledge_base", KnowledgeBase, "a KnowledgeBase", optional=True)
    instance_argument(case_key, "case_key", CaseKey, "a CaseKey", optional=True)
    kb = kb or default_knowledge_base()
    return [replay_record(record, i, kb, case_key) for i, record in consultations(path, read_lines(path))]


class RuleCount(BaseModel):
    """How often one rule fired across a log."""

    model_config = ConfigDict(frozen=True)

    rule: str
    firings: int  # every firing
    records: int  # consultations in which it fired at least once
    in_knowledge_base: bool  # False for a rule the current knowledge base no longer has


class LogStats(BaseModel):
    """How often each rule fired in a log, and which rules of the knowledge base never fired."""

    model_config = ConfigDict(frozen=True)

    records: int
    firings: int
    knowledge_bases: list[str]  # the knowledge-base hashes the records were made under
    fired: list[RuleCount]  # most firings first
    never_fired: list[str]  # rules of the current knowledge base, in its order


def log_stats(path: str | Path, *, knowledge_base: KnowledgeBase | None = None) -> LogStats:
    """Count firings per rule over a log, against the rules of the current knowledge base."""
    path = path_argument(path, "path")
    kb = instance_argument(knowledge_base, "knowledge_base", KnowledgeBase, "a KnowledgeBase", optional=True)
    kb = kb or default_knowledge_base()
    records = read_records(path)
    firings: dict[str, int] = {}
    consultations: dict[str, int] = {}
    for record in records:
        for firing in record.firings:
            firings[firing.rule] = firings.get(firing.rule, 0) + 1
        for rule in {f.rule for f in record.firings}:
            consultations[rule] = consultations.get(rule, 0) + 1
    known = {rule.id for rule in kb.rules}
    fired = [
        RuleCount(rule=r, firings=n, records=consultations[r], in_knowledge_base=r in known)
        for r, n in sorted(firings.items(), key=lambda item: (-item[1], item[0]))
    ]
    return LogStats(
        records=len(records),
        firings=sum(firings.values()),
        knowledge_bases=list(dict.fromkeys(r.knowledge_base for r in records)),
        fired=fired,
        never_fired=[rule.id for rule in kb.rules if rule.id not in firings],
    )
