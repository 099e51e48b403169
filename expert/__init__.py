"""A source-cited expert system on muscle twitching from vitamin and mineral imbalances.

    >>> import expert
    >>> report = expert.consult([{"kind": "nutrient_level", "nutrient": "vitamin_d", "level": "low"}])
    >>> report.conclusion("vitamin_d.impairs_calcium_absorption").sources[0].quote
    'Vitamin D is crucial for the absorption of calcium from the digestive tract.'
    >>> report.conclusion("vitamin_d.impairs_calcium_absorption").because[0].text
    'deficiency: vitamin D (tested)'

Every public name is imported when it is first used, not by `import expert`: the command line
and the console would otherwise pay, on every start, for pydantic's models, the Rete engine and
the audit trail's cryptography before they could print a line. `from expert import X`,
`expert.X` and `dir(expert)` work as if the names were imported here.
"""

import os as _os

# What typing.TYPE_CHECKING is, without importing typing on every start (mypy and pyright read a
# module's own TYPE_CHECKING the same way).
TYPE_CHECKING = False

# The repository keeps the vocabulary (facts/) and the knowledge base (rules/) as top-level folders,
# and the wheel installs them inside this package as expert.facts and expert.rules (pyproject.toml,
# [tool.hatch.build.targets.wheel.sources]), so that an install adds one top-level name. Run from a
# checkout, they are found beside this folder instead.
if not _os.path.isdir(_os.path.join(_os.path.dirname(__file__), "facts")):
    __path__.append(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))))

# Where each public name lives: the module imported the first time the name is asked for.
_HOME = {
    "enable_engine_logging": "expert.engine._quiet",
    **dict.fromkeys(
        ("AuditRecord", "SignatureRecord", "Verification", "append_records", "audit_record",
         "knowledge_base_hash", "verify_log"),
        "expert.audit.log",
    ),
    **dict.fromkeys(("GainedConclusion", "LogDiff", "LostConclusion", "RecordDiff", "diff_log"), "expert.audit.diff"),
    **dict.fromkeys(
        ("AuditError", "ExpertError", "FactConflictError", "FiringLimitError", "InvalidArgumentError",
         "InvalidFactError", "InvalidKnowledgeBaseError", "UnknownFactError"),
        "expert.errors",
    ),
    **dict.fromkeys(("CaseKey", "PublicKey", "SigningKey"), "expert.audit.keys"),
    **dict.fromkeys(("CheckResult", "check_knowledge_base"), "expert.kb.check"),
    **dict.fromkeys(("Proof", "proof_trees"), "expert.explain.proof"),
    **dict.fromkeys(("LogStats", "ReplayResult", "log_stats", "replay_log"), "expert.audit.replay"),
    **dict.fromkeys(("DISCLAIMER", "Conclusion", "Report"), "expert.engine.report"),
    **dict.fromkeys(("RunResult", "Session", "consult", "parse_fact"), "expert.engine.session"),
    **dict.fromkeys(("FactRef", "Firing", "Source"), "expert.engine.trace"),
    **dict.fromkeys(("Interview", "Outcome"), "expert.console.interview"),
    **dict.fromkeys(("AnswerError", "Question"), "expert.console.questions"),
    **dict.fromkeys(("Summary", "summarise"), "expert.explain.summary"),
}

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

# The folders of the package, reachable as attributes (`expert.audit.log`) once asked for.
_SUBPACKAGES = frozenset(
    ("audit", "cli", "commands", "console", "engine", "errors", "explain", "facts", "kb", "rules", "util")
)


def __getattr__(name: str):
    home = _HOME.get(name)
    if home is not None:
        import importlib

        value = getattr(importlib.import_module(home), name)
        globals()[name] = value  # found once; later look-ups do not come here
        return value
    if name in _SUBPACKAGES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'expert' has no attribute {name!r}")


def __dir__() -> list[str]:
    shown = {name for name in globals() if name.startswith("__") or name in _SUBPACKAGES}
    return sorted(shown | set(__all__))


if TYPE_CHECKING:  # what a type checker and an editor read; nothing here runs
    from expert.audit.diff import GainedConclusion, LogDiff, LostConclusion, RecordDiff, diff_log
    from expert.audit.keys import CaseKey, PublicKey, SigningKey
    from expert.audit.log import (
        AuditRecord,
        SignatureRecord,
        Verification,
        append_records,
        audit_record,
        knowledge_base_hash,
        verify_log,
    )
    from expert.audit.replay import LogStats, ReplayResult, log_stats, replay_log
    from expert.console.interview import Interview, Outcome
    from expert.console.questions import AnswerError, Question
    from expert.engine._quiet import enable_engine_logging
    from expert.engine.report import DISCLAIMER, Conclusion, Report
    from expert.engine.session import RunResult, Session, consult, parse_fact
    from expert.engine.trace import FactRef, Firing, Source
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
    from expert.explain.proof import Proof, proof_trees
    from expert.explain.summary import Summary, summarise
    from expert.kb.check import CheckResult, check_knowledge_base
