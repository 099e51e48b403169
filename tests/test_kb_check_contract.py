"""`expert check` as the knowledge base's author relies on it: the README's figures, and whether a
condition can be met by something a person can say, decided at the edges the fact models draw
(a dose is more than 0, a time is 0 months or more, IU only for vitamin D, yes or no is no number).
"""

import pytest

from expert.errors import InvalidArgumentError
from expert.kb.check import CheckResult, check_files, check_knowledge_base, person_can_meet
from expert.rules.corpus import Document, corpus
from expert.rules.knowledge import KnowledgeBase, default_knowledge_base
from expert.rules.schema import Comparison, Condition, OneOf, Presence, Rule


def test_the_project_knowledge_base_gives_the_readmes_check_figures():
    result = check_knowledge_base(default_knowledge_base())
    assert result.problems == [] and result.sound and result.notes == []
    assert result.coverage.lines() == [
        "coverage: 113 of 113 sentences and 14 of 14 table rows accounted for",
        "  sentences: 82 cited by a rule, 31 set aside, 0 unaccounted for",
        "  table rows: 10 cited by a rule, 4 set aside, 0 unaccounted for",
    ]
    assert (result.rules, result.edges) == (118, 161)


def test_a_knowledge_base_that_does_not_load_says_so_and_gives_no_figures(tmp_path):
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    (kb_dir / "10_bad.toml").write_text("[[rule]\n", encoding="utf-8")
    result = check_files(kb_dir, tmp_path / "ledger.toml")
    assert result == CheckResult(
        problems=["10_bad.toml: not valid TOML: Expected ']]' at the end of an array declaration (at line 1, column 7)"],
        notes=["the knowledge base does not load: fix these first"],
    )
    assert not result.sound and result.coverage is None and result.rules == 0


@pytest.mark.parametrize("fact, where, can", [
    ("supplement", {"nutrient": "vitamin_b6", "daily_dose_mg": Comparison(gt=100)}, True),
    ("supplement", {"nutrient": "vitamin_b6", "daily_dose_mg": Comparison(ge=100)}, True),
    ("supplement", {"daily_dose_mg": Comparison(lt=0.0001)}, True),  # in mcg, a tiny dose is still a dose
    ("supplement", {"daily_dose_mg": Comparison(le=0)}, False),  # a dose is more than 0
    ("supplement", {"daily_dose": Comparison(gt=10_000_000)}, True),
    ("supplement", {"duration_months": Comparison(lt=0)}, False),
    ("supplement", {"duration_months": Comparison(le=0)}, True),  # 0 months
    ("supplement", {"duration_months": Comparison(ge=0)}, True),
    ("supplement", {"duration_months": Presence(known=False)}, True),
    ("supplement", {"nutrient": "magnesium", "unit": "IU"}, False),  # IU only for vitamin D
    ("supplement", {"nutrient": "vitamin_d", "unit": "IU"}, True),
    ("supplement", {"nutrient": "?same", "unit": "?same"}, False),  # no nutrient is also a unit
    ("symptom", {"name": "twitching", "severe": True}, True),
    ("symptom", {"name": "twitching", "severe": 1}, False),  # a person's yes is no number
    ("symptom", {"persistent": Presence(known=True)}, True),
    ("symptom", {"name": OneOf(one_of=["twitching", "cramps"], bind="?complaint"), "location": ["eyelids", "legs"]}, True),
    ("nutrient_level", {"nutrient": "vitamin_b6", "level": "high"}, True),
])
def test_whether_a_person_can_say_something_that_meets_a_condition(fact, where, can):
    assert person_can_meet(Condition(fact=fact, where=where)) is can


def _chain_rule(rule_id: str, needs: list[str], gives: str) -> Rule:
    base = default_knowledge_base().rules[0].model_dump(mode="json", exclude_none=True)
    return Rule.model_validate({
        **base,
        "id": rule_id,
        "when": [{"fact": "finding", "where": {"name": "deficiency", "about": about}} for about in needs],
        "then": [{"finding": "deficiency", "about": gives}],
    })


def test_a_cycle_is_named_by_its_shortest_loop_through_its_first_rule():
    # a feeds x and y, x feeds y, y feeds a: the shortest loop through a is a -> y -> a, even
    # though the way through x is met first.
    rules = (
        _chain_rule("loop.a", ["loop_y"], "loop_a"),
        _chain_rule("loop.x", ["loop_a"], "loop_x"),
        _chain_rule("loop.y", ["loop_a", "loop_x"], "loop_y"),
    )
    kb = KnowledgeBase(rules=rules, documents=corpus(), ledger=())
    assert [p for p in check_knowledge_base(kb).problems if p.startswith("cycle:")] == ["cycle: loop.a -> loop.y -> loop.a"]


def test_a_rule_fed_only_by_rules_that_never_fire_names_them_all_and_an_absent_test_nothing_meets_always_holds():
    base = default_knowledge_base().rules[0].model_dump(mode="json", exclude_none=True)
    always = Rule.model_validate({
        **base, "id": "t.always", "then": [],
        "when": [{"fact": "symptom", "where": {"name": "twitching"}},
                 {"fact": "supplement", "where": {"daily_dose_mg": {"le": 0}}, "absent": True}],
    })
    rules = (_chain_rule("t.a1", ["nowhere"], "fed"), _chain_rule("t.a2", ["nowhere_else"], "fed"),
             _chain_rule("t.b", ["fed"], "end"), always)
    problems = check_knowledge_base(KnowledgeBase(rules=rules, documents=corpus(), ledger=())).problems
    assert [p for p in problems if p.startswith("rule t.") and "condition" in p] == [
        "rule t.a1: condition 1 (finding(name=deficiency, about=nowhere)): can never be met: no rule concludes such a finding",
        "rule t.a2: condition 1 (finding(name=deficiency, about=nowhere_else)): can never be met: no rule concludes such a finding",
        "rule t.always: condition 2 (no supplement(daily_dose_mg<=0.0)): no fact a person can give is excluded by it, so it always holds",
        "rule t.b: condition 1 (finding(name=deficiency, about=fed)): can never be met: only rules that never fire conclude it (t.a1, t.a2)",
    ]


