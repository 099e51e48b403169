"""What a person or a program sees of the engine, word for word: the lines that name a bad fact,
the refusals of a session, and the causes ranked with their reasons.

The reasons checked here are the README's own worked example and the weights its table gives
(a low result 3, a dose above the figure 2 and 1 more over time, a sign of one cause 1, a sign
shared by n causes 1/n, a normal result 3 against).
"""

import json
from pathlib import Path

import pytest

import expert
from expert import FactConflictError, FiringLimitError, InvalidArgumentError, InvalidFactError, Session, UnknownFactError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def problems_of(facts) -> list[str]:
    with pytest.raises(InvalidFactError) as error:
        expert.consult(facts)
    return error.value.problems


def example(name: str) -> list[dict]:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))["facts"]


def causes(facts) -> list[tuple]:
    return [(c.cause, c.standing, c.score, c.explains, c.reason) for c in expert.consult(facts).causes]


# --- bad facts: one line each, naming the field ----------------------------------------------------


def test_the_readmes_bad_case_gives_its_three_lines():
    assert problems_of([
        {"kind": "supplement", "nutrient": "magnesium", "daily_dose": -200, "unit": "spoons"},
        {"kind": "symptom", "name": "twitching", "colour": "red"},
    ]) == [
        "facts[0].daily_dose: Input should be greater than 0",
        "facts[0].unit: Input should be 'mg', 'mcg', 'µg', 'ug', 'g' or 'IU'",
        "facts[1].colour: is not a field of a symptom fact (its fields: kind, name, location, persistent, severe)",
    ]


def test_a_missing_field_is_required_and_a_checks_reason_is_given_as_it_is():
    assert problems_of([
        {"kind": "symptom"},
        {"kind": "supplement", "nutrient": "magnesium", "daily_dose": 5, "unit": "IU"},
        {"kind": "medication", "name": ""},
    ]) == [
        "facts[0].name: is required",
        "facts[1]: unit 'IU' has no defined conversion for magnesium; use mg, mcg or g (IU is accepted only for vitamin D)",
        "facts[2].name: String should have at least 1 character",
    ]


def test_a_fact_of_no_known_kind_is_named_by_its_place():
    assert problems_of([{"kind": "mood"}, {"name": "twitching"}, "twitching"]) == [
        "facts[0]: Input tag 'mood' found using 'kind' does not match any of the expected tags: "
        "'symptom', 'nutrient_level', 'supplement', 'lifestyle', 'diet', 'medication', 'condition'",
        "facts[1]: Unable to extract tag using discriminator 'kind'",
        "facts[2]: Input should be a valid dictionary or object to extract fields from",
    ]


def test_one_fact_parsed_alone_is_called_fact_or_named_by_its_field():
    with pytest.raises(InvalidFactError) as error:
        expert.parse_fact({"kind": "symptom", "name": "twitching", "colour": "red"})
    assert error.value.problems == [
        "fact.colour: is not a field of a symptom fact (its fields: kind, name, location, persistent, severe)"
    ]
    with pytest.raises(InvalidFactError) as error:
        expert.parse_fact({"kind": "symptom"}, where="")
    assert error.value.problems == ["name: is required"]
    with pytest.raises(InvalidFactError) as error:
        expert.parse_fact({"kind": "mood"}, where="")
    assert error.value.problems[0].startswith("fact: Input tag 'mood'")


def test_the_same_question_answered_twice_in_a_case_is_one_line_naming_both():
    low = {"kind": "nutrient_level", "nutrient": "calcium", "level": "low"}
    assert problems_of([low, low]) == ["facts[1]: repeats facts[0], low calcium (tested); give each nutrient level once"]
    assert problems_of([low, dict(low, level="normal")]) == [
        "facts[1]: conflicts with facts[0], low calcium (tested); give each nutrient level once"
    ]


@pytest.mark.parametrize("given, message", [
    ({"facts": []}, "facts: expected a list of facts (dicts or fact models), got a dict (for a case file's contents, pass case['facts'])"),
    ({"kind": "symptom"}, "facts: expected a list of facts (dicts or fact models), got a dict (for one fact, pass [fact])"),
    ("twitching", "facts: expected a list of facts (dicts or fact models), got a str"),
    (5, "facts: expected a list of facts (dicts or fact models), got an int"),
])
def test_a_case_that_is_not_a_list_of_facts_says_what_to_pass(given, message):
    with pytest.raises(InvalidArgumentError) as error:
        expert.consult(given)
    assert str(error.value) == message


def test_any_iterable_of_facts_is_a_case():
    facts = example("vitamin-d.json")
    assert expert.consult(iter(facts)) == expert.consult(facts)


# --- a session's refusals --------------------------------------------------------------------------


def test_a_session_refuses_a_second_answer_and_says_how_to_change_it():
    session = Session()
    first = session.tell({"kind": "nutrient_level", "nutrient": "magnesium", "level": "low"})
    assert first == "u1"
    assert session.tell({"kind": "symptom", "name": "twitching", "location": "eyelids"}) == "u2"
    with pytest.raises(FactConflictError) as same:
        session.tell({"kind": "nutrient_level", "nutrient": "magnesium", "level": "low"})
    assert same.value.problems == ["nutrient_level: already told as u1 (low magnesium (tested))"]
    with pytest.raises(FactConflictError) as other:
        session.tell({"kind": "nutrient_level", "nutrient": "magnesium", "level": "normal"})
    assert other.value.problems == [
        "nutrient_level: conflicts with u1 (low magnesium (tested)); retract u1 first to change it"
    ]
    assert list(session.facts) == ["u1", "u2"]


def test_retracting_names_the_facts_there_are_and_frees_the_question():
    session = Session()
    with pytest.raises(UnknownFactError) as empty:
        session.retract("u1")
    assert str(empty.value) == "no fact 'u1' in this session (its facts: none)"
    session.tell({"kind": "nutrient_level", "nutrient": "magnesium", "level": "low"})
    session.tell({"kind": "lifestyle", "factor": "stress"})
    with pytest.raises(UnknownFactError) as unknown:
        session.retract("u9")
    assert str(unknown.value) == "no fact 'u9' in this session (its facts: u1, u2)"
    with pytest.raises(InvalidArgumentError) as wrong:
        session.retract(1)
    assert str(wrong.value) == "fact_id: expected a fact id such as 'u1' (a str), got an int"
    assert session.retract("u1").level == "low"
    assert session.tell({"kind": "nutrient_level", "nutrient": "magnesium", "level": "normal"}) == "u3"


def test_the_firing_cap_is_the_allowance_times_the_facts_told():
    session = Session(max_firings=1)
    session.tell({"kind": "symptom", "name": "twitching", "location": "eyelids"})
    session.tell({"kind": "nutrient_level", "nutrient": "magnesium", "level": "low"})
    with pytest.raises(FiringLimitError) as error:
        session.run()
    assert str(error.value).startswith("the rules fired more than 2 times (last: ")
    assert str(error.value).endswith("); the knowledge base has a runaway loop")
    alone = Session(max_firings=1)
    alone.tell({"kind": "nutrient_level", "nutrient": "magnesium", "level": "low"})
    with pytest.raises(FiringLimitError, match="more than 1 times"):
        alone.run()


def test_a_run_says_what_is_new_and_what_is_withdrawn_and_the_report_stays():
    session = Session()
    told = session.tell({"kind": "nutrient_level", "nutrient": "vitamin_d", "level": "low"})
    first = session.run()
    assert first.withdrawn == []
    assert "vitamin_d.impairs_calcium_absorption" in [c.rule for c in first.new]
    assert session.report() == first.report
    assert [f.rule for f in session.trace] == [f.rule for f in first.report.fired]
    session.retract(told)
    second = session.run()
    assert second.new == []
    assert {c.rule for c in second.withdrawn} == {c.rule for c in first.new}
    assert session.trace == []


