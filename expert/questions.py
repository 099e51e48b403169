"""The questions a consultation can ask, in plain words, and how a typed answer is read.

Every question is about one fact kind of facts/models.py. A *topic* is one main question and
its follow-ups: "Do you have twitching?" is followed by where, whether it keeps coming back and
whether it is severe; "Which supplements do you take?" by each one's daily dose and how long.
Which of them are worth asking is decided by expert.planner from the rules themselves.

An answer is a JSON-like value: True/False for yes/no, None for "don't know", a choice's value
(a string), a list of values for a choice of several, [dose, unit] for an amount, a number of
months. `Question.parse` turns a typed line into one, or raises AnswerError with a one-line reason.
"""

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from expert.errors import ExpertError
from facts import Supplement, choices
from facts.models import MAX_DURATION_MONTHS
from facts.vocabulary import ConditionName, DietPattern, LifestyleFactor, Location, Nutrient, SymptomName

# The complaint every consultation starts from.
COMPLAINT = "symptom:twitching"

MAX_ANSWER_LENGTH = 200

NUTRIENT_NAMES = {
    "magnesium": "magnesium",
    "calcium": "calcium",
    "potassium": "potassium",
    "vitamin_d": "vitamin D",
    "vitamin_b12": "vitamin B12",
    "folate": "folate",
    "vitamin_b6": "vitamin B6",
}

# What each main question asks, keyed by question id ("kind:value").
WORDING: dict[str, str] = {
    "symptom:twitching": "Do you have muscle twitching: small movements of a muscle you do not control, "
    "such as a twitching eyelid?",
    "symptom:cramps": "Do you get muscle cramps?",
    "symptom:spasms": "Do you get muscle spasms?",
    "symptom:muscle_weakness": "Do your muscles feel weak?",
    "symptom:fatigue": "Do you feel unusually tired (fatigue)?",
    "symptom:nausea": "Do you feel sick to your stomach (nausea)?",
    "symptom:loss_of_appetite": "Have you lost your appetite?",
    "symptom:abnormal_eye_movements": "Have you noticed abnormal movements of your eyes?",
    "symptom:irregular_heartbeat": "Does your heart beat irregularly (skipping, racing or fluttering)?",
    "symptom:numbness": "Do you have numbness anywhere?",
    "symptom:tingling": "Do you have tingling or pins and needles anywhere?",
    "symptom:tetany": "Do you have painful muscle contractions that you cannot stop and that lock a "
    "muscle in place (tetany)?",
    "symptom:seizures": "Have you had a seizure (a fit)?",
    "symptom:difficulty_breathing": "Do you have difficulty breathing?",
    "symptom:constipation": "Are you constipated?",
    "symptom:loss_of_coordination": "Have you lost coordination (clumsiness, dropping things)?",
    "symptom:difficulty_walking": "Do you have difficulty walking?",
    "symptom:balance_problems": "Do you have problems keeping your balance?",
    "symptom:facial_twitch_on_tapping": "Does your face twitch when the cheek just in front of the ear "
    "is tapped lightly (over the facial nerve)?",
    "lifestyle:excessive_caffeine": "Do you drink a lot of coffee, tea, cola or energy drinks?",
    "lifestyle:excessive_alcohol": "Do you drink a lot of alcohol?",
    "lifestyle:stress": "Are you under a lot of stress?",
    "lifestyle:poor_sleep": "Have you been sleeping badly or too little?",
    "lifestyle:dehydration": "Could you be dehydrated (drinking too little, or losing fluid through heat, "
    "sweating, vomiting or diarrhoea)?",
    "lifestyle:intense_exercise": "Have you been exercising intensely?",
    "lifestyle:little_sun_exposure": "Do you get little sunlight on your skin?",
    "diet:poor_diet": "Would you say your diet is poor or unbalanced?",
    "diet:malabsorption": "Have you been told that your body absorbs food poorly (malabsorption, "
    "for example with coeliac or Crohn's disease)?",
    "diet:no_leafy_greens": "Do you rarely or never eat leafy greens (spinach, kale, chard)?",
    "diet:no_nuts_or_seeds": "Do you rarely or never eat nuts or seeds?",
    "diet:no_dairy": "Do you rarely or never eat dairy (milk, cheese, yoghurt)?",
    "diet:no_fatty_fish": "Do you rarely or never eat fatty fish (salmon, sardines, mackerel)?",
    "diet:no_animal_products": "Do you eat no animal products at all (meat, fish, eggs, dairy)?",
    "diet:few_fruits_or_vegetables": "Do you eat few fruits and vegetables?",
    "supplement": "Do you take any vitamin or mineral supplements every day? If so, which?",
    "medication": "Do you take any medication, prescribed or bought over the counter?",
    "condition:neuromuscular_disorder": "Has a doctor told you that you have a neuromuscular disorder "
    "(a disease of the nerves and muscles)?",
    "condition:other_health_condition": "Do you have another health condition that a doctor is treating?",
    **{
        f"nutrient_level:{n}": f"Has a blood test measured your {NUTRIENT_NAMES[n]}? If so, was it low, "
        "normal or high?"
        for n in choices(Nutrient)
    },
}