# --- the survivors of the kb mutation run on 133b8f0 (issue 13) ------------------------------------
#
# Each expectation comes from the fact models' edges (a dose is more than 0 and at most 100,000 mg
# a day, a time is 0 to 1,200 months, IU only for vitamin D: 1 mcg = 40 IU) or from what the check
# promises in its docstring, never from running the check.


@pytest.mark.parametrize("where", [
    pytest.param({"duration_months": Comparison(gt=1199)}, id="more than 1,199 months: 1,200 is a time"),
    pytest.param({"duration_months": Comparison(le=1201)}, id="at most 1,201 months: 1,200 and less"),
    pytest.param({"daily_dose_mg": Comparison(gt=99_999)}, id="more than 99,999 mg: 100,000 mg is accepted"),
    pytest.param({"nutrient": "calcium", "daily_dose_mg": Comparison(gt=2500)}, id="calcium above its 2,500 mg limit"),
    pytest.param({"nutrient": "vitamin_d", "unit": "IU", "daily_dose_mg": Comparison(gt=0.1)}, id="vitamin D above 100 mcg, in IU"),
    pytest.param({"nutrient": "magnesium", "daily_dose_mg": Comparison(lt=0.001)}, id="magnesium under 1 mcg: half a mcg"),
    pytest.param({"daily_dose": Comparison(lt=1)}, id="less than 1 of any unit: a half"),
    pytest.param({"daily_dose_mg": 1000}, id="exactly 1,000 mg: 1 g"),
    # The dose as given and the dose in mg together: met by the one unit (or the one figure) that
    # fits both.
    pytest.param({"daily_dose": Comparison(gt=1), "daily_dose_mg": Comparison(ge=2500)}, id="more than 1, at least 2,500 mg: 2.5 g"),
    pytest.param({"daily_dose": Comparison(ge=1), "daily_dose_mg": Comparison(gt=1000)}, id="at least 1, more than 1,000 mg: 2 g"),
    pytest.param({"daily_dose": Comparison(lt=1), "daily_dose_mg": Comparison(gt=400)}, id="less than 1, more than 400 mg: half a gram"),
    pytest.param({"daily_dose": Comparison(lt=3), "daily_dose_mg": Comparison(gt=1500)}, id="less than 3, more than 1,500 mg: 2 g"),
    pytest.param({"daily_dose": Comparison(le=0.1), "daily_dose_mg": Comparison(ge=100)}, id="at most 0.1, at least 100 mg: 0.1 g"),
    pytest.param({"daily_dose": 2, "daily_dose_mg": Comparison(gt=1500)}, id="2 of some unit, more than 1,500 mg: 2 g"),
    pytest.param({"daily_dose": Comparison(gt=40_000), "daily_dose_mg": Comparison(gt=50_000)}, id="more than 40,000, more than 50,000 mg"),
    pytest.param({"daily_dose": Comparison(ge=99_999), "daily_dose_mg": Comparison(gt=99_999)}, id="at least 99,999, more than 99,999 mg: 100,000 mg"),
    pytest.param({"daily_dose": Comparison(gt=49_999.5), "daily_dose_mg": Comparison(gt=50_000.5)}, id="more than 49,999.5, more than 50,000.5 mg: 60,000 mg"),
    pytest.param({"daily_dose": Comparison(le=200_000), "daily_dose_mg": Comparison(gt=70_000)}, id="at most 200,000, more than 70,000 mg"),
    pytest.param({"nutrient": "?n", "unit": "?u"}, id="two variables, each its own value"),
])
def test_a_supplement_a_person_can_take_meets_a_dose_or_time_inside_the_fact_models_edges(where):
    assert person_can_meet(Condition(fact="supplement", where=where)) is True


def test_a_medication_with_a_name_given_can_be_met():
    assert person_can_meet(Condition(fact="medication", where={"name": Presence(known=True)})) is True


QUOTE = {"document": "vitamins", "quote": "Taking excessive magnesium can potentially irritate the nervous system and lead to muscle twitches."}
TABLE_ROW = {
    "document": "vitamins",
    "quote": "| Underlying Cause | Insufficient intake or poor absorption disrupts normal nerve-muscle signaling. | High-dose supplementation causes nerve damage or irritation. |",
}


def _rule(rule_id: str, when: list[dict], then: list[dict] = (), **fields) -> Rule:
    return Rule.model_validate({
        "id": rule_id, "title": "A rule of the test's own", "category": "mechanism",
        "when": when, "then": list(then), "text": "A rule of the test's own.", "sources": [QUOTE], **fields,
    })


def _checked(*rules: Rule, about: str) -> list[str]:
    """The problems `check_knowledge_base` finds in a knowledge base of these rules alone that hold `about`
    (the empty ledger's unaccounted sentences left out)."""
    kb = KnowledgeBase(rules=rules, documents=corpus(), ledger=())
    return [p for p in check_knowledge_base(kb).problems if about in p]


def _needs(*abouts: str) -> list[dict]:
    return [{"fact": "finding", "where": {"name": "deficiency", "about": about}} for about in abouts]


def _gives(about: str) -> list[dict]:
    return [{"finding": "deficiency", "about": about}]


