"""Comparing an audit log with a knowledge base: per record, the conclusions it would gain or lose now.

`replay` asks whether the engine still does exactly what a record says, under the knowledge base
the record was made with. `diff_log` asks the question of a knowledge base that changed: run each
record's facts (records made with `include_facts=True`) under it, and say which conclusions came
and went.

A conclusion, for comparing, is what one firing amounts to whatever else fired: the rule, its
bindings and the content of the findings it concluded. Not the `d…` ids of those findings, which
are numbered in firing order and shift when anything before them changes; not the facts it
matched, whose ids shift in the same way. Both sides are derived alike, from audit records: the
recorded one, and `audit_record` of a consultation of its facts under the knowledge base now.
"""

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

from expert.util.arguments import instance_argument, path_argument
from expert.audit.log import (
    AuditRecord,
    CaseCheck,
    FiringRecord,
    audit_record,
    check_case_hash,
    consultations,
    knowledge_base_hash,
    read_lines,
    verify_lines,
)
from expert.errors import FiringLimitError, InvalidFactError, InvalidKnowledgeBaseError
from expert.audit.keys import CaseKey
from expert.engine.session import consult
from expert.rules.knowledge import KnowledgeBase, KnowledgeBaseError, default_knowledge_base

DiffStatus = Literal["changed", "unchanged", "no_facts", "invalid_facts"]


class DiffConclusion(BaseModel):
    """A conclusion as the diff compares it: a rule, its bindings and what it concluded."""

    model_config = ConfigDict(frozen=True)

    rule: str
    bindings: dict[str, str] = {}
    # The content of each finding it concluded (name, about, basis), in the firing's order.
    concluded: list[dict[str, str]] = []


class GainedConclusion(DiffConclusion):
    """A conclusion the knowledge base reaches now that the record did not."""

    title: str  # the rule's title
    text: str  # the conclusion in plain words, as the consultation now gives it


class LostConclusion(DiffConclusion):
    """A conclusion the record reached that the knowledge base no longer does."""

    in_knowledge_base: bool  # False when the rule itself is gone
    title: str | None = None  # the rule's title now, when it still exists


class RecordDiff(BaseModel):
    """One record of the log: what its facts conclude now against what it recorded."""

    model_config = ConfigDict(frozen=True)

    record: int  # 1-based position in the log
    status: DiffStatus
    made_under: str  # the hash of the knowledge base the record was made under
    case_file: str | None = None  # the case's file name, when the record holds its facts
    lost: list[LostConclusion] = []  # in the record's firing order
    gained: list[GainedConclusion] = []  # in the order they fire now
    problems: list[str] = []  # why its facts were not compared (invalid_facts), one line each
    # Whether its facts were checked against its case hash (see `ReplayResult.case_hash`): when
    # `no_key` or `other_key`, they were compared without knowing they are the ones recorded.
    case_hash: CaseCheck = "none"

    @property
    def compared(self) -> bool:
        return self.status in ("changed", "unchanged")


class KnowledgeBases(BaseModel):
    """The knowledge bases on either side of a diff, by hash."""

    model_config = ConfigDict(frozen=True)

    recorded: list[str]  # those the records were made under, in order of first appearance
    current: str  # the one the records were compared with


class LogDiff(BaseModel):
    """A whole log compared with a knowledge base, one result per record in log order."""

    model_config = ConfigDict(frozen=True)

    records: list[RecordDiff]
    knowledge_base: KnowledgeBases
    # The chain's first failure as `verify_log` words it; None when the log is sound. A broken
    # log is still compared, but what it says was not vouched for.
    broken: str | None = None

    @computed_field
    @property
    def changed(self) -> int:
        return sum(1 for r in self.records if r.status == "changed")

    @computed_field
    @property
    def compared(self) -> int:
        return sum(1 for r in self.records if r.compared)

    @computed_field
    @property
    def not_compared(self) -> int:
        return len(self.records) - self.compared

    @property
    def sound(self) -> bool:
        return self.broken is None


def _frozen(data: dict) -> tuple:
    return tuple(sorted(data.items()))


def _finding(link) -> dict[str, str]:
    return dict(link.finding or {})


