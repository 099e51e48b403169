"""A consultation held as questions and answers: the answers make the facts, the session runs them.

An Interview keeps the person's answers by question id. The facts told to the session are a
function of those answers, so changing or taking back an answer retracts exactly the facts it
made and the next run withdraws exactly what rested on them. Every change returns an Outcome:
the conclusions newly reached and those withdrawn, compared by content.

A journal is a JSON Lines file of the events that built an interview, one per answer, so that a
consultation can be continued after a crash; a case file (expert/casefile.py) holds only facts.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from expert.casefile import parse_case, read_text
from expert.errors import InvalidFactError
from expert.planner import Planner
from expert.questions import NOT_TESTED, AnswerError, Question, question, topic_of
from expert.report import Conclusion, Report
from expert.session import Session, parse_fact
from facts import Condition, Diet, Lifestyle, Medication, NutrientLevel, Supplement, Symptom, UserFact
from rules.knowledge import KnowledgeBase

JOURNAL_HEADER = {"journal": "expert consultation", "version": 1}


@dataclass(frozen=True)
class Outcome:
    """What one change of the answers did: conclusions newly reached, conclusions withdrawn."""

    new: list[Conclusion]
    withdrawn: list[Conclusion]
    report: Report


@dataclass
class _Loaded:
    """Facts read from a case file that the answers cannot remake exactly; kept as they were."""

    facts: dict[str, list[UserFact]] = field(default_factory=dict)


def facts_of_topic(topic: str, answers: dict[str, Any]) -> list[UserFact]:
    """The facts one topic's answers make (a "no" or "don't know" makes none)."""
    main = answers.get(topic)
    if not main:
        return []
    kind, _, subject = topic.partition(":")
    if kind == "symptom":
        locations = answers.get(f"{topic}/location") or [None]
        extra = {f: answers[f"{topic}/{f}"] for f in ("persistent", "severe") if answers.get(f"{topic}/{f}") is not None}
        return [Symptom(name=subject, **({"location": loc} if loc else {}), **extra) for loc in locations]
    if kind == "nutrient_level":
        return [] if main == NOT_TESTED else [NutrientLevel(nutrient=subject, level=main)]
    if kind == "supplement":
        out = []
        for nutrient in main:
            dose = answers.get(f"supplement:{nutrient}/daily_dose")
            if not dose:
                continue
            months = answers.get(f"supplement:{nutrient}/duration_months")
            extra = {"duration_months": months} if months is not None else {}
            out.append(Supplement(nutrient=nutrient, daily_dose=dose[0], unit=dose[1], **extra))
        return out
    if kind == "lifestyle":
        return [Lifestyle(factor=subject)]
    if kind == "diet":
        return [Diet(pattern=subject)]
    if kind == "medication":
        return [Medication()]
    if kind == "condition":
        return [Condition(name=subject)]
    return []


def topic_of_fact(fact: UserFact) -> str:
    """The main question a fact answers."""
    subject = {
        "symptom": lambda f: f.name,
        "nutrient_level": lambda f: f.nutrient,
        "lifestyle": lambda f: f.factor,
        "diet": lambda f: f.pattern,
        "condition": lambda f: f.name,
    }.get(fact.kind)
    return f"{fact.kind}:{subject(fact)}" if subject else fact.kind


def answers_of_topic(topic: str, facts: list[UserFact]) -> dict[str, Any]:
    """The answers that would make these facts of one topic (the inverse of facts_of_topic)."""
    first = facts[0]
    if first.kind == "symptom":
        answers: dict[str, Any] = {topic: True}
        locations = [f.location for f in facts if f.location]
        if locations:
            answers[f"{topic}/location"] = locations
        for name in ("persistent", "severe"):
            values = {getattr(f, name) for f in facts}
            if len(values) == 1 and None not in values:
                answers[f"{topic}/{name}"] = values.pop()
        return answers
    if first.kind == "nutrient_level":
        return {topic: first.level}
    if first.kind == "supplement":
        answers = {"supplement": [f.nutrient for f in facts]}
        for f in facts:
            answers[f"supplement:{f.nutrient}/daily_dose"] = [f.daily_dose, f.unit]
            if f.duration_months is not None:
                answers[f"supplement:{f.nutrient}/duration_months"] = f.duration_months
        return answers
    return {topic: True}