TWITCHING = {"fact": "symptom", "where": {"name": "twitching"}}


@pytest.mark.parametrize("rules, cycles", [
    pytest.param(
        [("t.z", ["t_a"], "t_z"), ("t.a", ["t_z"], "t_a")], ["cycle: t.z -> t.a -> t.z"],
        id="named from the rule that comes first in the knowledge base, not the first by name",
    ),
    pytest.param(
        [("t.x", ["t_y"], "t_x"), ("t.y", ["t_z"], "t_y"), ("t.z", ["t_y"], "t_z")], ["cycle: t.y -> t.z -> t.y"],
        id="a loop that also feeds a rule checked before it",
    ),
    pytest.param(
        [("t.a", [], "t_a"), ("t.b", ["t_a", "t_c"], "t_b"), ("t.c", ["t_b"], "t_c")], ["cycle: t.b -> t.c -> t.b"],
        id="a loop reached from a rule outside it",
    ),
])
def test_every_cycle_is_named_once_from_its_first_rule(rules, cycles):
    built = [_rule(rule_id, [TWITCHING, *_needs(*needs)], _gives(gives)) for rule_id, needs, gives in rules]
    assert _checked(*built, about="cycle:") == cycles


_DUPLICATE = "(the same conditions and conclusions)"
_SUBSUMED = "(the same conclusions from fewer conditions: whenever it fires, so does the other)"
LOW = {"fact": "nutrient_level", "where": {"nutrient": "?n", "level": "low"}}


@pytest.mark.parametrize("rules, found", [
    pytest.param(
        [_rule("t.other", [TWITCHING], _gives("calcium")), _rule("t.a", [TWITCHING], _gives("magnesium")),
         _rule("t.copy", [TWITCHING], _gives("magnesium"))],
        [f"rule t.copy: duplicates rule t.a {_DUPLICATE}"],
        id="a copy named once, after a rule with other conclusions",
    ),
    pytest.param(
        [_rule("t.a", [LOW], _gives("?n")),
         _rule("t.copy", [{"fact": "nutrient_level", "where": {"nutrient": "?m", "level": "low"}}], _gives("?m"))],
        [f"rule t.copy: duplicates rule t.a {_DUPLICATE}"],
        id="a copy with its variable renamed",
    ),
    pytest.param(
        [_rule("t.a", [{"fact": "symptom", "where": {"name": "twitching", "location": "eyelids"}}], _gives("magnesium")),
         _rule("t.copy", [{"fact": "symptom", "where": {"location": "eyelids", "name": "twitching"}}], _gives("magnesium"))],
        [f"rule t.copy: duplicates rule t.a {_DUPLICATE}"],
        id="a copy with its tests in another order",
    ),
    pytest.param(
        [_rule("t.a", [TWITCHING], _gives("magnesium")),
         _rule("t.b", [TWITCHING, {"fact": "lifestyle", "where": {"factor": "stress"}}], _gives("magnesium"))],
        [f"rule t.b: subsumed by rule t.a {_SUBSUMED}"],
        id="a rule with a condition more",
    ),
    pytest.param(
        [_rule("t.a", [{"fact": "symptom", "where": {"name": "twitching", "location": ["eyelids", "legs"]}}], _gives("magnesium")),
         _rule("t.b", [{"fact": "symptom", "where": {"name": "twitching", "location": ["arms", "feet"]}}], _gives("magnesium"))],
        [],
        id="other places of the same number are other conditions",
    ),
    pytest.param(
        [_rule("t.a", [TWITCHING], _gives("magnesium")), _rule("t.b", [TWITCHING], _gives("calcium"))],
        [],
        id="the same conditions about another nutrient",
    ),
    pytest.param(
        [_rule("t.a", [LOW], [{"finding": "deficiency", "about": "?n", "basis": "tested"}]),
         _rule("t.b", [LOW], [{"finding": "deficiency", "about": "?n", "basis": "suspected"}])],
        [],
        id="the same conditions on another basis",
    ),
])
def test_a_rule_is_redundant_only_when_its_conditions_and_conclusions_are_anothers(rules, found):
    assert [p for p in _checked(*rules, about="rule t.") if _DUPLICATE in p or _SUBSUMED in p] == found


@pytest.mark.parametrize("used", [False, True])
def test_a_finding_of_a_rule_with_a_blank_text_is_a_problem_only_when_no_rule_uses_it(used):
    blank = _rule("t.blank", [TWITCHING], _gives("t_found"), text="     ")
    rules = [blank, _rule("t.user", [TWITCHING, *_needs("t_found")])] if used else [blank]
    assert _checked(*rules, about="no rule uses it") == (
        [] if used else ["rule t.blank: concludes deficiency but no rule uses it and it is not shown"]
    )


def _profile(rule_id: str, where: dict, *nutrients: str, fact: str = "symptom") -> Rule:
    return _rule(rule_id, [{"fact": fact, "where": where}], [{"finding": "profile_match", "about": n} for n in nutrients],
                 category="suspicion")


def _ties(first: str, what: str, nutrients: str, second: str, other_nutrients: str) -> str:
    return f"rule {first}: ties {what} to {nutrients} in particular, but rule {second} ties it to {other_nutrients} in particular"


