"""`expert export --clips`: the knowledge base as a CLIPS file that CLIPS loads as it is."""

import json

import clips

from expert.cli import main
from expert.kb.clips import export_clips, rule_name
from expert.rules.knowledge import default_knowledge_base

KB = default_knowledge_base()


def test_export_writes_a_file_clips_loads_with_one_defrule_per_rule(tmp_path, capsys):
    path = tmp_path / "kb.clp"
    assert main(["export", "--clips", str(path)]) == 0
    assert f"wrote {len(KB.rules)} rules" in capsys.readouterr().out
    env = clips.Environment()
    env.load(str(path))
    assert {r.name for r in env.rules()} == {rule_name(r.id) for r in KB.rules}
    assert {t.name for t in env.templates()} >= {"symptom", "supplement", "finding"}


def test_each_rule_carries_its_citations_in_its_comment():
    env = clips.Environment()
    for construct in export_clips(KB).split("\n\n"):
        body = "\n".join(line for line in construct.splitlines() if not line.startswith(";"))
        if body.strip():
            env.build(body)
    for rule in KB.rules:
        text = str(env.find_rule(rule_name(rule.id)))
        for source in rule.sources:
            assert " ".join(source.quote.split()).replace('"', '\\"') in text


def test_red_flags_fire_first_in_clips_as_in_ours():
    source = export_clips(KB)
    for rule in KB.rules:
        start = source.index(f"(defrule {rule_name(rule.id)} ")
        declared = "(declare (salience 10))" in source[start : source.index("=>", start)]
        assert declared == (rule.category == "red_flag")


def test_a_case_file_becomes_a_deffacts_that_reset_asserts(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"facts": [
        {"kind": "symptom", "name": "twitching", "location": "eyelids"},
        {"kind": "supplement", "nutrient": "vitamin_d", "daily_dose": 4000, "unit": "IU"},
    ]}))
    path = tmp_path / "kb.clp"
    assert main(["export", "--clips", str(path), "--case", str(case)]) == 0
    env = clips.Environment()
    env.load(str(path))
    env.reset()
    supplement = next(f for f in env.facts() if f.template.name == "supplement")
    assert supplement["daily_dose_mg"] == 0.1  # 4000 IU of vitamin D is 100 mcg


def test_export_to_standard_output(capsys):
    assert main(["export", "--clips", "-"]) == 0
    assert capsys.readouterr().out.count("(defrule ") == len(KB.rules)


def test_an_unwritable_path_is_an_error_naming_it(tmp_path, capsys):
    assert main(["export", "--clips", str(tmp_path / "no" / "such" / "kb.clp")]) == 1
    assert "cannot write" in capsys.readouterr().err