# --- the causes, ranked with their reasons ----------------------------------------------------------


def test_the_readmes_worked_example_ranks_too_much_magnesium_first_and_says_why():
    assert causes(example("magnesium-supplement.json")) == [
        ("magnesium_excess", "dose", 2.0, True, "A dose above the figure the documents name: magnesium supplement, 0.5 g a day"),
        ("magnesium_deficiency", "against", -2.0, False,
         "A sign listed for it alone: twitching (eyelids); against: normal magnesium (tested)"),
    ]


def test_a_high_b6_dose_over_a_year_with_its_effects_is_weighed_two_one_and_one():
    ranked = causes(example("b6.json"))
    assert ranked[0] == (
        "vitamin_b6_toxicity", "dose", 4.0, True,
        "A dose above the figure the documents name: vitamin B6 supplement, 200 mg a day for 12 months; "
        "enough, by dose or time, to risk nerve damage; its listed effects: difficulty walking",
    )
    # Twitching in the legs is listed for three minerals: a third each, and said to be shared.
    assert ranked[1:] == [
        (cause, "weak", 0.3333, False, "Only signs shared with other causes: twitching (legs) (shared by 3 causes)")
        for cause in ("magnesium_deficiency", "calcium_deficiency", "potassium_deficiency")
    ]


def test_a_short_time_on_a_high_b6_dose_says_the_nerve_damage_chain_is_not_followed_yet():
    ranked = causes([
        {"kind": "supplement", "nutrient": "vitamin_b6", "daily_dose": 200, "unit": "mg", "duration_months": 1},
        {"kind": "symptom", "name": "tingling", "location": "feet"},
    ])
    assert ranked[0] == (
        "vitamin_b6_toxicity", "dose", 2.2, False,
        "A dose above the figure the documents name: vitamin B6 supplement, 200 mg a day for 1 month; "
        "its listed effects: tingling (feet) (shared by 5 causes); nerve damage is not concluded here from the dose and time you told",
    )


def test_habits_the_person_reports_are_their_own_causes_beside_a_sign_of_magnesium():
    assert causes(example("eyelid.json")) == [
        ("poor_sleep", "told", 1.0, True, "You report it: poor sleep"),
        ("excessive_caffeine", "told", 1.0, True, "You report it: excessive caffeine"),
        ("magnesium_deficiency", "suspected", 1.0, True, "A sign listed for it alone: twitching (eyelids), persistent"),
    ]


def test_a_low_vitamin_d_result_is_tested_and_links_calcium_at_risk():
    ranked = causes(example("vitamin-d.json"))
    assert ranked[:2] == [
        ("vitamin_d_deficiency", "tested", 3.0, False,
         "A low test result: low vitamin D (tested); the documents do not tie it directly to what you report"),
        ("calcium_deficiency", "weak", 1.25, False,
         "A finding the documents link to it: low vitamin D (tested); only signs shared with other causes: cramps (legs) (shared by 4 causes)"),
    ]
    assert [c[0] for c in ranked[2:]] == ["magnesium_deficiency", "potassium_deficiency", "vitamin_b12_deficiency"]
    assert {c[2] for c in ranked[2:]} == {0.25}


def test_each_piece_of_evidence_names_the_fact_the_rule_and_its_weight():
    report = expert.consult(example("magnesium-supplement.json"))
    excess, deficiency = report.causes
    assert [(e.fact, e.kind, e.weight, e.rule, e.shared_with) for e in excess.evidence] == [
        ("u1", "high_dose", 2.0, "magnesium_excess.high_dose", 1)
    ]
    assert [(e.fact, e.kind, e.weight) for e in deficiency.evidence] == [("u2", "specific", 1.0)]
    assert [(e.fact, e.kind, e.weight, e.text) for e in deficiency.against] == [
        ("u3", "not_low", 3.0, "normal magnesium (tested)")
    ]
    assert excess.name == "Too much magnesium"
    assert deficiency.name == "Magnesium deficiency"


# --- how many causes a sign is shared by, in a knowledge base of one's own ---------------------------

QUOTE = {"document": "minerals", "quote": "Magnesium is essential for many bodily functions"}


def _sign_rule(rule_id: str, where: dict, finding: str, about: str) -> dict:
    return {
        "id": rule_id, "title": "A sign of " + about, "category": "suspicion", "text": "It fits " + about + ".",
        "when": [{"fact": "supplement", "where": {"nutrient": "vitamin_b6", **where}}],
        "then": [{"finding": finding, "about": about}], "sources": [QUOTE],
    }


def signs_kb():
    from expert.rules.corpus import corpus
    from expert.rules.knowledge import KnowledgeBase
    from expert.rules.schema import Rule

    rules = [
        _sign_rule("t.above", {"daily_dose_mg": {"gt": 100}}, "excess_sign", "vitamin_b6"),
        _sign_rule("t.from", {"daily_dose_mg": {"ge": 100}}, "weak_sign", "magnesium"),
        _sign_rule("t.below", {"daily_dose_mg": {"lt": 50}}, "weak_sign", "calcium"),
        _sign_rule("t.up_to", {"daily_dose_mg": {"le": 50}}, "weak_sign", "potassium"),
        _sign_rule("t.timed", {"duration_months": {"known": True}}, "weak_sign", "folate"),
        _sign_rule("t.untimed", {"duration_months": {"known": False}}, "weak_sign", "vitamin_b12"),
        _sign_rule("t.any_dose", {"daily_dose_mg": "?dose"}, "weak_sign", "vitamin_d"),
    ]
    return KnowledgeBase(rules=tuple(Rule.model_validate(r) for r in rules), documents=corpus(), ledger=())


@pytest.mark.parametrize("dose, months, shared", [
    (150, None, {"vitamin_b6_toxicity": "effect", "magnesium_deficiency": "shared", "vitamin_b12_deficiency": "shared",
                 "vitamin_d_deficiency": "shared"}),
    (100, None, {"magnesium_deficiency": "shared", "vitamin_b12_deficiency": "shared", "vitamin_d_deficiency": "shared"}),
    (50, 2, {"potassium_deficiency": "shared", "folate_deficiency": "shared", "vitamin_d_deficiency": "shared"}),
    (40, 2, {"calcium_deficiency": "shared", "potassium_deficiency": "shared", "folate_deficiency": "shared",
             "vitamin_d_deficiency": "shared"}),
    (75, 2, {"folate_deficiency": "shared", "vitamin_d_deficiency": "shared"}),
])
def test_a_supplement_tied_to_several_causes_counts_a_share_for_each_by_its_dose_in_mg(dose, months, shared):
    fact = {"kind": "supplement", "nutrient": "vitamin_b6", "daily_dose": dose * 1000, "unit": "mcg"}
    if months is not None:
        fact["duration_months"] = months
    report = expert.consult([fact], knowledge_base=signs_kb())
    # A number a rule binds is shown as the person would write it: 150, not 150.000 or 1.5E+2.
    assert [f.bindings for f in report.fired if f.rule == "t.any_dose"] == [{"dose": str(dose)}]
    found = {c.cause: c for c in report.causes}
    assert set(found) == set(shared)
    for cause, kind in shared.items():
        (evidence,) = found[cause].evidence
        assert (evidence.kind, evidence.shared_with, evidence.weight) == (kind, len(shared), round(1 / len(shared), 4))
        assert f"(shared by {len(shared)} causes)" in found[cause].reason


def test_a_new_session_reports_nothing_yet():
    report = Session().report()
    assert isinstance(report, expert.Report)
    assert (report.conclusions, report.causes, report.fired) == ([], [], [])


