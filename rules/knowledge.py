"""Loading the knowledge base: the rule files, the cited documents and the coverage ledger."""

import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from expert.rules.corpus import Document, Unit, corpus
from expert.rules.schema import Rule

KB_DIR = Path(__file__).parent / "kb"
LEDGER_FILE = Path(__file__).parent / "ledger.toml"


class KnowledgeBaseError(ValueError):
    """The rule files or the ledger are not sound; `problems` holds one line for each fault."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class SetAside(BaseModel):
    """A sentence or table row no rule encodes, with the reason it is set aside."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document: str
    text: str
    reason: str


@dataclass(frozen=True)
class UnitCoverage:
    """How the knowledge base accounts for one sentence or table row."""

    unit: Unit
    rules: tuple[str, ...]  # ids of the rules that cite it
    set_aside: str | None  # the reason, if the ledger sets it aside

    @property
    def accounted_for(self) -> bool:
        return bool(self.rules) or self.set_aside is not None


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """The rules, in file order, with the documents they cite and the ledger of what they leave out."""

    rules: tuple[Rule, ...]
    documents: dict[str, Document]
    ledger: tuple[SetAside, ...]

    @cached_property
    def _by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (KeyError if there is none)."""
        return self._by_id[rule_id]

    def coverage(self) -> tuple[UnitCoverage, ...]:
        """Every unit of both documents with the rules citing it and the ledger's reason, if any."""
        out = []
        for doc in self.documents.values():
            for unit in doc.units():
                citing = tuple(
                    rule.id
                    for rule in self.rules
                    if any(
                        # A rule accounts for a unit only by quoting the whole of it.
                        s.document == doc.id and unit.text in s.quote
                        for s in rule.sources
                    )
                )
                reason = next(
                    (e.reason for e in self.ledger if e.document == doc.id and e.text == unit.text), None
                )
                out.append(UnitCoverage(unit, citing, reason))
        return tuple(out)

    def problems(self) -> list[str]:
        """What makes this knowledge base unsound, one line each; empty when it is sound."""
        return self.rule_problems() + self.ledger_problems()

    def rule_problems(self) -> list[str]:
        """Rule ids used twice and quotes that are not verbatim: faults that stop loading."""
        problems = []
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                problems.append(f"rule {rule.id}: the id is used twice")
            seen.add(rule.id)
            for source in rule.sources:
                if source.quote not in self.documents[source.document].text:
                    problems.append(
                        f"rule {rule.id}: quote is not verbatim in {source.document}: {source.quote!r}"
                    )
        return problems

    def ledger_problems(self) -> list[str]:
        """Sentences and table rows the rules and the ledger leave unaccounted for, or count twice."""
        problems = []
        units = {(u.document, u.text) for d in self.documents.values() for u in d.units()}
        for entry in self.ledger:
            if (entry.document, entry.text) not in units:
                problems.append(
                    f"ledger: {entry.document}: no such sentence or table row: {entry.text!r}"
                )
        for cov in self.coverage():
            where = f"{cov.unit.document} line {cov.unit.line}"
            if not cov.accounted_for:
                problems.append(f"ledger: {where}: unaccounted for: {cov.unit.text!r}")
            elif cov.rules and cov.set_aside:
                problems.append(
                    f"ledger: {where}: set aside ({cov.set_aside}) but cited by {', '.join(cov.rules)}"
                )
        return problems


# No rule file or ledger comes near this; a larger file is refused before it is read.
MAX_TOML_BYTES = 10_000_000


def _read_toml(path: Path, name: str) -> tuple[dict, str | None]:
    """A TOML file's contents, or ({}, the one-line reason it cannot be read)."""
    try:
        # Only a regular file: a device would be read without end, a FIFO would hang.
        if not path.is_file():
            return {}, f"{name}: not a regular file"
        if path.stat().st_size > MAX_TOML_BYTES:
            return {}, f"{name}: larger than {MAX_TOML_BYTES // 1_000_000} MB, more than a rule file or ledger can be"
        return tomllib.loads(path.read_text(encoding="utf-8")), None
    except tomllib.TOMLDecodeError as exc:
        return {}, f"{name}: not valid TOML: {exc}"
    except RecursionError:
        return {}, f"{name}: not valid TOML: nested too deeply"
    except UnicodeDecodeError as exc:
        return {}, f"{name}: not UTF-8 (byte {exc.start})"
    except OSError as exc:
        return {}, f"{name}: cannot be read: {exc.strerror or exc}"


def _load_rules(directory: Path) -> tuple[list[Rule], list[str]]:
    rules, problems = [], []
    for path in sorted(directory.glob("*.toml")):
        data, problem = _read_toml(path, path.name)
        if problem is not None:
            problems.append(problem)
            continue
        if not isinstance(data.get("rule", []), list):
            problems.append(f"{path.name}: rule: expected an array of tables ([[rule]])")
            continue
        for index, raw in enumerate(data.get("rule", [])):
            try:
                # An `unless` becomes an absent condition and a companion rule, next to its rule.
                rules.extend(Rule.model_validate(raw).expanded())
            except ValidationError as exc:
                name = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
                for err in exc.errors():
                    message = err["msg"].removeprefix("Value error, ").removeprefix(f"rule {name}: ")
                    loc = ".".join(str(p) for p in err["loc"])
                    problems.append(f"{path.name}: rule {name}: " + (f"{loc}: " if loc else "") + message)
    return rules, problems


def load_knowledge_base(kb_dir: Path | None = None, ledger_file: Path | None = None) -> KnowledgeBase:
    """Read and validate a knowledge base; raise KnowledgeBaseError listing every fault."""
    rules, problems = _load_rules(Path(kb_dir) if kb_dir else KB_DIR)
    ledger_path = Path(ledger_file) if ledger_file else LEDGER_FILE
    ledger: list[SetAside] = []
    if ledger_path.exists():
        raw, problem = _read_toml(ledger_path, f"ledger {ledger_path}")
        if problem is not None:
            problems.append(problem)
        set_aside = raw.get("set_aside", [])
        if not isinstance(set_aside, list):
            problems.append(f"ledger {ledger_path}: set_aside: expected an array of tables ([[set_aside]])")
            set_aside = []
        for entry in set_aside:
            try:
                ledger.append(SetAside.model_validate(entry))
            except ValidationError as exc:
                problems.append(f"ledger: {entry!r}: {exc.errors()[0]['msg']}")
    kb = KnowledgeBase(rules=tuple(rules), documents=corpus(), ledger=tuple(ledger))
    # Unsound quotes or ids stop loading; coverage gaps are reported by `problems()` and the tests.
    problems += kb.rule_problems()
    if problems:
        raise KnowledgeBaseError(problems)
    return kb


@cache
def default_knowledge_base() -> KnowledgeBase:
    """The project's own knowledge base, loaded once per process and shared read-only."""
    return load_knowledge_base()
