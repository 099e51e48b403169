"""Every field of an audit record is sealed: edit any one of them in a written log and `verify` says BROKEN.

The fields are those the README's "Auditing" section says a record holds: the UTC time, the
versions of this project, experta and Python, the hash of the knowledge base, the keyed case hash
(with its scheme and key id), every firing in order (rule id, the facts matched with where each
came from, what it concluded, the sentences it cites), the hash of the record before it, and,
with --include-facts, the case's facts and file name; and a signature record's key and signature.
Each edit below keeps the line canonical JSON, so only the hash can give it away.
"""

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from expert.audit.log import canonical_json, verify_log
from expert.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ["examples/b6.json", "examples/eyelid.json", "examples/magnesium-supplement.json", "examples/vitamin-d.json"]
CHANGED = "its content does not match its hash (the record was changed)"


def other_hex(value: str) -> str:
    """The same hash or id with its first hex digit changed."""
    return ("1" if value[0] == "0" else "0") + value[1:]


def a_second_later(value: str) -> str:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) + timedelta(seconds=1)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def swapped(a: str, b: str):
    return lambda value: b if value == a else a


def other_value(mapping: dict) -> dict:
    """The mapping with its first value changed."""
    key = sorted(mapping)[0]
    return {**mapping, key: mapping[key] + "x"}