def test_a_wrong_knowledge_base_is_named_before_the_facts_are_read():
    with pytest.raises(InvalidArgumentError) as error:
        expert.consult([{"kind": "mood"}], knowledge_base="rules/kb")
    assert str(error.value).startswith("knowledge_base: expected a KnowledgeBase")


# --- more of the ranking's wording, one behaviour a case ------------------------------------------------

MG_LOW = {"kind": "nutrient_level", "nutrient": "magnesium", "level": "low"}
VD_LOW = {"kind": "nutrient_level", "nutrient": "vitamin_d", "level": "low"}


@pytest.mark.parametrize("fact, cause, reason", [
    ({"kind": "medication", "name": "an antidepressant"}, "medication", "You report it: takes medication: an antidepressant"),
    ({"kind": "condition", "name": "neuromuscular_disorder"}, "neuromuscular_disorder", "You report it: has neuromuscular disorder"),
    ({"kind": "lifestyle", "factor": "stress"}, "stress", "You report it: stress"),
])
def test_what_the_person_reports_of_themselves_is_a_cause_its_conclusion_bears_on(fact, cause, reason):
    report = expert.consult([fact, {"kind": "symptom", "name": "twitching"}])
    assert [(c.cause, c.name, c.standing, c.score, c.explains, c.reason) for c in report.causes] == [
        (cause, expert.engine.evidence.cause_name(cause), "told", 1.0, True, reason)
    ]
    assert [c.causes for c in report.conclusions if c.causes] == [[cause]]
    assert report.causes[0].name == {"medication": "A side effect of medication", "stress": "Stress",
                                     "neuromuscular_disorder": "A neuromuscular disorder"}[cause]


def test_a_dose_within_the_figure_is_all_that_speaks_and_it_speaks_against():
    assert causes([{"kind": "supplement", "nutrient": "magnesium", "daily_dose": 200, "unit": "mg"}]) == [
        ("magnesium_excess", "against", -1.0, False,
         "Nothing you said points to it in particular; against: magnesium supplement, 200 mg a day (within the figure named)"),
    ]


def test_a_normal_result_speaks_against_once_though_it_also_contradicts_a_rule():
    ranked = causes([VD_LOW, {"kind": "nutrient_level", "nutrient": "calcium", "level": "normal"}])
    assert ranked[1] == ("calcium_deficiency", "against", -3.0, False, "Nothing you said points to it in particular; against: normal calcium (tested)")


def test_a_high_b6_dose_over_time_without_a_complaint_is_not_tied_to_one():
    assert causes([{"kind": "supplement", "nutrient": "vitamin_b6", "daily_dose": 200, "unit": "mg", "duration_months": 12}]) == [
        ("vitamin_b6_toxicity", "dose", 3.0, False,
         "A dose above the figure the documents name: vitamin B6 supplement, 200 mg a day for 12 months; "
         "enough, by dose or time, to risk nerve damage; the documents do not tie it directly to what you report"),
    ]


def test_low_vitamin_d_alone_links_calcium_weakly_and_with_a_low_calcium_result_adds_to_it():
    assert causes([VD_LOW])[1] == ("calcium_deficiency", "weak", 1.0, False, "A finding the documents link to it: low vitamin D (tested)")
    assert causes([VD_LOW, {"kind": "nutrient_level", "nutrient": "calcium", "level": "low"}])[0] == (
        "calcium_deficiency", "tested", 4.0, False,
        "A low test result: low calcium (tested); a finding the documents link to it: low vitamin D (tested); "
        "the documents do not tie it directly to what you report",
    )


def test_a_missing_food_counts_beside_the_shared_signs_but_is_not_called_a_sign():
    assert causes([{"kind": "diet", "pattern": "no_dairy"}, {"kind": "symptom", "name": "cramps", "location": "legs"}])[0] == (
        "calcium_deficiency", "weak", 0.75, False,
        "Only signs shared with other causes: cramps (legs) (shared by 4 causes); "
        "a missing food source or habit the documents name for it: diet: no dairy",
    )


def test_shared_signs_beside_a_low_result_are_not_called_the_only_ones():
    ranked = causes([MG_LOW, {"kind": "symptom", "name": "twitching", "location": "legs"}, {"kind": "symptom", "name": "cramps", "location": "legs"}])
    assert ranked[0] == (
        "magnesium_deficiency", "tested", 3.5833, True,
        "A low test result: low magnesium (tested); signs shared with other causes: twitching (legs) (shared by 3 causes), cramps (legs) (shared by 4 causes)",
    )
    assert ranked[1][4] == "Only signs shared with other causes: twitching (legs) (shared by 3 causes), cramps (legs) (shared by 4 causes)"


def test_consult_passes_its_firing_cap_on_and_names_a_wrong_one():
    with pytest.raises(FiringLimitError):
        expert.consult([MG_LOW], max_firings=1)
    with pytest.raises(InvalidArgumentError) as error:
        expert.consult([MG_LOW], max_firings=0)
    assert str(error.value).startswith("max_firings: ")


def test_a_low_result_with_a_high_dose_of_the_same_mineral_bears_on_both_causes_and_only_there():
    report = expert.consult([MG_LOW, {"kind": "supplement", "nutrient": "magnesium", "daily_dose": 500, "unit": "mg"}])
    bears = {c.rule: c.causes for c in report.conclusions if c.causes}
    assert bears["conflict.replenish_or_reduce"] == ["magnesium_deficiency", "magnesium_excess"]
    assert bears["magnesium_excess.high_dose"] == ["magnesium_excess"]
    assert bears["magnesium.tested_low"] == ["magnesium_deficiency"]
    assert [(c.cause, c.standing, c.score) for c in report.causes] == [
        ("magnesium_deficiency", "tested", 3.0), ("magnesium_excess", "dose", 2.0)
    ]


def test_a_deficiencys_name_keeps_the_vitamins_capital_letter():
    names = {c.cause: c.name for c in expert.consult(example("vitamin-d.json")).causes}
    assert names["vitamin_d_deficiency"] == "Vitamin D deficiency"
    assert names["vitamin_b12_deficiency"] == "Vitamin B12 deficiency"
    assert names["calcium_deficiency"] == "Calcium deficiency"


# --- the engine's order and its log ---------------------------------------------------------------


def test_the_order_facts_are_told_in_changes_nothing_that_fires():
    facts = example("b6.json") + [MG_LOW, {"kind": "lifestyle", "factor": "stress"}]
    first = expert.consult(facts)
    for order in (list(reversed(facts)), facts[2:] + facts[:2]):
        again = expert.consult(order)
        assert [(f.number, f.rule) for f in again.fired] == [(f.number, f.rule) for f in first.fired]


def test_rules_matching_the_same_facts_fire_in_the_knowledge_bases_order():
    from expert.rules.knowledge import default_knowledge_base

    place = {rule.id: i for i, rule in enumerate(default_knowledge_base().rules)}
    salience = {rule.id: rule.salience for rule in default_knowledge_base().rules}
    for name in ("b6.json", "eyelid.json", "magnesium-supplement.json", "vitamin-d.json"):
        fired = expert.consult(example(name)).fired
        for before, after in zip(fired, fired[1:]):
            same = sorted(r.id for r in before.matched) == sorted(r.id for r in after.matched)
            if same and salience[before.rule] == salience[after.rule]:
                assert place[before.rule] < place[after.rule], (name, before.rule, after.rule)