@pytest.mark.parametrize("rules, found", [
    pytest.param(
        [_profile("t.a", {"name": "twitching", "persistent": Presence(known=True)}, "magnesium"),
         _profile("t.b", {"name": "twitching", "persistent": True}, "calcium")],
        [_ties("t.a", "symptom(name=twitching, persistent=True)", "magnesium", "t.b", "calcium")],
        id="persistent given, and persistent",
    ),
    pytest.param(
        [_profile("t.a", {"name": "twitching", "persistent": Presence(known=True)}, "magnesium"),
         _profile("t.b", {"name": "twitching", "persistent": False}, "calcium")],
        [_ties("t.a", "symptom(name=twitching, persistent=False)", "magnesium", "t.b", "calcium")],
        id="persistent given, and not persistent",
    ),
    pytest.param(
        [_profile("t.a", {"name": "twitching", "location": "?where"}, "magnesium"),
         _profile("t.b", {"name": "twitching", "location": "eyelids"}, "calcium")],
        [_ties("t.a", "symptom(name=twitching, location=eyelids)", "magnesium", "t.b", "calcium")],
        id="anywhere, and the eyelids",
    ),
    pytest.param(
        [_profile("t.a", {"name": "twitching", "location": "eyelids"}, "magnesium"),
         _profile("t.b", {"name": "twitching", "location": "?where"}, "calcium")],
        [_ties("t.a", "symptom(name=twitching, location=eyelids)", "magnesium", "t.b", "calcium")],
        id="the eyelids, and anywhere",
    ),
    pytest.param(
        [_profile("t.a", {"nutrient": "magnesium"}, "magnesium", fact="supplement"),
         _profile("t.b", {"nutrient": "magnesium"}, "calcium", fact="supplement")],
        [_ties("t.a", "supplement(nutrient=magnesium)", "magnesium", "t.b", "calcium")],
        id="a supplement, whose first candidate (in IU) no one can take",
    ),
    pytest.param(
        [_profile("t.a", {"name": Presence(known=True)}, "magnesium", fact="medication"),
         _profile("t.b", {}, "calcium", fact="medication")],
        # A field that takes any text is tried, and shown, with the text "something".
        [_ties("t.a", "medication(name=something)", "magnesium", "t.b", "calcium")],
        id="a medication named, and any medication",
    ),
    pytest.param(
        [_profile("t.a", {"name": "twitching"}, "calcium", "magnesium"),
         _profile("t.b", {"name": "twitching"}, "potassium", "vitamin_d")],
        [_ties("t.a", "symptom(name=twitching)", "calcium, magnesium", "t.b", "potassium, vitamin_d")],
        id="two nutrients each",
    ),
    pytest.param(
        [_profile("t.a", {"name": "twitching", "location": Presence(known=False)}, "magnesium"),
         _profile("t.b", {"name": "twitching", "location": "eyelids"}, "calcium")],
        [],
        id="no place given, and the eyelids: no one says both",
    ),
    pytest.param(
        [_profile("t.a", {"name": "twitching"}, "magnesium"),
         _profile("t.b", {"name": "twitching", "location": "eyelids"}, "magnesium")],
        [],
        id="the same nutrient",
    ),
    pytest.param(
        [_profile("t.a", {"name": "twitching"}, "magnesium"), _profile("t.b", {}, "calcium", fact="medication")],
        [],
        id="a symptom and a medication are not the same sign",
    ),
    pytest.param(
        [_rule("t.a", [TWITCHING, LOW], [{"finding": "profile_match", "about": "?n"}], category="suspicion"),
         _profile("t.b", {"name": "twitching"}, "calcium")],
        [],
        id="a sign tied to whichever nutrient is low is tied to none in particular",
    ),
])
def test_a_sign_tied_to_one_nutrient_in_particular_is_named_once_if_another_rule_ties_it_to_another(rules, found):
    assert _checked(*rules, about="in particular") == found


def _generalising(when: list[dict], then: list[dict] = ()) -> Rule:
    return _rule("t.table", when, then, text="Low levels disrupt normal nerve-muscle signaling.", sources=[TABLE_ROW])


@pytest.mark.parametrize("when, then, about", [
    pytest.param([{"fact": "nutrient_level", "where": {"nutrient": OneOf(one_of=["calcium", "magnesium"], bind="?n"), "level": "low"}}],
                 [], "calcium", id="one of calcium and magnesium"),
    pytest.param([{"fact": "nutrient_level", "where": {"nutrient": ["calcium", "magnesium"], "level": "low"}}],
                 [], "calcium", id="calcium or magnesium"),
    pytest.param([{"fact": "nutrient_level", "where": {"nutrient": ["calcium", "potassium"], "level": "low"}}],
                 [], "calcium, potassium", id="calcium or potassium"),
    pytest.param([TWITCHING], [{"finding": "twitching_cause", "about": "calcium_deficiency"}], "calcium",
                 id="a conclusion about calcium deficiency"),
    pytest.param([LOW], _gives("?n"), "nutrients in general", id="whichever nutrient is low"),
])
def test_the_vitamins_table_applied_beyond_magnesium_and_b6_names_what_it_is_applied_to(when, then, about):
    assert _checked(_generalising(when, then), about="vitamins document's table") == [(
        "rule t.table: applies the vitamins document's table (its examples are magnesium and vitamin B6) "
        f"to {about}; its text must say that it generalises"
    )]


@pytest.mark.parametrize("rule, found", [
    pytest.param(
        _rule("t.a", [TWITCHING], [{"finding": "urgent_care", "about": "twitching"}], category="advice"),
        ["rule t.a: concludes urgent care but is not a red flag reported by the person"],
        id="urgent care from advice",
    ),
    pytest.param(
        _rule("t.a", [TWITCHING], text="Other causes aside, excessive magnesium causes twitching.", hedge="can potentially"),
        ["rule t.a: its text says 'causes', more certain than its hedge 'can potentially'"],
        id="causes as a verb after causes as a noun",
    ),
    pytest.param(
        _rule("t.a", [TWITCHING], text="Twitching should always be evaluated.", sources=[
            {"document": "minerals", "quote": "persistent or severe twitching should always"},
            {"document": "minerals", "quote": "- In severe cases, tetany, seizures, and difficulty breathing"},
        ]),
        [],
        id="a word of certainty that ends a quote",
    ),
])
def test_what_a_rule_may_conclude_and_say(rule, found):
    assert _checked(rule, about="rule t.a") == found


