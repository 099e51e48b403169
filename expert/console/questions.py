"""The questions a consultation can ask, in plain words, and how a typed answer is read.

Questions are grouped as a person would be asked them: "Which of these do you have?" with a
numbered list (twitching by place, cramps, spasms), then whether it keeps coming back or is
severe, then each warning sign on its own, then lists of other symptoms, habits and diet,
supplements (with their doses), medicines and conditions, and blood tests (with their results).
Follow-ups are asked only for what was chosen: a supplement's dose and how long, a test's result,
where numbness or tingling is felt. Which questions are worth asking is decided by expert.console.planner
from the rules themselves.

An answer is a JSON-like value: True/False for yes/no, None for "don't know", a list of option
values for a list (empty for "none"), a choice's value, [dose, unit] for an amount, a number of
months. `Question.parse` turns a typed line into one, or raises AnswerError with a one-line
reason; `Question.parse_all` also returns what the line answered of the follow-ups (a list of
supplements may give each dose, a list of tests each result).
"""

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from expert.errors import ExpertError
from expert.facts import Supplement, choices
from expert.facts.models import MAX_DURATION_MONTHS
from expert.facts.vocabulary import (
    ConditionName,
    DietPattern,
    LifestyleFactor,
    Location,
    Nutrient,
    SymptomName,
    display_months,
    display_number,
)

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

# The muscle complaints the documents are about; twitching is asked by where it is felt.
COMPLAINTS = ("twitching", "cramps", "spasms")
TWITCHING_ANYWHERE = "twitching"  # the option for twitching felt elsewhere, or not sure where
# Warning signs: each asked on its own, early.
RED_FLAGS = ("seizures", "difficulty_breathing", "tetany", "irregular_heartbeat")
# Every other symptom, asked as one list.
OTHER_SYMPTOMS = tuple(s for s in choices(SymptomName) if s not in COMPLAINTS + RED_FLAGS)
# Where numbness or tingling is felt matters (around the mouth is a sign of low calcium).
LOCATED = ("numbness", "tingling")

WORDING = {
    "complaint": "Which of these do you have?",
    "complaint/course": "Does the twitching keep coming back, or is it severe?",
    "symptom:seizures": "Have you had a seizure (a fit)?",
    "symptom:difficulty_breathing": "Do you have difficulty breathing?",
    "symptom:tetany": "Do you have painful muscle contractions that you cannot stop and that lock a "
    "muscle in place (tetany)?",
    "symptom:irregular_heartbeat": "Does your heart beat irregularly (skipping, racing or fluttering)?",
    "symptoms": "Have you also noticed any of these?",
    "habits": "Do any of these describe your habits or diet?",
    "supplements": "Do you take any of these supplements every day? Give each with its daily dose if "
    "you know it, e.g. 'vitamin B6 200 mg, magnesium'.",
    "health": "Do any of these apply to your health?",
    "tests": "Has a blood test measured any of these? Give each with its result if you know it, "
    "e.g. 'magnesium low, calcium normal'.",
}

