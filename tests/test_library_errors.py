"""A wrong argument to a documented entry point is an ExpertError naming the argument, never a raw TypeError.

`consult(None)`, `verify_log(None)` or `append_records(path, [None])` used to fail deep inside
with a TypeError, KeyError or AttributeError about something the caller never named.
"""

import pytest

import expert
from expert.errors import ExpertError, InvalidArgumentError


def report():
    return expert.consult([{"kind": "symptom", "name": "twitching"}])


CALLS = {
    "consult(None)": (lambda tmp: expert.consult(None), "facts: expected a list of facts (dicts or fact models), got None"),
    "consult(5)": (lambda tmp: expert.consult(5), "facts: expected a list of facts (dicts or fact models), got an int"),
    "consult('text')": (lambda tmp: expert.consult("twitching"), "facts: expected a list of facts"),
    "consult(case dict)": (lambda tmp: expert.consult({"facts": []}), "pass case['facts']"),
    "consult(one fact)": (lambda tmp: expert.consult({"kind": "symptom", "name": "cramps"}), "for one fact, pass [fact]"),
    "consult(max_firings=None)": (
        lambda tmp: expert.consult([{"kind": "symptom", "name": "twitching"}], max_firings=None),
        "max_firings: expected a whole number of at least 1, got None",
    ),
    "consult(max_firings=0)": (
        lambda tmp: expert.consult([], max_firings=0),
        "max_firings: expected a whole number of at least 1, got 0",
    ),
    "consult(knowledge_base='x')": (
        lambda tmp: expert.consult([], knowledge_base="x"),
        "knowledge_base: expected a KnowledgeBase or None, got a str",
    ),
    "Session(knowledge_base=1)": (lambda tmp: expert.Session(1), "knowledge_base: expected a KnowledgeBase or None, got an int"),
    "Session(max_firings=1.5)": (lambda tmp: expert.Session(max_firings=1.5), "max_firings: expected a whole number"),
    "Session.retract(list)": (lambda tmp: expert.Session().retract(["u1"]), "fact_id: expected a fact id such as 'u1'"),
    "verify_log(None)": (lambda tmp: expert.verify_log(None), "path: expected a file path (a str or pathlib.Path), got None"),
    "verify_log(expected_head=1)": (
        lambda tmp: expert.verify_log(tmp / "a.jsonl", expected_head=1),
        "expected_head: expected a hash (str) or None, got an int",
    ),
    "verify_log(public_key='k')": (
        lambda tmp: expert.verify_log(tmp / "a.jsonl", public_key="k.pub"),
        "public_key: expected a PublicKey or None, got a str",
    ),
    "append_records(p, [None])": (
        lambda tmp: expert.append_records(tmp / "a.jsonl", [None]),
        "records[0]: expected an AuditRecord (from audit_record), got None",
    ),
    "append_records(p, None)": (lambda tmp: expert.append_records(tmp / "a.jsonl", None), "records: expected a list of AuditRecord"),
    "append_records(None, [])": (lambda tmp: expert.append_records(None, []), "path: expected a file path"),
    "append_records(signing_key='k')": (
        lambda tmp: expert.append_records(tmp / "a.jsonl", [], signing_key="k"),
        "signing_key: expected a SigningKey or None, got a str",
    ),
    "audit_record(None)": (lambda tmp: expert.audit_record(None), "report: expected a Report (from expert.consult), got None"),
    "audit_record(include_facts='yes')": (
        lambda tmp: expert.audit_record(report(), include_facts="yes"),
        "include_facts: expected True or False, got a str",
    ),
    "audit_record(case_key=b'x')": (
        lambda tmp: expert.audit_record(report(), case_key=b"secret"),
        "case_key: expected a CaseKey or None, got a bytes",
    ),
    "audit_record(knowledge_base={})": (
        lambda tmp: expert.audit_record(report(), knowledge_base={}),
        "knowledge_base: expected a KnowledgeBase or None, got a dict",
    ),
    "replay_log(None)": (lambda tmp: expert.replay_log(None), "path: expected a file path"),
    "replay_log(case_key='k')": (lambda tmp: expert.replay_log(tmp / "a.jsonl", case_key="k"), "case_key: expected a CaseKey"),
    "log_stats(3)": (lambda tmp: expert.log_stats(3), "path: expected a file path (a str or pathlib.Path), got an int"),
    "diff_log(p, 'kb')": (lambda tmp: expert.diff_log(tmp / "a.jsonl", "kb"), "kb: expected a KnowledgeBase or None, got a str"),
    "knowledge_base_hash(None)": (lambda tmp: expert.knowledge_base_hash(None), "kb: expected a KnowledgeBase, got None"),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_a_wrong_argument_is_an_expert_error_naming_it(name, tmp_path):
    call, message = CALLS[name]
    with pytest.raises(InvalidArgumentError) as caught:
        call(tmp_path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ExpertError)


def test_the_message_never_shows_the_value_given(tmp_path):
    """What was passed may be personal: the type is named, not the content."""
    with pytest.raises(InvalidArgumentError) as caught:
        expert.append_records(tmp_path / "a.jsonl", [{"kind": "medication", "name": "SECRETMED"}])
    assert "SECRETMED" not in str(caught.value) and "got a dict" in str(caught.value)


def test_nothing_is_written_when_an_argument_is_wrong(tmp_path):
    record = expert.audit_record(report())
    with pytest.raises(InvalidArgumentError):
        expert.append_records(tmp_path / "a.jsonl", [record, "not a record"])
    assert not (tmp_path / "a.jsonl").exists()


def test_what_was_accepted_still_is(tmp_path):
    facts = ({"kind": "symptom", "name": "twitching"} for _ in range(1))  # any iterable of facts
    assert expert.consult(facts, max_firings=50).fired
    path = tmp_path / "a.jsonl"
    expert.append_records(str(path), (expert.audit_record(report()),))
    assert expert.verify_log(path).ok


def test_invalid_argument_is_exported_and_documented():
    assert "InvalidArgumentError" in expert.__all__
    assert InvalidArgumentError.__doc__.startswith("A library function was given an argument")