# What each follow-up asks; {thing} is the symptom or the supplement it follows up.
FOLLOW_UP_WORDING: dict[str, str] = {
    "location": "Where do you notice the {thing}? (one or more, separated by commas)",
    "persistent": "Does the {thing} keep coming back, or has it lasted for weeks?",
    "severe": "Is the {thing} severe: strong, painful, or getting in the way of daily life?",
    "daily_dose": "How much {thing} do you take a day? Give a number and a unit, e.g. 200 mg.",
    "duration_months": "For how long have you taken {thing}? In months, or e.g. '2 years'.",
}

SYMPTOM_FOLLOW_UPS = ("location", "persistent", "severe")
SUPPLEMENT_FOLLOW_UPS = ("daily_dose", "duration_months")

NOT_TESTED = "not_tested"
UNITS_SHOWN = "mg, mcg, g, or IU for vitamin D"


class AnswerError(ExpertError):
    """A typed answer cannot be read as an answer to the question; the message says why in one line."""


@dataclass(frozen=True)
class Question:
    """One question: its id, the fact kind and field it asks about, and the answers it accepts."""

    id: str  # "symptom:twitching", "symptom:twitching/location", "supplement", "supplement:vitamin_b6/daily_dose"
    kind: str  # the fact kind its answer becomes
    subject: str | None  # the symptom, nutrient, factor, pattern or condition; None for "supplement"/"medication"
    field: str | None  # None for a main question, else the follow-up's field
    answer: str  # "yes_no", "choice", "choices", "amount", "months"
    options: tuple[str, ...] = ()
    text: str = ""

    @property
    def topic(self) -> str:
        """The main question this one belongs to."""
        return topic_of(self.id)

    @property
    def label(self) -> str:
        """A few words naming the question, as `facts` lists it: "twitching, where"."""
        if self.kind == "supplement":
            if self.field is None:
                return "supplements taken"
            return f"{option_label(self.subject)} supplement, " + ("daily dose" if self.field == "daily_dose" else "how long")
        if self.kind == "nutrient_level":
            return f"{option_label(self.subject)} blood test"
        if self.kind == "medication":
            return "takes medication"
        name = option_label(self.subject)
        if self.field is None:
            return name
        return f"{name}, " + {"location": "where", "persistent": "keeps coming back", "severe": "severe"}[self.field]

    @property
    def accepted(self) -> str:
        """The accepted answers, as shown after the question."""
        if self.answer == "yes_no":
            return "yes / no / don't know"
        if self.answer in ("choice", "choices"):
            shown = " / ".join(option_label(o) for o in self.options)
            return shown + " / don't know"
        if self.answer == "amount":
            return f"a number and a unit ({UNITS_SHOWN}) / don't know"
        return "a number of months / don't know"

    def parse(self, line: str) -> Any:
        """The answer a typed line gives, or AnswerError with a one-line reason."""
        text = normalise(line)
        if is_dont_know(text):
            return None
        if self.answer == "yes_no":
            return _parse_yes_no(text)
        if self.answer == "choice":
            if self.kind == "nutrient_level" and text in {"no", "n", "not tested", "never", "none"}:
                return NOT_TESTED
            if self.kind == "nutrient_level" and text in _YES:
                raise AnswerError("what did the test show: low, normal or high? (or don't know)")
            return _match_option(text, self.options)
        if self.answer == "choices":
            return _parse_choices(text, self.options)
        if self.answer == "amount":
            return _parse_amount(text, self.subject)
        return _parse_months(text)

    def describe(self, value) -> str:
        """An answer to this question in plain words, as shown by `facts`."""
        if value is None:
            return "don't know"
        if self.answer == "yes_no":
            return "yes" if value else "no"
        if self.answer == "choice":
            return option_label(value)
        if self.answer == "choices":
            return ", ".join(option_label(v) for v in value) or "none"
        if self.answer == "amount":
            return f"{value[0]:g} {value[1]} a day"
        return f"{value:g} months"


def topic_of(question_id: str) -> str:
    """The main question of a question id: follow-ups of a supplement belong to "supplement"."""
    head = question_id.split("/", 1)[0]
    return "supplement" if head.startswith("supplement:") else head