def conclusion_key(firing: FiringRecord) -> tuple:
    """What makes two firings the same conclusion, whatever fired before them."""
    findings = tuple(sorted(_frozen(_finding(link)) for link in firing.concluded))
    return (firing.rule, _frozen(firing.bindings), findings)


def conclusions(firings: list[FiringRecord]) -> dict[tuple, FiringRecord]:
    """A record's conclusions, each once, in firing order: by key, the first firing that reached it."""
    out: dict[tuple, FiringRecord] = {}
    for firing in firings:
        out.setdefault(conclusion_key(firing), firing)
    return out


def _lost(firing: FiringRecord, kb: KnowledgeBase) -> LostConclusion:
    try:
        title = kb.rule(firing.rule).title
    except KeyError:
        title = None
    return LostConclusion(
        rule=firing.rule,
        bindings=dict(firing.bindings),
        concluded=[_finding(link) for link in firing.concluded],
        in_knowledge_base=title is not None,
        title=title,
    )


def diff_record(record: AuditRecord, position: int, kb: KnowledgeBase, case_key: CaseKey | None = None) -> RecordDiff:
    """Run one record's facts under `kb` and compare its conclusions with those it recorded."""
    base = {"record": position, "made_under": record.knowledge_base, "case_file": record.case_file}
    if record.facts is None:
        return RecordDiff(status="no_facts", **base)
    base["case_hash"] = check_case_hash(record, case_key)
    if base["case_hash"] == "differs":
        return RecordDiff(
            status="invalid_facts",
            problems=["its facts do not match its case hash: they were changed after it was recorded"],
            **base,
        )
    try:
        report = consult(record.facts, knowledge_base=kb)
    except InvalidFactError as exc:
        return RecordDiff(status="invalid_facts", problems=exc.problems, **base)
    except FiringLimitError as exc:
        raise FiringLimitError(f"record {position}: {exc}") from exc
    now = audit_record(report, knowledge_base=kb, include_facts=True)
    texts = {firing.number: firing.text for firing in report.fired}
    before, after = conclusions(record.firings), conclusions(now.firings)
    lost = [_lost(firing, kb) for key, firing in before.items() if key not in after]
    gained = [
        GainedConclusion(
            rule=firing.rule,
            bindings=dict(firing.bindings),
            concluded=[_finding(link) for link in firing.concluded],
            title=kb.rule(firing.rule).title,
            text=texts[firing.number],
        )
        for key, firing in after.items()
        if key not in before
    ]
    return RecordDiff(status="changed" if lost or gained else "unchanged", lost=lost, gained=gained, **base)


def diff_log(path: str | Path, kb: KnowledgeBase | None = None, *, case_key: CaseKey | None = None) -> LogDiff:
    """Compare every record of a log that holds its facts with what they conclude under `kb` now.

    `kb` defaults to the project's knowledge base. Raises AuditError when the log cannot be read
    or a line of it is not an audit record (before any knowledge base is loaded), and
    InvalidKnowledgeBaseError when the project's knowledge base does not load. A log whose chain
    is broken is compared all the same, with `broken` saying where it breaks. `case_key` is the
    key its case hashes were made with: without it, a keyed case hash is not checked, and each
    such record says so (`case_hash="no_key"`). Signature records are not consultations.
    """
    path = path_argument(path, "path")
    instance_argument(kb, "kb", KnowledgeBase, "a KnowledgeBase", optional=True)
    instance_argument(case_key, "case_key", CaseKey, "a CaseKey", optional=True)
    lines = read_lines(path)
    entries = consultations(path, lines)
    records = [record for _, record in entries]
    verification = verify_lines(lines)
    if kb is None:
        try:
            kb = default_knowledge_base()
        except KnowledgeBaseError as exc:
            raise InvalidKnowledgeBaseError(exc.problems) from exc
    return LogDiff(
        records=[diff_record(record, i, kb, case_key) for i, record in entries],
        knowledge_base=KnowledgeBases(
            recorded=list(dict.fromkeys(r.knowledge_base for r in records)),
            current=knowledge_base_hash(kb),
        ),
        broken=verification.problem,
    )