def test_check_knowledge_base_names_a_wrong_argument():
    with pytest.raises(InvalidArgumentError) as caught:
        check_knowledge_base(None)
    assert str(caught.value) == "kb: expected a KnowledgeBase (from rules.knowledge.load_knowledge_base), got None"


# --- the faults the kb triage found in `expert check` (issue 13), fixed ------------------------------
#
# Each condition below is met by a fact the fact models accept (named in the test's id), or by none
# (a dose is more than 0 and at most 100,000 mg a day, a time 0 to 1,200 months); the answer is
# worked out from those edges, not by running the check.


@pytest.mark.parametrize("where, can", [
    pytest.param({"duration_months": Presence(known=True)}, True, id="a time given: 0 to 1,200 months"),
    pytest.param({"nutrient": "vitamin_b6", "daily_dose_mg": Comparison(ge=1000), "duration_months": Presence(known=True)},
                 True, id="1 g of B6 for a time given"),
    pytest.param({"duration_months": Comparison(lt=2500)}, True, id="under 2,500 months: every time, 0 to 1,200"),
    pytest.param({"duration_months": Comparison(gt=-5)}, True, id="more than -5 months: every time, 0 to 1,200"),
    pytest.param({"duration_months": Comparison(ge=1200)}, True, id="1,200 months or more: 1,200"),
    pytest.param({"duration_months": Comparison(gt=1200)}, False, id="more than 1,200 months: no time"),
    pytest.param({"daily_dose_mg": Comparison(lt=1e9)}, True, id="under 1e9 mg: every dose"),
    pytest.param({"daily_dose_mg": Comparison(gt=-5)}, True, id="more than -5 mg: every dose"),
    pytest.param({"daily_dose_mg": Comparison(gt=100_000)}, False, id="more than 100,000 mg: no dose"),
    pytest.param({"daily_dose": Comparison(gt=1000), "daily_dose_mg": Comparison(ge=2500)}, True,
                 id="more than 1,000, at least 2,500 mg: 2,500 mg"),
    pytest.param({"daily_dose_mg": 500}, True, id="exactly 500 mg: 500 mg, or 0.5 g"),
    pytest.param({"nutrient": "magnesium", "unit": "mcg", "daily_dose_mg": 500}, True, id="exactly 500 mg in mcg: 500,000 mcg"),
    pytest.param({"daily_dose_mg": [0.5, 200_000]}, True, id="0.5 or 200,000 mg: 0.5 mg"),
    pytest.param({"daily_dose_mg": 200_000}, False, id="exactly 200,000 mg: over the edge"),
    pytest.param({"daily_dose": "?d", "duration_months": "?d"}, True, id="one figure for the dose and the time: 1 mg for 1 month"),
])
def test_a_supplement_inside_the_fact_models_edges_is_found_wherever_the_tests_put_it(where, can):
    assert person_can_meet(Condition(fact="supplement", where=where)) is can


def test_every_candidate_fact_is_tried_however_many_a_rule_lists():
    # 20,000 doses over the 100,000 mg a day accepted, then 350 mg, the one a person can take.
    doses = [100_001.0 + n for n in range(20_000)] + [350.0]
    condition = Condition(fact="supplement", where={"nutrient": "magnesium", "unit": "mg", "daily_dose": doses})
    assert person_can_meet(condition) is True


def test_a_condition_no_person_meets_is_reported_and_one_met_at_the_edges_is_not():
    rules = [
        _rule("t.time", [TWITCHING, {"fact": "supplement", "where": {"duration_months": {"known": True}}}]),
        _rule("t.long", [TWITCHING, {"fact": "supplement", "where": {"duration_months": {"lt": 2500}}}]),
        _rule("t.exact", [TWITCHING, {"fact": "supplement", "where": {"daily_dose_mg": 500}}]),
        _rule("t.never", [TWITCHING, {"fact": "supplement", "where": {"duration_months": {"gt": 1200}}}]),
    ]
    assert _checked(*rules, about="can never be met") == [
        "rule t.never: condition 2 (supplement(duration_months>1200.0)): can never be met: "
        "no fact a person can give passes its tests",
    ]


@pytest.mark.parametrize("rules, found", [
    pytest.param(
        [_rule("t.a", [{"fact": "medication", "where": {"name": "?"}}], _gives("magnesium")),
         _rule("t.b", [{"fact": "medication", "where": {"name": "?x"}}], _gives("magnesium"))],
        [],
        id="a medication named '?' is not any medication",
    ),
    pytest.param(
        [_rule("t.a", [{"fact": "medication", "where": {"name": "?x"}}], _gives("magnesium")),
         _rule("t.b", [{"fact": "medication", "where": {"name": "?"}}], _gives("magnesium"))],
        [],
        id="any medication is not one named '?'",
    ),
    pytest.param(
        [_rule("t.a", [{"fact": "medication", "where": {"name": "?"}}], _gives("magnesium")),
         _rule("t.b", [{"fact": "medication", "where": {"name": "?"}}], _gives("magnesium"))],
        [f"rule t.b: duplicates rule t.a {_DUPLICATE}"],
        id="two rules on the medication named '?'",
    ),
    pytest.param(
        [_rule("t.a", [{"fact": "medication", "where": {"name": "XX?XX"}}], _gives("magnesium")),
         _rule("t.b", [{"fact": "medication", "where": {"name": "?x"}}], _gives("magnesium"))],
        [],
        id="any medication is not one named 'XX?XX'",
    ),
    pytest.param(
        [_rule("t.a", [{"fact": "medication", "where": {"name": "?"}}], _gives("magnesium")),
         _rule("t.b", [{"fact": "medication", "where": {"name": "XX?XX?"}}], _gives("magnesium"))],
        [],
        id="the medication named '?' is not one named 'XX?XX?'",
    ),
])
def test_no_literal_text_whatever_it_holds_reads_as_a_variable_or_as_another_literal(rules, found):
    assert [p for p in _checked(*rules, about="rule t.") if _DUPLICATE in p or _SUBSUMED in p] == found


