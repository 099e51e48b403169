"""`expert audit diff`: what each record of a log would conclude now, against what it recorded.

The knowledge bases here are tiny ones of our own, written to tmp_path, so that what is expected
can be worked out by hand from the rules below and does not hang on the project's rule ids.
"""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

import expert
from expert.audit.log import append_records, audit_record, case_hash, knowledge_base_hash
from expert.cli import main
from expert.rules.knowledge import load_knowledge_base

B6_QUOTE = "High doses, often above 100 mg per day over time, can lead to peripheral neuropathy or nerve damage."

BEFORE = f'''
[[rule]]
id = "t.magnesium_low"
title = "A low magnesium result is a magnesium deficiency"
category = "explanation"
when = [{{ fact = "nutrient_level", where = {{ nutrient = "magnesium", level = "low" }} }}]
then = [{{ finding = "deficiency", about = "magnesium", basis = "tested" }}]
text = "Your low magnesium result means magnesium deficiency."
sources = [{{ document = "minerals", quote = "Magnesium deficiency, also known as hypomagnesemia, is a frequent culprit behind involuntary muscle twitches, cramps, and spasms." }}]

[[rule]]
id = "t.blood_test"
title = "A suspected deficiency is confirmed with a blood test"
category = "advice"
hedge = "can"
when = [{{ fact = "finding", where = {{ name = "deficiency", about = "?nutrient" }} }}]
text = "Ask a doctor about a blood test of your {{nutrient}}."
sources = [{{ document = "vitamins", quote = "If a deficiency is suspected, a doctor can confirm with a blood test." }}]

[[rule]]
id = "t.twitching"
title = "Twitching comes from abnormal nerve signaling"
category = "background"
when = [{{ fact = "symptom", where = {{ name = "twitching" }} }}]
text = "Muscle twitching comes from abnormal electrical signaling in the nerves."
sources = [{{ document = "vitamins", quote = "Muscle twitching, or fasciculations, occurs due to abnormal electrical signaling in the nerves that control muscles." }}]

[[rule]]
id = "t.b6_high"
title = "Vitamin B6 above the threshold is excessive intake"
category = "mechanism"
hedge = "often"
when = [{{ fact = "supplement", where = {{ nutrient = "vitamin_b6", daily_dose_mg = {{ gt = 100 }} }} }}]
then = [{{ finding = "excess_intake", about = "vitamin_b6" }}]
text = "Your vitamin B6 dose is above the threshold."
sources = [{{ document = "vitamins", quote = "{B6_QUOTE}" }}]

[[rule]]
id = "t.b6_low"
title = "Vitamin B6 at or below the threshold is not the high dose"
category = "ruled_out"
hedge = "often"
when = [{{ fact = "supplement", where = {{ nutrient = "vitamin_b6", daily_dose_mg = {{ le = 100 }} }} }}]
text = "Your vitamin B6 dose is not above the threshold."
sources = [{{ document = "vitamins", quote = "{B6_QUOTE}" }}]

[[rule]]
id = "t.stop"
title = "Stopping the supplement can reverse the effects"
category = "advice"
hedge = "can sometimes"
when = [{{ fact = "finding", where = {{ name = "excess_intake", about = "?nutrient" }} }}]
text = "Stopping {{nutrient}} supplements can sometimes reverse the effects."
sources = [{{ document = "vitamins", quote = "These effects can sometimes be reversed by stopping supplementation." }}]
'''

# Rules the "after" knowledge base adds. The red flag fires before everything else and concludes
# a finding, so every derived fact of the magnesium case gets another `d…` id than it had.
ADDED = '''
[[rule]]
id = "t.urgent"
title = "Low magnesium needs a doctor soon"
category = "red_flag"
when = [{ fact = "nutrient_level", where = { nutrient = "magnesium", level = "low" } }]
then = [{ finding = "urgent_care" }]
text = "See a doctor soon about your low magnesium."
sources = [{ document = "minerals", quote = "Consult with a healthcare professional before starting any new treatment or supplement regimen." }]

[[rule]]
id = "t.diet"
title = "A balanced diet is the best source of most nutrients"
category = "advice"
when = [{ fact = "finding", where = { name = "deficiency", about = "?nutrient" } }]
text = "Eat foods rich in {nutrient}."
sources = [{ document = "vitamins", quote = "A balanced diet is the best source for most essential nutrients." }]
'''