# How each option of a list reads; the value is what the answer records.
OPTION_LABELS = {
    # the complaint
    **{f"twitching@{place}": f"twitching of the {place}" for place in ("eyelids", "face", "arms", "legs", "feet", "hands")},
    "twitching@around_mouth": "twitching around the mouth",
    TWITCHING_ANYWHERE: "twitching elsewhere, or not sure where",
    "cramps": "muscle cramps",
    "spasms": "muscle spasms",
    "persistent": "it keeps coming back, or has lasted for weeks",
    "severe": "it is severe: strong, painful, or in the way of daily life",
    # other symptoms
    "muscle_weakness": "muscles that feel weak",
    "fatigue": "unusual tiredness (fatigue)",
    "nausea": "feeling sick (nausea)",
    "loss_of_appetite": "loss of appetite",
    "abnormal_eye_movements": "abnormal movements of the eyes",
    "numbness": "numbness",
    "tingling": "tingling, or pins and needles",
    "constipation": "constipation",
    "loss_of_coordination": "loss of coordination (clumsiness, dropping things)",
    "difficulty_walking": "difficulty walking",
    "balance_problems": "problems keeping your balance",
    "facial_twitch_on_tapping": "a twitch of the face when the cheek in front of the ear is tapped",
    # habits and diet
    "excessive_caffeine": "a lot of coffee, tea, cola or energy drinks",
    "excessive_alcohol": "a lot of alcohol",
    "stress": "a lot of stress",
    "poor_sleep": "sleeping badly or too little",
    "dehydration": "drinking too little, or losing fluid (heat, sweating, vomiting, diarrhoea)",
    "intense_exercise": "intense exercise",
    "little_sun_exposure": "little sunlight on your skin",
    "poor_diet": "a poor or unbalanced diet",
    "malabsorption": "poor absorption of food (malabsorption, e.g. coeliac or Crohn's disease)",
    "no_leafy_greens": "rarely or never leafy greens (spinach, kale, chard)",
    "no_nuts_or_seeds": "rarely or never nuts or seeds",
    "no_dairy": "rarely or never dairy (milk, cheese, yoghurt)",
    "no_fatty_fish": "rarely or never fatty fish (salmon, sardines, mackerel)",
    "no_animal_products": "a vegan diet: no meat, fish, eggs or dairy",
    "few_fruits_or_vegetables": "few fruits and vegetables",
    # medicines and conditions
    "medication": "you take a medication, prescribed or bought over the counter",
    "neuromuscular_disorder": "a doctor has told you that you have a neuromuscular disorder",
    "other_health_condition": "you have another health condition that a doctor is treating",
    # places
    "around_mouth": "around the mouth",
}
# Other words a person may use for an option.
SYNONYMS = {
    "twitching@eyelids": ("eyelids", "eyelid", "eyes", "eye"),
    "twitching@face": ("face", "facial", "cheek"),
    "twitching@arms": ("arms", "arm"),
    "twitching@legs": ("legs", "leg", "calf", "calves", "thigh", "thighs"),
    "twitching@feet": ("feet", "foot", "toes"),
    "twitching@hands": ("hands", "hand", "fingers"),
    "twitching@around_mouth": ("around the mouth", "mouth", "lips", "lip"),
    TWITCHING_ANYWHERE: ("twitching", "twitch", "twitches", "elsewhere", "not sure where"),
    "cramps": ("cramps", "cramp", "cramping"),
    "spasms": ("spasms", "spasm"),
    "persistent": ("keeps coming back", "comes back", "persistent", "weeks", "lasted"),
    "severe": ("severe", "strong", "painful"),
    "excessive_caffeine": ("caffeine", "coffee", "tea", "cola", "energy drinks"),
    "excessive_alcohol": ("alcohol", "drinking", "drink"),
    "poor_sleep": ("sleep", "poor sleep", "sleeping badly"),
    "dehydration": ("dehydration", "dehydrated", "fluid"),
    "intense_exercise": ("exercise", "sport", "training", "workout"),
    "little_sun_exposure": ("sun", "sunlight", "little sun"),
    "poor_diet": ("poor diet", "unbalanced"),
    "no_leafy_greens": ("leafy greens", "greens", "spinach", "kale"),
    "no_nuts_or_seeds": ("nuts", "seeds"),
    "no_dairy": ("dairy", "milk", "cheese"),
    "no_fatty_fish": ("fatty fish", "fish", "salmon"),
    "no_animal_products": ("vegan", "no animal products"),
    "few_fruits_or_vegetables": ("fruits", "fruit", "vegetables", "veg"),
    "fatigue": ("fatigue", "tired", "tiredness", "exhausted"),
    "muscle_weakness": ("weakness", "weak"),
    "nausea": ("nausea", "sick", "nauseous"),
    "loss_of_appetite": ("appetite",),
    "abnormal_eye_movements": ("eye movements", "eyes"),
    "tingling": ("tingling", "pins and needles"),
    "loss_of_coordination": ("coordination", "clumsy", "clumsiness"),
    "difficulty_walking": ("walking",),
    "balance_problems": ("balance",),
    "facial_twitch_on_tapping": ("tapping", "tapped", "chvostek"),
    "medication": ("medication", "medicine", "medicines", "drugs", "pills"),
    "neuromuscular_disorder": ("neuromuscular",),
    "other_health_condition": ("condition", "other condition", "illness"),
    "vitamin_d": ("vitamin d", "d"),
    "vitamin_b12": ("vitamin b12", "b12", "cobalamin"),
    "vitamin_b6": ("vitamin b6", "b6", "pyridoxine"),
    "folate": ("folate", "folic acid", "b9"),
}

FOLLOW_UP_WORDING = {
    "location": "Where do you feel the {thing}?",
    "daily_dose": "How much {thing} do you take a day? Give a number and a unit, e.g. 200 mg.",
    "duration_months": "For how long have you taken {thing}? In months, or e.g. '2 years'.",
    "result": "What did the blood test show for your {thing}?",
}

