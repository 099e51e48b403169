"""The words a fact may use: every name, place, nutrient and factor the documents speak of."""

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
    """A vocabulary value as it reads in a sentence: `vitamin_d` -> `vitamin D`."""
    text = str(value)
    return _DISPLAY.get(text, text.replace("_", " "))