def test_an_empty_about_is_refused_on_one_line_naming_the_field(tmp_path):
    with pytest.raises(ValueError) as caught:
        _rule("t.a", [TWITCHING], [{"finding": "deficiency", "about": ""}])
    assert [(e["loc"], e["msg"]) for e in caught.value.errors()] == [
        (("then", 0, "about"), "String should have at least 1 character"),
    ]
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    (kb_dir / "10_t.toml").write_text(
        '[[rule]]\nid = "t.a"\ntitle = "A rule of the test\'s own"\ncategory = "mechanism"\n'
        'when = [{ fact = "symptom", where = { name = "twitching" } }]\n'
        'then = [{ finding = "deficiency", about = "" }]\n'
        'text = "A rule of the test\'s own."\n'
        'sources = [{ document = "vitamins", quote = "Taking excessive magnesium" }]\n',
        encoding="utf-8",
    )
    problems = check_files(kb_dir, tmp_path / "ledger.toml").problems
    assert [p for p in problems if "about" in p] == ["10_t.toml: rule t.a: then.0.about: String should have at least 1 character"]


def test_a_quote_cut_in_the_middle_of_a_word_does_not_hold_the_cut_off_word():
    # vitamins: "This can lead to a condition called tetany": "call" is no word of it.
    cut = _rule("t.a", [TWITCHING], text="Call your doctor about tetany.",
                sources=[{"document": "vitamins", "quote": "a condition call"}])
    whole = _rule("t.b", [TWITCHING], text="Call your doctor about tetany.",
                  sources=[{"document": "vitamins", "quote": "a condition called tetany"}])
    assert _checked(cut, whole, about="own words") == [
        "rule t.a: its text gives advice in our own words ('call'): put it in own_advice",
        "rule t.b: its text gives advice in our own words ('call'): put it in own_advice",
    ]
    documents = {**corpus(), "minerals": Document(id="minerals", title="A test's own", text="Twitching nevertheless passes.")}
    certain = _rule("t.c", [TWITCHING], text="Twitching never passes.", sources=[{"document": "minerals", "quote": "Twitching never"}])
    kb = KnowledgeBase(rules=(certain,), documents=documents, ledger=())
    assert [p for p in check_knowledge_base(kb).problems if "t.c" in p] == [
        "rule t.c: its text says 'never', which none of its quotes says",
    ]


_ANYWHERE = {"name": "twitching"}
_EYELIDS = {"name": "twitching", "location": "eyelids"}


@pytest.mark.parametrize("rules, found", [
    pytest.param(
        [_profile("t.a", _ANYWHERE, "magnesium"), _profile("t.b", _EYELIDS, "calcium")],
        [_ties("t.a", "symptom(name=twitching, location=eyelids)", "magnesium", "t.b", "calcium")],
        id="twitching anywhere, then of the eyelids",
    ),
    pytest.param(
        [_profile("t.a", _EYELIDS, "calcium"), _profile("t.b", _ANYWHERE, "magnesium")],
        [_ties("t.a", "symptom(name=twitching, location=eyelids)", "calcium", "t.b", "magnesium")],
        id="twitching of the eyelids, then anywhere",
    ),
    pytest.param(
        [_profile("t.a", {"name": "twitching", "persistent": True}, "magnesium"), _profile("t.b", _EYELIDS, "calcium")],
        [_ties("t.a", "symptom(name=twitching, persistent=True, location=eyelids)", "magnesium", "t.b", "calcium")],
        id="persistent twitching, and twitching of the eyelids: persistent twitching of the eyelids",
    ),
    pytest.param(
        [_profile("t.a", _ANYWHERE, "calcium", "magnesium"), _profile("t.b", _ANYWHERE, "magnesium")],
        [_ties("t.a", "symptom(name=twitching)", "calcium, magnesium", "t.b", "magnesium")],
        id="calcium and magnesium, then magnesium",
    ),
    pytest.param(
        [_profile("t.a", _ANYWHERE, "magnesium"), _profile("t.b", _ANYWHERE, "calcium", "magnesium")],
        [_ties("t.a", "symptom(name=twitching)", "magnesium", "t.b", "calcium, magnesium")],
        id="magnesium, then calcium and magnesium",
    ),
])
def test_a_sign_tied_to_two_nutrients_is_found_whatever_the_rules_order(rules, found):
    assert _checked(*rules, about="in particular") == found


def test_a_supplement_tied_by_its_dose_in_mg_is_a_sign_like_any_other():
    rules = [_profile("t.a", {"nutrient": "magnesium", "daily_dose_mg": {"gt": 350}}, "magnesium", fact="supplement"),
             _profile("t.b", {"nutrient": "magnesium"}, "calcium", fact="supplement")]
    [problem] = _checked(*rules, about="in particular")
    assert problem.startswith("rule t.a: ties supplement(nutrient=magnesium, daily_dose_mg=")
    assert problem.endswith(") to magnesium in particular, but rule t.b ties it to calcium in particular")


