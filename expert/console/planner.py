"""Choosing the next question from the rules themselves: ask only what could still change a conclusion.

Each rule's conditions on the person's facts say what is worth asking. A rule is *still
possible* when each of its conditions is met by what the person said, or could be met by a
question not yet answered, or (for a finding) by another rule that is still possible; and none
of its `absent` conditions is contradicted by what the person said. An unanswered question is
worth asking when its answer could fire a rule that is still possible (by meeting a condition
nothing meets yet) or could rule one out (by meeting one of its `absent` conditions). When no
question is, nothing the person could add would change the outcome.

The order: the complaint first; then the details of anything chosen (where, how long, how much,
what a test showed); then each warning sign; then the other lists, those bearing on the causes
that lead at the moment first (a blood test once a deficiency is suspected, the effects of B6
once a high dose is told), ties kept in the catalogue's order.
"""

import operator
from dataclasses import dataclass
from decimal import Decimal

from expert.engine.evidence import causes_of_fact
from expert.console.questions import LOCATED, RED_FLAGS, Question, follow_up, main_questions
from expert.engine.report import Report
from expert.facts import UserFact, choices
from expert.facts.vocabulary import LifestyleFactor
from expert.rules.knowledge import KnowledgeBase
from expert.rules.schema import CATEGORY_ORDER, Comparison, OneOf, Rule, is_variable

# A field whose value is not known yet: an open question may still give it any value.
ANY = object()


_OPS = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}
_SUBJECT_FIELD = {"symptom": "name", "nutrient_level": "nutrient", "lifestyle": "factor", "diet": "pattern",
                  "condition": "name", "supplement": "nutrient"}
# The fields a fact's cause is read from (see expert.engine.evidence.causes_of_fact).
_SUBJECTS = {"nutrient_level": ("nutrient",), "supplement": ("nutrient",), "lifestyle": ("factor",), "condition": ("name",)}
_LIFESTYLE = set(choices(LifestyleFactor))


@dataclass(frozen=True)
class Reason:
    """Why a question is worth asking: a rule its answer could fire ("fire") or rule out ("rule_out")."""

    rule: Rule
    effect: str


def accepts(test, value) -> bool:
    """Whether a field test of a rule accepts a known value (a variable accepts anything)."""
    if value is ANY or is_variable(test):
        return True
    if isinstance(test, Comparison):
        if value is None or isinstance(value, bool):
            return False
        return _OPS[test.op](Decimal(str(value)), test.value)
    if isinstance(test, list):
        return value in test
    if isinstance(test, OneOf):
        return value in test.one_of
    if hasattr(test, "known"):  # a presence test: was the field given at all?
        return (value is not None) == test.known
    if isinstance(test, (str, bool, int, float)):
        return value == test
    return True  # a kind of test this planner does not know: assume it could pass


def _predicate(test):
    """A field test as a function of a known value; the same answers as `accepts`."""
    if isinstance(test, list):
        accepted = tuple(test)
        return lambda value: value in accepted
    if isinstance(test, (str, bool, int, float)):
        return lambda value: value == test
    return lambda value: accepts(test, value)


def _compiled(condition) -> tuple:
    """A condition's tests as (field, predicate) pairs, variables (which accept anything) left out."""
    return tuple((name, _predicate(test)) for name, test in condition.where.items() if not is_variable(test))


def _fast_match(tests: tuple, pattern: dict) -> bool:
    for name, predicate in tests:
        value = pattern.get(name, ANY)
        if value is not ANY and not predicate(value):
            return False
    return True


def _template(conclusion) -> tuple:
    return (
        conclusion.finding,
        ANY if is_variable(conclusion.about) else conclusion.about,
        ANY if is_variable(conclusion.basis) else conclusion.basis,
    )


def _fact_pattern(fact: UserFact) -> dict:
    pattern = fact.model_dump()
    if fact.kind == "supplement":
        pattern["daily_dose_mg"] = fact.daily_dose_mg
    return pattern