# Each documented field, as a path into a record ("[]" steps into every item of a list), and an edit
# a forger might make to it that leaves the record well-formed.
RECORD_FIELDS = {
    "format": lambda v: v + 1,
    "seq": lambda v: v + 1,
    "prev": other_hex,
    "time": a_second_later,
    "hash": other_hex,
    "versions.expert": lambda v: v + ".1",
    "versions.experta": lambda v: v + ".1",
    "versions.python": lambda v: v + ".1",
    "knowledge_base": other_hex,
    "case": other_hex,
    "case_scheme": swapped("hmac-sha256", "sha256"),
    "case_key": other_hex,
    "case_file": lambda v: v.replace(".json", "-other.json"),
    "facts": lambda facts: [{**f, "factor": "stress"} if f.get("factor") == "poor_sleep" else f for f in facts],
    "firings": lambda firings: firings[:-1],
    "firings[].number": lambda v: v + 1,
    "firings[].rule": lambda v: "lifestyle.stress" if v != "lifestyle.stress" else "lifestyle.poor_sleep",
    "firings[].matched": lambda v: v[:-1],
    "firings[].matched[].id": lambda v: v[0] + str(int(v[1:]) + 1),
    "firings[].matched[].origin": swapped("user", "rule"),
    "firings[].matched[].kind": lambda v: "lifestyle" if v != "lifestyle" else "symptom",
    "firings[].matched[].finding": other_value,
    "firings[].matched[].derived_by": lambda v: v + 1,
    "firings[].bindings": other_value,
    "firings[].concluded": lambda v: v[:-1],
    "firings[].concluded[].id": lambda v: v[0] + str(int(v[1:]) + 1),
    "firings[].concluded[].origin": swapped("user", "rule"),
    "firings[].concluded[].kind": lambda v: "lifestyle" if v != "lifestyle" else "finding",
    "firings[].concluded[].finding": other_value,
    "firings[].concluded[].derived_by": lambda v: v + 1,
    "firings[].citations": lambda v: v[:-1],
    "firings[].citations[].document": swapped("minerals", "vitamins"),
    "firings[].citations[].quote": lambda v: v.replace("can ", "will ", 1) if "can " in v else v + " Always.",
}
SIGNATURE_FIELDS = {
    "kind": lambda v: "consultation",
    "format": lambda v: v + 1,
    "seq": lambda v: v + 1,
    "prev": other_hex,
    "time": a_second_later,
    "hash": other_hex,
    "key": lambda v: "ed25519:" + other_hex(v.removeprefix("ed25519:")),
    "signature": lambda v: ("B" if v[0] == "A" else "A") + v[1:],
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> bytes:
    """The README's walk-through log: the four examples with their facts, a keyed case hash, signed."""
    folder = tmp_path_factory.mktemp("pristine")
    assert main(["audit", "keygen", str(folder / "auditor")]) == 0
    log = folder / "audit.jsonl"
    code = main(["audit", *EXAMPLES, "--log", str(log), "--include-facts", "--sign", str(folder / "auditor")])
    assert code == 0
    return log.read_bytes()


def occurrences(node, steps: list[str]):
    """(container, key) for every place the path reaches, in the order the record holds them."""
    step, rest = steps[0], steps[1:]
    each = step.endswith("[]")
    name = step.removesuffix("[]")
    if not isinstance(node, dict) or name not in node:
        return
    if not rest and not each:
        yield node, name
        return
    if each:
        for item in node[name]:
            if rest:
                yield from occurrences(item, rest)
            else:
                yield node[name], node[name].index(item)
    else:
        yield from occurrences(node[name], rest)


def tamper(log: bytes, field: str, edit, kind: str) -> tuple[bytes, int]:
    """The log with the field edited in the first record that holds it (record 2 first); its position."""
    lines = log.split(b"\n")[:-1]
    records = [json.loads(line) for line in lines]
    order = [1, 2, 3, 0] if kind == "record" else [i for i, r in enumerate(records) if r.get("kind") == "signature"]
    steps = field.replace("[].", "[]\0").replace(".", "\0").split("\0")
    for index in order:
        record = records[index]
        if (record.get("kind") == "signature") != (kind == "signature"):
            continue
        for container, key in occurrences(record, steps):
            value = container[key]
            if value in (None, {}, []):
                continue
            edited = edit(value)
            assert edited != value, f"the edit of {field} changed nothing"
            container[key] = edited
            lines[index] = canonical_json(record).encode("utf-8")
            return b"".join(line + b"\n" for line in lines), index + 1
    raise AssertionError(f"no record of the log holds {field}: the log does not exercise it")


def assert_broken_at(path: Path, position: int, capsys, field: str) -> None:
    verification = verify_log(path)
    assert not verification.ok, f"the log with {field} edited verified as sound"
    assert verification.failed_record == position
    expected = f"record {position}: " + NOT_A_RECORD.get(field, CHANGED)
    assert verification.problem.startswith(expected) if field in NOT_A_RECORD else verification.problem == expected
    assert main(["audit", "verify", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: BROKEN: {verification.problem}"
    before = position - 1
    assert out[1] == f"{before} record{'' if before == 1 else 's'} before it verified"


def test_the_untouched_log_is_sound(pristine, tmp_path, capsys):
    path = tmp_path / "audit.jsonl"
    path.write_bytes(pristine)
    assert verify_log(path).ok
    assert main(["audit", "verify", str(path)]) == 0
    assert capsys.readouterr().out.startswith(f"{path}: sound: 5 records (1 of them a signature), head ")


# Edits that the record's own form rejects before its hash is looked at: broken all the same.
NOT_A_RECORD = {
    "case_scheme": "not an audit record (",
    "kind": "not an audit record (",
}


@pytest.mark.parametrize("field", list(RECORD_FIELDS))
def test_an_edited_record_field_is_broken(field, pristine, tmp_path, capsys):
    edited, position = tamper(pristine, field, RECORD_FIELDS[field], "record")
    path = tmp_path / "audit.jsonl"
    path.write_bytes(edited)
    assert_broken_at(path, position, capsys, field)


@pytest.mark.parametrize("field", list(SIGNATURE_FIELDS))
def test_an_edited_signature_field_is_broken(field, pristine, tmp_path, capsys):
    edited, position = tamper(pristine, field, SIGNATURE_FIELDS[field], "signature")
    path = tmp_path / "audit.jsonl"
    path.write_bytes(edited)
    assert_broken_at(path, position, capsys, field)


def test_the_readme_example_of_an_edited_fact_is_broken(pristine, tmp_path, capsys):
    # README: `expert audit verify a1.jsonl`, with "poor_sleep" edited to "stress" in record 2.
    path = tmp_path / "a1.jsonl"
    lines = pristine.split(b"\n")
    assert b'"poor_sleep"' in lines[1]
    lines[1] = lines[1].replace(b'"poor_sleep"', b'"stress"')
    path.write_bytes(b"\n".join(lines))
    assert main(["audit", "verify", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{path}: BROKEN: record 2: its content does not match its hash (the record was changed)",
        "1 record before it verified",
    ]


def _paths(node: dict, prefix: str = "") -> set[str]:
    """The field paths a written record holds, as RECORD_FIELDS names them."""
    out = set()
    for key, value in node.items():
        if key == "versions":
            out |= _paths(value, prefix + key + ".")
            continue
        out.add(prefix + key)
        if key in ("firings", "matched", "concluded", "citations"):
            for item in value:
                out |= _paths(item, prefix + key + "[].")
    return out


def test_every_field_a_written_record_holds_has_a_tampering_test(pristine):
    """A field added to the record later must get its tampering test here."""
    records = [json.loads(line) for line in pristine.split(b"\n")[:-1]]
    held = set().union(*(_paths(r) for r in records if r.get("kind") != "signature"))
    assert held == set(RECORD_FIELDS)
    signatures = [r for r in records if r.get("kind") == "signature"]
    assert signatures and set(signatures[0]) == set(SIGNATURE_FIELDS)