# --- the survivors of the kb mutation run on 19513aa (issue 13) -------------------------------------
#
# A quote is widened to the whole words of its document wherever it stands in it (at its start, at
# its end, cut inside a word on either side, found more than once), so a word of certainty the
# rule's text uses is the quote's only when a whole word of the quoted passage is that word. Each
# document below is the test's own; the answer is read off its words, not computed by the check.

_NEVER = "rule t.c: its text says 'never', which none of its quotes says"


@pytest.mark.parametrize("text, quote, found", [
    pytest.param("(never twitching passes.", "witching passes", [_NEVER], id="the word before the cut one is not quoted"),
    pytest.param("Never does twitching last", "Never does twitching last", [], id="a quote that is the whole document"),
    pytest.param("Twitching never passes", "never passes", [], id="a quote that ends the document"),
    pytest.param("Never twitching passes", "ever twitching passes", [], id="cut one letter into the first word"),
    pytest.param("Never twitching passes.", "r twitching passes", [], id="cut before the last letter of a word"),
    pytest.param("Twitching never passes.", "ever passes", [], id="cut after the first letter of a word"),
    pytest.param("Twitching never passes.", "Twitching nev", [], id="cut inside the last word"),
    pytest.param("Whatever. Never. However.", "ever.", [], id="found three times, the word of certainty the second"),
    pytest.param("Never mind. Twitching passes.", "Twitching passes", [_NEVER], id="the sentence before is not quoted"),
    pytest.param("Twitching passes never.", "Twitching passe", [_NEVER], id="the word after the cut one is not quoted"),
    pytest.param("Twitching passes.", "Twitching never passes", [], id="a quote not verbatim is read as it is"),
    pytest.param("Twitching......never passes.", ".....", [], id="found again one character on, the word after the second"),
])
def test_a_word_of_certainty_is_quoted_when_the_quote_widened_to_whole_words_holds_it(text, quote, found):
    documents = {**corpus(), "minerals": Document(id="minerals", title="A test's own", text=text)}
    rule = _rule("t.c", [TWITCHING], text="Twitching never passes.", sources=[{"document": "minerals", "quote": quote}])
    kb = KnowledgeBase(rules=(rule,), documents=documents, ledger=())
    assert [p for p in check_knowledge_base(kb).problems if "'never'" in p] == found


def test_vitamin_d_in_iu_meets_a_dose_in_mg_up_to_the_largest_accepted():
    # 100,000 mg a day is accepted; in IU (vitamin D only, 1 mcg = 40 IU) that is 4,000,000,000 IU.
    for where in ({"daily_dose_mg": Comparison(ge=100_000)}, {"daily_dose_mg": Comparison(gt=2500)}):
        assert person_can_meet(Condition(fact="supplement", where={"nutrient": "vitamin_d", "unit": "IU", **where})) is True


@pytest.mark.parametrize("where", [
    pytest.param({"daily_dose": Comparison(lt=0.5), "daily_dose_mg": Comparison(gt=350)}, id="under 0.5 of a unit, over 350 mg: 0.4 g"),
    pytest.param({"unit": "g", "daily_dose": Comparison(gt=0.5), "daily_dose_mg": Comparison(lt=1000)}, id="over 0.5 g, under 1,000 mg: 0.75 g"),
    pytest.param({"nutrient": "vitamin_d", "unit": "IU", "daily_dose": Comparison(gt=100_000), "daily_dose_mg": Comparison(lt=3)},
                 id="over 100,000 IU of vitamin D, under 3 mg: 100,001 IU, some 2.5 mg"),
])
def test_a_dose_bounded_as_given_and_in_mg_is_met_in_the_unit_between_the_bounds(where):
    assert person_can_meet(Condition(fact="supplement", where=where)) is True


# --- a dose bounded as given and in mg (issue 13, the fault the run on 19513aa found) ----------------
#
# The dose as given and the dose in mg are one quantity in two units (1 g = 1,000 mg, 1 mg = 1,000
# mcg; IU for vitamin D only, 40 IU = 1 mcg), so a person meets both bounds with any dose between
# them, converted; the fact model accepts more than 0 and at most 100,000 mg a day. Each id names
# a dose that meets the condition, or why none does; none is worked out by the check.


