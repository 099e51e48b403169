"""The words a fact may use: every name, place, nutrient and factor the documents speak of."""

from decimal import Decimal
from typing import Literal, get_args

SymptomName = Literal[
    "twitching",
    "cramps",
    "spasms",
    "muscle_weakness",
    "fatigue",
    "nausea",
    "loss_of_appetite",
    "abnormal_eye_movements",
    "irregular_heartbeat",
    "numbness",
    "tingling",
    "tetany",
    "seizures",
    "difficulty_breathing",
    "constipation",
    "loss_of_coordination",
    "difficulty_walking",
    "balance_problems",
    "facial_twitch_on_tapping",
]

Location = Literal["eyelids", "face", "arms", "legs", "feet", "hands", "around_mouth"]

Nutrient = Literal[
    "magnesium", "calcium", "potassium", "vitamin_d", "vitamin_b12", "folate", "vitamin_b6"
]

Level = Literal["low", "normal", "high"]

# What a person may write as a dose unit; "µg" and "ug" are spellings of "mcg".
Unit = Literal["mg", "mcg", "µg", "ug", "g", "IU"]

LifestyleFactor = Literal[
    "excessive_caffeine",
    "excessive_alcohol",
    "stress",
    "poor_sleep",
    "dehydration",
    "intense_exercise",
    "little_sun_exposure",
]

# How a person eats: a poor diet or malabsorption in general, or a named food group
# that is missing. The food groups are the sources the documents name.
DietPattern = Literal[
    "poor_diet",
    "malabsorption",
    "no_leafy_greens",
    "no_nuts_or_seeds",
    "no_dairy",
    "no_fatty_fish",
    "no_animal_products",
    "few_fruits_or_vegetables",
]

ConditionName = Literal["neuromuscular_disorder", "other_health_condition"]


def choices(literal) -> tuple[str, ...]:
    """The accepted values of one of the vocabularies above, in their documented order."""
    return get_args(literal)


# How a value is written in a sentence, where replacing "_" by " " is not enough.
_DISPLAY = {
    "vitamin_d": "vitamin D",
    "vitamin_b12": "vitamin B12",
    "vitamin_b6": "vitamin B6",
    "IU": "IU",
}


def display(value) -> str:
    """A vocabulary value as it reads in a sentence: `vitamin_d` -> `vitamin D`; a number as
    `display_number` writes it."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return display_number(value)
    text = str(value)
    return _DISPLAY.get(text, text.replace("_", " "))


def display_number(value: int | float | Decimal) -> str:
    """A number as a person writes it: `1e9` -> `1,000,000,000`, `12.0` -> `12`, `0.000125` as is.

    Thousands are separated by commas, there is never an exponent, and a float shows the digits
    of its shortest repr (what was typed), no more: the binary value is not rounded a second time.
    """
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        value = Decimal(repr(value))
    number = Decimal(value)
    if not number.is_finite():
        return str(number)
    if number == 0:
        return "0"
    return format(number.normalize(), ",f")



def listed(names: list[str]) -> str:
    """Names as a sentence lists them: "a", "a and b", "a, b and c"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

def display_months(months: float) -> str:
    """A length of time as a person says it: under a month in weeks or days ("1 week", not
    "0.23 months"), else in months."""
    if months >= 1 or months == 0:
        return f"{display_number(months)} month{'' if months == 1 else 's'}"
    for unit, per_month in (("week", 52 / 12), ("day", 365 / 12)):
        count = months * per_month
        if count >= 0.95 or unit == "day":
            whole = max(1, round(count))
            about = "" if abs(count - whole) < 0.1 else "about "
            return f"{about}{whole} {unit}{'' if whole == 1 else 's'}"
    raise AssertionError("unreachable")
