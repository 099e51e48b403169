"""The record of a run: every fact with where it came from, and every firing in order."""

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from expert.rules.schema import Authority


class Source(BaseModel):
    """A quoted sentence (or table row) with the document it comes from."""

    model_config = ConfigDict(frozen=True)

    document: str
    title: str
    quote: str


class FactRef(BaseModel):
    """A fact as the engine held it: told by the person (`u…`) or derived by a firing (`d…`)."""

    model_config = ConfigDict(frozen=True)

    id: str
    origin: Literal["user", "rule"]
    kind: str
    fact: dict[str, Any]
    text: str
    # For a derived fact: the firing that first concluded it.
    derived_by: int | None = None


class Firing(BaseModel):
    """One rule firing: its place in the order, the facts it matched, what it concluded, and why."""

    model_config = ConfigDict(frozen=True)

    number: int
    rule: str
    matched: list[FactRef]
    bindings: dict[str, str] = Field(default_factory=dict)
    concluded: list[FactRef]
    text: str
    sources: list[Source]
    authority: Authority | None = None


M = TypeVar("M", bound=BaseModel)


def builder(model: type[M]) -> Callable[[dict], M]:
    """`model(**fields)`, called with the dict of fields instead: the model's own validation,
    without the keyword arguments and the `__init__` frame around it, which cost a third of
    building one of the small records a run makes by the dozen. Every field is validated all
    the same, and the fields given are those counted as set."""
    return model.__pydantic_validator__.validate_python


def trusted(model: type[M]) -> Callable[[dict], M]:
    """A model from a dict of every one of its fields, in the model's order, made by the engine
    itself from values already of the right types: the instance pydantic's `model_construct` makes,
    without validating anything or copying any value.

    For the records a run makes by the hundred (a firing, a derived fact): validating them copies
    every list and dict they hold, and in a run at ten times the knowledge base that came to a
    sixth of the time of a firing. Values shared with anything else (a cached dict, a rule's list
    of sources) must be copied by the caller, as validation would have. tests/test_run_machinery.py
    checks that what is built this way equals the same fields validated.

    As every field is given, the records of a model share one set of the fields set: pydantic
    changes that set only on a copy (`model_copy`), and a frozen model's own is never changed.
    One set fewer per record is one object fewer for the garbage collector to walk after a run.
    """
    if not model.model_config.get("frozen"):
        raise TypeError(f"{model.__name__} is not frozen: its instances cannot share their set of fields")
    new = object.__new__
    set_attribute = object.__setattr__
    every_field = set(model.model_fields)

    def build(fields: dict) -> M:
        instance = new(model)
        set_attribute(instance, "__dict__", fields)
        set_attribute(instance, "__pydantic_fields_set__", every_field)
        set_attribute(instance, "__pydantic_extra__", None)
        set_attribute(instance, "__pydantic_private__", None)
        return instance

    return build