def option_label(value: str) -> str:
    """A vocabulary value as a person writes it: `vitamin_b6` -> `vitamin B6`."""
    if value in NUTRIENT_NAMES:
        return NUTRIENT_NAMES[value]
    if value == "around_mouth":
        return "around the mouth"
    return value.replace("_", " ")


def main_questions() -> list[Question]:
    """Every main question, in the order used to break ties: the direct causes the documents name
    (habits, supplements, medication, conditions, test results) before the other symptoms and diet."""
    out = [Question(f"lifestyle:{f}", "lifestyle", f, None, "yes_no", text=WORDING[f"lifestyle:{f}"]) for f in choices(LifestyleFactor)]
    out.append(Question("supplement", "supplement", None, None, "choices", choices(Nutrient) + ("none",), WORDING["supplement"]))
    out.append(Question("medication", "medication", None, None, "yes_no", text=WORDING["medication"]))
    out += [Question(f"condition:{c}", "condition", c, None, "yes_no", text=WORDING[f"condition:{c}"]) for c in choices(ConditionName)]
    out += [
        Question(f"nutrient_level:{n}", "nutrient_level", n, None, "choice", ("low", "normal", "high", NOT_TESTED), WORDING[f"nutrient_level:{n}"])
        for n in choices(Nutrient)
    ]
    out += [Question(f"symptom:{s}", "symptom", s, None, "yes_no", text=WORDING[f"symptom:{s}"]) for s in choices(SymptomName)]
    out += [Question(f"diet:{p}", "diet", p, None, "yes_no", text=WORDING[f"diet:{p}"]) for p in choices(DietPattern)]
    return out


def follow_up(topic_id: str, field: str, subject: str | None = None) -> Question:
    """A follow-up question: `follow_up("symptom:twitching", "location")`, `follow_up("supplement", "daily_dose", "vitamin_b6")`."""
    if topic_id == "supplement":
        qid = f"supplement:{subject}/{field}"
        words = FOLLOW_UP_WORDING[field].format(thing=option_label(subject) if field == "daily_dose" else "it")
        answer = "amount" if field == "daily_dose" else "months"
        return Question(qid, "supplement", subject, field, answer, text=words)
    subject = topic_id.split(":", 1)[1]
    words = FOLLOW_UP_WORDING[field].format(thing=option_label(subject))
    if field == "location":
        return Question(f"{topic_id}/location", "symptom", subject, field, "choices", choices(Location), words)
    return Question(f"{topic_id}/{field}", "symptom", subject, field, "yes_no", text=words)


def question(question_id: str) -> Question:
    """The question with this id; KeyError if there is none."""
    if "/" not in question_id:
        for q in main_questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)
    head, field = question_id.split("/", 1)
    kind, _, subject = head.partition(":")
    if kind == "symptom" and subject in choices(SymptomName) and field in SYMPTOM_FOLLOW_UPS:
        return follow_up(head, field)
    if kind == "supplement" and subject in choices(Nutrient) and field in SUPPLEMENT_FOLLOW_UPS:
        return follow_up("supplement", field, subject)
    raise KeyError(question_id)


# --- reading typed answers -------------------------------------------------------------------

_YES = {"y", "yes", "yeah", "yep", "yes please", "true", "i do", "sure"}
_NO = {"n", "no", "nope", "false", "i don't", "not really", "never"}
_DONT_KNOW = {"?", "dk", "don't know", "do not know", "dont know", "not sure", "unsure", "unknown", "idk", "skip", "maybe"}


def normalise(line: str) -> str:
    """A typed line made comparable: Unicode compatibility forms, lower case, single spaces, no end stop."""
    if len(line) > MAX_ANSWER_LENGTH:
        raise AnswerError(f"that answer is {len(line):,} characters long; please answer in a few words")
    text = unicodedata.normalize("NFKC", line)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = text.replace("\u2019", "'").replace("`", "'")
    text = " ".join(text.casefold().split()).rstrip(".!")
    if not text:
        raise AnswerError("please type an answer")
    return text


def is_dont_know(text: str) -> bool:
    return text in _DONT_KNOW


def _parse_yes_no(text: str) -> bool:
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise AnswerError(f"'{_shorten(text)}' is not an answer to this question; type yes, no or don't know")


def _shorten(text: str, width: int = 30) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _option_keys(option: str) -> set[str]:
    return {option, option.replace("_", " "), option_label(option).casefold()}


