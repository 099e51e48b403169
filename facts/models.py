"""What a person can tell the system: strict, frozen pydantic models, one per kind of fact."""

from decimal import Decimal
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from expert.facts.vocabulary import (
    ConditionName,
    DietPattern,
    Level,
    LifestyleFactor,
    Location,
    Nutrient,
    SymptomName,
    Unit,
    display,
    display_months,
    display_number,
)

# A dose above this many milligrams a day is taken to be a typing mistake, not a supplement:
# it is a thousand times the largest upper limit for any nutrient here (calcium, 2,500 mg).
MAX_DAILY_DOSE_MG = Decimal(100_000)
# A refused dose past this is named by its order, not written out: a 1e300 typed by mistake
# would otherwise fill the line with three hundred digits.
_WRITTEN_OUT_UP_TO = Decimal(10) ** 15
# Longer than a lifetime of supplement use is a mistake too.
MAX_DURATION_MONTHS = 1200

# Vitamin D is the only nutrient here whose IU has a defined mass: 1 mcg = 40 IU
# (NIH Office of Dietary Supplements, Vitamin D fact sheet).
IU_PER_MCG = {"vitamin_d": Decimal(40)}
MG_PER_UNIT = {"mg": Decimal(1), "g": Decimal(1000), "mcg": Decimal("0.001"), "µg": Decimal("0.001"), "ug": Decimal("0.001")}


class _Fact(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", strict=True, allow_inf_nan=False, str_strip_whitespace=True
    )

    def key(self) -> tuple:
        """What makes two facts of this kind the same question: a second answer to it conflicts."""
        raise NotImplementedError

    def describe(self) -> str:
        """The fact in plain words, as a person would say it."""
        raise NotImplementedError


class Symptom(_Fact):
    """Something a person feels or notices, optionally where, how long and how badly."""

    kind: Literal["symptom"] = "symptom"
    name: SymptomName
    location: Location | None = None
    persistent: bool | None = None
    severe: bool | None = None

    def key(self) -> tuple:
        return ("symptom", self.name, self.location)

    def describe(self) -> str:
        words = display(self.name)
        if self.location:
            words += " (" + display(self.location) + ")"
        extra = [w for w, on in (("persistent", self.persistent), ("severe", self.severe)) if on]
        return words + (", " + " and ".join(extra) if extra else "")


class NutrientLevel(_Fact):
    """A level known from a blood test or a diagnosis."""

    kind: Literal["nutrient_level"] = "nutrient_level"
    nutrient: Nutrient
    level: Level

    def key(self) -> tuple:
        return ("nutrient_level", self.nutrient)

    def describe(self) -> str:
        return f"{self.level} {display(self.nutrient)} (tested)"


class Supplement(_Fact):
    """A supplement taken every day: its nutrient, daily dose with unit, and for how long."""

    kind: Literal["supplement"] = "supplement"
    nutrient: Nutrient
    daily_dose: Annotated[float, Field(gt=0)]
    unit: Unit
    duration_months: Annotated[float, Field(ge=0, le=MAX_DURATION_MONTHS)] | None = None

    @model_validator(mode="after")
    def _dose_is_plausible(self):
        if self.unit == "IU" and self.nutrient not in IU_PER_MCG:
            defined = " and ".join(display(n) for n in IU_PER_MCG)
            raise ValueError(
                f"unit 'IU' has no defined conversion for {display(self.nutrient)}; "
                f"use mg, mcg or g (IU is accepted only for {defined})"
            )
        dose_mg = self.daily_dose_mg
        if dose_mg > MAX_DAILY_DOSE_MG:
            limit = f"more than the {display_number(MAX_DAILY_DOSE_MG)} mg a day accepted; check the dose and unit"
            if Decimal(repr(self.daily_dose)) >= _WRITTEN_OUT_UP_TO:
                raise ValueError(f"daily_dose over {display_number(_WRITTEN_OUT_UP_TO)} {self.unit} is {limit}")
            dose = f"{display_number(self.daily_dose)} {self.unit}"
            if self.unit == "mg":
                raise ValueError(f"daily_dose {dose} is {limit}")
            raise ValueError(f"daily_dose {dose} is {display_number(dose_mg)} mg a day, {limit}")
        return self

    @property
    def daily_dose_mg(self) -> Decimal:
        """The daily dose in milligrams, converted exactly (decimal, not binary, arithmetic)."""
        dose = Decimal(repr(self.daily_dose))
        if self.unit == "IU":
            return dose / IU_PER_MCG[self.nutrient] * MG_PER_UNIT["mcg"]
        return dose * MG_PER_UNIT[self.unit]

    def key(self) -> tuple:
        return ("supplement", self.nutrient)

    def describe(self) -> str:
        words = f"{display(self.nutrient)} supplement, {display_number(self.daily_dose)} {self.unit} a day"
        if self.duration_months is not None:
            words += f" for {display_months(self.duration_months)}"
        return words


class Lifestyle(_Fact):
    """A habit or circumstance the documents name as a cause of twitching."""

    kind: Literal["lifestyle"] = "lifestyle"
    factor: LifestyleFactor

    def key(self) -> tuple:
        return ("lifestyle", self.factor)

    def describe(self) -> str:
        return display(self.factor)


class Diet(_Fact):
    """How a person eats: a poor diet, malabsorption, or a missing food group."""

    kind: Literal["diet"] = "diet"
    pattern: DietPattern

    def key(self) -> tuple:
        return ("diet", self.pattern)

    def describe(self) -> str:
        return "diet: " + display(self.pattern)


class Medication(_Fact):
    """A medication the person takes; its name is kept only to show it back."""

    kind: Literal["medication"] = "medication"
    name: Annotated[str, Field(min_length=1, max_length=200)] = "unnamed medication"

    def key(self) -> tuple:
        return ("medication", self.name.casefold())

    def describe(self) -> str:
        return "takes medication: " + self.name


class Condition(_Fact):
    """An underlying medical condition the person has been told they have."""

    kind: Literal["condition"] = "condition"
    name: ConditionName

    def key(self) -> tuple:
        return ("condition", self.name)

    def describe(self) -> str:
        return "has " + display(self.name)


UserFact = Annotated[
    Union[Symptom, NutrientLevel, Supplement, Lifestyle, Diet, Medication, Condition],
    Field(discriminator="kind"),
]

FACT_MODELS: dict[str, type[_Fact]] = {
    m.model_fields["kind"].default: m
    for m in (Symptom, NutrientLevel, Supplement, Lifestyle, Diet, Medication, Condition)
}


class CaseFile(BaseModel):
    """A case: the facts a person gives, as read from JSON `{"facts": [...]}`."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    facts: list[UserFact]