class Planner:
    """Decides which questions are still worth asking, and in which order, from a knowledge base."""

    def __init__(self, knowledge_base: KnowledgeBase):
        self.kb = knowledge_base
        self._mains = main_questions()
        self._order = {q.id: i for i, q in enumerate(self._mains)}
        self._tests = planner_tests(knowledge_base)
        self._rule_causes = {rule.id: _rule_causes(rule) for rule in knowledge_base.rules}

    # --- the questions -------------------------------------------------------------------

    def open_questions(self, answers: dict) -> list[Question]:
        """Every question not answered yet: the main ones and the follow-ups of what was chosen."""
        out = [q for q in self._mains if q.id not in answers]
        chosen = {qid: value for qid, value in answers.items() if isinstance(value, list)}
        wanted = []
        if any(v.startswith("twitching") for v in chosen.get("complaint", [])):
            wanted.append("complaint/course")
        wanted += [f"symptom:{s}/location" for s in LOCATED if s in chosen.get("symptoms", [])]
        for nutrient in chosen.get("supplements", []):
            dose = f"supplement:{nutrient}/daily_dose"
            wanted.append(dose)
            if answers.get(dose):
                wanted.append(f"supplement:{nutrient}/duration_months")
        wanted += [f"nutrient_level:{n}" for n in chosen.get("tests", [])]
        return out + [follow_up(qid) for qid in wanted if qid not in answers]

    def next_question(self, answers: dict, facts: list[UserFact], report: Report) -> Question | None:
        """The most useful question to ask next, or None when no answer could change the outcome."""
        ranked = self.ranked(answers, facts, report)
        return ranked[0] if ranked else None

    def ranked(self, answers: dict, facts: list[UserFact], report: Report) -> list[Question]:
        """The questions worth asking, most useful first (see the module's docstring)."""
        state = _State(self.kb, self._tests, answers, facts, report, self.open_questions(answers))
        lead = {c.cause: c.score for c in report.causes}
        scored = []
        for q in state.open:
            reasons = state.reasons(q)
            # A supplement chosen makes no fact without its dose, nor a test chosen without its result.
            mandatory = q.field in ("daily_dose", "level")
            if not reasons and not mandatory:
                continue
            order = self._order.get(q.group, len(self._order))
            if q.id == "complaint":
                scored.append(((0, 0, 0, q.id), q))
            elif q.field:
                scored.append(((1, order, 0, q.id), q))
            elif q.subject in RED_FLAGS:
                scored.append(((2, order, 0, q.id), q))
            else:
                leading = max((lead.get(c, 0.0) for r in reasons for c in self._rule_causes[r.rule.id]), default=0.0)
                scored.append(((3, -round(leading, 3), order, q.id), q))
        scored.sort(key=lambda item: item[0])
        return [q for _, q in scored]

    def reasons(self, q: Question, answers: dict, facts: list[UserFact], report: Report) -> list[Reason]:
        """The rules an answer to this question could fire or rule out, nearest to firing first."""
        state = _State(self.kb, self._tests, answers, facts, report, self.open_questions(answers))
        found = state.reasons(q)
        found.sort(key=lambda r: (r.effect != "fire", -state.nearness(r.rule), CATEGORY_ORDER.get(r.rule.category, 99)))
        return found


def _rule_causes(rule: Rule) -> set[str]:
    """The causes a rule bears on, by the findings it concludes and the facts it tests."""
    found: set[str] = set()
    for conclusion in rule.then:
        if not is_variable(conclusion.about):
            found |= causes_of_fact("finding", {"name": conclusion.finding, "about": conclusion.about})
    for condition in rule.when:
        fields = {k: v for k, v in condition.where.items() if isinstance(v, str) and not is_variable(v)}
        if condition.fact == "finding" and "name" in fields:
            found |= causes_of_fact("finding", fields)
        elif condition.fact != "finding":
            found |= causes_of_fact(condition.fact, fields) if all(k in fields for k in _SUBJECTS.get(condition.fact, ())) else set()
    return found