MAGNESIUM = [
    {"kind": "symptom", "name": "twitching", "location": "eyelids"},
    {"kind": "nutrient_level", "nutrient": "magnesium", "level": "low"},
]
B6_200 = [{"kind": "supplement", "nutrient": "vitamin_b6", "daily_dose": 200, "unit": "mg"}]
B6_50 = [{"kind": "supplement", "nutrient": "vitamin_b6", "daily_dose": 50, "unit": "mg"}]


def without_rule(text: str, rule_id: str) -> str:
    blocks = text.split("[[rule]]")
    kept = [b for b in blocks if f'id = "{rule_id}"' not in b]
    assert len(kept) == len(blocks) - 1
    return "[[rule]]".join(kept)


def write_kb(folder: Path, rules: str) -> tuple[Path, Path]:
    """A knowledge base of one rule file and an empty ledger; the loader reads the project's documents."""
    kb_dir = folder / "kb"
    kb_dir.mkdir(parents=True)
    (kb_dir / "10_tiny.toml").write_text(rules, encoding="utf-8")
    ledger = folder / "ledger.toml"
    ledger.write_text("", encoding="utf-8")
    return kb_dir, ledger


def after_rules() -> str:
    """Before, with t.twitching deleted, the B6 threshold raised from 100 to 300 mg, and two rules added."""
    text = without_rule(BEFORE, "t.twitching")
    text = text.replace("daily_dose_mg = { gt = 100 }", "daily_dose_mg = { gt = 300 }")
    text = text.replace("daily_dose_mg = { le = 100 }", "daily_dose_mg = { le = 300 }")
    assert "gt = 300" in text and "le = 300" in text
    return text + ADDED


def record(facts, kb, *, include_facts=True, case_file=None):
    report = expert.consult(facts, knowledge_base=kb)
    return audit_record(report, knowledge_base=kb, include_facts=include_facts, case_file=case_file)


@pytest.fixture
def before(tmp_path):
    kb_dir, ledger = write_kb(tmp_path / "before", BEFORE)
    return load_knowledge_base(kb_dir, ledger)


@pytest.fixture
def after(tmp_path) -> tuple[Path, Path]:
    return write_kb(tmp_path / "after", after_rules())


@pytest.fixture
def log(tmp_path, before) -> Path:
    """Five records made under `before`: three cases with facts, one without, one whose facts no longer validate."""
    path = tmp_path / "audit.jsonl"
    # Facts the vocabulary does not accept (as when a word is taken out of it): the record is forged.
    bad_facts = [{"kind": "supplement", "nutrient": "vitamin_b6", "daily_dose": 0, "unit": "mg"}]
    forged = record(B6_50, before).model_copy(update={"facts": bad_facts, "case": case_hash(bad_facts)})
    append_records(
        path,
        [
            record(MAGNESIUM, before, case_file="magnesium.json"),
            record(B6_200, before, case_file="b6_200.json"),
            record(B6_50, before, case_file="b6_50.json"),
            record(MAGNESIUM, before, include_facts=False),
            forged,
        ],
    )
    return path


