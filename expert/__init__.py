"""A source-cited expert system on muscle twitching from vitamin and mineral imbalances.

    >>> import expert
    >>> report = expert.consult([{"kind": "nutrient_level", "nutrient": "vitamin_d", "level": "low"}])
    >>> report.conclusion("vitamin_d.impairs_calcium_absorption").sources[0].quote
    'Vitamin D is crucial for the absorption of calcium from the digestive tract.'
    >>> report.conclusion("vitamin_d.impairs_calcium_absorption").because[0].text
    'deficiency: vitamin D (tested)'
"""

import os as _os

# The repository keeps the vocabulary (facts/) and the knowledge base (rules/) as top-level folders,
# and the wheel installs them inside this package as expert.facts and expert.rules (pyproject.toml,
# [tool.hatch.build.targets.wheel.sources]), so that an install adds one top-level name. Run from a
# checkout, they are found beside this folder instead.
if not _os.path.isdir(_os.path.join(_os.path.dirname(__file__), "facts")):
    __path__.append(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))))

from expert.engine._quiet import enable_engine_logging  # importing it keeps experta from configuring logging
from expert.audit.log import (
    AuditRecord,
    SignatureRecord,
    Verification,
    append_records,
    audit_record,
    knowledge_base_hash,
    verify_log,
)
from expert.audit.diff import GainedConclusion, LogDiff, LostConclusion, RecordDiff, diff_log
from expert.errors import (
    AuditError,
    ExpertError,
    FactConflictError,
    FiringLimitError,
    InvalidArgumentError,
    InvalidFactError,
    InvalidKnowledgeBaseError,
    UnknownFactError,
)
from expert.audit.keys import CaseKey, PublicKey, SigningKey
from expert.kb.check import CheckResult, check_knowledge_base
from expert.explain.proof import Proof, proof_trees
from expert.audit.replay import LogStats, ReplayResult, log_stats, replay_log
from expert.engine.report import DISCLAIMER, Conclusion, Report
from expert.engine.session import RunResult, Session, consult, parse_fact
from expert.engine.trace import FactRef, Firing, Source
from expert.console.interview import Interview, Outcome
from expert.console.questions import AnswerError, Question
from expert.explain.summary import Summary, summarise

__all__ = [
    "DISCLAIMER",
    "AnswerError",
    "Interview",
    "Outcome",
    "Question",
    "Summary",
    "summarise",
    "AuditError",
    "AuditRecord",
    "CaseKey",
    "CheckResult",
    "Conclusion",
    "ExpertError",
    "FactConflictError",
    "FactRef",
    "Firing",
    "FiringLimitError",
    "GainedConclusion",
    "InvalidArgumentError",
    "InvalidFactError",
    "InvalidKnowledgeBaseError",
    "LogDiff",
    "LogStats",
    "LostConclusion",
    "Proof",
    "PublicKey",
    "RecordDiff",
    "ReplayResult",
    "Report",
    "RunResult",
    "Session",
    "SignatureRecord",
    "SigningKey",
    "Source",
    "UnknownFactError",
    "Verification",
    "append_records",
    "audit_record",
    "check_knowledge_base",
    "consult",
    "diff_log",
    "enable_engine_logging",
    "knowledge_base_hash",
    "log_stats",
    "parse_fact",
    "proof_trees",
    "replay_log",
    "verify_log",
]
