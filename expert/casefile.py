"""Reading and writing case files: JSON of the form {"facts": [ {...}, ... ]}."""

import json
from pathlib import Path

from expert.errors import InvalidFactError
from facts import UserFact


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON accepts")


def read_text(path: str | Path) -> str:
    """A file's text as UTF-8; InvalidFactError naming the file if it is missing or unreadable."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidFactError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidFactError([f"{path}: cannot be read: {exc}"]) from exc


def read_case(path: str | Path) -> list[dict]:
    """The raw facts of a case file; InvalidFactError (one line per fault) if it cannot be read."""
    return parse_case(read_text(path), str(path))


def parse_case(text: str, name: str = "case") -> list[dict]:
    """The raw facts of a case given as JSON text."""
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise InvalidFactError([f"{name}: not valid JSON ({exc}); expected {{\"facts\": [...]}}"]) from exc
    if not isinstance(data, dict) or "facts" not in data:
        raise InvalidFactError([f'{name}: expected a JSON object {{"facts": [...]}}'])
    # "answers" holds the console's answers, "no" and "don't know" included (see expert.interview):
    # a consultation ignores it, the console resumes from it.
    extra = sorted(set(data) - {"facts", "answers"})
    if extra:
        raise InvalidFactError([f"{name}: unknown key {extra[0]!r}; a case file has only \"facts\" (and \"answers\")"])
    if not isinstance(data["facts"], list):
        raise InvalidFactError([f"{name}: facts: expected a list of facts"])
    return data["facts"]


def dump_case(facts: list[UserFact]) -> str:
    """A case file's text for these facts, readable by `expert consult`."""
    return json.dumps({"facts": [f.model_dump(mode="json", exclude_none=True) for f in facts]}, indent=2) + "\n"