def _watched_firings(caplog, case: str):
    """An example case consulted with the engine's logging on: the report, and each FIRE line's
    number, rule and facts, by number (a record may reach the capture twice, through the logger's
    own handler and the root's: each number is kept once, in order)."""
    import logging

    expert.enable_engine_logging()
    try:
        with caplog.at_level(logging.DEBUG):
            report = expert.consult(example(case))
    finally:
        expert.enable_engine_logging(False)
    fires: dict[str, tuple[str, str]] = {}
    for r in caplog.records:
        if r.name == "experta.watchers.RULES" and r.getMessage().startswith("FIRE "):
            _, number, rule, facts = r.getMessage().split(" ", 3)
            fires.setdefault(number, (rule.rstrip(":"), facts))
    return report, fires


def test_watching_the_engine_logs_each_firing_with_its_number_and_rule(caplog):
    report, fires = _watched_firings(caplog, "eyelid.json")
    assert [(number, rule) for number, (rule, _) in fires.items()] == [(str(f.number), f.rule) for f in report.fired]


def test_the_firing_cap_allows_exactly_its_number_of_firings():
    firings = len(expert.consult([MG_LOW]).fired)
    assert len(expert.consult([MG_LOW], max_firings=firings).fired) == firings
    with pytest.raises(FiringLimitError, match=f"more than {firings - 1} times"):
        expert.consult([MG_LOW], max_firings=firings - 1)


def test_derived_facts_are_numbered_from_d1_and_keep_their_basis():
    report = expert.consult([VD_LOW])
    assert [d.id for d in report.derived] == [f"d{n}" for n in range(1, len(report.derived) + 1)]
    # Each is a finding concluded by a rule, as the report format says (kind "finding", origin "rule").
    assert {(d.kind, d.origin) for d in report.derived} == {("finding", "rule")}
    # The library's own docstring example.
    assert report.conclusion("vitamin_d.impairs_calcium_absorption").because[0].text == "deficiency: vitamin D (tested)"


def test_a_session_names_a_wrong_argument_and_a_knowledge_base_that_does_not_load(monkeypatch):
    import expert.engine.session as session_module
    from expert.rules.knowledge import KnowledgeBaseError

    with pytest.raises(InvalidArgumentError) as wrong_kb:
        Session("rules/kb")
    assert str(wrong_kb.value).startswith("knowledge_base: expected a KnowledgeBase")
    with pytest.raises(InvalidArgumentError) as wrong_cap:
        Session(max_firings=0)
    assert str(wrong_cap.value).startswith("max_firings: ")

    def broken():
        raise KnowledgeBaseError(["10_bad.toml: not valid TOML: at line 1"])

    monkeypatch.setattr(session_module, "default_knowledge_base", broken)
    with pytest.raises(expert.InvalidKnowledgeBaseError) as error:
        Session()
    assert error.value.problems == ["10_bad.toml: not valid TOML: at line 1"]


def test_a_high_result_speaks_against_a_deficiency_as_a_normal_one_does():
    assert causes([{"kind": "nutrient_level", "nutrient": "magnesium", "level": "high"},
                   {"kind": "symptom", "name": "twitching", "location": "eyelids"}]) == [
        ("magnesium_deficiency", "against", -2.0, False,
         "A sign listed for it alone: twitching (eyelids); against: high magnesium (tested)"),
    ]


def test_each_cause_lists_the_conclusions_bearing_on_it_in_the_reports_order():
    for name in ("b6.json", "eyelid.json", "magnesium-supplement.json", "vitamin-d.json"):
        report = expert.consult(example(name))
        order = [c.rule for c in report.conclusions]
        for cause in report.causes:
            bearing = [c.rule for c in report.conclusions if cause.cause in c.causes]
            assert cause.conclusions == bearing and bearing, (name, cause.cause)
            assert cause.conclusions == sorted(cause.conclusions, key=order.index)


def test_watching_the_engine_logs_the_facts_each_firing_matched_as_clips_does(caplog):
    import re

    report, fires = _watched_firings(caplog, "eyelid.json")
    # CLIPS's `(watch rules)` line: the firing's facts after the rule's name, one engine fact each.
    for firing in report.fired:
        facts = fires[str(firing.number)][1]
        assert re.fullmatch(r"<f-\d+>(, <f-\d+>)*", facts), facts
        assert len(set(facts.split(", "))) == len(firing.matched), (firing.rule, facts)


# --- the ranking's finer points, in knowledge bases of the test's own --------------------------------
#
# The project's knowledge base has few causes whose evidence ties, and no chain with branches;
# these small ones are made to have them. Each rule cites the same sentence: what is tested here is
# how evidence is weighed, not what the documents say.


def _rule(rule_id: str, when: list, then: list = (), category: str = "suspicion", **extra) -> dict:
    return {"id": rule_id, "title": "A rule called " + rule_id, "category": category, "text": "It fits " + rule_id + ".",
            "when": list(when), "then": list(then), "sources": [QUOTE], **extra}


def _kb(*rules: dict):
    from expert.rules.corpus import corpus
    from expert.rules.knowledge import KnowledgeBase
    from expert.rules.schema import Rule

    expanded = tuple(r for d in rules for r in Rule.model_validate(d).expanded())
    return KnowledgeBase(rules=expanded, documents=corpus(), ledger=())


def _level(nutrient: str, level: str) -> dict:
    return {"fact": "nutrient_level", "where": {"nutrient": nutrient, "level": level}}


def _symptom(name: str, **where) -> dict:
    return {"fact": "symptom", "where": {"name": name, **where}}


def _finding(name: str, **where) -> dict:
    return {"fact": "finding", "where": {"name": name, **where}}


def _concludes(finding: str, about: str | None = None, **extra) -> dict:
    return {"finding": finding, **({"about": about} if about else {}), **extra}


MG_NORMAL = {"kind": "nutrient_level", "nutrient": "magnesium", "level": "normal"}
CA_NORMAL = {"kind": "nutrient_level", "nutrient": "calcium", "level": "normal"}
EYELIDS = {"kind": "symptom", "name": "twitching", "location": "eyelids"}
MG_SUPPLEMENT = {"kind": "supplement", "nutrient": "magnesium", "daily_dose": 200, "unit": "mg"}
B6_SUPPLEMENT = {"kind": "supplement", "nutrient": "vitamin_b6", "daily_dose": 200, "unit": "mg"}
UNLESS_MAGNESIUM = [{"fact": "supplement", "where": {"nutrient": "magnesium"}, "text": "A magnesium supplement speaks against it."}]


def _first_firings(report, touches: dict[str, set[str]]) -> dict[str, int]:
    """For each cause, the first firing of the rules that touch it (for it, against it or advising on it)."""
    return {cause: min(f.number for f in report.fired if f.rule in rules) for cause, rules in touches.items()}


def test_causes_that_tie_keep_the_order_the_engine_first_came_to_them_a_ruling_out_included():
    # Both results normal: each deficiency is -3 with nothing for it. Magnesium is ruled out first,
    # but advice on calcium (and a blood test for potassium, which is no evidence) comes before
    # advice on magnesium.
    report = expert.consult([MG_NORMAL, CA_NORMAL], knowledge_base=_kb(
        _rule("t.potassium_test", [_level("magnesium", "normal")], [_concludes("blood_test_advised", "potassium")], "advice"),
        _rule("t.magnesium_out", [_level("magnesium", "normal")], category="ruled_out"),
        _rule("t.calcium_out", [_level("calcium", "normal")], category="ruled_out"),
        _rule("t.calcium_test", [_level("calcium", "normal")], [_concludes("blood_test_advised", "calcium")], "advice"),
        _rule("t.magnesium_test", [_level("calcium", "normal")], [_concludes("blood_test_advised", "magnesium")], "advice"),
    ))
    first = _first_firings(report, {"magnesium_deficiency": {"t.magnesium_out", "t.magnesium_test"},
                                    "calcium_deficiency": {"t.calcium_out", "t.calcium_test"}})
    assert [(c.cause, c.score, c.standing) for c in report.causes] == sorted(
        [("magnesium_deficiency", -3.0, "against"), ("calcium_deficiency", -3.0, "against")], key=lambda c: first[c[0]]
    )
    # The ruling-out came first for magnesium, and the advice on calcium before the advice on magnesium.
    assert first["magnesium_deficiency"] < first["calcium_deficiency"]
    # A blood test advised is no evidence: potassium, with nothing for or against it, is not listed.
    assert "potassium_deficiency" not in {c.cause for c in report.causes}