def _same(a: list[UserFact], b: list[UserFact]) -> bool:
    key = lambda f: json.dumps(f.model_dump(mode="json"), sort_keys=True)  # noqa: E731
    return sorted(map(key, a)) == sorted(map(key, b))


class Interview:
    """One person's question-and-answer consultation over a session of the rules."""

    def __init__(self, knowledge_base: KnowledgeBase | None = None):
        self.session = Session(knowledge_base)
        self.planner = Planner(self.session.knowledge_base)
        self.answers: dict[str, Any] = {}
        self.events: list[dict] = []
        self._loaded = _Loaded()
        self._told: dict[str, str] = {}  # canonical fact -> session fact id

    # --- what is known -------------------------------------------------------------------

    @property
    def knowledge_base(self) -> KnowledgeBase:
        return self.session.knowledge_base

    def report(self) -> Report:
        return self.session.report()

    def facts(self) -> list[UserFact]:
        """The facts the answers make, in the order the topics were first answered."""
        topics = list(dict.fromkeys(topic_of(q) for q in self.answers))
        topics += [t for t in self._loaded.facts if t not in topics]
        out: list[UserFact] = []
        for topic in topics:
            out += self._loaded.facts.get(topic) or facts_of_topic(topic, self.answers)
        return out

    def answered(self) -> list[tuple[Question, Any]]:
        """The answers given so far, in order, with their questions."""
        return [(question(qid), value) for qid, value in self.answers.items()]

    def next_question(self) -> Question | None:
        """The question that could change the conclusions most, or None when none could."""
        return self.planner.next_question(self.answers, self.facts(), self.report())

    def reasons(self, q: Question):
        """The rules an answer to this question could fire or rule out (see Planner.reasons)."""
        return self.planner.reasons(q, self.answers, self.facts(), self.report())

    # --- changing what is known ----------------------------------------------------------

    def answer(self, question_id: str, value: Any) -> Outcome:
        """Record an answer (None: don't know) and run the rules; follow-ups of a changed answer are dropped."""
        q = question(question_id)
        value = _checked(q, value)
        topic = q.topic
        if q.field is None:
            self._forget_follow_ups(q.id, keep=value)
        self.answers[q.id] = value
        self._loaded.facts.pop(topic, None)
        self.events.append({"question": q.id, "answer": value})
        return self._run()

    def forget(self, question_id: str, *, ask_again: bool = False) -> Outcome:
        """Take an answer back. It is then "don't know", or, with ask_again, open to be asked again."""
        if question_id not in self.answers:
            raise KeyError(question_id)
        q = question(question_id)
        if q.field is None:
            self._forget_follow_ups(q.id, keep=None)
        if ask_again:
            del self.answers[q.id]
        else:
            self.answers[q.id] = None
        self._loaded.facts.pop(q.topic, None)
        self.events.append({"forget": q.id, "ask_again": ask_again})
        return self._run()

    def load(self, facts: list) -> Outcome:
        """Start again from a case file's facts; the questions they answer are not asked again."""
        parsed = [parse_fact(f, f"facts[{i}]") for i, f in enumerate(facts)]
        check = Session(self.knowledge_base)
        for fact in parsed:
            check.tell(fact)  # refuses a case that answers a question twice
        self.answers = {}
        self._loaded = _Loaded()
        by_topic: dict[str, list[UserFact]] = {}
        for fact in parsed:
            by_topic.setdefault(topic_of_fact(fact), []).append(fact)
        for topic, group in by_topic.items():
            answers = answers_of_topic(topic, group)
            merged = {**self.answers, **answers}
            if topic == "medication" or not _same(facts_of_topic(topic, merged), group):
                self._loaded.facts[topic] = group
            self.answers.update(answers)
        self.events.append({"load": [f.model_dump(mode="json", exclude_none=True) for f in parsed]})
        return self._run()

    def replay(self, events: list[dict]) -> Outcome:
        """Rebuild an interview from a journal's events; the outcome holds every conclusion reached."""
        for index, event in enumerate(events, start=1):
            try:
                if "load" in event:
                    self.load(event["load"])
                elif "forget" in event:
                    self.forget(event["forget"], ask_again=bool(event.get("ask_again")))
                else:
                    self.answer(event["question"], event["answer"])
            except (KeyError, TypeError, AnswerError, InvalidFactError) as exc:
                raise InvalidFactError([f"journal entry {index}: cannot be replayed ({exc})"]) from None
        report = self.report()
        return Outcome(new=list(report.conclusions), withdrawn=[], report=report)

    def _forget_follow_ups(self, topic_id: str, keep) -> None:
        for qid in list(self.answers):
            if qid == topic_id or topic_of(qid) != topic_of(topic_id) or qid == topic_of(qid):
                continue
            if topic_id == "supplement" and keep:
                nutrient = qid.split(":", 1)[1].split("/", 1)[0]
                if nutrient in keep:
                    continue
            del self.answers[qid]

    def _run(self) -> Outcome:
        wanted = {json.dumps(f.model_dump(mode="json"), sort_keys=True): f for f in self.facts()}
        for key in [k for k in self._told if k not in wanted]:
            self.session.retract(self._told.pop(key))
        for key, fact in wanted.items():
            if key not in self._told:
                self._told[key] = self.session.tell(fact)
        result = self.session.run()
        return Outcome(new=result.new, withdrawn=result.withdrawn, report=result.report)


