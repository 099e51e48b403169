"""`expert check` passes on the project's knowledge base and fails, precisely, on broken copies of it."""

import json
import shutil
from pathlib import Path

import pytest

from expert.cli import main
from expert.kb.check import check_files, coverage_figures, person_can_meet
from expert.kb.graph import can_satisfy
from expert.rules.knowledge import KB_DIR, LEDGER_FILE, default_knowledge_base
from expert.rules.schema import Condition


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"


def toml_rules(rules: list[dict]) -> str:
    """Rules (as JSON-like dicts) in the form of a rule file."""
    out = []
    for rule in rules:
        out.append("[[rule]]")
        out += [f"{key} = {toml_value(value)}" for key, value in rule.items()]
        out.append("")
    return "\n".join(out)


def as_data(rule) -> dict:
    return rule.model_dump(mode="json", exclude_none=True)


@pytest.fixture
def kb_copy(tmp_path) -> tuple[Path, Path]:
    """A copy of the rule files and the ledger, to break."""
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    for path in KB_DIR.glob("*.toml"):
        shutil.copy(path, kb_dir / path.name)
    ledger = tmp_path / "ledger.toml"
    shutil.copy(LEDGER_FILE, ledger)
    return kb_dir, ledger


def add_rules(kb_dir: Path, rules: list[dict]) -> None:
    (kb_dir / "99_broken.toml").write_text(toml_rules(rules), encoding="utf-8")


def run_check(capsys, kb_dir: Path, ledger: Path) -> tuple[int, list[str]]:
    code = main(["check", "--kb", str(kb_dir), "--ledger", str(ledger)])
    return code, capsys.readouterr().out.splitlines()