def test_a_cause_ruled_out_late_keeps_its_place_from_the_advice_given_first():
    report = expert.consult([MG_NORMAL, CA_NORMAL, {"kind": "symptom", "name": "twitching"}], knowledge_base=_kb(
        _rule("t.magnesium_test", [_symptom("twitching")], [_concludes("blood_test_advised", "magnesium")], "advice"),
        _rule("t.calcium_out", [_level("calcium", "normal")], category="ruled_out"),
        _rule("t.see_someone", [_level("calcium", "normal")], [_concludes("professional_evaluation")], "referral"),
        _rule("t.magnesium_out", [_level("magnesium", "normal"), _finding("professional_evaluation")], category="ruled_out"),
    ))
    first = _first_firings(report, {"magnesium_deficiency": {"t.magnesium_test", "t.magnesium_out"},
                                    "calcium_deficiency": {"t.calcium_out"}})
    by_number = {f.rule: f.number for f in report.fired}
    assert by_number["t.magnesium_test"] < by_number["t.calcium_out"] < by_number["t.magnesium_out"]
    assert [c.cause for c in report.causes] == sorted(first, key=first.__getitem__) == ["magnesium_deficiency", "calcium_deficiency"]


def test_at_equal_scores_a_cause_a_rule_says_may_explain_the_complaint_comes_first():
    report = expert.consult([EYELIDS, {"kind": "lifestyle", "factor": "stress"}], knowledge_base=_kb(
        _rule("t.eyelids", [_symptom("twitching", location="eyelids")], [_concludes("profile_match", "magnesium")]),
        _rule("t.stress", [_finding("profile_match"), {"fact": "lifestyle", "where": {"factor": "stress"}}],
              [_concludes("twitching_cause", "stress")], "explanation"),
    ))
    assert [f.rule for f in report.fired] == ["t.eyelids", "t.stress"]  # magnesium was reached first
    assert [(c.cause, c.score, c.explains, len(c.evidence)) for c in report.causes] == [
        ("stress", 1.0, True, 1), ("magnesium_deficiency", 1.0, False, 1),
    ]


def test_at_equal_scores_the_cause_with_more_pieces_of_evidence_comes_first():
    report = expert.consult(
        [B6_SUPPLEMENT, {"kind": "symptom", "name": "cramps"}, {"kind": "symptom", "name": "spasms"}],
        knowledge_base=_kb(
            _rule("t.b6_dose", [{"fact": "supplement", "where": {"nutrient": "vitamin_b6", "daily_dose_mg": {"gt": 100}}}],
                  [_concludes("excess_intake", "vitamin_b6")]),
            _rule("t.cramps", [_finding("excess_intake"), _symptom("cramps")], [_concludes("profile_match", "magnesium")]),
            _rule("t.spasms", [_finding("excess_intake"), _symptom("spasms")], [_concludes("profile_match", "magnesium")]),
        ),
    )
    assert report.fired[0].rule == "t.b6_dose"  # B6 was reached first
    assert [(c.cause, c.score, c.explains, len(c.evidence)) for c in report.causes] == [
        ("magnesium_deficiency", 2.0, False, 2), ("vitamin_b6_toxicity", 2.0, False, 1),
    ]


CRAMPS = {"kind": "symptom", "name": "cramps", "location": "legs"}
NO_DAIRY = {"kind": "diet", "pattern": "no_dairy"}
NO_FATTY_FISH = {"kind": "diet", "pattern": "no_fatty_fish"}


def _diet(pattern: str) -> dict:
    return {"fact": "diet", "where": {"pattern": pattern}}


@pytest.mark.parametrize("facts, rules, reason", [
    # A sign only one rule ties to a cause is its own sign, not a shared one (and not the "only" kind).
    ([EYELIDS, CRAMPS], [_rule("t.cramps_mg", [_symptom("cramps")], [_concludes("weak_sign", "magnesium")])],
     "A sign the documents list for it: cramps (legs)"),
    ([EYELIDS, CRAMPS], [_rule("t.eyelids_mg", [_symptom("twitching")], [_concludes("weak_sign", "magnesium")]),
                         _rule("t.cramps_mg", [_symptom("cramps")], [_concludes("weak_sign", "magnesium")])],
     "A sign the documents list for it: twitching (eyelids), cramps (legs)"),
    # Tied to two causes, it is shared, and only shared.
    ([EYELIDS, CRAMPS], [_rule("t.cramps_mg", [_symptom("cramps")], [_concludes("weak_sign", "magnesium")]),
                         _rule("t.cramps_ca", [_symptom("cramps")], [_concludes("weak_sign", "calcium")])],
     "Only signs shared with other causes: cramps (legs) (shared by 2 causes)"),
    # Two signs listed for it alone, named in the order told.
    ([EYELIDS, CRAMPS], [_rule("t.eyelids", [_symptom("twitching", location="eyelids")], [_concludes("profile_match", "magnesium")]),
                         _rule("t.cramps", [_symptom("cramps")], [_concludes("profile_match", "magnesium")])],
     "A sign listed for it alone: twitching (eyelids), cramps (legs)"),
    # Missing food sources are named as such, never as signs.
    ([NO_DAIRY, NO_FATTY_FISH], [_rule("t.dairy", [_diet("no_dairy")], [_concludes("weak_sign", "magnesium")]),
                                 _rule("t.fish", [_diet("no_fatty_fish")], [_concludes("weak_sign", "magnesium")])],
     "A missing food source or habit the documents name for it: diet: no dairy, diet: no fatty fish"),
])
def test_the_reason_names_a_sign_of_one_cause_apart_from_shared_ones(facts, rules, reason):
    report = expert.consult(facts, knowledge_base=_kb(*rules))
    (magnesium,) = [c for c in report.causes if c.cause == "magnesium_deficiency"]
    assert magnesium.reason == reason


def test_both_named_sources_of_vitamin_d_missing_are_called_food_sources_tied_to_it_alone_not_signs():
    # Each is also a missing source in the shared sense (fatty fish for calcium too); a fact named
    # as tied to vitamin D alone is not named again among the shared ones.
    report = expert.consult([{"kind": "lifestyle", "factor": "little_sun_exposure"},
                             {"kind": "diet", "pattern": "no_fatty_fish"}, {"kind": "symptom", "name": "twitching"}])
    reasons = {c.cause: c.reason for c in report.causes}
    assert reasons == {
        "vitamin_d_deficiency": "A food source or habit the documents tie to it alone: little sun exposure, diet: no fatty fish",
        "calcium_deficiency": "A missing food source or habit the documents name for it: diet: no fatty fish (shared by 2 causes)",
    }


