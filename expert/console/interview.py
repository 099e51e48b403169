"""A consultation held as questions and answers: the answers make the facts, the session runs them.

An Interview keeps the person's answers by question id, each with a number that stays its own
for the whole consultation (change it, take it back: the number stays; `facts` lists by it). The
facts told to the session are a function of those answers, so changing or taking back an answer
retracts exactly the facts it made and the next run withdraws exactly what rested on them. Every
change returns an Outcome: the conclusions newly reached and those withdrawn, compared by content.

A journal is a JSON Lines file of the events that built an interview, one per answer, so that a
consultation can be continued after a crash. A saved case file holds the facts (what
`expert consult` reads) and every answer, "no" and "don't know" included (what the console
resumes from).
"""

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from expert.util.casefile import parse_case, read_text
from expert.util.arguments import given, instance_argument
from expert.errors import InvalidArgumentError, InvalidFactError
from expert.console.planner import Planner
from expert.console.questions import (
    COMPLAINTS,
    LOCATED,
    RED_FLAGS,
    TWITCHING_ANYWHERE,
    AnswerError,
    Question,
    group_of,
    main_questions,
    question,
)
from expert.engine.report import Conclusion, Report
from expert.engine.session import Session, parse_fact
from expert.facts import Condition, Diet, Lifestyle, Medication, NutrientLevel, Supplement, Symptom, UserFact, choices
from expert.facts.vocabulary import LifestyleFactor
from expert.rules.knowledge import KnowledgeBase

JOURNAL_HEADER = {"journal": "expert consultation", "version": 2}
_LIFESTYLE = set(choices(LifestyleFactor))


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


def facts_of_group(group: str, answers: dict[str, Any]) -> list[UserFact]:
    """The facts one main question's answers make, with its follow-ups' (a "no" makes none)."""
    main = answers.get(group)
    if not main:
        return []
    if group == "complaint":
        course = answers.get("complaint/course")
        flags = {} if course is None else {"persistent": "persistent" in course, "severe": "severe" in course}
        out = []
        for option in main:
            if option.startswith("twitching"):
                place = option.split("@", 1)[1] if "@" in option else None
                out.append(Symptom(name="twitching", **({"location": place} if place else {}), **flags))
            else:
                out.append(Symptom(name=option))
        return out
    if group.startswith("symptom:"):
        return [Symptom(name=group.split(":", 1)[1])]
    if group == "symptoms":
        out = []
        for name in main:
            places = answers.get(f"symptom:{name}/location") if name in LOCATED else None
            out += [Symptom(name=name, location=p) for p in places] if places else [Symptom(name=name)]
        return out
    if group == "habits":
        return [Lifestyle(factor=o) if o in _LIFESTYLE else Diet(pattern=o) for o in main]
    if group == "health":
        return [Medication() if o == "medication" else Condition(name=o) for o in main]
    if group == "supplements":
        out = []
        for nutrient in main:
            dose = answers.get(f"supplement:{nutrient}/daily_dose")
            if not dose:
                continue
            months = answers.get(f"supplement:{nutrient}/duration_months")
            extra = {"duration_months": months} if months is not None else {}
            out.append(Supplement(nutrient=nutrient, daily_dose=dose[0], unit=dose[1], **extra))
        return out
    if group == "tests":
        return [
            NutrientLevel(nutrient=n, level=answers[f"nutrient_level:{n}"])
            for n in main
            if answers.get(f"nutrient_level:{n}") is not None
        ]
    return []


def group_of_fact(fact: UserFact) -> str:
    """The main question a fact answers."""
    if fact.kind == "symptom":
        if fact.name in COMPLAINTS:
            return "complaint"
        return f"symptom:{fact.name}" if fact.name in RED_FLAGS else "symptoms"
    return {
        "lifestyle": "habits", "diet": "habits", "medication": "health", "condition": "health",
        "supplement": "supplements", "nutrient_level": "tests",
    }[fact.kind]


