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
}


@pytest.mark.parametrize("name", list(CALLS))
def test_a_wrong_argument_is_an_expert_error_naming_it(name, tmp_path):
    call, message = CALLS[name]
    with pytest.raises(InvalidArgumentError) as caught:
        call(tmp_path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ExpertError)


def test_invalid_argument_is_exported_and_documented():
    assert "InvalidArgumentError" in expert.__all__
    assert InvalidArgumentError.__doc__.startswith("A library function was given an argument")