def test_what_speaks_against_is_listed_heaviest_first_and_named_in_the_reason():
    # The supplement contradicts the sign (1) before the normal result rules it out (3).
    report = expert.consult([EYELIDS, MG_SUPPLEMENT, MG_NORMAL], knowledge_base=_kb(
        _rule("t.eyelids", [_symptom("twitching", location="eyelids")], [_concludes("profile_match", "magnesium")],
              unless=UNLESS_MAGNESIUM),
        _rule("t.magnesium_out", [_level("magnesium", "normal")], category="ruled_out"),
    ))
    assert [f.rule for f in report.fired] == ["t.eyelids.contradicted", "t.magnesium_out"]
    deficiency = next(c for c in report.causes if c.cause == "magnesium_deficiency")
    assert [(e.kind, e.weight) for e in deficiency.against] == [("not_low", 3.0), ("contradicted", 1.0)]
    assert (deficiency.score, deficiency.standing) == (-4.0, "against")
    assert deficiency.reason == ("Nothing you said points to it in particular; against: normal magnesium (tested), "
                                 "magnesium supplement, 200 mg a day (contradicts it)")


def test_a_cause_only_contradicted_is_listed_against_though_no_conclusion_bears_on_it():
    report = expert.consult([EYELIDS, B6_SUPPLEMENT], knowledge_base=_kb(
        _rule("t.eyelids", [_symptom("twitching", location="eyelids")], [_concludes("profile_match", "magnesium")],
              unless=[{"fact": "supplement", "where": {"nutrient": "vitamin_b6"}, "text": "A B6 supplement speaks against it."}]),
    ))
    deficiency = next(c for c in report.causes if c.cause == "magnesium_deficiency")
    assert (deficiency.score, deficiency.standing, deficiency.conclusions) == (-1.0, "against", [])
    assert deficiency.reason == "Nothing you said points to it in particular; against: vitamin B6 supplement, 200 mg a day (contradicts it)"


@pytest.mark.parametrize("signs, score, standing", [
    ([EYELIDS], 0.0, "against"),  # one sign for, one contradiction against: a balance is not support
    ([EYELIDS, {"kind": "symptom", "name": "cramps"}], 1.0, "suspected"),  # two for, one against
])
def test_a_contradiction_counts_against_every_cause_its_rule_names_and_a_balance_is_against(signs, score, standing):
    report = expert.consult([*signs, MG_SUPPLEMENT], knowledge_base=_kb(
        _rule("t.eyelids", [_symptom("twitching", location="eyelids")], [_concludes("profile_match", "magnesium")]),
        _rule("t.cramps", [_symptom("cramps")], [_concludes("profile_match", "magnesium")]),
        _rule("t.shared", [_symptom("twitching", location="eyelids")],
              [_concludes("weak_sign", "magnesium"), _concludes("weak_sign", "calcium")], unless=UNLESS_MAGNESIUM),
    ))
    found = {c.cause: c for c in report.causes}
    assert (found["magnesium_deficiency"].score, found["magnesium_deficiency"].standing) == (score, standing)
    assert [e.kind for e in found["magnesium_deficiency"].against] == ["contradicted"]
    assert [e.kind for e in found["calcium_deficiency"].against] == ["contradicted"]


def test_a_fact_two_rules_weigh_alike_is_credited_to_the_first_that_fired():
    report = expert.consult([EYELIDS], knowledge_base=_kb(
        _rule("t.first", [_symptom("twitching", location="eyelids")], [_concludes("profile_match", "magnesium")]),
        _rule("t.second", [_symptom("twitching", location="eyelids")], [_concludes("profile_match", "magnesium")]),
    ))
    assert [f.rule for f in report.fired] == ["t.first", "t.second"]
    (cause,) = report.causes
    assert [(e.fact, e.kind, e.weight, e.rule) for e in cause.evidence] == [("u1", "specific", 1.0, "t.first")]


def test_a_deficiency_only_suspected_is_never_weighed_as_a_low_result():
    report = expert.consult([EYELIDS], knowledge_base=_kb(
        _rule("t.sign", [_symptom("twitching", location="eyelids")], [_concludes("profile_match", "magnesium")]),
        _rule("t.suspected", [_symptom("twitching", location="eyelids")],
              [_concludes("deficiency", "magnesium", basis="suspected")]),
    ))
    (cause,) = report.causes
    assert (cause.cause, cause.standing, cause.score) == ("magnesium_deficiency", "suspected", 1.0)
    assert [e.kind for e in cause.evidence] == ["specific"]


def test_a_link_counts_the_persons_test_results_behind_it_not_their_symptoms():
    report = expert.consult([VD_LOW, {"kind": "symptom", "name": "twitching"}], knowledge_base=_kb(
        _rule("t.absorption", [_level("vitamin_d", "low"), _symptom("twitching")], [_concludes("impaired_calcium_absorption")],
              "mechanism"),
        _rule("t.risk", [_finding("impaired_calcium_absorption")], [_concludes("hypocalcemia_risk", "calcium")], "mechanism"),
    ))
    (calcium,) = report.causes
    assert [(e.text, e.kind, e.weight) for e in calcium.evidence] == [("low vitamin D (tested)", "link", 1.0)]


def test_a_link_resting_on_several_findings_counts_every_result_behind_each_branch():
    # The risk rests on three findings; two of them go back to the same low vitamin D result.
    report = expert.consult([VD_LOW, MG_LOW], knowledge_base=_kb(
        _rule("t.nerves", [_level("magnesium", "low")], [_concludes("disrupted_nerve_signaling", "magnesium")], "mechanism"),
        _rule("t.absorption", [_level("vitamin_d", "low")], [_concludes("impaired_calcium_absorption")], "mechanism"),
        _rule("t.problems", [_finding("impaired_calcium_absorption")], [_concludes("neurological_problems", "calcium")],
              "mechanism"),
        _rule("t.risk", [_finding("disrupted_nerve_signaling"), _finding("impaired_calcium_absorption"),
                         _finding("neurological_problems")], [_concludes("hypocalcemia_risk", "calcium")], "mechanism"),
    ))
    calcium = next(c for c in report.causes if c.cause == "calcium_deficiency")
    assert sorted((e.text, e.kind) for e in calcium.evidence if e.kind == "link") == [
        ("low magnesium (tested)", "link"), ("low vitamin D (tested)", "link"),
    ]


def test_a_finding_concluded_from_another_keeps_the_basis_it_binds():
    report = expert.consult([MG_LOW], knowledge_base=_kb(
        _rule("t.low", [_level("magnesium", "low")], [_concludes("deficiency", "magnesium", basis="tested")], "mechanism"),
        _rule("t.test", [_finding("deficiency", about="?nutrient", basis="?basis")],
              [_concludes("blood_test_advised", "?nutrient", basis="?basis")], "advice"),
    ))
    assert [d.text for d in report.derived] == ["deficiency: magnesium (tested)", "blood test advised: magnesium (tested)"]
    assert report.derived[1].fact["basis"] == "tested"


def test_how_many_causes_share_a_sign_counts_only_the_rules_its_fields_meet():
    kb = _kb(
        _sign_rule("t.timed", {"duration_months": {"known": True}}, "weak_sign", "folate"),
        _sign_rule("t.long", {"duration_months": {"ge": 6}}, "weak_sign", "potassium"),
        _sign_rule("t.any_dose", {"daily_dose_mg": "?dose"}, "weak_sign", "vitamin_d"),
    )
    for months, shared in ((None, 1), (2, 2), (6, 3)):
        fact = {"kind": "supplement", "nutrient": "vitamin_b6", "daily_dose": 50, "unit": "mg"}
        if months is not None:
            fact["duration_months"] = months
        found = {c.cause: c for c in expert.consult([fact], knowledge_base=kb).causes}
        # A time not given meets neither "known" nor "6 months or more"; 2 months meets only the first.
        assert [(e.shared_with, e.weight) for e in found["vitamin_d_deficiency"].evidence] == [(shared, round(1 / shared, 4))], months


# --- the same points in the project's own knowledge base -------------------------------------------


