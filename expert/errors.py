"""The one exception family of the library: every error it raises is an ExpertError."""


class ExpertError(Exception):
    """Base of every error the library raises on purpose."""


class InvalidFactError(ExpertError):
    """A fact or case file is malformed; `problems` holds one line per fault, each naming the field."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class FactConflictError(InvalidFactError):
    """A fact answers a question already answered differently; retract the first one to change it."""


class UnknownFactError(ExpertError):
    """A fact id was given that the session does not hold."""


class InvalidKnowledgeBaseError(ExpertError):
    """The rule files, citations or ledger are not sound; `problems` lists each fault."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class InvalidArgumentError(ExpertError):
    """A library function was given an argument of the wrong kind; the message names it and what is accepted."""


class FiringLimitError(ExpertError):
    """The rules fired more times than the cap allows: a runaway loop in the knowledge base."""


class AuditError(ExpertError):
    """An audit log or one of its keys cannot be read or written, or a batch names no case file."""