def test_the_project_knowledge_base_is_sound(capsys):
    kb = default_knowledge_base()
    result = check_files()
    # The structural checks find nothing beyond what the knowledge base itself reports
    # (quotes, ids, the coverage ledger); with its ledger complete that is nothing at all.
    assert result.problems == kb.problems()
    assert main(["check"]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "sound: no problems"


def test_coverage_figures_are_printed(capsys):
    figures = coverage_figures(default_knowledge_base())
    main(["check"])
    out = capsys.readouterr().out
    assert (
        f"coverage: {figures.sentences_accounted} of {figures.sentences} sentences and "
        f"{figures.rows_accounted} of {figures.rows} table rows accounted for"
    ) in out
    assert f"{figures.sentences_cited} cited by a rule, {figures.sentences_set_aside} set aside" in out


def test_an_unbroken_copy_is_sound(kb_copy, capsys):
    code, out = run_check(capsys, *kb_copy)
    assert code == 0 and out[-1] == "sound: no problems"


def test_a_changed_quote_fails(kb_copy, capsys):
    kb_dir, ledger = kb_copy
    rule = default_knowledge_base().rules[0]
    quote = rule.sources[0].quote
    for path in kb_dir.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        encoded = json.dumps(quote, ensure_ascii=False)
        if encoded in text:
            path.write_text(text.replace(encoded, json.dumps(quote + " Indeed.", ensure_ascii=False), 1))
            break
    else:
        pytest.fail("the first rule's quote was not found in the rule files as written")
    code, out = run_check(capsys, kb_dir, ledger)
    assert code == 1
    assert any(line.startswith(f"rule {rule.id}: quote is not verbatim in {rule.sources[0].document}") for line in out)
    assert out[-1].startswith("not sound:")


def test_a_condition_no_rule_concludes_fails(kb_copy, capsys):
    kb_dir, ledger = kb_copy
    kb = default_knowledge_base()
    # Take a rule that builds on a finding and drop every rule that concludes that finding.
    target = next(r for r in kb.rules if any(c.fact == "finding" for c in r.when))
    index, condition = next((i, c) for i, c in enumerate(target.when, start=1) if c.fact == "finding")
    producers = {r.id for r in kb.rules for c in r.then if can_satisfy(c, r, condition)}
    kept = [as_data(r) for r in kb.rules if r.id not in producers]
    for path in kb_dir.glob("*.toml"):
        path.unlink()
    add_rules(kb_dir, kept)
    code, out = run_check(capsys, kb_dir, ledger)
    assert code == 1
    assert any(
        line.startswith(f"rule {target.id}: condition {index} (")
        and line.endswith("can never be met: no rule concludes such a finding")
        for line in out
    ), out


def test_a_condition_no_person_can_meet_fails(kb_copy, capsys):
    kb_dir, ledger = kb_copy
    rule = as_data(default_knowledge_base().rules[0])
    # IU is a unit only for vitamin D: no one can take magnesium in IU.
    rule["id"] = "broken.magnesium_in_iu"
    rule["when"] = [{"fact": "supplement", "where": {"nutrient": "magnesium", "unit": "IU"}}]
    rule["then"] = []
    add_rules(kb_dir, [rule])
    code, out = run_check(capsys, kb_dir, ledger)
    assert code == 1
    assert (
        "rule broken.magnesium_in_iu: condition 1 (supplement(nutrient=magnesium, unit=IU)): "
        "can never be met: no fact a person can give passes its tests"
    ) in out


def test_a_condition_fed_only_by_a_rule_that_never_fires_fails(kb_copy, capsys):
    """A chain is only as live as its first link: the rule after a dead one can never fire either."""
    kb_dir, ledger = kb_copy
    base = as_data(default_knowledge_base().rules[0])
    dead = {
        **base,
        "id": "broken.magnesium_in_iu",
        "when": [{"fact": "supplement", "where": {"nutrient": "magnesium", "unit": "IU"}}],
        "then": [{"finding": "deficiency", "about": "unreachable"}],
    }
    after = {
        **base,
        "id": "broken.after_it",
        "when": [{"fact": "finding", "where": {"name": "deficiency", "about": "unreachable"}}],
        "then": [{"finding": "deficiency", "about": "unreachable_too"}],
    }
    last = {
        **base,
        "id": "broken.last",
        "when": [{"fact": "finding", "where": {"name": "deficiency", "about": "unreachable_too"}}],
        "then": [],
    }
    add_rules(kb_dir, [last, after, dead])
    code, out = run_check(capsys, kb_dir, ledger)
    assert code == 1
    assert (
        "rule broken.after_it: condition 1 (finding(name=deficiency, about=unreachable)): "
        "can never be met: only rules that never fire conclude it (broken.magnesium_in_iu)"
    ) in out
    assert (
        "rule broken.last: condition 1 (finding(name=deficiency, about=unreachable_too)): "
        "can never be met: only rules that never fire conclude it (broken.after_it)"
    ) in out


def test_a_cycle_fails(kb_copy, capsys):
    kb_dir, ledger = kb_copy
    base = as_data(default_knowledge_base().rules[0])

    def step(rule_id: str, needs: str, gives: str) -> dict:
        return {
            **base,
            "id": rule_id,
            "when": [{"fact": "finding", "where": {"name": "deficiency", "about": needs}}],
            "then": [{"finding": "deficiency", "about": gives}],
        }

    add_rules(kb_dir, [step("broken.loop_a", "loop_b", "loop_a"), step("broken.loop_b", "loop_a", "loop_b")])
    code, out = run_check(capsys, kb_dir, ledger)
    assert code == 1
    assert "cycle: broken.loop_a -> broken.loop_b -> broken.loop_a" in out


def test_a_duplicate_rule_fails(kb_copy, capsys):
    kb_dir, ledger = kb_copy
    original = default_knowledge_base().rules[0]
    add_rules(kb_dir, [{**as_data(original), "id": "broken.copy"}])
    code, out = run_check(capsys, kb_dir, ledger)
    assert code == 1
    assert f"rule broken.copy: duplicates rule {original.id} (the same conditions and conclusions)" in out


def test_a_subsumed_rule_fails(kb_copy, capsys):
    kb_dir, ledger = kb_copy
    original = default_knowledge_base().rules[0]
    narrower = as_data(original)
    narrower["id"] = "broken.narrower"
    narrower["when"] = narrower["when"] + [{"fact": "lifestyle", "where": {"factor": "stress"}}]
    add_rules(kb_dir, [narrower])
    code, out = run_check(capsys, kb_dir, ledger)
    assert code == 1
    assert any(line.startswith(f"rule broken.narrower: subsumed by rule {original.id} (") for line in out)


def test_a_sentence_the_ledger_drops_fails(kb_copy, capsys):
    kb_dir, ledger = kb_copy
    text = ledger.read_text(encoding="utf-8")
    entries = text.split("[[set_aside]]")
    if len(entries) < 2:
        pytest.skip("the ledger sets nothing aside")
    ledger.write_text("[[set_aside]]".join(entries[:1] + entries[2:]), encoding="utf-8")
    code, out = run_check(capsys, kb_dir, ledger)
    assert code == 1
    assert any(line.startswith("ledger: ") and "unaccounted for" in line for line in out)
    assert out[0] != coverage_figures(default_knowledge_base()).lines()[0]  # one unit fewer accounted for


def test_every_problem_is_one_line(kb_copy):
    kb_dir, ledger = kb_copy
    base = as_data(default_knowledge_base().rules[0])
    add_rules(kb_dir, [{**base, "id": "broken.copy"}])
    result = check_files(kb_dir, ledger)
    assert result.problems and all("\n" not in p for p in result.problems)


class TestPersonCanMeet:
    def test_a_dose_in_mg_is_met_by_some_unit(self):
        condition = Condition(fact="supplement", where={"nutrient": "vitamin_d", "daily_dose_mg": {"gt": 0.1}})
        assert person_can_meet(condition)

    def test_a_dose_above_what_is_accepted_cannot_be_met(self):
        condition = Condition(fact="supplement", where={"nutrient": "calcium", "daily_dose_mg": {"gt": 1_000_000}})
        assert not person_can_meet(condition)

    def test_an_unknown_duration_can_be_met(self):
        condition = Condition(fact="supplement", where={"nutrient": "vitamin_b6", "duration_months": {"known": False}})
        assert person_can_meet(condition)

    def test_a_variable_used_twice_needs_one_value(self):
        condition = Condition(fact="symptom", where={"name": "twitching", "persistent": "?x", "severe": "?x"})
        assert person_can_meet(condition)


# --- what a text may say: certainty, our own advice, red flags, signs, generalising ---------------

MAGNESIUM_QUOTE = {"document": "vitamins", "quote": "Taking excessive magnesium can potentially irritate the nervous system and lead to muscle twitches."}


def broken_rule(**fields) -> dict:
    rule = {
        "id": "broken.rule",
        "title": "A rule written wrongly on purpose",
        "category": "mechanism",
        "when": [{"fact": "supplement", "where": {"nutrient": "magnesium", "daily_dose_mg": {"gt": 350}}}],
        "text": "Excessive magnesium can potentially irritate the nerves.",
        "sources": [MAGNESIUM_QUOTE],
    }
    return {**rule, **fields}


def check_with(kb_copy, capsys, rule: dict) -> list[str]:
    kb_dir, ledger = kb_copy
    add_rules(kb_dir, [rule])
    code, out = run_check(capsys, kb_dir, ledger)
    assert code == 1, out
    return out


# The hardened wordings the review of issue 8 found, each against the hedge it hardened.
@pytest.mark.parametrize(
    ("text", "hedge", "word"),
    [
        ("Your dose is not above 100 mg a day: B6 toxicity is unlikely to explain your symptoms.", "can potentially", "unlikely"),
        ("Your magnesium supplement is not the excessive magnesium that irritates the nerves.", "can potentially", "not the"),
        ("Excessive magnesium causes nerve irritation.", "can potentially", "causes"),
        ("Insufficient intake is how a deficiency comes about.", "can potentially", "is how"),
        ("Tetany, seizures and difficulty breathing are the severe complications.", "can potentially", "the severe"),
    ],
)
def test_a_text_more_certain_than_its_hedge_fails(kb_copy, capsys, text, hedge, word):
    out = check_with(kb_copy, capsys, broken_rule(text=text, hedge=hedge))
    assert f"rule broken.rule: its text says {word!r}, more certain than its hedge {hedge!r}" in out


def test_an_unhedged_text_may_use_only_the_certainty_its_quotes_use(kb_copy, capsys):
    out = check_with(kb_copy, capsys, broken_rule(text="Excessive magnesium will always irritate the nerves."))
    assert "rule broken.rule: its text says 'always', which none of its quotes says" in out
    assert "rule broken.rule: its text says 'will', which none of its quotes says" in out


def test_urgent_advice_in_the_text_must_move_to_own_advice(kb_copy, capsys):
    out = check_with(kb_copy, capsys, broken_rule(text="Excessive magnesium can potentially irritate the nerves: seek urgent care."))
    assert "rule broken.rule: its text gives advice in our own words ('urgent'): put it in own_advice" in out


def test_the_same_advice_in_own_advice_is_sound(kb_copy, capsys):
    kb_dir, ledger = kb_copy
    add_rules(kb_dir, [broken_rule(own_advice="Seek urgent care if it gets worse.")])
    code, out = run_check(capsys, kb_dir, ledger)
    assert code == 0, out


def test_a_red_flag_from_a_risk_fails(kb_copy, capsys):
    risk = broken_rule(
        category="red_flag",
        when=[{"fact": "finding", "where": {"name": "hypocalcemia_risk"}}],
        then=[{"finding": "urgent_care", "about": "tetany"}],
        text="A risk of low calcium can lead to tetany.",
        sources=[{"document": "vitamins", "quote": "This can lead to a condition called tetany, which is characterized by painful, involuntary muscle contractions and spasms."}],
    )
    out = check_with(kb_copy, capsys, risk)
    assert "rule broken.rule: a red flag concluded from a finding (finding(name=hypocalcemia_risk)); a red flag comes only from what the person reports" in out
    assert "rule broken.rule: a red flag with no symptom the person reports" in out


def test_a_sign_tied_to_two_nutrients_in_particular_fails(kb_copy, capsys):
    eyelids_for_calcium = broken_rule(
        category="suspicion",
        when=[{"fact": "symptom", "where": {"name": "twitching", "location": "eyelids"}}],
        then=[{"finding": "profile_match", "about": "calcium"}],
        text="Twitching of the eyelids fits calcium deficiency.",
        sources=[{"document": "minerals", "quote": "| Common Twitching Location | Eyelids and legs. | Face, arms, and legs. | Legs, arms, and feet. |"}],
    )
    out = check_with(kb_copy, capsys, eyelids_for_calcium)
    assert (
        "rule magnesium.profile.eyelids: ties symptom(name=twitching, location=eyelids) to magnesium in particular, "
        "but rule broken.rule ties it to calcium in particular"
    ) in out


def test_the_vitamins_table_applied_beyond_its_examples_must_say_so(kb_copy, capsys):
    calcium = broken_rule(
        when=[{"fact": "nutrient_level", "where": {"nutrient": "calcium", "level": "low"}}],
        text="Low calcium disrupts normal nerve-muscle signaling.",
        sources=[{"document": "vitamins", "quote": "| Underlying Cause | Insufficient intake or poor absorption disrupts normal nerve-muscle signaling. | High-dose supplementation causes nerve damage or irritation. |"}],
    )
    out = check_with(kb_copy, capsys, calcium)
    assert (
        "rule broken.rule: applies the vitamins document's table (its examples are magnesium and vitamin B6) "
        "to calcium; its text must say that it generalises"
    ) in out
