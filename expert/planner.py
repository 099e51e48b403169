"""Choosing the next question from the rules themselves: ask only what could still change a conclusion.

Each rule's conditions on the person's facts say what is worth asking. A rule is *still
possible* when each of its conditions is met by what the person said, or could be met by a
question not yet answered, or (for a finding) by another rule that is still possible; and none
of its `absent` conditions is contradicted by what the person said. An unanswered question is
worth asking when its answer could fire a rule that is still possible (by meeting a condition
nothing meets yet) or could rule one out (by meeting one of its `absent` conditions). When no
question is, nothing the person could add would change the outcome.
"""

import operator
from dataclasses import dataclass
from decimal import Decimal

from expert.questions import (
    COMPLAINT,
    SUPPLEMENT_FOLLOW_UPS,
    SYMPTOM_FOLLOW_UPS,
    Question,
    follow_up,
    main_questions,
)
from expert.report import Report
from facts import UserFact, choices
from facts.vocabulary import Nutrient
from rules.knowledge import KnowledgeBase
from rules.schema import CATEGORY_ORDER, Comparison, OneOf, Rule, is_variable

# A field whose value is not known yet: an open question may still give it any value.
ANY = object()

# How much a conclusion a "yes" would reach weighs in choosing the next question: an
# explanation of the complaint first, then a referral, then the rest.
GAIN_ORDER = {"red_flag": 0, "explanation": 1, "referral": 2, "suspicion": 3, "ruled_out": 4, "advice": 5, "mechanism": 6}

_OPS = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}
_SUBJECT_FIELD = {"symptom": "name", "nutrient_level": "nutrient", "lifestyle": "factor", "diet": "pattern",
                  "condition": "name", "supplement": "nutrient"}


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

    # --- the questions -------------------------------------------------------------------

    def open_questions(self, answers: dict) -> list[Question]:
        """Every question not answered yet: the main ones and the follow-ups of a "yes"."""
        out = [q for q in self._mains if q.id not in answers]
        for topic, value in answers.items():
            if topic.startswith("symptom:") and "/" not in topic and value:
                out += [q for f in SYMPTOM_FOLLOW_UPS if (q := follow_up(topic, f)).id not in answers]
            if topic == "supplement" and value:
                for nutrient in value:
                    dose = follow_up("supplement", "daily_dose", nutrient)
                    if dose.id not in answers:
                        out.append(dose)
                    elif answers[dose.id]:
                        out += [q for f in SUPPLEMENT_FOLLOW_UPS[1:] if (q := follow_up("supplement", f, nutrient)).id not in answers]
        return out

    def next_question(self, answers: dict, facts: list[UserFact], report: Report) -> Question | None:
        """The most useful question to ask next, or None when no answer could change the outcome."""
        ranked = self.ranked(answers, facts, report)
        return ranked[0] if ranked else None

    def ranked(self, answers: dict, facts: list[UserFact], report: Report) -> list[Question]:
        """The questions worth asking, most useful first.

        First the complaint and its details; then the details of anything answered "yes"; then
        questions that could raise a red flag; then the rest: first those whose "yes" would at
        once reach the weightiest kind of conclusion (an explanation before a mechanism), then
        in the catalogue's order (direct causes before other symptoms), then those whose rules
        are nearest to firing.
        """
        state = _State(self.kb, self._tests, answers, facts, report, self.open_questions(answers))
        scored = []
        follow_order = SYMPTOM_FOLLOW_UPS + SUPPLEMENT_FOLLOW_UPS
        for q in state.open:
            reasons = state.reasons(q)
            mandatory = q.field == "daily_dose"
            if not reasons and not mandatory:
                continue
            order = self._order.get(q.id, self._order.get(q.topic, 0))
            if q.topic == COMPLAINT or q.field:
                phase = 0 if q.topic == COMPLAINT else 1
                scored.append(((phase, follow_order.index(q.field) if q.field else -1, 0, order, q.id), q))
                continue
            red = any(r.rule.category == "red_flag" and r.effect == "fire" for r in reasons)
            gain = state.best_gain(q)
            nearest = max((state.nearness(r.rule) for r in reasons), default=1.0)
            scored.append(((2 if red else 3, gain, order, -nearest, q.id), q))
        scored.sort(key=lambda item: item[0])
        return [q for _, q in scored]

    def reasons(self, q: Question, answers: dict, facts: list[UserFact], report: Report) -> list[Reason]:
        """The rules an answer to this question could fire or rule out, nearest to firing first."""
        state = _State(self.kb, self._tests, answers, facts, report, self.open_questions(answers))
        found = state.reasons(q)
        found.sort(key=lambda r: (r.effect != "fire", -state.nearness(r.rule), CATEGORY_ORDER.get(r.rule.category, 99)))
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
        self._baseline = self._forward(self.told, set(), {})

    def _loosen(self, kind: str, pattern: dict, open_ids: set[str]) -> dict:
        pattern = dict(pattern)
        subject = pattern.get(_SUBJECT_FIELD.get(kind, ""), None)
        topic = f"{kind}:{subject}"
        for q_field in SYMPTOM_FOLLOW_UPS + SUPPLEMENT_FOLLOW_UPS:
            if f"{topic}/{q_field}" in open_ids:
                pattern[q_field] = ANY
                if q_field == "daily_dose":
                    pattern.update(unit=ANY, daily_dose_mg=ANY)
        return pattern

    def reach(self, q: Question) -> list[tuple[str, dict]]:
        """The facts (as patterns) an answer to this question could make."""
        if q.field is None:
            if q.kind == "supplement":
                return [("supplement", {"nutrient": n}) for n in choices(Nutrient)]
            field = _SUBJECT_FIELD.get(q.kind)
            return [(q.kind, {field: q.subject} if field else {})]
        if q.kind == "supplement" and q.field == "daily_dose":
            return [("supplement", {"nutrient": q.subject})]
        out = []
        for kind, pattern in self.told:
            if kind == q.kind and pattern.get(_SUBJECT_FIELD[kind]) == q.subject:
                loose = dict(pattern, **{q.field: ANY})
                out.append((kind, loose))
        return out

    def _meets_now(self, condition) -> bool:
        if condition.fact == "finding":
            return any(_fast_match(self.tests[id(condition)], d) for d in self.derived)
        return any(kind == condition.fact and _fast_match(self.tests[id(condition)], p) for kind, p in self.told)

    def best_gain(self, q: Question) -> int:
        """The weightiest kind of conclusion (lowest GAIN_ORDER) a "yes" to the question would reach.

        The answer is followed symbolically down the chains: rules whose conditions the facts told,
        the answer's facts (any shape) and the findings so reached meet. A question that can only
        rule something out gains the category of what it rules out, if that has fired.
        """
        reach = self.reach(q)
        told = list(self.told) + reach
        reached, templates = self._baseline
        blocks = any(
            c.absent and not c.variables() and any(k == c.fact and _fast_match(self.tests[id(c)], p) for k, p in reach)
            for rid in reached for c in self.kb.rule(rid).when
        )
        if blocks:
            reached, templates = self._forward(told, set(), {})
        else:
            reached, templates = self._forward(told, set(reached), dict(templates))
        gains = [GAIN_ORDER.get(self.kb.rule(r).category, 9) for r in reached - self.fired]
        lost = [GAIN_ORDER.get(self.kb.rule(r).category, 9) for r in self.fired - reached]
        return min(gains + lost, default=99)

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
        if condition.fact != q.kind:
            return False
        if q.field is None or q.field == "daily_dose":
            return True
        return q.field in condition.where