def answers_of_group(group: str, facts: list[UserFact]) -> dict[str, Any]:
    """The answers that would make these facts of one main question (the inverse of facts_of_group)."""
    if group == "complaint":
        options = []
        for f in facts:
            option = f.name if f.name != "twitching" else (f"twitching@{f.location}" if f.location else TWITCHING_ANYWHERE)
            options.append(option)
        answers: dict[str, Any] = {group: list(dict.fromkeys(options))}
        # The course is asked once for all the twitching: it comes back, or is severe, if it does anywhere.
        twitching = [f for f in facts if f.name == "twitching"]
        if any(f.persistent is not None or f.severe is not None for f in twitching):
            answers["complaint/course"] = [
                v for v in ("persistent", "severe") if any(getattr(f, v) for f in twitching)
            ]
        return answers
    if group.startswith("symptom:"):
        return {group: True}
    if group == "symptoms":
        answers = {group: list(dict.fromkeys(f.name for f in facts))}
        for name in LOCATED:
            places = [f.location for f in facts if f.name == name and f.location]
            if places:
                answers[f"symptom:{name}/location"] = places
        return answers
    if group == "habits":
        return {group: [f.factor if f.kind == "lifestyle" else f.pattern for f in facts]}
    if group == "health":
        return {group: list(dict.fromkeys("medication" if f.kind == "medication" else f.name for f in facts))}
    if group == "supplements":
        answers = {group: [f.nutrient for f in facts]}
        for f in facts:
            answers[f"supplement:{f.nutrient}/daily_dose"] = [f.daily_dose, f.unit]
            if f.duration_months is not None:
                answers[f"supplement:{f.nutrient}/duration_months"] = f.duration_months
        return answers
    if group == "tests":
        answers = {group: [f.nutrient for f in facts]}
        answers |= {f"nutrient_level:{f.nutrient}": f.level for f in facts}
        return answers
    return {}


def _key(fact: UserFact) -> str:
    return json.dumps(fact.model_dump(mode="json"), sort_keys=True)


def _same(a: list[UserFact], b: list[UserFact]) -> bool:
    return sorted(map(_key, a)) == sorted(map(_key, b))