def _by_kind(patterns: list[tuple[str, dict]]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for kind, pattern in patterns:
        out.setdefault(kind, []).append(pattern)
    return out


def planner_tests(kb: KnowledgeBase) -> dict[int, tuple]:
    """Every condition of the knowledge base compiled once, by the condition's identity."""
    return {id(c): _compiled(c) for r in kb.rules for c in r.when}


class _State:
    """What is known and what could still be learnt, for one decision of the planner."""

    def __init__(self, kb: KnowledgeBase, tests: dict[int, tuple], answers: dict, facts: list[UserFact], report: Report, open_qs: list[Question]):
        self.kb = kb
        self.answers = answers
        self.open = open_qs
        self.told: list[tuple[str, dict]] = [(f.kind, _fact_pattern(f)) for f in facts]
        self.derived: list[dict] = [{"about": None, "basis": None, **r.fact} for r in report.derived]
        open_ids = {q.id for q in open_qs}
        # What could still be told: the facts told, with the fields open follow-ups may change,
        # and a fact of any shape for each main question not answered yet.
        self.possible: list[tuple[str, dict]] = []
        for kind, pattern in self.told:
            self.possible.append((kind, self._loosen(kind, pattern, open_ids)))
        for q in open_qs:
            self.possible += self.reach(q)
        self.tests = tests
        self._chained = [r for r in kb.rules if any(c.fact == "finding" for c in r.when)]
        # Rules still possible: reached by what could still be told; only what was told rules one out.
        self.still_possible = self._forward(self.possible, set(), {}, absent_against=self.told)[0]
        self.fired = set(report.rules_fired)

    def _loosen(self, kind: str, pattern: dict, open_ids: set[str]) -> dict:
        """A told fact with the fields an open follow-up may still change left open."""
        pattern = dict(pattern)
        subject = pattern.get(_SUBJECT_FIELD.get(kind, ""))
        if kind == "symptom" and subject == "twitching" and "complaint/course" in open_ids:
            pattern.update(persistent=ANY, severe=ANY)
        if kind == "symptom" and f"symptom:{subject}/location" in open_ids:
            pattern["location"] = ANY
        if kind == "supplement":
            if f"supplement:{subject}/daily_dose" in open_ids:
                pattern.update(daily_dose=ANY, unit=ANY, daily_dose_mg=ANY)
            if f"supplement:{subject}/duration_months" in open_ids:
                pattern["duration_months"] = ANY
        return pattern

    def reach(self, q: Question) -> list[tuple[str, dict]]:
        """The facts (as patterns) an answer to this question could make."""
        if q.field is None:
            return [option_fact(q.id, option) for option in q.options] if q.options else [option_fact(q.id, None)]
        if q.field == "daily_dose":
            return [("supplement", {"nutrient": q.subject})]
        if q.field == "level":
            return [("nutrient_level", {"nutrient": q.subject})]
        changes = {"course": ("persistent", "severe"), "location": ("location",), "duration_months": ("duration_months",)}[q.field]
        subject = "twitching" if q.field == "course" else q.subject
        kind = "supplement" if q.field == "duration_months" else "symptom"
        return [
            (k, dict(pattern, **{f: ANY for f in changes}))
            for k, pattern in self.told
            if k == kind and pattern.get(_SUBJECT_FIELD[k]) == subject
        ]

    def _meets_now(self, condition) -> bool:
        if condition.fact == "finding":
            return any(_fast_match(self.tests[id(condition)], d) for d in self.derived)
        return any(kind == condition.fact and _fast_match(self.tests[id(condition)], p) for kind, p in self.told)

    def _forward(
        self, told: list[tuple[str, dict]], reached: set[str], templates: dict, absent_against=None
    ) -> tuple[set[str], dict]:
        """Forward chaining over patterns: the rules the told patterns reach, and the findings they make.

        An absent condition is tested against `absent_against` (by default the same patterns).
        """
        if not templates:
            for d in self.derived:
                templates[(d["name"], d["about"], d["basis"])] = d
        by_kind, absent_kind = _by_kind(told), _by_kind(told if absent_against is None else absent_against)
        # After the first pass only rules that test findings can change: the told facts do not.
        candidates = self.kb.rules
        changed = True
        while changed:
            changed = False
            for rule in candidates:
                if rule.id in reached:
                    continue
                ok = True
                for c in rule.when:
                    tests = self.tests[id(c)]
                    if c.fact == "finding":
                        ok = any(_fast_match(tests, t) for t in templates.values())
                    elif c.absent:
                        ok = bool(c.variables()) or not any(_fast_match(tests, p) for p in absent_kind.get(c.fact, ()))
                    else:
                        ok = any(_fast_match(tests, p) for p in by_kind.get(c.fact, ()))
                    if not ok:
                        break
                if ok:
                    reached.add(rule.id)
                    changed = True
                    for c in rule.then:
                        key = _template(c)
                        templates.setdefault(key, {"name": key[0], "about": key[1], "basis": key[2]})
            candidates = self._chained
        return reached, templates

    def nearness(self, rule: Rule) -> float:
        """The share of a rule's conditions met already: 1.0 for a rule that has fired."""
        positive = [c for c in rule.when if not c.absent]
        return sum(self._meets_now(c) for c in positive) / len(positive)

    def reasons(self, q: Question) -> list[Reason]:
        reach = self.reach(q)
        found = []
        for rule in self.kb.rules:
            if rule.id not in self.still_possible:
                continue
            for condition in rule.when:
                if condition.fact == "finding" or not self._answer_touches(q, condition):
                    continue
                if not any(kind == condition.fact and _fast_match(self.tests[id(condition)], p) for kind, p in reach):
                    continue
                if condition.absent:
                    found.append(Reason(rule, "rule_out"))
                    break
                if not self._meets_now(condition):
                    found.append(Reason(rule, "fire"))
                    break
        return found

    @staticmethod
    def _answer_touches(q: Question, condition) -> bool:
        """Whether the question's answer bears on the condition at all."""
        if q.field is None or q.field in ("daily_dose", "level"):
            return True  # the answer makes whole facts: `reach` says which
        fields = {"course": ("persistent", "severe"), "location": ("location",), "duration_months": ("duration_months",)}[q.field]
        return any(f in condition.where for f in fields)


def option_fact(question_id: str, option: str | None) -> tuple[str, dict]:
    """The fact (as a pattern) choosing one option of a main question makes; open fields are ANY."""
    if question_id == "complaint":
        if option.startswith("twitching"):
            place = option.split("@", 1)[1] if "@" in option else None
            return ("symptom", {"name": "twitching", "location": place, "persistent": ANY, "severe": ANY})
        return ("symptom", {"name": option, "location": None})
    if question_id.startswith("symptom:"):  # a warning sign, yes or no
        return ("symptom", {"name": question_id.split(":", 1)[1], "location": None})
    if question_id == "symptoms":
        return ("symptom", {"name": option, "location": ANY if option in LOCATED else None})
    if question_id == "habits":
        return ("lifestyle", {"factor": option}) if option in _LIFESTYLE else ("diet", {"pattern": option})
    if question_id == "health":
        return ("medication", {}) if option == "medication" else ("condition", {"name": option})
    if question_id == "supplements":
        return ("supplement", {"nutrient": option})
    if question_id == "tests":
        return ("nutrient_level", {"nutrient": option})
    raise KeyError(question_id)
