"""Reading and writing case files: JSON of the form {"facts": [ {...}, ... ]}.

A case file is named by a person, so it is read with care: only a regular file (a device such as
/dev/zero would be read until memory ran out, a FIFO would hang), at most `MAX_CASE_BYTES`, and
JSON that repeats a key or nests past any sound case is refused with one line.
"""

import json
from pathlib import Path

from expert.errors import InvalidFactError
from expert.util.files import FileFault, read_regular
from expert.facts import UserFact

# A case of every fact there is takes a few kilobytes; a journal of a long consultation, tens.
MAX_CASE_BYTES = 10_000_000


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON accepts")


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        self.key = key
        super().__init__(key)


def _object_without_repeats(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object, refusing a key given twice: JSON parsers differ on which of the two wins."""
    data = dict(pairs)
    if len(data) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return data


def read_text(path: str | Path) -> str:
    """A file's text as UTF-8; InvalidFactError naming the file if it cannot be read as a case.

    Missing, unreadable, not a regular file, larger than `MAX_CASE_BYTES` or not UTF-8: one line.
    """
    path = Path(path)
    try:
        data = read_regular(path, MAX_CASE_BYTES, what="a case file")
    except FileFault as exc:
        raise InvalidFactError([str(exc)]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidFactError([f"{path}: cannot be read: {exc}"]) from exc


def read_case(path: str | Path) -> list[dict]:
    """The raw facts of a case file; InvalidFactError (one line per fault) if it cannot be read."""
    return parse_case(read_text(path), str(path))


def parse_case(text: str, name: str = "case") -> list[dict]:
    """The raw facts of a case given as JSON text."""
    try:
        data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_object_without_repeats)
    except _DuplicateKey as exc:
        raise InvalidFactError([f"{name}: the key {exc.key!r} is given twice in one object; give it once"]) from None
    except RecursionError:
        raise InvalidFactError([f"{name}: nested too deeply to be a case file; expected {{\"facts\": [...]}}"]) from None
    except ValueError as exc:
        raise InvalidFactError([f"{name}: not valid JSON ({exc}); expected {{\"facts\": [...]}}"]) from exc
    if not isinstance(data, dict) or "facts" not in data:
        raise InvalidFactError([f'{name}: expected a JSON object {{"facts": [...]}}'])
    # "answers" holds the console's answers, "no" and "don't know" included (see expert.console.interview):
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