LEVELS = ("low", "normal", "high")
UNITS_SHOWN = "mg, mcg, g, or IU for vitamin D"


class AnswerError(ExpertError):
    """A typed answer cannot be read as an answer to the question; the message says why in one line."""


@dataclass(frozen=True)
class Question:
    """One question: its id, the form of answer it takes, its options and its words."""

    # "complaint", "complaint/course", "symptom:seizures", "symptoms", "symptom:numbness/location",
    # "habits", "supplements", "supplement:vitamin_b6/daily_dose", "health", "tests", "nutrient_level:calcium"
    id: str
    answer: str  # "yes_no", "choose_any", "choice", "amount", "months"
    options: tuple[str, ...] = ()
    text: str = ""

    @property
    def group(self) -> str:
        """The main question it belongs to: a follow-up's parent list, or itself."""
        return group_of(self.id)

    @property
    def subject(self) -> str | None:
        """The symptom or nutrient a follow-up (or a warning sign) is about."""
        head = self.id.split("/", 1)[0]
        return head.split(":", 1)[1] if ":" in head else None

    @property
    def field(self) -> str | None:
        """The follow-up's field (location, daily_dose, duration_months, course), or None for a main question."""
        if self.id.startswith("nutrient_level:"):
            return "level"
        return self.id.split("/", 1)[1] if "/" in self.id else None

    @property
    def label(self) -> str:
        """A few words naming the question, as `facts` lists it."""
        labels = {
            "complaint": "muscle symptoms",
            "complaint/course": "twitching: comes back or severe",
            "symptoms": "other symptoms",
            "habits": "habits and diet",
            "supplements": "supplements taken",
            "health": "medication and conditions",
            "tests": "blood tests",
        }
        if self.id in labels:
            return labels[self.id]
        subject = option_label(self.subject or "")
        if self.field == "location":
            return f"{subject}: where"
        if self.field == "daily_dose":
            return f"{subject} supplement: daily dose"
        if self.field == "duration_months":
            return f"{subject} supplement: how long"
        if self.field == "level":
            return f"{subject} blood test: result"
        return subject

    @property
    def accepted(self) -> str:
        """The accepted answers, as shown after the question."""
        if self.answer == "yes_no":
            return "yes / no / don't know"
        if self.answer == "choose_any":
            return "numbers or words, separated by commas / none / don't know"
        if self.answer == "choice":
            return " / ".join(option_label(o) for o in self.options) + " / don't know"
        if self.answer == "amount":
            return f"a number and a unit ({UNITS_SHOWN}) / don't know"
        return "a number of months / don't know"

    def parse(self, line: str) -> Any:
        """The answer a typed line gives, or AnswerError with a one-line reason."""
        return self.parse_all(line)[self.id]

    def parse_all(self, line: str) -> dict[str, Any]:
        """The answer to this question, and to any follow-up the line answers too, by question id."""
        text = normalise(line)
        if is_dont_know(text):
            return {self.id: None}
        if self.answer == "yes_no":
            return {self.id: _parse_yes_no(text)}
        if self.answer == "choice":
            if text in _YES:
                raise AnswerError(f"which one: {', '.join(option_label(o) for o in self.options)}? (or don't know)")
            return {self.id: _match_option(text, self.options)}
        if self.answer == "choose_any":
            return self._parse_list(text)
        if self.answer == "amount":
            return {self.id: _parse_amount(text, self.subject)}
        return {self.id: _parse_months(text)}

    def lists_several(self, line: str) -> bool:
        """Whether the line gives several items of a list: a refusal then turns them all away."""
        if self.answer != "choose_any":
            return False
        try:
            return len(_split_list(normalise(line))) > 1
        except AnswerError:  # empty, or too long to read: not a list
            return False

    def _parse_list(self, text: str) -> dict[str, Any]:
        if text in _NONE:
            return {self.id: []}
        if text in _YES:
            raise AnswerError("which of them? type their numbers or words, or none")
        picked: list[str] = []
        extra: dict[str, Any] = {}
        for part in _split_list(text):
            try:
                found = [self._parse_item(part, extra)]
            except AnswerError:
                if " and " not in part:
                    raise
                # "pins and needles" is one option; "eyelids and legs" two.
                found = [self._parse_item(p, extra) for p in part.split(" and ") if p]
            picked += [value for value in found if value not in picked]
        if self.id == "complaint" and TWITCHING_ANYWHERE in picked and any(p.startswith("twitching@") for p in picked):
            picked.remove(TWITCHING_ANYWHERE)  # "eyelid twitching" names a place; plain twitching adds nothing
        return {self.id: picked, **extra}

    def _parse_item(self, part: str, extra: dict[str, Any]) -> str:
        if self.id not in ("supplements", "tests"):
            return _match_option(part, self.options)
        value, rest = _leading_option(part, self.options)
        if rest and self.id == "supplements":
            extra.update(_supplement_details(value, rest))
        elif rest:
            extra[f"nutrient_level:{value}"] = _match_option(rest, LEVELS)
        return value

    def describe(self, value) -> str:
        """An answer to this question in plain words, as `facts` shows it."""
        if value is None:
            return "don't know"
        if self.answer == "yes_no":
            return "yes" if value else "no"
        if self.answer == "choice":
            return option_label(value)
        if self.answer == "choose_any":
            return ", ".join(option_label(v) for v in value) or "none"
        if self.answer == "amount":
            return f"{display_number(value[0])} {value[1]} a day"
        return display_months(value)