def diff_cli(capsys, *args) -> tuple[int, str, str]:
    code = main(["audit", "diff", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_text_names_what_each_record_lost_and_gained(log, after, before, capsys):
    kb_dir, ledger = after
    code, out, err = diff_cli(capsys, log, "--kb", kb_dir, "--ledger", ledger)
    assert code == 0, err
    assert err == ""
    old, new = knowledge_base_hash(before)[:12], knowledge_base_hash(load_knowledge_base(kb_dir, ledger))[:12]
    assert out.splitlines() == [
        f"records made under knowledge base {old}…, compared with {new}…",
        "record 1 (magnesium.json): changed",
        "  lost   t.twitching: this rule no longer exists in the knowledge base",
        "  gained t.urgent: See a doctor soon about your low magnesium.",
        "  gained t.diet (nutrient=magnesium): Eat foods rich in magnesium.",
        "record 2 (b6_200.json): changed",
        "  lost   t.b6_high: Vitamin B6 above the threshold is excessive intake",
        "  lost   t.stop (nutrient=vitamin_b6): Stopping the supplement can reverse the",
        "         effects",
        "  gained t.b6_low: Your vitamin B6 dose is not above the threshold.",
        "record 3 (b6_50.json): unchanged",
        "record 4: not compared: recorded without its facts (--include-facts)",
        "record 5: not compared: its facts are not accepted now",
        "  facts[0].daily_dose: Input should be greater than 0",
        "5 records: 2 changed, 1 unchanged, 2 not compared",
    ]
    assert all(len(line) <= 80 for line in out.splitlines())


def test_conclusions_are_compared_by_content_not_by_their_shifting_ids(log, after, before):
    kb_dir, ledger = after
    now = load_knowledge_base(kb_dir, ledger)
    # The red flag added takes the first derived id: the deficiency is d1 before and d2 after.
    concluded = {
        name: [link.id for f in record(MAGNESIUM, kb).firings if f.rule == "t.magnesium_low" for link in f.concluded]
        for name, kb in (("before", before), ("after", now))
    }
    assert concluded == {"before": ["d1"], "after": ["d2"]}
    first = expert.diff_log(log, now).records[0]
    assert [c.rule for c in first.lost] == ["t.twitching"]
    assert [c.rule for c in first.gained] == ["t.urgent", "t.diet"]  # not t.magnesium_low nor t.blood_test


def test_a_rule_that_concludes_something_else_is_lost_and_gained_with_what_it_concluded(tmp_path, before, capsys):
    path = tmp_path / "one.jsonl"
    append_records(path, [record(MAGNESIUM, before)])
    kb_dir, ledger = write_kb(tmp_path / "suspected", BEFORE.replace('basis = "tested"', 'basis = "suspected"'))
    code, out, _ = diff_cli(capsys, path, "--kb", kb_dir, "--ledger", ledger)
    assert code == 0
    lines = out.splitlines()
    assert lines[1] == "record 1: changed"
    lost = " ".join(" ".join(lines[2:4]).split())
    gained = " ".join(" ".join(lines[4:-1]).split())
    assert lost == (
        "lost t.magnesium_low: A low magnesium result is a magnesium deficiency "
        "(concluding deficiency (about=magnesium, basis=tested))"
    )
    assert gained == (
        "gained t.magnesium_low: Your low magnesium result means magnesium deficiency. "
        "(concluding deficiency (about=magnesium, basis=suspected))"
    )
    # t.blood_test (nutrient=magnesium) concludes nothing and still fires: neither lost nor gained.
    assert "t.blood_test" not in out
    assert lines[-1] == "1 record: 1 changed, 0 unchanged, 0 not compared"


def test_a_rule_that_fires_with_other_bindings_is_lost_with_the_old_and_gained_with_the_new(tmp_path, before):
    path = tmp_path / "one.jsonl"
    append_records(path, [record(MAGNESIUM, before)])
    calcium = BEFORE.replace('about = "magnesium", basis = "tested"', 'about = "calcium", basis = "tested"')
    (result,) = expert.diff_log(path, load_knowledge_base(*write_kb(tmp_path / "calcium", calcium))).records
    assert [(c.rule, c.bindings) for c in result.lost] == [
        ("t.magnesium_low", {}),
        ("t.blood_test", {"nutrient": "magnesium"}),
    ]
    assert [(c.rule, c.bindings, c.text) for c in result.gained] == [
        ("t.magnesium_low", {}, "Your low magnesium result means magnesium deficiency."),
        ("t.blood_test", {"nutrient": "calcium"}, "Ask a doctor about a blood test of your calcium."),
    ]
    assert result.lost[1].title == "A suspected deficiency is confirmed with a blood test"


def test_the_same_knowledge_base_changes_nothing(log, before, capsys):
    diff = expert.diff_log(log, before)
    assert [r.status for r in diff.records] == ["unchanged", "unchanged", "unchanged", "no_facts", "invalid_facts"]
    assert (diff.changed, diff.compared, diff.not_compared) == (0, 3, 2)


def test_records_under_several_knowledge_bases_say_which_each(tmp_path, before, after, capsys):
    kb_dir, ledger = after
    now = load_knowledge_base(kb_dir, ledger)
    path = tmp_path / "mixed.jsonl"
    append_records(path, [record(B6_50, before), record(B6_200, now)])
    code, out, _ = diff_cli(capsys, path, "--kb", kb_dir, "--ledger", ledger)
    assert code == 0
    assert out.splitlines() == [
        f"compared with knowledge base {knowledge_base_hash(now)[:12]}…",
        f"record 1 (made under knowledge base {knowledge_base_hash(before)[:12]}…): unchanged",
        "record 2 (made under the same knowledge base): unchanged",
        "2 records: 0 changed, 2 unchanged, 0 not compared",
    ]


def test_json_gives_every_record_with_its_changes(log, after, before, capsys):
    kb_dir, ledger = after
    code, out, _ = diff_cli(capsys, log, "--kb", kb_dir, "--ledger", ledger, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert {"records", "changed", "compared", "not_compared", "knowledge_base"} <= set(data)
    assert (data["changed"], data["compared"], data["not_compared"]) == (2, 3, 2)
    assert data["knowledge_base"]["recorded"] == [knowledge_base_hash(before)]
    assert data["knowledge_base"]["current"] == knowledge_base_hash(load_knowledge_base(kb_dir, ledger))
    assert [r["status"] for r in data["records"]] == ["changed", "changed", "unchanged", "no_facts", "invalid_facts"]
    first, second = data["records"][0], data["records"][1]
    assert first["record"] == 1
    assert {"record", "status", "gained", "lost", "problems"} <= set(first)
    assert first["gained"][1] == {
        "rule": "t.diet",
        "bindings": {"nutrient": "magnesium"},
        "concluded": [],
        "title": "A balanced diet is the best source of most nutrients",
        "text": "Eat foods rich in magnesium.",
    }
    assert first["lost"] == [
        {"rule": "t.twitching", "bindings": {}, "concluded": [], "in_knowledge_base": False, "title": None}
    ]
    assert second["lost"][0]["concluded"] == [{"name": "excess_intake", "about": "vitamin_b6"}]
    assert second["lost"][0]["in_knowledge_base"] is True
    assert data["records"][3]["gained"] == data["records"][3]["lost"] == []
    assert data["records"][4]["problems"] == ["facts[0].daily_dose: Input should be greater than 0"]


def test_facts_changed_after_recording_are_not_compared(tmp_path, before):
    path = tmp_path / "edited.jsonl"
    edited = record(B6_200, before).model_copy(update={"facts": B6_50})  # resealed with other facts
    append_records(path, [edited])
    (result,) = expert.diff_log(path, before).records
    assert result.status == "invalid_facts"
    assert "do not match its case hash" in result.problems[0]


def test_a_tampered_log_is_compared_but_exits_1(log, after, capsys):
    lines = log.read_bytes().split(b"\n")
    assert b'"case_file":"b6_200.json"' in lines[1]
    lines[1] = lines[1].replace(b'"case_file":"b6_200.json"', b'"case_file":"b6_201.json"')
    log.write_bytes(b"\n".join(lines))
    kb_dir, ledger = after
    code, out, err = diff_cli(capsys, log, "--kb", kb_dir, "--ledger", ledger)
    assert code == 1
    assert "BROKEN: record 2: its content does not match its hash" in err
    assert "record 2 (b6_201.json): changed" in out.splitlines()
    assert out.splitlines()[-1] == "5 records: 2 changed, 1 unchanged, 2 not compared"
    assert expert.diff_log(log, load_knowledge_base(kb_dir, ledger)).broken.startswith("record 2: ")


def test_a_missing_log_is_one_line_naming_it(tmp_path, capsys):
    missing = tmp_path / "nowhere.jsonl"
    code, out, err = diff_cli(capsys, missing)
    assert code == 1 and out == ""
    assert err.splitlines() == [f"expert: {missing}: no such file"]
    with pytest.raises(expert.AuditError):
        expert.diff_log(missing)


def test_a_file_that_is_not_an_audit_log_is_one_line(tmp_path, capsys):
    path = tmp_path / "notes.jsonl"
    path.write_text("just some notes\n", encoding="utf-8")
    code, out, err = diff_cli(capsys, path)
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(f"expert: {path}: record 1: not an audit record")
    assert "Traceback" not in err


def test_a_knowledge_base_that_does_not_load_is_one_line_per_problem(log, tmp_path, capsys):
    broken = BEFORE.replace("If a deficiency is suspected", "If a deficiency is imagined")
    kb_dir, ledger = write_kb(tmp_path / "broken", broken)
    code, out, err = diff_cli(capsys, log, "--kb", kb_dir, "--ledger", ledger)
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0] == f"expert: the knowledge base in {kb_dir} does not load:"
    assert len(lines) == 2 and lines[1].startswith("expert: rule t.blood_test: quote is not verbatim in vitamins")
    code, _, err = diff_cli(capsys, log, "--kb", tmp_path / "no_such_folder")
    assert code == 1 and err.splitlines()[1] == f"expert: {tmp_path / 'no_such_folder'}: no such folder"


def test_the_library_result_is_frozen_and_exported():
    for name in ("diff_log", "LogDiff", "RecordDiff", "GainedConclusion", "LostConclusion"):
        assert name in expert.__all__ and hasattr(expert, name)
    diff = expert.LogDiff(records=[], knowledge_base={"recorded": [], "current": "0" * 64})
    with pytest.raises(ValidationError):
        diff.broken = "x"
