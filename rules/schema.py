"""The form of a rule: conditions, conclusions and citations, validated by pydantic when loaded."""

import re
import typing
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from expert.facts import FACT_MODELS, Finding
from expert.rules.corpus import DOCUMENT_FILES

FactKind = Literal["symptom", "nutrient_level", "supplement", "lifestyle", "diet", "medication", "condition", "finding"]

# The kinds of conclusion, in the order a person is shown them: what is urgent, then what to
# do, then the possible causes with what speaks for and against them, then how they work.
Category = Literal[
    "red_flag",  # urgent: reported before anything else
    "conflict",  # two conclusions pull in opposite directions: both sides, and a doctor
    "referral",  # see a healthcare professional
    "advice",  # tests to ask for, foods, supplements to stop
    "explanation",  # a possible cause of the person's twitching, cramps or spasms
    "suspicion",  # the person's answers fit what the documents tie to a cause
    "ruled_out",  # what a test result or a dose speaks against
    "mechanism",  # a step of a chain: what a finding leads to
    "background",  # what the documents say in general about the person's complaint
]
CATEGORY_ORDER: dict[str, int] = {c: i for i, c in enumerate(typing.get_args(Category))}

_VARIABLE = re.compile(r"^\?[a-z_][a-z0-9_]*$")
# A `{name}` in a rule's text, where the value its variable `?name` took is written.
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_Scalar = str | bool | int | float


class Comparison(BaseModel):
    """A numeric test on a field: exactly one of gt, ge, lt, le."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None

    @model_validator(mode="after")
    def _exactly_one(self):
        set_ops = [op for op in ("gt", "ge", "lt", "le") if getattr(self, op) is not None]
        if len(set_ops) != 1:
            raise ValueError("a comparison takes exactly one of gt, ge, lt, le")
        return self

    @property
    def op(self) -> str:
        return next(op for op in ("gt", "ge", "lt", "le") if getattr(self, op) is not None)

    @property
    def value(self) -> Decimal:
        return Decimal(repr(getattr(self, self.op)))


class OneOf(BaseModel):
    """A field that takes one of several values, bound to a variable the text can name:
    `{ one_of = ["twitching", "cramps"], bind = "?complaint" }`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    one_of: Annotated[list[str | bool | int | float], Field(min_length=1)]
    bind: str

    @model_validator(mode="after")
    def _binds_a_variable(self):
        if not is_variable(self.bind):
            raise ValueError(f"bind must be a variable such as '?complaint', not {self.bind!r}")
        return self


class Presence(BaseModel):
    """A test of whether an optional field was given at all: `{ known = false }` when it was not."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    known: bool


# A field test: a literal value, a list of accepted values, a comparison, whether the field is
# known, "?name" (a variable), or one of several values bound to a variable.
FieldTest = _Scalar | list[_Scalar] | Comparison | Presence | OneOf


def accepted_values(test) -> list | None:
    """The values a literal, list or one-of test accepts; None for tests of another form."""
    if isinstance(test, OneOf):
        return list(test.one_of)
    if isinstance(test, list):
        return list(test)
    if isinstance(test, (str, bool, int, float)) and not is_variable(test):
        return [test]
    return None


def bound_variable(test) -> str | None:
    """The variable a field test binds: "?name" itself, or a one-of's `bind`."""
    if isinstance(test, OneOf):
        return test.bind
    return test if is_variable(test) else None

# Fields a rule may test beyond the model's own: the supplement's dose in mg is derived.
_DERIVED_FIELDS = {"supplement": {"daily_dose_mg": Decimal}}
_NUMERIC_FIELDS = {("supplement", "daily_dose"), ("supplement", "daily_dose_mg"), ("supplement", "duration_months")}


def is_variable(value) -> bool:
    return isinstance(value, str) and bool(_VARIABLE.match(value))


