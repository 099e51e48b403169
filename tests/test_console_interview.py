"""The interview behind the console: answers make facts, taking one back withdraws what rested on it."""

import json

import pytest
from console_stories import B6_HIGH_DOSE, EYELID_COFFEE_SLEEP, LOW_VITAMIN_D, SEIZURES, TINGLING_MOUTH_FACIAL, script

import expert
from expert.casefile import dump_case, parse_case
from expert.errors import InvalidFactError
from expert.interview import Interview, journal_line, read_resumable, JOURNAL_HEADER
from expert.questions import AnswerError


def texts(report):
    return sorted(c.text for c in report.conclusions)


@pytest.mark.parametrize("story", [EYELID_COFFEE_SLEEP, B6_HIGH_DOSE, LOW_VITAMIN_D, TINGLING_MOUTH_FACIAL, SEIZURES])
def test_the_interview_concludes_what_consult_concludes_on_its_facts(story):
    _, interview = script(story)
    facts = [f.model_dump(mode="json", exclude_none=True) for f in interview.facts()]
    assert facts and texts(interview.report()) == texts(expert.consult(facts))


def test_a_story_answer_becomes_one_fact_with_its_details():
    _, interview = script(B6_HIGH_DOSE)
    b6 = [f for f in interview.facts() if f.kind == "supplement"]
    assert len(b6) == 1 and b6[0].daily_dose_mg == 200 and b6[0].duration_months == 12


def test_taking_an_answer_back_withdraws_exactly_what_rested_on_it():
    _, interview = script(EYELID_COFFEE_SLEEP)
    before = {c.key for c in interview.report().conclusions}
    outcome = interview.forget("lifestyle:excessive_caffeine")
    assert outcome.withdrawn and not outcome.new
    for c in outcome.withdrawn:
        assert "caffeine" in json.dumps([r.fact for r in c.because] + [c.text]).casefold()
    after = {c.key for c in interview.report().conclusions}
    assert after == before - {c.key for c in outcome.withdrawn}
    assert interview.answers["lifestyle:excessive_caffeine"] is None


def test_changing_the_complaint_drops_its_details():
    interview = Interview()
    interview.answer("symptom:twitching", True)
    interview.answer("symptom:twitching/location", ["eyelids"])
    interview.forget("symptom:twitching", ask_again=True)
    assert interview.answers == {}
    assert interview.next_question().id == "symptom:twitching"


def test_a_case_file_is_loaded_back_into_the_same_facts():
    _, interview = script(TINGLING_MOUTH_FACIAL)
    case = dump_case(interview.facts())
    again = Interview()
    again.load(parse_case(case))
    assert dump_case(again.facts()) == case
    assert texts(again.report()) == texts(interview.report())
    assert "symptom:twitching" not in {q.id for q in again.planner.open_questions(again.answers)}


def test_a_case_file_with_facts_no_answer_makes_is_kept_as_it_is():
    facts = [
        {"kind": "symptom", "name": "twitching", "location": "eyelids", "persistent": True},
        {"kind": "symptom", "name": "twitching", "location": "legs", "persistent": False},
        {"kind": "medication", "name": "salbutamol"},
    ]
    interview = Interview()
    interview.load(facts)
    assert json.loads(dump_case(interview.facts()))["facts"] == facts


def test_a_journal_replays_every_answer_including_no_and_dont_know(tmp_path):
    _, interview = script(EYELID_COFFEE_SLEEP)
    interview.forget("lifestyle:poor_sleep")
    path = tmp_path / "j.jsonl"
    path.write_text(journal_line(JOURNAL_HEADER) + "".join(journal_line(e) for e in interview.events), encoding="utf-8")
    form, events = read_resumable(path)
    again = Interview()
    again.replay(events)
    assert form == "journal" and again.answers == interview.answers
    assert texts(again.report()) == texts(interview.report())


def test_a_journal_line_cut_short_by_a_crash_is_left_out(tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_text(journal_line(JOURNAL_HEADER) + journal_line({"question": "symptom:twitching", "answer": True}) + '{"quest', encoding="utf-8")
    assert read_resumable(path) == ("journal", [{"question": "symptom:twitching", "answer": True}])


def test_a_journal_with_a_bad_answer_is_refused_with_its_entry_number():
    with pytest.raises(InvalidFactError, match="journal entry 2"):
        Interview().replay([{"question": "symptom:twitching", "answer": True}, {"question": "symptom:twitching/location", "answer": ["moon"]}])


def test_an_answer_of_the_wrong_shape_is_refused():
    with pytest.raises(AnswerError):
        Interview().answer("supplement:vitamin_b6/daily_dose", [float("nan"), "mg"])


@pytest.mark.parametrize("months", [float("inf"), 100_000])
def test_a_length_of_time_no_one_could_type_is_refused_not_a_traceback(months):
    """A journal holding an impossible duration is refused by entry, as a typed one would be."""
    events = [
        {"question": "supplement", "answer": ["vitamin_b6"]},
        {"question": "supplement:vitamin_b6/daily_dose", "answer": [200, "mg"]},
        {"question": "supplement:vitamin_b6/duration_months", "answer": months},
    ]
    with pytest.raises(InvalidFactError, match="journal entry 3"):
        Interview().replay(events)
