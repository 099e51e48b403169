"""A consultation held incrementally: tell facts, retract them, run, and see what changed."""

import gc
import threading

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from expert.engine import _quiet  # noqa: F401  (must precede any experta import)
from expert.util.arguments import count_argument, given, instance_argument
from expert.engine.compiler import compile_knowledge_base
from expert.errors import (
    FactConflictError,
    InvalidArgumentError,
    InvalidFactError,
    InvalidKnowledgeBaseError,
    UnknownFactError,
)
from expert.engine.recorder import Recorder
from expert.engine.report import Conclusion, Report, build_report, conclusion_key
from expert.engine.trace import Firing
from expert.facts import FACT_MODELS, UserFact
from expert.rules.knowledge import KnowledgeBase, KnowledgeBaseError, default_knowledge_base

DEFAULT_MAX_FIRINGS = 1000

_USER_FACT = TypeAdapter(UserFact)


def fact_problems(error: ValidationError, where: str = "") -> list[str]:
    """One line per fault of a pydantic error, naming the field (e.g. `facts[2].unit`)."""
    lines = []
    for err in error.errors():
        loc = list(err["loc"])
        kind = None
        # A discriminated union puts the kind's tag in the path: drop it, it is not a field.
        if loc and loc[0] in FACT_MODELS:
            kind, loc = loc[0], loc[1:]
        path = where
        for part in loc:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            fields = ", ".join(f for f in FACT_MODELS[kind].model_fields if f != "kind") if kind else ""
            message = f"is not a field of a {kind} fact" + (f" (its fields: kind, {fields})" if kind else "")
        elif err["type"] == "missing":
            message = "is required"
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        lines.append(f"{path or 'fact'}: {message}")
    return lines


def parse_fact(data, where: str = "fact") -> UserFact:
    """A fact from a JSON-like dict, or InvalidFactError naming each bad field."""
    try:
        return _parsed(data)
    except ValidationError as exc:
        raise InvalidFactError(fact_problems(exc, where)) from exc


def _parsed(data) -> UserFact:
    """parse_fact, raising pydantic's ValidationError as it is."""
    if isinstance(data, BaseModel):
        own = _OWN_VALIDATOR.get(data.__class__)
        if own is not None:
            # One of our fact models: validated again by its own class, from its fields as they
            # are (what model_dump gives them as), without the round through the union of kinds.
            try:
                return own({k: v for k, v in data.__dict__.items() if v is not None})
            except ValidationError:
                pass  # reported below, as the union reports it (each field named with its kind)
        data = data.model_dump(exclude_none=True)
    return _VALIDATE_FACT(data)


# The validators themselves, without the Python wrapper of TypeAdapter.validate_python and of a
# model's call: a batch validates every fact of every case.
_VALIDATE_FACT = _USER_FACT.validator.validate_python
_OWN_VALIDATOR = {model: model.__pydantic_validator__.validate_python for model in FACT_MODELS.values()}


class RunResult(BaseModel):
    """What one run changed: conclusions newly reached and conclusions withdrawn."""

    model_config = ConfigDict(frozen=True)

    new: list[Conclusion]
    withdrawn: list[Conclusion]
    report: Report