class Interview:
    """One person's question-and-answer consultation over a session of the rules."""

    def __init__(self, knowledge_base: KnowledgeBase | None = None):
        self.session = Session(knowledge_base)
        self.planner = Planner(self.session.knowledge_base)
        self.answers: dict[str, Any] = {}
        self.numbers: dict[str, int] = {}  # question id -> its answer's number, kept for good
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
        """The facts the answers make, in the order their questions were first answered."""
        groups = list(dict.fromkeys(group_of(q) for q in sorted(self.answers, key=self.numbers.__getitem__)))
        groups += [g for g in self._loaded.facts if g not in groups]
        out: list[UserFact] = []
        for group in groups:
            out += self._loaded.facts.get(group) or facts_of_group(group, self.answers)
        return out

    def answered(self) -> list[tuple[int, Question, Any]]:
        """The answers given so far with their numbers and questions, by number."""
        return [(self.numbers[qid], question(qid), self.answers[qid]) for qid in sorted(self.answers, key=self.numbers.__getitem__)]

    def last_answered(self) -> Question | None:
        """The question answered most recently: an answer given again counts as given last."""
        # `answers` keeps the order answers were given in: taking one back removes it, and
        # answering again puts it at the end, though its number stays the same.
        return question(next(reversed(self.answers))) if self.answers else None

    def question_numbered(self, number: int) -> Question | None:
        """The question whose answer has this number (see `facts`), if it is still answered."""
        qid = next((q for q, n in self.numbers.items() if n == number), None)
        return question(qid) if qid in self.answers else None

    def asked_symptoms(self) -> set[str]:
        """The symptoms the person was asked about, answered either way (for the summary)."""
        asked = {qid.split(":", 1)[1] for qid in self.answers if qid.startswith("symptom:") and "/" not in qid}
        if "complaint" in self.answers:
            asked |= set(COMPLAINTS)
        if "symptoms" in self.answers:
            asked |= set(main_questions()[len(RED_FLAGS) + 1].options)
        return asked

    def next_question(self) -> Question | None:
        """The question that could change the conclusions most, or None when none could."""
        return self.planner.next_question(self.answers, self.facts(), self.report())

    def reasons(self, q: Question):
        """The rules an answer to this question could fire or rule out (see Planner.reasons)."""
        instance_argument(q, "q", Question, "a Question")
        return self.planner.reasons(q, self.answers, self.facts(), self.report())

    # --- changing what is known ----------------------------------------------------------

    def answer(self, question_id: str, value: Any) -> Outcome:
        """Record an answer (None: don't know) and run the rules; follow-ups of a changed answer are dropped."""
        return self.answer_all({question_id: value})

    def answer_all(self, answers: dict[str, Any]) -> Outcome:
        """Record several answers at once (a list's answer and the follow-ups typed with it), then run.

        Like every change, all or nothing: if the rules cannot run on the new answers (a runaway
        loop), the interview is left as it was and the error raised."""
        with self._undo_on_error():
            return self._answer_all(answers)

    def _answer_all(self, answers: dict[str, Any]) -> Outcome:
        if not isinstance(answers, dict):
            raise InvalidArgumentError(f"answers: expected a dict of question ids and answers, got {given(answers)}")
        checked = []
        for question_id, value in answers.items():
            q = _question(question_id)
            checked.append((q, _checked(q, value)))
        for q, value in checked:
            if q.field is None:
                self._forget_follow_ups(q.id, keep=value)
            self.answers[q.id] = value
            self.numbers.setdefault(q.id, max(self.numbers.values(), default=0) + 1)
            self._loaded.facts.pop(q.group, None)
            self.events.append({"question": q.id, "answer": value})
        return self._run()

    def forget(self, question_id: str, *, ask_again: bool = False) -> Outcome:
        """Take an answer back. It is then "don't know", or, with ask_again, open to be asked again
        (its number stays its own either way)."""
        _question(question_id)
        if question_id not in self.answers:
            answered = ", ".join(self.answers) or "none yet"
            raise InvalidArgumentError(f"question_id: {question_id!r} has no answer to take back (answered: {answered})")
        with self._undo_on_error():
            return self._forget(question_id, ask_again)

    def _forget(self, question_id: str, ask_again: bool) -> Outcome:
        q = question(question_id)
        if q.field is None:
            self._forget_follow_ups(q.id, keep=None)
        if ask_again:
            del self.answers[q.id]
        else:
            self.answers[q.id] = None
        self._loaded.facts.pop(q.group, None)
        self.events.append({"forget": q.id, "ask_again": ask_again})
        return self._run()

    def load(self, facts: list, answers: dict | None = None, *, merge: bool = False) -> Outcome:
        """Continue from a case file: its answers when it has them (a saved consultation), else the
        answers its facts make; the questions they answer are not asked again. With merge, what the
        file answers replaces the same questions' answers and the rest are kept; without, the file's
        answers replace all."""
        with self._undo_on_error():
            return self._load(facts, answers, merge)

    def _load(self, facts: list, answers: dict | None, merge: bool) -> Outcome:
        if not isinstance(facts, list):
            raise InvalidFactError(["facts: expected a list of facts"])
        parsed = [parse_fact(f, f"facts[{i}]") for i, f in enumerate(facts)]
        check = Session(self.knowledge_base)
        for fact in parsed:
            check.tell(fact)  # refuses a case that answers a question twice
        from_file: dict[str, Any] = {}
        if answers:
            if not isinstance(answers, dict):
                raise InvalidFactError(["answers: expected an object of question ids and answers"])
            for question_id, value in answers.items():
                try:
                    from_file[question_id] = _checked(question(question_id), value)
                except (KeyError, AnswerError):
                    raise InvalidFactError([f"answers: {question_id!r}: not an answer this console can read"]) from None
        by_group: dict[str, list[UserFact]] = {}
        for fact in parsed:
            by_group.setdefault(group_of_fact(fact), []).append(fact)
        for group, group_facts in by_group.items():
            if group not in from_file:
                from_file |= answers_of_group(group, group_facts)
        if not merge:
            self.answers = {}
            self._loaded = _Loaded()
        else:
            for group in {group_of(q) for q in from_file}:
                for qid in [q for q in self.answers if group_of(q) == group]:
                    del self.answers[qid]
                self._loaded.facts.pop(group, None)
        for qid, value in from_file.items():
            self.answers[qid] = value
            self.numbers.setdefault(qid, max(self.numbers.values(), default=0) + 1)
        for group, group_facts in by_group.items():
            # What the answers cannot remake (a medication's name, cramps in the legs) is kept as told.
            if not _same(facts_of_group(group, self.answers), group_facts):
                self._loaded.facts[group] = group_facts
        event = {"load": [f.model_dump(mode="json", exclude_none=True) for f in parsed]}
        if answers:
            event["answers"] = from_file
        if merge:
            event["merge"] = True
        self.events.append(event)
        return self._run()

    def replay(self, events: list[dict]) -> Outcome:
        """Rebuild an interview from a journal's events; the outcome holds every conclusion reached."""
        for index, event in enumerate(events, start=1):
            try:
                if "load" in event:
                    self.load(event["load"], event.get("answers"), merge=bool(event.get("merge")))
                elif "forget" in event:
                    self.forget(event["forget"], ask_again=bool(event.get("ask_again")))
                else:
                    self.answer(event["question"], event["answer"])
            except (KeyError, TypeError, AnswerError, InvalidFactError, InvalidArgumentError) as exc:
                raise InvalidFactError([f"journal entry {index}: cannot be replayed ({exc})"]) from None
        report = self.report()
        return Outcome(new=list(report.conclusions), withdrawn=[], report=report)

    def case_file(self) -> dict:
        """The consultation as a case file: its facts, which `expert consult` reads, and every
        answer, "no" and "don't know" included, which the console resumes from."""
        return {
            "facts": [f.model_dump(mode="json", exclude_none=True) for f in self.facts()],
            "answers": {qid: self.answers[qid] for qid in sorted(self.answers, key=self.numbers.__getitem__)},
        }

    @contextmanager
    def _undo_on_error(self):
        """Put the answers, numbers, events and facts told back as they were if the change fails."""
        saved = (dict(self.answers), dict(self.numbers), len(self.events), {k: list(v) for k, v in self._loaded.facts.items()})
        try:
            yield
        except Exception:
            self.answers, self.numbers, events, loaded = saved
            del self.events[events:]
            self._loaded = _Loaded(loaded)
            try:
                self._run()
            except Exception:  # pragma: no cover - the answers before ran once already
                pass
            raise

    def _forget_follow_ups(self, main_id: str, keep) -> None:
        """Drop the follow-ups of a main question whose option is no longer chosen."""
        chosen = set(keep) if isinstance(keep, list) else set()
        for qid in list(self.answers):
            if qid == main_id or group_of(qid) != main_id:
                continue
            if qid == "complaint/course":
                if any(o.startswith("twitching") for o in chosen):
                    continue
            elif qid.split("/", 1)[0].split(":", 1)[1] in chosen:
                continue
            del self.answers[qid]

    def _run(self) -> Outcome:
        wanted = {_key(f): f for f in self.facts()}
        for key in [k for k in self._told if k not in wanted]:
            self.session.retract(self._told.pop(key))
        for key, fact in wanted.items():
            if key not in self._told:
                self._told[key] = self.session.tell(fact)
        result = self.session.run()
        return Outcome(new=result.new, withdrawn=result.withdrawn, report=result.report)


