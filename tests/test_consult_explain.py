"""`expert consult --explain`: each conclusion's proof tree, every step with its rule and sentence."""

import json

import expert
from expert.cli import main
from expert.explain.proof import Step, render_proofs
from expert.explain.proof import proof_trees as explain

# A tested low level and a symptom: the knowledge base chains from them, whatever its rules.
FACTS = [
    {"kind": "nutrient_level", "nutrient": "vitamin_d", "level": "low"},
    {"kind": "symptom", "name": "twitching", "location": "eyelids"},
]


def steps(step: Step):
    yield step
    for premise in step.premises:
        if premise.proof is not None:
            yield from steps(premise.proof)


def depth(step: Step) -> int:
    return 1 + max((depth(p.proof) for p in step.premises if p.proof is not None), default=0)


def test_every_conclusion_has_a_proof_per_firing():
    report = expert.consult(FACTS)
    proofs = explain(report)
    assert [p.rule for p in proofs] == [c.rule for c in report.conclusions]
    assert [[t.firing for t in p.trees] for p in proofs] == [c.firings for c in report.conclusions]


def test_every_branch_ends_in_what_the_person_said():
    report = expert.consult(FACTS)
    told = {r.id for r in report.facts}
    for proof in explain(report):
        for tree in proof.trees:
            for step in steps(tree):
                for premise in step.premises:
                    if premise.proof is None:
                        assert premise.fact.origin == "user" and premise.fact.id in told
                    else:
                        assert premise.fact.derived_by == premise.proof.firing


def test_each_step_is_the_firing_with_its_rule_and_sentences():
    report = expert.consult(FACTS)
    firings = {f.number: f for f in report.fired}
    for proof in explain(report):
        for tree in proof.trees:
            for step in steps(tree):
                assert step.rule == firings[step.firing].rule
                assert step.sources == firings[step.firing].sources and step.sources


def test_a_chained_conclusion_goes_more_than_one_step_deep():
    trees = [t for p in explain(expert.consult(FACTS)) for t in p.trees]
    assert max(depth(t) for t in trees) >= 2, "the case chains, so some proof has a derived premise"


def test_the_cli_prints_the_proofs_after_the_report(tmp_path, capsys):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"facts": FACTS}), encoding="utf-8")
    assert main(["consult", str(case), "--explain"]) == 0
    out = capsys.readouterr().out
    report = expert.consult(FACTS)
    assert out.index("Disclaimer:") < out.index("Why: each conclusion's proof")
    assert out.endswith(render_proofs(explain(report)))
    assert "because you said: low vitamin D (tested) [u1]" in out
    first = report.fired[0]
    assert f"[{first.rule}] (firing {first.number})" in out


def test_the_cli_adds_proofs_to_json_only_when_asked(tmp_path, capsys):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"facts": FACTS}), encoding="utf-8")
    assert main(["consult", str(case), "--format", "json"]) == 0
    assert "proofs" not in json.loads(capsys.readouterr().out)
    assert main(["consult", str(case), "--format", "json", "--explain"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["proofs"]) == len(data["conclusions"])
    assert data["proofs"][0]["trees"][0]["sources"][0]["quote"]


def test_nothing_to_explain_says_so():
    assert render_proofs([]) == "No conclusion to explain.\n"