def _field_type(kind: str, field: str):
    if field in _DERIVED_FIELDS.get(kind, {}):
        return _DERIVED_FIELDS[kind][field]
    model = Finding if kind == "finding" else FACT_MODELS[kind]
    if field not in model.model_fields or field == "kind":
        accepted = sorted(set(model.model_fields) - {"kind"} | set(_DERIVED_FIELDS.get(kind, {})))
        raise ValueError(f"{kind} has no field {field!r}; its fields are {', '.join(accepted)}")
    return model.model_fields[field].annotation


class Condition(BaseModel):
    """One pattern of a rule's left-hand side: a fact of a kind whose fields pass the tests."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fact: FactKind
    where: dict[str, FieldTest] = Field(default_factory=dict)
    # True: the rule holds only while no such fact is known (negation as failure).
    absent: bool = False

    @model_validator(mode="after")
    def _fields_exist_and_values_fit(self):
        for field, test in self.where.items():
            annotation = _field_type(self.fact, field)
            if isinstance(test, Comparison):
                if (self.fact, field) not in _NUMERIC_FIELDS:
                    raise ValueError(f"{self.fact}.{field} is not numeric; it cannot be compared")
                continue
            if isinstance(test, Presence):
                continue
            values = accepted_values(test) or [test]
            for value in values:
                if is_variable(value):
                    if isinstance(test, list):
                        # A list is a set of literals; a variable is bound by one_of's `bind`.
                        raise ValueError(f"{self.fact}.{field}: a list of values cannot hold a variable")
                    continue
                try:
                    TypeAdapter(annotation).validate_python(value)
                except ValidationError as exc:
                    raise ValueError(
                        f"{self.fact}.{field} cannot be {value!r}: {exc.errors()[0]['msg']}"
                    ) from exc
        if self.absent and self.fact == "finding":
            # Negation is decided before any rule fires only if it tests what the person said.
            raise ValueError("an absent condition may test only what the person says, not a finding")
        return self

    def variables(self) -> set[str]:
        return {v for v in map(bound_variable, self.where.values()) if v}


class Conclusion(BaseModel):
    """A finding the rule derives, for other rules to build on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    finding: Annotated[str, Field(min_length=1)]
    # Left out when the finding is about nothing in particular; never empty.
    about: Annotated[str, Field(min_length=1)] | None = None
    basis: str | None = None

    @model_validator(mode="after")
    def _is_a_finding(self):
        fields = {"name": self.finding}
        if self.about is not None and not is_variable(self.about):
            fields["about"] = self.about
        if self.basis is not None and not is_variable(self.basis):
            fields["basis"] = self.basis
        Finding.model_validate(fields)
        return self


class Citation(BaseModel):
    """A quote from one of the documents: its exact text, a substring of the document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document: Literal[tuple(DOCUMENT_FILES)]  # type: ignore[valid-type]
    quote: Annotated[str, Field(min_length=5)]


class Authority(BaseModel):
    """A figure the documents leave open, taken from a named outside authority."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    figure: str  # e.g. "350 mg a day"
    source: str  # who says so, and where
    note: str = ""  # what the figure stands for in this rule