def _question(question_id) -> Question:
    """The question with this id, or InvalidArgumentError naming what ids are."""
    if not isinstance(question_id, str):
        raise InvalidArgumentError(f"question_id: expected a question id (a str), got {given(question_id)}")
    try:
        return question(question_id)
    except KeyError:
        main = ", ".join(q.id for q in main_questions())
        raise InvalidArgumentError(f"question_id: no question {question_id!r}; the main questions are {main}") from None


def _checked(q: Question, value: Any) -> Any:
    """An answer value of the right shape for its question (journals are read back through this)."""
    if value is None:
        return None
    ok = {
        "yes_no": lambda v: isinstance(v, bool),
        "choice": lambda v: isinstance(v, str) and v in q.options,
        "choose_any": lambda v: isinstance(v, list) and all(isinstance(x, str) and x in q.options for x in v),
        "amount": lambda v: isinstance(v, list) and len(v) == 2 and isinstance(v[0], (int, float)) and not isinstance(v[0], bool),
        "months": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v,
    }[q.answer]
    if not ok(value):
        raise AnswerError(f"{value!r} is not an answer to {q.id}")
    if q.answer == "amount":
        q.parse(f"{value[0]!r} {value[1]}")  # the same checks as a typed dose
        return [float(value[0]), value[1]]
    if q.answer == "choose_any":
        return list(dict.fromkeys(value))
    if q.answer == "months":
        return q.parse(repr(value))  # the same checks as a typed length: finite, within a lifetime
    return value


# --- journals and resumable files ------------------------------------------------------------


def journal_line(event: dict) -> str:
    """One journal event as a line of JSON."""
    return json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n"


def read_resumable(path: str | Path) -> tuple[str, Any]:
    """A file to continue from: ("case", (facts, answers or None)) for a case file, ("journal",
    events) for a journal.

    A journal's last line may be cut short by a crash; it is then left out. Lines are split at
    "\n" only: an answer may hold other line separators (U+2028, U+0085) that are not line ends.
    """
    path = Path(path)
    text = read_text(path)
    first = text.lstrip()[:1]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if first == "{" and lines and is_journal_header(lines[0]):
        version = json.loads(lines[0]).get("version")
        if version != JOURNAL_HEADER["version"]:
            raise InvalidFactError(
                [f"{path}: a journal of an earlier version of the console, whose questions have changed; it cannot be replayed"]
            )
        events = []
        for number, line in enumerate(lines[1:], start=2):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except RecursionError:
                raise InvalidFactError([f"{path} line {number}: nested too deeply to be a journal entry"]) from None
            except ValueError:
                if number == len(lines) and not text.endswith("\n"):
                    break  # a line the crash cut short
                raise InvalidFactError([f"{path} line {number}: not a journal entry"]) from None
            if not isinstance(event, dict):
                raise InvalidFactError([f"{path} line {number}: not a journal entry"])
            events.append(event)
        return "journal", events
    facts = parse_case(text, str(path))
    return "case", (facts, json.loads(text).get("answers"))


def is_journal_header(line: str) -> bool:
    """Whether a file's first line says it is a journal (and not a case file)."""
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and data.get("journal") == JOURNAL_HEADER["journal"]