def test_little_sun_counts_as_a_missing_source_of_vitamin_d_half_a_shared_sign():
    (cause,) = expert.consult([{"kind": "lifestyle", "factor": "little_sun_exposure"},
                               {"kind": "symptom", "name": "twitching"}]).causes
    assert cause.cause == "vitamin_d_deficiency"
    assert [(e.kind, e.weight, e.shared_with) for e in cause.evidence] == [("missing_food", 0.5, 1)]


def test_both_named_sources_of_vitamin_d_missing_each_count_in_full_as_its_own_sign():
    # Little sun and no fatty fish together are given for vitamin D alone; fatty fish is also a
    # missing source of calcium, which does not make the sign for vitamin D a shared one.
    report = expert.consult([{"kind": "lifestyle", "factor": "little_sun_exposure"},
                             {"kind": "diet", "pattern": "no_fatty_fish"}, {"kind": "symptom", "name": "twitching"}])
    vitamin_d = next(c for c in report.causes if c.cause == "vitamin_d_deficiency")
    assert vitamin_d.standing == "suspected"
    assert [(e.fact, e.weight, e.shared_with) for e in vitamin_d.evidence if e.kind == "specific"] == [
        ("u1", 1.0, 1), ("u2", 1.0, 1),
    ]


def test_every_cause_a_conclusion_bears_on_is_one_the_ranking_can_name():
    from typing import get_args

    from expert.facts.vocabulary import Nutrient

    known = {f"{n}_deficiency" for n in get_args(Nutrient)} | {
        "vitamin_b6_toxicity", "magnesium_excess", "medication", "neuromuscular_disorder",
        "excessive_caffeine", "excessive_alcohol", "stress", "poor_sleep", "dehydration", "intense_exercise",
    }
    for facts in ([{"kind": "diet", "pattern": "poor_diet"}, {"kind": "symptom", "name": "twitching"}],
                  [{"kind": "condition", "name": "other_health_condition"}, {"kind": "symptom", "name": "cramps"}],
                  example("eyelid.json"), example("b6.json"), example("vitamin-d.json")):
        report = expert.consult(facts)
        named = {cause for c in report.conclusions for cause in c.causes}
        assert named <= known, named - known


def test_a_fact_model_is_told_as_its_dict_is():
    from expert.facts import Medication, Symptom

    # Session.tell takes "a model or a dict"; fields left out of the model stay unknown.
    as_model, as_dict = Session(), Session()
    assert as_model.tell(Symptom(name="twitching", location="eyelids")) == as_dict.tell(EYELIDS) == "u1"
    assert as_model.facts == as_dict.facts
    assert expert.parse_fact(Symptom(name="twitching")) == expert.parse_fact({"kind": "symptom", "name": "twitching"})
    # A medication's name is its one field, and optional: given, it is kept.
    assert expert.parse_fact(Medication(name="omeprazole")).name == "omeprazole"


def test_a_model_of_the_callers_own_is_told_as_its_fields_are_its_unset_ones_left_out():
    from pydantic import BaseModel

    from expert.facts import Symptom

    class Answer(BaseModel):  # not one of the fact models: read by its fields, as a dict is
        kind: str
        name: str
        location: str | None = None
        note: str | None = None  # no field of a symptom, and unset: left out, not refused

    assert expert.parse_fact(Answer(kind="symptom", name="twitching", location="eyelids")) == Symptom(
        name="twitching", location="eyelids")
    with pytest.raises(InvalidFactError) as error:
        expert.parse_fact(Answer(kind="symptom", name="twitching", note="since May"))
    assert error.value.problems == ["fact.note: is not a field of a symptom fact (its fields: kind, name, location, persistent, severe)"]


def test_a_bound_dose_that_is_not_a_whole_number_is_shown_as_written():
    report = expert.consult([{"kind": "supplement", "nutrient": "vitamin_b6", "daily_dose": 150.5, "unit": "mg"}],
                            knowledge_base=signs_kb())
    assert [f.bindings for f in report.fired if f.rule == "t.any_dose"] == [{"dose": "150.5"}]


def test_an_absent_condition_may_name_a_variable_a_later_condition_binds():
    kb = _kb(_rule("t.no_supplement_of_it", [{"fact": "supplement", "where": {"nutrient": "?nutrient"}, "absent": True},
                                             _level("?nutrient", "low")],
                   [_concludes("blood_test_advised", "?nutrient")], "advice"))
    # "No supplement of the nutrient that is low": another nutrient's supplement does not stop it.
    assert [f.rule for f in expert.consult([MG_LOW], knowledge_base=kb).fired] == ["t.no_supplement_of_it"]
    assert [f.rule for f in expert.consult([MG_LOW, B6_SUPPLEMENT], knowledge_base=kb).fired] == ["t.no_supplement_of_it"]
    assert [f.rule for f in expert.consult([MG_LOW, MG_SUPPLEMENT], knowledge_base=kb).fired] == []


def test_a_rule_whose_list_of_values_holds_a_variable_is_refused_naming_its_field():
    # The knowledge base's author sees which condition is wrong, when the rule is read, before
    # any consultation (it once passed the schema and `expert check` and broke `consult`).
    with pytest.raises(ValueError, match=r"symptom\.name: a list of values cannot hold a variable"):
        _kb(_rule("t.list", [{"fact": "symptom", "where": {"name": ["twitching", "?complaint"]}}]))


# --- experta as the compiled engine drives it ------------------------------------------------------
#
# CompiledEngine does some of experta's work its own way for speed (the fact list's declare, a
# finding declared mid-run, a firing recorded without experta's keyword arguments). Each must give
# what experta's own way gives.


def _experta_fact_lists():
    from experta.factlist import FactList

    from expert.engine.compiler import LeanFactList

    return FactList(), LeanFactList()


def test_the_lean_fact_list_numbers_refuses_repeats_and_logs_as_experta_s_own(caplog):
    import logging

    from experta.fact import Fact

    from expert.engine.compiler import to_experta

    def facts():  # a repeat of the first content, then a new one
        return [
            to_experta("symptom", {"name": "twitching", "location": "eyelid"}),
            to_experta("finding", {"name": "deficiency", "about": "magnesium", "basis": "tested"}),
            to_experta("symptom", {"name": "twitching", "location": "eyelid"}),
            to_experta("symptom", {"name": "twitching", "location": "legs"}),
            Fact(note="a plain experta fact"),
        ]

    seen = []
    for fact_list in _experta_fact_lists():
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="experta.watchers.FACTS"):
            returned = [fact_list.declare(f) for f in facts()]
        seen.append((
            [None if r is None else dict(r) for r in returned],
            {i: dict(f) for i, f in fact_list.items()},
            fact_list.last_index,
            dict(fact_list.reference_counter),
            [dict(f) for f in fact_list.added],
            [r.getMessage() for r in caplog.records if r.name == "experta.watchers.FACTS"],
        ))
    experta_s, ours = seen
    assert ours == experta_s
    assert experta_s[0][2] is None and experta_s[2] == 4  # the repeat refused, four facts numbered 0 to 3
    assert len(experta_s[5]) == 4 and experta_s[5][0].startswith(" ==> <f-0>")


def test_the_lean_fact_list_refuses_what_is_not_a_fact_and_lets_a_repeat_in_when_asked():
    from expert.engine.compiler import to_experta

    for fact_list in _experta_fact_lists():
        with pytest.raises(ValueError, match="must descend the Fact class"):
            fact_list.declare({"name": "twitching"})
        fact_list.duplication = True
        first = fact_list.declare(to_experta("symptom", {"name": "cramps"}))
        again = fact_list.declare(to_experta("symptom", {"name": "cramps"}))
        assert (first["__factid__"], again["__factid__"], len(fact_list)) == (0, 1, 2)