class Unless(BaseModel):
    """Something the person says that contradicts a rule, such as a normal test result.

    While it is known the rule does not fire, so nothing that rests on the rule follows either;
    `text` is said instead, under what speaks against, citing `sources` (the rule's own when
    none are given). The knowledge base turns each into an absent condition of the rule and a
    companion rule of its own (`<id>.contradicted`), so the engine and CLIPS see plain rules.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    fact: Literal["symptom", "nutrient_level", "supplement", "lifestyle", "diet", "medication", "condition"]
    where: dict[str, FieldTest] = Field(default_factory=dict)
    text: Annotated[str, Field(min_length=5)]
    sources: list[Citation] = Field(default_factory=list)
    hedge: Annotated[str, Field(min_length=2)] | None = None

    def condition(self, *, absent: bool) -> Condition:
        return Condition(fact=self.fact, where=self.where, absent=absent)


class Rule(BaseModel):
    """One statement of the documents that says what follows from what."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
    title: Annotated[str, Field(min_length=5)]
    category: Category
    # The document's own word of certainty ("can", "may", "often", "a frequent culprit"):
    # it must stand in one of the quotes. None where the document states it flatly.
    hedge: Annotated[str, Field(min_length=2)] | None = None
    when: Annotated[list[Condition], Field(min_length=1)]
    then: list[Conclusion] = Field(default_factory=list)
    # The conclusion in plain words, for a person. "{name}" is replaced by a variable's value.
    text: Annotated[str, Field(min_length=5)]
    sources: Annotated[list[Citation], Field(min_length=1)]
    authority: Authority | None = None
    # Prudent advice in the system's own words, not the documents' (such as "get medical help
    # now"): always shown apart from the quotes and marked as ours.
    own_advice: Annotated[str, Field(min_length=5)] | None = None
    # What the person may say that contradicts this rule (see Unless).
    unless: list[Unless] = Field(default_factory=list)
    # On a companion made from an `unless`: the id of the rule it contradicts.
    contradicts: str | None = None

    @model_validator(mode="after")
    def _consistent(self):
        if all(c.absent for c in self.when):
            raise ValueError(f"rule {self.id}: needs at least one condition that is not absent")
        bound = set().union(*(c.variables() for c in self.when if not c.absent))
        for c in self.when:
            if c.absent and not c.variables() <= bound:
                raise ValueError(f"rule {self.id}: an absent condition uses an unbound variable")
        for conclusion in self.then:
            for value in (conclusion.about, conclusion.basis):
                if is_variable(value) and value not in bound:
                    raise ValueError(f"rule {self.id}: conclusion uses unbound variable {value}")
        for name in PLACEHOLDER.findall(self.text):
            if "?" + name not in bound:
                raise ValueError(f"rule {self.id}: text uses {{{name}}}, which no condition binds")
        hedge = (self.hedge or "").casefold()
        if hedge and not any(re.search(r"\b" + re.escape(hedge) + r"\b", s.quote.casefold()) for s in self.sources):
            raise ValueError(f"rule {self.id}: hedge {self.hedge!r} does not stand in any of its quotes")
        for unless in self.unless:
            for name in PLACEHOLDER.findall(unless.text):
                if "?" + name not in bound | unless.condition(absent=False).variables():
                    raise ValueError(f"rule {self.id}: an unless text uses {{{name}}}, which no condition binds")
            if not unless.condition(absent=True).variables() <= bound:
                # A fresh variable in an unless would make its absent condition mean "no such fact at all".
                raise ValueError(f"rule {self.id}: an unless uses a variable no condition of the rule binds")
        return self

    def expanded(self) -> list["Rule"]:
        """The rule as the engine runs it: each `unless` an absent condition, and after it one
        companion rule per `unless` that says what contradicts it."""
        if not self.unless:
            return [self]
        main = self.model_copy(
            update={"when": [*self.when, *(u.condition(absent=True) for u in self.unless)], "unless": []}
        )
        out = [main]
        positive = [c for c in self.when if not c.absent]
        for n, unless in enumerate(self.unless, start=1):
            out.append(
                Rule(
                    id=f"{self.id}.contradicted" + (f"-{n}" if len(self.unless) > 1 else ""),
                    title=f"An answer that speaks against it: {self.title[0].lower()}{self.title[1:]}",
                    category="ruled_out",
                    hedge=unless.hedge,
                    when=[*positive, unless.condition(absent=False)],
                    text=unless.text,
                    sources=unless.sources or self.sources,
                    contradicts=self.id,
                )
            )
        return out

    @property
    def salience(self) -> int:
        """Red flags fire before anything else; the rest keep the order of their facts."""
        return 10 if self.category == "red_flag" else 0
