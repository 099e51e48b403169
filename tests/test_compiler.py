"""The compiled engine: rules asked only when their matches change, nothing stale after an abort."""

import pytest

import expert
from conftest import level, symptom


def test_an_engine_interrupted_by_the_firing_cap_starts_clean_on_the_next_run():
    session = expert.Session(max_firings=2)
    session.tell(level("vitamin_d", "low"))
    session.tell(symptom("twitching", "eyelids"))
    with pytest.raises(expert.FiringLimitError):
        session.run()
    session._max_firings = 1000  # the same engine, now allowed to finish
    again = session.run().report
    fresh = expert.consult([level("vitamin_d", "low"), symptom("twitching", "eyelids")])
    assert [f.rule for f in again.fired] == [f.rule for f in fresh.fired]
    told = {f.id for f in again.facts}
    assert all(m.id in told for f in again.fired for m in f.matched if m.origin == "user")


def test_each_rule_fires_once_per_combination_of_facts():
    report = expert.consult([symptom("twitching", "eyelids"), symptom("twitching", "legs")])
    firings = [f for f in report.fired if f.rule == "magnesium.profile.location"]
    assert sorted(f.matched[0].fact["location"] for f in firings) == ["eyelids", "legs"]
    assert len(report.conclusion("magnesium.profile.location").firings) == 2