class Session:
    """One person's consultation. It owns its engine; sessions never see each other's facts.

    `max_firings` is the firings a run may take for each told fact before it is stopped as a runaway
    loop (FiringLimitError).
    """

    def __init__(self, knowledge_base: KnowledgeBase | None = None, *, max_firings: int = DEFAULT_MAX_FIRINGS):
        instance_argument(knowledge_base, "knowledge_base", KnowledgeBase, "a KnowledgeBase", optional=True)
        count_argument(max_firings, "max_firings")
        try:
            self._kb = knowledge_base or default_knowledge_base()
        except KnowledgeBaseError as exc:
            raise InvalidKnowledgeBaseError(exc.problems) from exc
        self._engine = _take_engine(self._kb)
        # The engine as _take_engine gives it, reset and holding no fact: its first run need not reset it again.
        self._clean_engine = self._engine
        self._max_firings = max_firings
        self._facts: dict[str, UserFact] = {}
        self._ids_by_key: dict[tuple, str] = {}  # what question each fact answers -> its id
        self._next_id = 1
        self._report: Report | None = None  # None until the first run: the report of no facts

    @property
    def knowledge_base(self) -> KnowledgeBase:
        return self._kb

    @property
    def facts(self) -> dict[str, UserFact]:
        """The facts told so far, by id, in the order they were told."""
        return dict(self._facts)

    def tell(self, fact) -> str:
        """Add a fact (a model or a dict); return its id. A second answer to the same question is refused."""
        fact = parse_fact(fact)
        return self._tell_parsed(fact, fact.key())

    def _tell_parsed(self, fact: UserFact, key: tuple) -> str:
        """`tell`, for a fact parse_fact has just returned (consult's) and its key: not validated a second time."""
        # Looked up by the question it answers, so telling many facts costs each the same.
        known_id = self._ids_by_key.get(key)
        if known_id is not None:
            known = self._facts[known_id]
            if known == fact:
                raise FactConflictError([f"{fact.kind}: already told as {known_id} ({known.describe()})"])
            raise FactConflictError(
                [f"{fact.kind}: conflicts with {known_id} ({known.describe()}); retract {known_id} first to change it"]
            )
        fact_id = f"u{self._next_id}"
        self._next_id += 1
        self._facts[fact_id] = fact
        self._ids_by_key[key] = fact_id
        return fact_id

    def retract(self, fact_id: str) -> UserFact:
        """Take a told fact back; the next run withdraws every conclusion that rested on it."""
        if not isinstance(fact_id, str):
            raise InvalidArgumentError(f"fact_id: expected a fact id such as 'u1' (a str), got {given(fact_id)}")
        try:
            fact = self._facts.pop(fact_id)
        except KeyError:
            known = ", ".join(self._facts) or "none"
            raise UnknownFactError(f"no fact {fact_id!r} in this session (its facts: {known})") from None
        del self._ids_by_key[fact.key()]
        return fact

    def run(self) -> RunResult:
        """Run the rules over the facts told so far; return what is new and what is withdrawn."""
        with _gc_paused():
            return self._run()

    def _run(self) -> RunResult:
        engine = self._engine
        if engine is not self._clean_engine:
            engine.reset()
        self._clean_engine = None
        recorder = Recorder(self._kb, firing_limit(self._max_firings, len(self._facts)))
        engine.recorder = recorder
        recorder.add_user_facts(engine, self._facts.items())  # in a canonical order
        try:
            engine.run()
        finally:
            engine.running = False
            engine.recorder = None
            # The engine reset now, while the collector is still paused, not when the next run
            # starts: its working memory (facts, tokens, activations: most of the objects a run
            # makes) is freed by reference counting here, and the collection that follows the pause
            # walks only the report. Left for the next run, that collection walked all of it: at
            # 50 times the knowledge base, 35 ms a run against 3.4 ms.
            engine.reset()
            self._clean_engine = engine
        user_refs = sorted(recorder.user_refs, key=_told_order)
        report = build_report(self._kb, user_refs, recorder.firings, self._facts, recorder.causes)
        earlier = self._report.conclusions if self._report is not None else []
        if earlier:
            # By Conclusion.key, each worked out once per conclusion.
            before = set(map(conclusion_key, earlier))
            now = list(map(conclusion_key, report.conclusions))
            after = set(now)
            new = [c for c, key in zip(report.conclusions, now) if key not in before]
            withdrawn = [c for c in earlier if conclusion_key(c) not in after]
        else:  # a first run (every consult's): everything is new
            new, withdrawn = report.conclusions, []
        result = RunResult(new=new, withdrawn=withdrawn, report=report)
        self._report = report
        return result

    def report(self) -> Report:
        """The report of the last run."""
        if self._report is None:
            self._report = build_report(self._kb, [], [])
        return self._report

    @property
    def trace(self) -> list[Firing]:
        """The firings of the last run, in order: rule, facts matched, what each concluded, citations."""
        return list(self.report().fired)


def _told_order(ref) -> int:
    return int(ref.id[1:])


def firing_limit(max_firings: int, facts: int) -> int:
    """How many firings a run may take before it is called a runaway loop.

    A rule fires at most once for each set of facts it matches, so a longer case rightly fires more:
    `max_firings` is the allowance for each told fact (and for a case of none). A loop, a rule that
    keeps feeding itself, still meets the limit; a case of thousands of facts is not refused for
    being long.
    """
    return max_firings * max(1, facts)