@pytest.mark.parametrize("where, can", [
    pytest.param({"unit": "mg", "daily_dose": Comparison(gt=1), "daily_dose_mg": Comparison(lt=2)}, True,
                 id="more than 1 mg, under 2 mg: 1.5 mg"),
    pytest.param({"unit": "mg", "daily_dose": Comparison(lt=2), "daily_dose_mg": Comparison(gt=1)}, True,
                 id="under 2 mg, more than 1 mg: 1.5 mg"),
    pytest.param({"unit": "g", "daily_dose": Comparison(gt=0.001), "daily_dose_mg": Comparison(lt=2)}, True,
                 id="more than 0.001 g, under 2 mg: 0.0015 g"),
    pytest.param({"unit": "g", "daily_dose": Comparison(lt=1.001), "daily_dose_mg": Comparison(gt=1000)}, True,
                 id="under 1.001 g, more than 1,000 mg: 1.0005 g"),
    pytest.param({"unit": "mcg", "daily_dose": Comparison(gt=1000), "daily_dose_mg": Comparison(lt=1.001)}, True,
                 id="more than 1,000 mcg, under 1.001 mg: 1,000.5 mcg"),
    pytest.param({"unit": "µg", "daily_dose": Comparison(lt=1001), "daily_dose_mg": Comparison(gt=1)}, True,
                 id="under 1,001 µg, more than 1 mg: 1,000.5 µg"),
    pytest.param({"nutrient": "vitamin_d", "unit": "IU", "daily_dose": Comparison(gt=40), "daily_dose_mg": Comparison(lt=0.0011)},
                 True, id="vitamin D, more than 40 IU, under 1.1 mcg (44 IU): 42 IU"),
    pytest.param({"unit": "g", "daily_dose": Comparison(ge=0.005), "daily_dose_mg": Comparison(le=5)}, True,
                 id="at least 0.005 g, at most 5 mg: 0.005 g and nothing else"),
    pytest.param({"unit": "mcg", "daily_dose": Comparison(le=2000), "daily_dose_mg": Comparison(ge=2)}, True,
                 id="at most 2,000 mcg, at least 2 mg: 2,000 mcg and nothing else"),
    pytest.param({"unit": "mg", "daily_dose": Comparison(ge=100_000), "daily_dose_mg": Comparison(ge=100_000)}, True,
                 id="at least 100,000 mg both ways: 100,000 mg, the largest accepted"),
    pytest.param({"unit": "g", "daily_dose": Comparison(gt=0.005), "daily_dose_mg": Comparison(le=5)}, False,
                 id="more than 0.005 g, at most 5 mg: none"),
    pytest.param({"unit": "mcg", "daily_dose": Comparison(lt=2000), "daily_dose_mg": Comparison(ge=2)}, False,
                 id="under 2,000 mcg, at least 2 mg: none"),
    pytest.param({"unit": "mg", "daily_dose": Comparison(ge=2), "daily_dose_mg": Comparison(lt=2)}, False,
                 id="at least 2 mg, under 2 mg: none"),
    pytest.param({"unit": "g", "daily_dose": Comparison(gt=99.5), "daily_dose_mg": Comparison(gt=100_000)}, False,
                 id="more than 99.5 g, more than 100,000 mg: over the largest accepted"),
    pytest.param({"nutrient": "magnesium", "unit": "IU", "daily_dose": Comparison(gt=40), "daily_dose_mg": Comparison(lt=0.0011)},
                 False, id="magnesium in IU: IU only for vitamin D"),
])
def test_a_dose_bounded_as_given_and_in_mg_is_met_by_any_dose_between_the_bounds(where, can):
    assert person_can_meet(Condition(fact="supplement", where=where)) is can


@pytest.mark.parametrize("first, second, shown", [
    pytest.param({"nutrient": "magnesium", "daily_dose_mg": {"gt": 350}}, {"nutrient": "magnesium", "daily_dose_mg": {"lt": 351}},
                 "supplement(nutrient=magnesium, daily_dose_mg=", id="magnesium over 350 mg, and under 351 mg: 350.5 mg"),
    pytest.param({"nutrient": "magnesium", "duration_months": {"gt": 2}}, {"nutrient": "magnesium", "duration_months": {"lt": 3}},
                 "supplement(nutrient=magnesium, duration_months=2.5)", id="magnesium for over 2 months, and under 3: 2.5 months"),
])
def test_a_supplement_tied_to_two_nutrients_is_found_between_the_two_rules_bounds(first, second, shown):
    rules = [_profile("t.a", first, "magnesium", fact="supplement"), _profile("t.b", second, "calcium", fact="supplement")]
    [problem] = _checked(*rules, about="in particular")
    assert problem.startswith(f"rule t.a: ties {shown}")
    assert problem.endswith(" to magnesium in particular, but rule t.b ties it to calcium in particular")


# --- the survivors of the kb mutation run on a0bb17d (issue 13) -------------------------------------
#
# A figure fixed in mg is met in each unit, IU of vitamin D too (500 mg = 500,000 mcg = 20,000,000
# IU); one variable for the dose and the time is met by 1 mg for 1 month. A sign two rules tie to
# different nutrients is named by a fact both pass, the first rule's own where it can be: its first
# place, no place or no answer where it names none.


@pytest.mark.parametrize("where", [
    pytest.param({"nutrient": "vitamin_d", "unit": "IU", "daily_dose_mg": 500}, id="vitamin D, exactly 500 mg, in IU: 20,000,000 IU"),
    pytest.param({"unit": "mg", "daily_dose": "?d", "duration_months": "?d", "daily_dose_mg": Comparison(lt=1.5)},
                 id="one figure for the dose and the time, under 1.5 mg: 1 mg for 1 month"),
])
def test_a_dose_fixed_in_mg_or_shared_with_the_time_is_met_in_the_unit_that_fits(where):
    assert person_can_meet(Condition(fact="supplement", where=where)) is True


@pytest.mark.parametrize("first, second, what", [
    pytest.param({"name": "twitching"}, {"name": "twitching", "location": "?where"}, "symptom(name=twitching)",
                 id="twitching, and twitching anywhere: no place given"),
    pytest.param({"name": "twitching"}, {"name": "twitching", "persistent": "?p"}, "symptom(name=twitching)",
                 id="twitching, and twitching persistent or not: no answer given"),
    pytest.param({"name": "twitching", "persistent": Presence(known=True)}, {"name": "twitching"},
                 "symptom(name=twitching, persistent=True)", id="persistent given, and twitching: persistent"),
    pytest.param({"name": "twitching", "location": ["legs", "eyelids"]}, {"name": "twitching", "location": ["eyelids", "legs"]},
                 "symptom(name=twitching, location=legs)", id="the legs or the eyelids, and the eyelids or the legs: the legs"),
])
def test_a_sign_tied_to_two_nutrients_is_named_by_the_first_rules_own_fact(first, second, what):
    rules = [_profile("t.a", first, "magnesium"), _profile("t.b", second, "calcium")]
    assert _checked(*rules, about="in particular") == [_ties("t.a", what, "magnesium", "t.b", "calcium")]
