"""The interview, summary and proof entry points name a wrong argument instead of a raw TypeError/KeyError."""

import pytest

import expert
from expert.errors import InvalidArgumentError, InvalidFactError


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: expert.Interview().answer("nope", True), "question_id: no question 'nope'; the main questions are complaint"),
        (lambda: expert.Interview().answer(5, True), "question_id: expected a question id (a str), got an int"),
        (lambda: expert.Interview().answer_all(None), "answers: expected a dict of question ids and answers, got None"),
        (lambda: expert.Interview().forget("complaint"), "question_id: 'complaint' has no answer to take back (answered: none yet)"),
        (lambda: expert.Interview().forget("nope"), "question_id: no question 'nope'"),
        (lambda: expert.Interview().reasons("complaint"), "q: expected a Question, got a str"),
        (lambda: expert.summarise(None), "report: expected a Report"),
        (lambda: expert.proof_trees(None), "report: expected a Report"),
        (lambda: expert.check_knowledge_base(None), "kb: expected a KnowledgeBase"),
    ],
)
def test_a_wrong_argument_is_named(call, message):
    with pytest.raises(InvalidArgumentError) as caught:
        call()
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, expert.ExpertError)


def test_loading_something_that_is_not_a_list_of_facts_is_refused():
    with pytest.raises(InvalidFactError, match="facts: expected a list of facts"):
        expert.Interview().load(None)


def test_a_wrong_answer_leaves_the_interview_as_it_was():
    interview = expert.Interview()
    interview.answer("complaint", ["cramps"])
    with pytest.raises(expert.ExpertError):
        interview.answer_all({"symptoms": ["fatigue"], "nope": True})
    assert interview.answers == {"complaint": ["cramps"]}