def consult(facts, *, knowledge_base: KnowledgeBase | None = None, max_firings: int = DEFAULT_MAX_FIRINGS) -> Report:
    """Run a whole case at once: every fact told, one run, the report. Bad facts are all reported together."""
    facts = _facts_argument(facts)
    instance_argument(knowledge_base, "knowledge_base", KnowledgeBase, "a KnowledgeBase", optional=True)
    count_argument(max_firings, "max_firings")
    problems, parsed = [], []
    for index, raw in enumerate(facts):
        try:
            fact = _parsed(raw)
        except ValidationError as exc:
            problems += fact_problems(exc, f"facts[{index}]")
        else:
            parsed.append((index, fact, fact.key()))
    seen: dict[tuple, tuple[int, UserFact]] = {}
    for index, fact, key in parsed:
        if key in seen:
            first, known = seen[key]
            what = "repeats" if known == fact else "conflicts with"
            problems.append(
                f"facts[{index}]: {what} facts[{first}], {known.describe()}; give each {fact.kind.replace('_', ' ')} once"
            )
        else:
            seen[key] = (index, fact)
    if problems:
        raise InvalidFactError(problems)
    session = Session(knowledge_base, max_firings=max_firings)
    for _, fact, key in parsed:
        session._tell_parsed(fact, key)
    # The engine goes back to the pool while the collector is still paused (a run leaves it reset,
    # see Session._run): nothing of the run but the report is left for the collection to walk.
    with _gc_paused():
        try:
            return session.run().report
        finally:
            _give_back(session)


def _facts_argument(facts) -> list:
    """The facts of `consult` as a list: any iterable of facts, but not one fact or a whole case file."""
    if isinstance(facts, dict):
        hint = " (for a case file's contents, pass case['facts'])" if "facts" in facts else " (for one fact, pass [fact])"
        raise InvalidArgumentError(f"facts: expected a list of facts (dicts or fact models), got a dict{hint}")
    if isinstance(facts, (str, bytes, BaseModel)) or not hasattr(facts, "__iter__"):
        raise InvalidArgumentError(f"facts: expected a list of facts (dicts or fact models), got {given(facts)}")
    return list(facts)


class _gc_paused:
    """Python's cyclic garbage collector paused for the duration, then enabled again if it was.

    A run allocates many small objects (tokens, activations, records) that live until the run
    ends and are then freed by reference counting. Left to itself the collector examines them
    over and over during the run, and promotes them to the oldest generation, whose collection
    walks every object of the process, the compiled knowledge base included: at 50 times the
    knowledge base this took a third of a run. Nested and concurrent runs share one pause; the
    collector is enabled again only by the last to finish, and only if it was enabled before.
    (A class rather than a generator under contextlib, whose machinery it does not need.)
    """

    __slots__ = ()

    def __enter__(self):
        global _gc_pauses, _gc_was_enabled
        with _gc_lock:
            if _gc_pauses == 0:
                _gc_was_enabled = gc.isenabled()
                gc.disable()
            _gc_pauses += 1

    def __exit__(self, *exc):
        global _gc_pauses
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()
        return False


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


# Engines at rest, by knowledge base. Building experta's network costs several runs; a run resets
# the engine and declares every fact again, so a finished consultation's engine can serve the next
# (it is reset before it is put back: it keeps nobody's facts).
_IDLE_ENGINES: dict[KnowledgeBase, list] = {}
_MAX_IDLE = 8


def _take_engine(kb: KnowledgeBase):
    try:
        return _IDLE_ENGINES.get(kb, []).pop()  # reset when it was given back
    except IndexError:
        engine = compile_knowledge_base(kb)()
        engine.reset()
        return engine


def _give_back(session: "Session") -> None:
    engine, session._engine = session._engine, None
    if engine is not session._clean_engine:  # a run that failed before its engine ran leaves it unreset
        engine.reset()
    idle = _IDLE_ENGINES.setdefault(session._kb, [])
    if len(idle) < _MAX_IDLE:
        idle.append(engine)