def _checked(q: Question, value: Any) -> Any:
    """An answer value of the right shape for its question (journals are read back through this)."""
    if value is None:
        return None
    ok = {
        "yes_no": lambda v: isinstance(v, bool),
        "choice": lambda v: v in q.options,
        "choices": lambda v: isinstance(v, list) and all(x in q.options and x != "none" for x in v),
        "amount": lambda v: isinstance(v, list) and len(v) == 2 and isinstance(v[0], (int, float)) and not isinstance(v[0], bool),
        "months": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v,
    }[q.answer]
    if not ok(value):
        raise AnswerError(f"{value!r} is not an answer to {q.id}")
    if q.answer == "amount":
        q.parse(f"{value[0]!r} {value[1]}")  # the same checks as a typed dose
        return [float(value[0]), value[1]]
    if q.answer == "months":
        return q.parse(repr(value))  # the same checks as a typed length: finite, within a lifetime
    return value


# --- journals and resumable files ------------------------------------------------------------


def journal_line(event: dict) -> str:
    """One journal event as a line of JSON."""
    return json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n"


def read_resumable(path: str | Path) -> tuple[str, list]:
    """A file to continue from: ("case", facts) for a case file, ("journal", events) for a journal.

    A journal's last line may be cut short by a crash; it is then left out.
    """
    path = Path(path)
    text = read_text(path)
    first = text.lstrip()[:1]
    lines = text.splitlines()
    if first == "{" and lines and is_journal_header(lines[0]):
        events = []
        for number, line in enumerate(lines[1:], start=2):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except ValueError:
                if number == len(lines) and not text.endswith("\n"):
                    break  # a line the crash cut short
                raise InvalidFactError([f"{path} line {number}: not a journal entry"]) from None
            if not isinstance(event, dict):
                raise InvalidFactError([f"{path} line {number}: not a journal entry"])
            events.append(event)
        return "journal", events
    return "case", parse_case(text, str(path))


def is_journal_header(line: str) -> bool:
    """Whether a file's first line says it is a journal (and not a case file)."""
    try:
        data = json.loads(line)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("journal") == JOURNAL_HEADER["journal"]