def _match_option(text: str, options: tuple[str, ...]) -> str:
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1]
    exact = [o for o in options if text in _option_keys(o)]
    if exact:
        return exact[0]
    for test in (str.startswith, str.__contains__):
        found = [o for o in options if any(test(key, text) for key in _option_keys(o))]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            shown = ", ".join(option_label(o) for o in found)
            raise AnswerError(f"'{_shorten(text)}' could be {shown}; type more of the word")
    shown = ", ".join(option_label(o) for o in options)
    raise AnswerError(f"'{_shorten(text)}' is not one of the answers: {shown}, don't know")


def _parse_choices(text: str, options: tuple[str, ...]) -> list[str]:
    if text in {"none", "no", "n", "nothing"}:
        return []
    picked: list[str] = []
    for part in re.split(r"\s*(?:,|;|/|&|\band\b|\+)\s*", text):
        if not part:
            continue
        value = _match_option(part, options)
        if value == "none":
            continue
        if value not in picked:
            picked.append(value)
    return picked


_NUMBER = r"[+-]?(?:\d[\d,_]*(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?"
_UNITS = {
    "mg": "mg", "milligram": "mg", "milligrams": "mg",
    "mcg": "mcg", "microgram": "mcg", "micrograms": "mcg", "μg": "µg", "µg": "µg", "ug": "ug",
    "g": "g", "gram": "g", "grams": "g", "gm": "g",
    "iu": "IU", "i.u": "IU", "i.u.": "IU", "ie": "IU",
}
_NOT_NUMBERS = {"nan", "inf", "infinity", "-inf", "+inf", "-infinity", "+infinity"}


def _number(word: str, what: str) -> float:
    """A finite number from digits; AnswerError naming what it was for otherwise."""
    if word.lstrip("+-") in _NOT_NUMBERS:
        raise AnswerError(f"'{word}' is not a number; give the {what} as digits, e.g. 12")
    try:
        value = Decimal(word.replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise AnswerError(f"'{_shorten(word)}' is not a number; give the {what} as digits, e.g. 12") from None
    if value < 0:
        raise AnswerError(f"the {what} cannot be negative")
    number = float(value)
    if not math.isfinite(number) or value > Decimal(10) ** 12:
        raise AnswerError(f"{_shorten(word)} is far too large for a {what}; check the number")
    return number


def _parse_amount(text: str, nutrient: str | None) -> list:
    text = re.sub(r"\s*(?:a|per|/|each|every)\s*(?:day|daily)$|\s+daily$", "", text)
    match = re.fullmatch(rf"({_NUMBER})\s*([^\d\s].*)?", text)
    if text.split()[0].lstrip("+-") in _NOT_NUMBERS or re.match(r"[+-]?(nan|inf)", text):
        raise AnswerError(f"'{_shorten(text.split()[0])}' is not a number; give the dose as digits, e.g. 200 mg")
    if not match:
        raise AnswerError(f"'{_shorten(text)}' is not a dose; give a number and a unit, e.g. 200 mg")
    dose = _number(match.group(1), "dose")
    unit_word = (match.group(2) or "").strip()
    if not unit_word:
        raise AnswerError(f"{dose:g} what? Give the unit too, e.g. '{dose:g} mg' ({UNITS_SHOWN})")
    unit = _UNITS.get(unit_word)
    if unit is None:
        raise AnswerError(f"'{_shorten(unit_word)}' is not a unit of dose; use {UNITS_SHOWN}")
    if dose == 0:
        raise AnswerError("the dose must be more than 0; if you do not take it, type 'change' to answer again")
    if nutrient is not None:
        try:
            Supplement(nutrient=nutrient, daily_dose=dose, unit=unit)
        except ValidationError as exc:
            message = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise AnswerError(message) from None
    return [dose, unit]


_MONTHS_PER = {
    "month": 1, "months": 1, "mo": 1, "m": 1,
    "year": 12, "years": 12, "yr": 12, "yrs": 12, "y": 12,
    "week": 12 / 52, "weeks": 12 / 52, "wk": 12 / 52,
    "day": 12 / 365, "days": 12 / 365,
}


def _parse_months(text: str) -> float:
    text = re.sub(r"^(?:a|an|one)\s+(?=[a-z])", "1 ", text)
    match = re.fullmatch(rf"({_NUMBER})\s*([a-z]+)?", text)
    if not match:
        raise AnswerError(f"'{_shorten(text)}' is not a length of time; give a number of months, e.g. 12")
    number = _number(match.group(1), "number of months")
    unit = match.group(2) or "months"
    if unit not in _MONTHS_PER:
        raise AnswerError(f"'{_shorten(unit)}' is not a length of time; give months or years, e.g. 12 months")
    months = round(number * _MONTHS_PER[unit], 2)
    if months > MAX_DURATION_MONTHS:
        raise AnswerError(f"{months:g} months is longer than a lifetime of supplements; check the number")
    return months
