"""The interview behind the console: answers make facts, taking one back withdraws what rested on it,
answers keep their numbers, and a saved consultation keeps every answer."""

import json

import pytest
from console_stories import B6_HIGH_DOSE, EYELID_COFFEE_SLEEP, STORIES, TINGLING_MOUTH_FACIAL, interview_of

import expert
from expert.util.casefile import parse_case
from expert.errors import InvalidFactError
from expert.console.interview import JOURNAL_HEADER, Interview, journal_line, read_resumable
from expert.console.questions import AnswerError


def texts(report):
    return sorted(c.text for c in report.conclusions)


@pytest.mark.parametrize("name", sorted(STORIES))
def test_the_interview_asks_the_story_in_order_and_concludes_what_consult_concludes(name):
    interview = interview_of(STORIES[name])
    facts = [f.model_dump(mode="json", exclude_none=True) for f in interview.facts()]
    assert facts and texts(interview.report()) == texts(expert.consult(facts))


def test_a_supplement_typed_with_its_dose_and_time_becomes_one_fact():
    interview = interview_of(B6_HIGH_DOSE)
    b6 = [f for f in interview.facts() if f.kind == "supplement"]
    assert len(b6) == 1 and b6[0].daily_dose_mg == 200 and b6[0].duration_months == 12


def test_taking_an_answer_back_withdraws_exactly_what_rested_on_it():
    interview = interview_of(EYELID_COFFEE_SLEEP)
    before = {c.key for c in interview.report().conclusions}
    outcome = interview.forget("habits")
    assert {c.rule for c in outcome.withdrawn} == {"lifestyle.caffeine", "lifestyle.poor_sleep"} and not outcome.new
    after = {c.key for c in interview.report().conclusions}
    assert after == before - {c.key for c in outcome.withdrawn}
    assert interview.answers["habits"] is None


def test_an_answer_keeps_its_number_when_changed_or_taken_back():
    interview = interview_of(EYELID_COFFEE_SLEEP)
    numbers = {q.id: n for n, q, _ in interview.answered()}
    assert numbers["habits"] == 10 and numbers["complaint"] == 1
    interview.forget("habits", ask_again=True)
    interview.answer("habits", ["stress"])
    interview.forget("symptom:tetany")
    assert {q.id: n for n, q, _ in interview.answered()} == numbers
    assert interview.question_numbered(10).id == "habits"
    assert interview.question_numbered(99) is None


def test_changing_the_complaint_drops_the_details_of_what_is_no_longer_chosen():
    interview = Interview()
    interview.answer("complaint", ["twitching@eyelids"])
    interview.answer("complaint/course", ["persistent"])
    interview.answer("complaint", ["cramps"])
    assert interview.answers == {"complaint": ["cramps"]}
    interview.answer("supplements", ["vitamin_b6", "magnesium"])
    interview.answer_all({"supplement:vitamin_b6/daily_dose": [200.0, "mg"], "supplement:magnesium/daily_dose": [300.0, "mg"]})
    interview.answer("supplements", ["magnesium"])
    assert "supplement:vitamin_b6/daily_dose" not in interview.answers
    assert interview.answers["supplement:magnesium/daily_dose"] == [300.0, "mg"]


def test_a_saved_consultation_keeps_every_answer_no_and_dont_know_included():
    interview = interview_of(TINGLING_MOUTH_FACIAL)
    interview.forget("symptom:tetany")  # now "don't know"
    case = interview.case_file()
    assert case["answers"]["symptom:seizures"] is False
    assert case["answers"]["symptom:tetany"] is None
    assert case["answers"]["habits"] == []
    # consult reads the same file, facts only.
    text = json.dumps(case)
    assert texts(expert.consult(parse_case(text))) == texts(interview.report())
    again = Interview()
    again.load(case["facts"], case["answers"])
    assert again.answers == interview.answers
    assert again.next_question() is None, "nothing answered is asked again, not even a 'no'"


