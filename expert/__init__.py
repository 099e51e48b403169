"""A source-cited expert system on muscle twitching from vitamin and mineral imbalances.

    >>> import expert
    >>> report = expert.consult([{"kind": "nutrient_level", "nutrient": "vitamin_d", "level": "low"}])
    >>> report.conclusions[0].sources[0].document
    'vitamins'
"""

from expert import _quiet  # noqa: F401  (keeps experta from configuring logging)
from expert.errors import (
    ExpertError,
    FactConflictError,
    FiringLimitError,
    InvalidFactError,
    InvalidKnowledgeBaseError,
    UnknownFactError,
)
from expert.report import DISCLAIMER, Conclusion, Report
from expert.session import RunResult, Session, consult, parse_fact
from expert.trace import FactRef, Firing, Source

__all__ = [
    "DISCLAIMER",
    "Conclusion",
    "ExpertError",
    "FactConflictError",
    "FactRef",
    "Firing",
    "FiringLimitError",
    "InvalidFactError",
    "InvalidKnowledgeBaseError",
    "Report",
    "RunResult",
    "Session",
    "Source",
    "UnknownFactError",
    "consult",
    "parse_fact",
]