def group_of(question_id: str) -> str:
    """The main question of a question id: a follow-up's list, or the question itself."""
    head = question_id.split("/", 1)[0]
    if head.startswith("supplement:"):
        return "supplements"
    if head.startswith("nutrient_level:"):
        return "tests"
    if head.startswith("symptom:") and "/" in question_id:
        return "symptoms"
    if head == "complaint":
        return "complaint"
    return head


def option_label(value: str) -> str:
    """An option or vocabulary value as a person reads it: `vitamin_b6` -> `vitamin B6`."""
    if value in NUTRIENT_NAMES:
        return NUTRIENT_NAMES[value]
    if value in OPTION_LABELS:
        return OPTION_LABELS[value]
    return value.replace("_", " ")


def short_label(value: str) -> str:
    """An option's name in a few words, for lists of answers: `no_dairy` -> `no dairy`."""
    if value.startswith("twitching@"):
        return "twitching (" + option_label(value.split("@", 1)[1]).removeprefix("twitching ") + ")"
    if value in NUTRIENT_NAMES:
        return NUTRIENT_NAMES[value]
    return value.replace("_", " ")


def main_questions() -> list[Question]:
    """Every main question, in the order used to break ties."""
    complaint = tuple(f"twitching@{p}" for p in choices(Location)) + (TWITCHING_ANYWHERE, "cramps", "spasms")
    return [
        Question("complaint", "choose_any", complaint, WORDING["complaint"]),
        *(Question(f"symptom:{s}", "yes_no", (), WORDING[f"symptom:{s}"]) for s in RED_FLAGS),
        Question("symptoms", "choose_any", OTHER_SYMPTOMS, WORDING["symptoms"]),
        Question("supplements", "choose_any", choices(Nutrient), WORDING["supplements"]),
        Question("tests", "choose_any", choices(Nutrient), WORDING["tests"]),
        Question("habits", "choose_any", choices(LifestyleFactor) + choices(DietPattern), WORDING["habits"]),
        Question("health", "choose_any", ("medication",) + choices(ConditionName), WORDING["health"]),
    ]


def follow_up(question_id: str) -> Question:
    """A follow-up question by id: "complaint/course", "symptom:tingling/location",
    "supplement:vitamin_b6/daily_dose", "supplement:vitamin_b6/duration_months", "nutrient_level:calcium"."""
    if question_id == "complaint/course":
        return Question(question_id, "choose_any", ("persistent", "severe"), WORDING[question_id])
    head, _, field = question_id.partition("/")
    kind, _, subject = head.partition(":")
    if kind == "symptom" and subject in LOCATED and field == "location":
        return Question(question_id, "choose_any", choices(Location), FOLLOW_UP_WORDING["location"].format(thing=option_label(subject)))
    if kind == "supplement" and subject in choices(Nutrient) and field in ("daily_dose", "duration_months"):
        thing = option_label(subject) if field == "daily_dose" else option_label(subject)
        return Question(question_id, "amount" if field == "daily_dose" else "months", (), FOLLOW_UP_WORDING[field].format(thing=thing))
    if kind == "nutrient_level" and subject in choices(Nutrient) and not field:
        return Question(question_id, "choice", LEVELS, FOLLOW_UP_WORDING["result"].format(thing=option_label(subject)))
    raise KeyError(question_id)


def question(question_id: str) -> Question:
    """The question with this id; KeyError if there is none."""
    for q in main_questions():
        if q.id == question_id:
            return q
    return follow_up(question_id)


