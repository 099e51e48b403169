"""The corpus and the coverage ledger: every quote verbatim, every sentence accounted for."""

from pathlib import Path

import pytest

from expert.rules.corpus import DOCUMENT_FILES, corpus
from expert.rules.knowledge import KnowledgeBaseError, load_knowledge_base

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_FILES = {"minerals": "000_42db3050e1d787d5.txt", "vitamins": "002_eee236358ace0f17.txt"}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the project")
@pytest.mark.parametrize("doc_id", sorted(DOCUMENT_FILES))
def test_the_project_copy_is_exactly_the_seed(doc_id):
    assert corpus()[doc_id].text == (SEEDS / SEED_FILES[doc_id]).read_text(encoding="utf-8")


def test_each_document_has_its_first_line_as_title():
    assert corpus()["minerals"].title == "Magnesium Deficiency and Muscle Twitching"
    assert corpus()["vitamins"].title == "How Vitamin Deficiencies Cause Muscle Twitching"


def test_every_quote_is_verbatim_in_its_document(kb):
    for rule in kb.rules:
        for source in rule.sources:
            assert source.quote in kb.documents[source.document].text, (rule.id, source.quote)


def test_every_sentence_and_table_row_is_accounted_for(kb):
    missing = [f"{c.unit.document}:{c.unit.line}: {c.unit.text}" for c in kb.coverage() if not c.accounted_for]
    assert missing == []


def test_nothing_is_both_cited_and_set_aside(kb):
    assert [c.unit.text for c in kb.coverage() if c.rules and c.set_aside] == []


def test_every_ledger_entry_is_a_real_unit_with_a_reason(kb):
    assert kb.problems() == []
    assert all(entry.reason for entry in kb.ledger)


def test_table_rows_are_units_of_their_own(kb):
    rows = [c for c in kb.coverage() if c.unit.is_table_row]
    assert len(rows) == 7 + 7  # header, separator and five rows in each document's table
    cited = [c for c in rows if c.rules]
    assert len(cited) == 10


def _copy_kb(tmp_path):
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    for path in (Path(__file__).resolve().parents[1] / "rules" / "kb").glob("*.toml"):
        (kb_dir / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return kb_dir


def test_a_changed_quote_stops_the_knowledge_base_from_loading(tmp_path):
    kb_dir = _copy_kb(tmp_path)
    path = kb_dir / "60_vitamin_d.toml"
    path.write_text(path.read_text().replace("crucial for the absorption", "vital for the absorption"))
    with pytest.raises(KnowledgeBaseError) as error:
        load_knowledge_base(kb_dir)
    assert any("vitamin_d.impairs_calcium_absorption: quote is not verbatim" in p for p in error.value.problems)


def test_an_unaccounted_sentence_is_reported_by_line(tmp_path):
    kb_dir = _copy_kb(tmp_path)
    ledger = tmp_path / "ledger.toml"
    text = (Path(__file__).resolve().parents[1] / "rules" / "ledger.toml").read_text()
    ledger.write_text(text.replace('text = "This vital mineral plays a crucial role in nerve function and muscle relaxation."', 'text = "This vital mineral."'))
    problems = load_knowledge_base(kb_dir, ledger).problems()
    assert "ledger: minerals line 2: unaccounted for: 'This vital mineral plays a crucial role in nerve function and muscle relaxation.'" in problems
    assert "ledger: minerals: no such sentence or table row: 'This vital mineral.'" in problems


def test_a_hedge_not_in_the_quotes_is_refused_with_one_clear_line(tmp_path):
    kb_dir = _copy_kb(tmp_path)
    path = kb_dir / "10_red_flags.toml"
    path.write_text(path.read_text().replace('hedge = "in severe cases"', 'hedge = "perhaps"', 1))
    with pytest.raises(KnowledgeBaseError) as error:
        load_knowledge_base(kb_dir)
    assert error.value.problems == [
        "10_red_flags.toml: rule red_flag.seizures: hedge 'perhaps' does not stand in any of its quotes"
    ]
