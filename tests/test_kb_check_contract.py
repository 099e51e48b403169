"""`expert check` as the knowledge base's author relies on it: the README's figures, and whether a
condition can be met by something a person can say, decided at the edges the fact models draw
(a dose is more than 0, a time is 0 months or more, IU only for vitamin D, yes or no is no number).
"""

import pytest

from expert.kb.check import CheckResult, check_files, check_knowledge_base, person_can_meet
from expert.rules.corpus import corpus
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