# --- reading typed answers -------------------------------------------------------------------

_YES = {"y", "yes", "yeah", "yep", "yes please", "true", "i do", "sure"}
_NO = {"n", "no", "nope", "false", "i don't", "not really", "never"}
_NONE = {"none", "no", "n", "nothing", "neither", "none of these", "none of them", "nope"}
_DONT_KNOW = {"?", "dk", "don't know", "do not know", "dont know", "not sure", "unsure", "unknown", "idk", "skip", "maybe"}
_FILLER = {"of", "the", "my", "in", "a", "an", "on", "at", "i", "have", "get", "some", "muscle", "muscles"}


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
    return {option, option.replace("_", " "), option_label(option).casefold(), *SYNONYMS.get(option, ())}


def _split_list(text: str) -> list[str]:
    return [p for p in re.split(r"\s*(?:,|;|\+|&)\s*", text) if p]


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 3


def _match_option(text: str, options: tuple[str, ...], *, word_by_word: bool = True) -> str:
    if _is_number(text):
        if 1 <= int(text) <= len(options):
            return options[int(text) - 1]
        raise AnswerError(f"{text} is not one of the numbers shown (1 to {len(options)})")
    words = " ".join(w for w in text.split() if w not in _FILLER) or text
    for candidate in dict.fromkeys((text, words)):
        exact = [o for o in options if candidate in _option_keys(o)]
        if len(exact) == 1:
            return exact[0]
    for test in (str.startswith, str.__contains__):
        found = [o for o in options if any(test(key, words) for key in _option_keys(o))]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            # A word that names one option exactly wins over those it only begins.
            by_word = [o for o in found if words in {k for k in _option_keys(o)}]
            if len(by_word) == 1:
                return by_word[0]
            shown = "; ".join(option_label(o) for o in found[:4])
            raise AnswerError(f"'{_shorten(text)}' could be {shown}; type its number or more of the words")
    # Word by word: "eyelid twitching" names the eyelids, and twitching, which they already say.
    by_words = {o for w in words.split() for o in options if w in _option_keys(o)} if word_by_word else set()
    if len(by_words) > 1:
        by_words.discard(TWITCHING_ANYWHERE)
    if len(by_words) == 1:
        return by_words.pop()
    raise AnswerError(f"'{_shorten(text)}' is not one of the answers shown; type their numbers, none, or don't know")


def _leading_option(part: str, options: tuple[str, ...]) -> tuple[str, str]:
    """An option named at the start of a part of a list answer, and the rest ("b6 200 mg")."""
    words = part.split()
    for n in range(len(words), 0, -1):
        head, rest = " ".join(words[:n]), " ".join(words[n:])
        try:
            return _match_option(head, options, word_by_word=False), rest
        except AnswerError:
            if n == 1:
                raise
    raise AnswerError(f"'{_shorten(part)}' is not one of the answers shown")  # pragma: no cover


def _supplement_details(nutrient: str, rest: str) -> dict[str, Any]:
    """A dose, and a length of time after 'for', given with a supplement in a list answer."""
    out: dict[str, Any] = {}
    dose, _, time = rest.partition(" for ")
    if dose.strip():
        out[f"supplement:{nutrient}/daily_dose"] = _parse_amount(dose.strip(), nutrient)
    if time.strip():
        out[f"supplement:{nutrient}/duration_months"] = _parse_months(time.strip())
    return out


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
    if len(word) > 30:
        raise AnswerError(f"{_shorten(word)} is far too long for a {what}; check the number")
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
    if not text:
        raise AnswerError("give the dose as a number and a unit, e.g. 200 mg")
    match = re.fullmatch(rf"({_NUMBER})\s*([^\d\s].*)?", text)
    if text.split()[0].lstrip("+-") in _NOT_NUMBERS or re.match(r"[+-]?(nan|inf)", text):
        raise AnswerError(f"'{_shorten(text.split()[0])}' is not a number; give the dose as digits, e.g. 200 mg")
    if not match:
        raise AnswerError(f"'{_shorten(text)}' is not a dose; give a number and a unit, e.g. 200 mg")
    dose = _number(match.group(1), "dose")
    unit_word = (match.group(2) or "").strip()
    if not unit_word:
        raise AnswerError(
            f"{display_number(dose)} what? Give the unit too, e.g. '{display_number(dose)} mg' ({UNITS_SHOWN})"
        )
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
        raise AnswerError(f"{display_number(months)} months is longer than a lifetime of supplements; check the number")
    return months