def test_the_lean_fact_list_tells_facts_apart_and_counts_repeats_as_experta_s_own():
    from experta.fact import Fact

    from expert.engine.compiler import to_experta

    def story(fact_list):
        # Keys only starting or only ending with "__" are a fact's content; "__factid__" is not.
        facts = [Fact(**{"__a": 1}), Fact(**{"__a": 2}), Fact(**{"a__": 1}), Fact(**{"a__": 2}),
                 Fact("positional"), Fact("other")]
        returned = [fact_list.declare(f) for f in facts]
        cramps = to_experta("symptom", {"name": "cramps"})
        returned.append(fact_list.declare(cramps))
        returned.append(fact_list.declare(cramps))  # the same fact again, now holding its number
        # Let in twice, retracted once: still there, so a third is a repeat.
        fact_list.duplication = True
        legs = [fact_list.declare(to_experta("symptom", {"name": "cramps", "location": "legs"})) for _ in range(2)]
        fact_list.retract(legs[0])
        fact_list.duplication = False
        returned.append(fact_list.declare(to_experta("symptom", {"name": "cramps", "location": "legs"})))
        return ([None if r is None else dict(r) for r in returned], {i: dict(f) for i, f in fact_list.items()},
                dict(fact_list.reference_counter))

    experta_s, ours = (story(fact_list) for fact_list in _experta_fact_lists())
    assert ours == experta_s
    assert [r is None for r in experta_s[0]] == [False] * 7 + [True, True]


def test_the_lean_fact_list_refuses_what_is_not_a_fact_in_experta_s_words():
    for fact_list in _experta_fact_lists():
        with pytest.raises(ValueError) as error:
            fact_list.declare({"name": "twitching"})
        assert str(error.value) == "The fact must descend the Fact class."


def test_a_finding_concluded_outside_a_run_reaches_the_agenda_as_a_declared_one_does():
    from expert.engine.compiler import compile_knowledge_base, to_experta
    from expert.rules.knowledge import default_knowledge_base

    agendas = []
    for how in ("declare", "declare_concluded"):
        engine = compile_knowledge_base(default_knowledge_base())()
        engine.reset()
        getattr(engine, how)(to_experta("finding", {"name": "deficiency", "about": "vitamin_d", "basis": "tested"}))
        agendas.append([a.rule.__name__ for a in engine.agenda.activations])
    assert agendas[0] == agendas[1]
    assert "vitamin_d.impairs_calcium_absorption" in agendas[0]


def test_compiled_rules_run_by_experta_s_own_loop_record_the_same_firings():
    from experta import KnowledgeEngine

    from expert.engine.compiler import compile_knowledge_base
    from expert.engine.recorder import Recorder
    from expert.rules.knowledge import default_knowledge_base

    facts = example("eyelid.json") + [VD_LOW]
    kb = default_knowledge_base()
    # experta's run calls each rule with its bindings as keyword arguments, not our direct path.
    engine = type("ExpertaLoop", (compile_knowledge_base(kb),), {"run": KnowledgeEngine.run})()
    engine.reset()
    recorder = engine.recorder = Recorder(kb, 1000)
    recorder.add_user_facts(engine, [(f"u{i}", expert.parse_fact(f)) for i, f in enumerate(facts, 1)])
    engine.run()
    fired = expert.consult(facts).fired
    assert len(fired) > 10
    assert [f.model_dump() for f in recorder.firings] == [f.model_dump() for f in fired]


def test_a_report_built_without_the_recorders_causes_works_them_out_the_same():
    # build_report's `causes` (the recorder's, by fact id) is optional: what it lacks is worked out.
    from expert.engine.report import build_report
    from expert.engine.session import parse_fact
    from expert.rules.knowledge import default_knowledge_base

    report = expert.consult([EYELIDS, MG_LOW])
    told = {ref.id: parse_fact(fact) for ref, fact in zip(report.facts, [EYELIDS, MG_LOW])}
    again = build_report(default_knowledge_base(), report.facts, report.fired, told)
    assert again.conclusion("magnesium.tested_low").causes == ["magnesium_deficiency"]
    assert again.conclusion("background.muscle_symptoms").causes == []
    assert again == report


def test_a_firing_s_later_finding_counts_after_one_that_bears_on_no_cause():
    # No rule of today's knowledge base concludes a finding that bears on a cause after one that
    # bears on none (a professional evaluation comes last), but a rule may: each is weighed.
    from expert.engine.evidence import assess, fact_causes
    from expert.engine.trace import FactRef, Firing
    from expert.rules.knowledge import default_knowledge_base

    told = FactRef(id="u1", origin="user", kind="nutrient_level", fact={"nutrient": "magnesium", "level": "low"},
                   text="low magnesium (tested)")
    advice = FactRef(id="d1", origin="rule", kind="finding",
                     fact={"name": "professional_evaluation", "about": "underlying_condition", "basis": None},
                     text="a professional evaluation advised", derived_by=1)
    low = FactRef(id="d2", origin="rule", kind="finding", fact={"name": "deficiency", "about": "magnesium", "basis": "tested"},
                  text="magnesium deficiency (tested)", derived_by=1)
    firing = Firing(number=1, rule="magnesium.tested_low", matched=[told], concluded=[advice, low], text="", sources=[])
    known = {ref.id: fact_causes(ref) for ref in (told, advice, low)}
    assert known["d1"] == () and known["d2"] == ("magnesium_deficiency",)
    ranked = assess(default_knowledge_base(), [], [firing], {}, {1: [told]}, known)
    assert [(c.cause, c.standing) for c in ranked] == [("magnesium_deficiency", "tested")]


def test_run_takes_experta_s_number_of_steps_and_stops_running():
    # experta's KnowledgeEngine.run(steps): at most that many firings, then it is no longer running.
    from conftest import level, symptom

    from expert.engine.compiler import compile_knowledge_base
    from expert.engine.recorder import Recorder
    from expert.rules.knowledge import default_knowledge_base

    kb = default_knowledge_base()
    told = [symptom("twitching", "eyelids"), symptom("cramps"), level("magnesium", "low")]
    everything = len(expert.consult(told).fired)
    assert everything > 4
    session = expert.Session()
    for fact in told:
        session.tell(fact)
    facts = session.facts
    engine = compile_knowledge_base(kb)()
    engine.reset()
    recorder = engine.recorder = Recorder(kb, 10_000)
    recorder.add_user_facts(engine, facts.items())
    fired = []
    for steps in (1, 3, float("inf")):
        engine.run(steps=steps)
        assert not engine.running
        fired.append(len(recorder.firings))
    assert fired == [1, 4, everything]


def test_an_engine_whose_run_failed_before_it_fired_goes_back_to_the_pool_empty(monkeypatch):
    # The person's facts declared, then a failure before the rules ran: the engine must not carry
    # them to the next consultation, which takes it from the pool as it is.
    from conftest import level, symptom

    from expert.engine import recorder as recorder_module
    from expert.engine import session as session_module

    declare = recorder_module.Recorder.add_user_facts

    def declare_then_fail(self, engine, facts):
        declare(self, engine, facts)
        raise RuntimeError("failed after declaring the facts")

    kb = Session().knowledge_base
    monkeypatch.setattr(recorder_module.Recorder, "add_user_facts", declare_then_fail)
    with pytest.raises(RuntimeError):
        expert.consult([level("magnesium", "low"), symptom("twitching", "eyelids")])
    monkeypatch.undo()
    for engine in session_module._IDLE_ENGINES[kb]:
        assert [type(f).__name__ for f in engine.facts.values()] == ["InitialFact"]
    report = expert.consult([symptom("cramps")])
    assert "magnesium.tested_low" not in report.rules_fired
    assert all(ref.fact != {"nutrient": "magnesium", "level": "low"} for ref in report.facts)
