"""Running the console's interview on a case file, as a person whose story it is would answer.

`simulate(facts)` starts the real console (expert.console.app.Console) with a reader in place of the
keyboard: at each prompt it types the answer the case gives, in words a person would use ("vitamin
B6 250 mg for 8 months", "magnesium low", "none"), and anything the case does not say is answered
"no" (or "none", or "don't know" for a detail such as how long). It records the questions asked,
their number, and whether the conclusions reached equal those `expert consult` reaches on the same
case: the interview must ask everything that could change them, and nothing else.
"""

import io
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from expert.console.app import Console
from expert.errors import ExpertError
from expert.console.interview import Interview, answers_of_group, group_of_fact
from expert.console.questions import TWITCHING_ANYWHERE, Question, option_label
from expert.engine.session import _give_back, consult, parse_fact


class SimulationError(ExpertError):
    """The console refused an answer the case gives (a fault of the console's reading of it)."""


class AskedQuestion(BaseModel):
    """One question the console asked, and what was typed."""

    model_config = ConfigDict(frozen=True)

    id: str
    question: str
    answer: str


class Simulation(BaseModel):
    """The questions asked in order, their count, and whether the conclusions equal consult's."""

    model_config = ConfigDict(frozen=True)

    questions: list[AskedQuestion]
    count: int
    same_as_consult: bool
    # Conclusions (rule ids) only one side reached, when they differ.
    only_console: list[str] = []
    only_consult: list[str] = []


def case_answers(facts: list) -> dict:
    """The answers a case's facts give, by question id (what the person would say)."""
    parsed = [parse_fact(f, f"facts[{i}]") for i, f in enumerate(facts)]
    by_group: dict[str, list] = {}
    for fact in parsed:
        by_group.setdefault(group_of_fact(fact), []).append(fact)
    answers: dict = {}
    for group, group_facts in by_group.items():
        answers |= answers_of_group(group, group_facts)
    return answers


def typed(q: Question, answers: dict) -> str:
    """What the person types at this question, from their case's answers."""
    value = answers.get(q.id)
    if q.answer == "yes_no":
        return "yes" if value else "no"
    if q.answer == "choose_any":
        if not value:
            return "none"
        parts = []
        for option in value:
            words = _words(option)
            if q.id == "supplements":
                words += _dose_words(option, answers)
            elif q.id == "tests" and answers.get(f"nutrient_level:{option}"):
                words += " " + answers[f"nutrient_level:{option}"]
            parts.append(words)
        return ", ".join(parts)
    if value is None:
        return "don't know"
    if q.answer == "choice":
        return option_label(value)
    if q.answer == "amount":
        return f"{_plain(value[0])} {value[1]}"
    return f"{_plain(value)} months"


def _plain(number: float) -> str:
    """A number as digits, exactly as given: no exponent, no rounding (1000000, 100000.001)."""
    return format(Decimal(repr(number)).normalize(), "f")


def _words(option: str) -> str:
    """An option as a person would type it: "eyelids", "twitching", "no dairy", "vitamin B6"."""
    if option.startswith("twitching@"):
        return option_label(option.split("@", 1)[1])
    if option == TWITCHING_ANYWHERE:
        return "twitching"
    return option_label(option) if option.startswith("vitamin") else option.replace("_", " ")


def _dose_words(nutrient: str, answers: dict) -> str:
    dose = answers.get(f"supplement:{nutrient}/daily_dose")
    if not dose:
        return ""
    words = f" {_plain(dose[0])} {dose[1]}"
    months = answers.get(f"supplement:{nutrient}/duration_months")
    return words + (f" for {_plain(months)} months" if months is not None else "")


class _Person(io.TextIOBase):
    """Stands in for the keyboard: answers whatever question the console is asking."""

    def __init__(self, answers: dict):
        self.answers = answers
        self.console: Console | None = None
        self.asked: list[AskedQuestion] = []

    def isatty(self) -> bool:
        return False

    def readline(self, size: int = -1) -> str:
        q = self.console.current
        if q is None:
            return "quit\n"
        line = typed(q, self.answers)
        if self.asked and self.asked[-1].id == q.id and self.asked[-1].answer == line:
            # The console did not take this answer: typing it again would loop for ever.
            raise SimulationError(f"the console did not accept {line!r} to {q.id}")
        self.asked.append(AskedQuestion(id=q.id, question=q.text, answer=line))
        return line + "\n"


def simulate(facts: list, *, knowledge_base=None) -> Simulation:
    """Run the console's interview on a case's facts; InvalidFactError if they are not valid."""
    expected = consult(facts, knowledge_base=knowledge_base)
    person = _Person(case_answers(facts))
    console = Console(Interview(knowledge_base), person, io.StringIO())
    person.console = console
    try:
        console.run()
    finally:
        # The interview's engine goes back to the pool for the next consultation.
        _give_back(console.interview.session)
    reached = {c.key for c in console.interview.report().conclusions}
    wanted = {c.key for c in expected.conclusions}
    return Simulation(
        questions=person.asked,
        count=len(person.asked),
        same_as_consult=reached == wanted,
        only_console=sorted({rule for rule, _ in reached - wanted}),
        only_consult=sorted({rule for rule, _ in wanted - reached}),
    )