def test_a_case_file_without_answers_is_loaded_from_its_facts():
    interview = interview_of(TINGLING_MOUTH_FACIAL)
    again = Interview()
    again.load(interview.case_file()["facts"])
    assert texts(again.report()) == texts(interview.report())
    assert again.answers["complaint"] == ["twitching@face"]
    # Only what the facts say is answered (the twitching does not come back: a fact says so); the
    # "no" to each warning sign made no fact, so it is asked again.
    assert again.answers["complaint/course"] == []
    assert again.next_question().id == "symptom:seizures"


def test_loading_over_answers_replaces_them_or_merges():
    interview = interview_of(EYELID_COFFEE_SLEEP)
    file = {"facts": [{"kind": "lifestyle", "factor": "stress"}], "answers": {"habits": ["stress"]}}
    merged = interview_of(EYELID_COFFEE_SLEEP)
    merged.load(file["facts"], file["answers"], merge=True)
    assert merged.answers["habits"] == ["stress"] and merged.answers["complaint"] == ["twitching@eyelids"]
    interview.load(file["facts"], file["answers"])
    assert interview.answers == {"habits": ["stress"]}


def test_a_case_file_with_facts_no_answer_makes_is_kept_as_it_is():
    facts = [
        {"kind": "symptom", "name": "twitching", "location": "eyelids", "persistent": True},
        {"kind": "symptom", "name": "twitching", "location": "legs", "persistent": False},
        {"kind": "medication", "name": "salbutamol"},
    ]
    interview = Interview()
    interview.load(facts)
    assert interview.case_file()["facts"] == facts


def test_a_journal_replays_every_answer_including_no_and_dont_know(tmp_path):
    interview = interview_of(EYELID_COFFEE_SLEEP)
    interview.forget("symptom:seizures")
    path = tmp_path / "j.jsonl"
    path.write_text(journal_line(JOURNAL_HEADER) + "".join(journal_line(e) for e in interview.events), encoding="utf-8")
    form, events = read_resumable(path)
    again = Interview()
    again.replay(events)
    assert form == "journal" and again.answers == interview.answers
    assert texts(again.report()) == texts(interview.report())


def test_a_journal_line_cut_short_by_a_crash_is_left_out(tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_text(journal_line(JOURNAL_HEADER) + journal_line({"question": "complaint", "answer": ["cramps"]}) + '{"quest', encoding="utf-8")
    assert read_resumable(path) == ("journal", [{"question": "complaint", "answer": ["cramps"]}])


def test_a_journal_holding_other_line_separators_reads_back_whole(tmp_path):
    # U+2028 and U+0085 are line ends to str.splitlines(), not to JSON Lines.
    path = tmp_path / "j.jsonl"
    event = {"load": [{"kind": "medication", "name": "a\u2028b\x85c"}]}
    path.write_text(journal_line(JOURNAL_HEADER) + journal_line(event), encoding="utf-8")
    assert read_resumable(path) == ("journal", [event])


def test_a_journal_of_the_earlier_console_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "old.jsonl"
    path.write_text(journal_line({"journal": "expert consultation", "version": 1}), encoding="utf-8")
    with pytest.raises(InvalidFactError, match="earlier version"):
        read_resumable(path)


def test_a_journal_with_a_bad_answer_is_refused_with_its_entry_number():
    with pytest.raises(InvalidFactError, match="journal entry 2"):
        Interview().replay([{"question": "complaint", "answer": ["cramps"]}, {"question": "symptoms", "answer": ["moon"]}])


def test_an_answer_of_the_wrong_shape_is_refused():
    with pytest.raises(AnswerError):
        Interview().answer("supplement:vitamin_b6/daily_dose", [float("nan"), "mg"])


@pytest.mark.parametrize("months", [float("inf"), 100_000])
def test_a_length_of_time_no_one_could_type_is_refused_not_a_traceback(months):
    """A journal holding an impossible duration is refused by entry, as a typed one would be."""
    events = [
        {"question": "supplements", "answer": ["vitamin_b6"]},
        {"question": "supplement:vitamin_b6/daily_dose", "answer": [200, "mg"]},
        {"question": "supplement:vitamin_b6/duration_months", "answer": months},
    ]
    with pytest.raises(InvalidFactError, match="journal entry 3"):
        Interview().replay(events)
