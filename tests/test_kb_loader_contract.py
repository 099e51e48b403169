"""Loading the knowledge base as its author meets it: the documents cut into the sentences and rows
the ledger accounts for, every fault of a rule file as one line naming the file, and an `unless`
turned into a companion rule.

The figures come from the documents themselves (their lines, their table rows) and from the
README: 127 sentences and table rows, 92 cited by a rule and 35 set aside.
"""

import json
import shutil
from pathlib import Path

import pytest

from expert.rules.corpus import DOCUMENTS_DIR, corpus
from expert.rules.knowledge import KB_DIR, LEDGER_FILE, KnowledgeBaseError, default_knowledge_base, load_knowledge_base
from expert.rules.schema import Comparison, Condition, OneOf, Presence, Rule, accepted_values, bound_variable, is_variable

GOOD_RULE = """
[[rule]]
id = "{id}"
title = "A twitch of the eyelids"
category = "background"
when = [{{ fact = "symptom", where = {{ name = "twitching" }} }}]
text = "Twitching is a sign the documents discuss."
sources = [{{ document = "minerals", quote = "{quote}" }}]
"""


@pytest.fixture
def kb_copy(tmp_path) -> tuple[Path, Path]:
    kb_dir = tmp_path / "kb"
    shutil.copytree(KB_DIR, kb_dir)
    ledger = tmp_path / "ledger.toml"
    shutil.copy(LEDGER_FILE, ledger)
    return kb_dir, ledger


def load_problems(kb_dir, ledger) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as error:
        load_knowledge_base(kb_dir, ledger)
    assert str(error.value) == "\n".join(error.value.problems)
    return error.value.problems


# --- the documents, cut into units -----------------------------------------------------------------


def test_each_document_is_cut_into_its_sentences_and_table_rows_with_their_lines():
    for doc in corpus().values():
        lines = doc.text.split("\n")
        units = doc.units()
        rows = [u for u in units if u.is_table_row]
        # Every line that starts with "|" is one row, whole; no other unit starts with one.
        assert [(u.line, u.text) for u in rows] == [(n, l.strip()) for n, l in enumerate(lines, 1) if l.strip().startswith("|")]
        for unit in units:
            assert unit.document == doc.id
            assert unit.text in lines[unit.line - 1]
            assert unit.text == unit.text.strip() and unit.text
        # Read in order, the sentences of a line give the line back.
        for number, line in enumerate(lines, 1):
            if line.strip() and not line.strip().startswith("|"):
                assert " ".join(u.text for u in units if u.line == number) == " ".join(line.split())
    minerals = corpus()["minerals"].units()
    assert minerals[0].text == "Magnesium Deficiency and Muscle Twitching" and minerals[0].line == 1
    assert [u.text for u in minerals[1:3]] == [
        "Magnesium deficiency, also known as hypomagnesemia, is a frequent culprit behind involuntary muscle twitches, cramps, and spasms.",
        "This vital mineral plays a crucial role in nerve function and muscle relaxation.",
    ]


def test_a_question_quoted_inside_a_sentence_does_not_end_it():
    texts = [u.text for u in corpus()["minerals"].units()]
    assert any('"which mineral deficiency causes twitching?" is calcium deficiency' in t for t in texts)


def test_the_documents_are_read_from_the_projects_own_copies():
    docs = corpus()
    assert set(docs) == {"minerals", "vitamins"}
    assert docs["minerals"].text == (DOCUMENTS_DIR / "minerals.txt").read_text(encoding="utf-8")
    assert docs["vitamins"].title == "How Vitamin Deficiencies Cause Muscle Twitching"


def test_the_readmes_coverage_figures_hold():
    coverage = default_knowledge_base().coverage()
    assert len(coverage) == 127
    assert sum(1 for c in coverage if c.rules) == 92
    assert sum(1 for c in coverage if c.set_aside is not None and not c.rules) == 35
    assert all(c.accounted_for for c in coverage)


def test_a_unit_is_cited_only_by_a_rule_quoting_the_whole_of_it():
    kb = default_knowledge_base()
    for cov in kb.coverage():
        for rule_id in cov.rules:
            assert any(s.document == cov.unit.document and cov.unit.text in s.quote for s in kb.rule(rule_id).sources)
    with pytest.raises(KeyError):
        kb.rule("no.such.rule")


# --- faults, one line each ---------------------------------------------------------------------


def test_every_fault_of_a_rule_file_is_one_line_naming_the_file(kb_copy):
    kb_dir, ledger = kb_copy
    (kb_dir / "00_table.toml").write_text("rule = 5\n", encoding="utf-8")
    (kb_dir / "01_toml.toml").write_text("[[rule]\n", encoding="utf-8")
    (kb_dir / "02_bytes.toml").write_bytes(b"\xff\xfe")
    (kb_dir / "03_fields.toml").write_text('[[rule]]\ntitle = "A title"\n', encoding="utf-8")
    (kb_dir / "04_folder.toml").mkdir()
    (kb_dir / "05_quote.toml").write_text(GOOD_RULE.format(id="x.quote", quote="Not a sentence of the document."), encoding="utf-8")
    assert load_problems(kb_dir, ledger) == [
        "00_table.toml: rule: expected an array of tables ([[rule]])",
        "01_toml.toml: not valid TOML: Expected ']]' at the end of an array declaration (at line 1, column 7)",
        "02_bytes.toml: not UTF-8 (byte 0)",
        "03_fields.toml: rule #1: id: Field required",
        "03_fields.toml: rule #1: category: Field required",
        "03_fields.toml: rule #1: when: Field required",
        "03_fields.toml: rule #1: text: Field required",
        "03_fields.toml: rule #1: sources: Field required",
        "04_folder.toml: not a regular file",
        "rule x.quote: quote is not verbatim in minerals: 'Not a sentence of the document.'",
    ]


def test_a_rule_id_used_twice_stops_loading(kb_copy):
    kb_dir, ledger = kb_copy
    quote = "Magnesium deficiency, also known as hypomagnesemia, is a frequent culprit behind involuntary muscle twitches, cramps, and spasms."
    (kb_dir / "99_twice.toml").write_text(GOOD_RULE.format(id="x.twice", quote=quote) * 2, encoding="utf-8")
    assert load_problems(kb_dir, ledger) == ["rule x.twice: the id is used twice"]


def test_a_rules_own_check_is_named_with_the_rule_and_its_field(kb_copy):
    kb_dir, ledger = kb_copy
    text = GOOD_RULE.format(id="x.field", quote="Magnesium is essential for many bodily functions").replace(
        'name = "twitching"', 'name = "twitching", colour = "red"')
    (kb_dir / "99_field.toml").write_text(text, encoding="utf-8")
    assert load_problems(kb_dir, ledger) == [
        "99_field.toml: rule x.field: when.0: symptom has no field 'colour'; its fields are location, name, persistent, severe"
    ]


def test_a_ledger_that_is_not_a_list_or_names_no_real_sentence_is_reported(kb_copy, tmp_path):
    kb_dir, ledger = kb_copy
    ledger.write_text("set_aside = 3\n", encoding="utf-8")
    assert f"ledger {ledger}: set_aside: expected an array of tables ([[set_aside]])" in load_problems(kb_dir, ledger)
    ledger.write_text('[[set_aside]]\ndocument = "minerals"\ntext = "nope"\n', encoding="utf-8")
    assert load_problems(kb_dir, ledger) == ["ledger: {'document': 'minerals', 'text': 'nope'}: Field required"]
    # Sound rules with a ledger that sets aside a sentence that is not there: loads, and says so.
    ledger.write_text('[[set_aside]]\ndocument = "minerals"\ntext = "Not there."\nreason = "a test"\n', encoding="utf-8")
    problems = load_knowledge_base(kb_dir, ledger).problems()
    assert "ledger: minerals: no such sentence or table row: 'Not there.'" in problems
    assert "ledger: minerals line 1: unaccounted for: 'Magnesium Deficiency and Muscle Twitching'" in problems


def test_a_sentence_both_cited_and_set_aside_is_reported(kb_copy):
    kb_dir, ledger = kb_copy
    kb = load_knowledge_base(kb_dir, ledger)
    cited = next(c for c in kb.coverage() if c.rules)
    with ledger.open("a", encoding="utf-8") as file:
        file.write(f'\n[[set_aside]]\ndocument = "{cited.unit.document}"\ntext = {json.dumps(cited.unit.text)}\nreason = "a test"\n')
    problems = load_knowledge_base(kb_dir, ledger).problems()
    assert f"ledger: {cited.unit.document} line {cited.unit.line}: set aside (a test) but cited by {', '.join(cited.rules)}" in problems


def test_a_missing_ledger_leaves_every_sentence_unaccounted_for(kb_copy, tmp_path):
    kb_dir, _ = kb_copy
    kb = load_knowledge_base(kb_dir, tmp_path / "none.toml")
    assert kb.ledger == ()
    assert len([p for p in kb.problems() if "unaccounted for" in p]) == 35


# --- what a rule becomes -----------------------------------------------------------------------


def test_an_unless_becomes_an_absent_condition_and_a_companion_that_says_it_is_contradicted():
    kb = default_knowledge_base()
    companion = kb.rule("vitamin_d.calcium_at_risk.contradicted")
    rule = kb.rule("vitamin_d.calcium_at_risk")
    assert companion.contradicts == rule.id and companion.category == "ruled_out"
    assert companion.title == "An answer that speaks against it: poor calcium absorption puts calcium levels at risk"
    assert [c.absent for c in rule.when] == [False, True]
    assert [c.absent for c in companion.when] == [False, False]
    # The companion holds when the rule's own conditions and the contradicting fact are all there.
    assert companion.when[0] == rule.when[0]
    assert companion.when[1] == rule.when[1].model_copy(update={"absent": False})
    assert rule.unless == [] and [r.id for r in kb.rules].index(companion.id) == [r.id for r in kb.rules].index(rule.id) + 1


def test_a_rule_with_two_unless_gets_two_numbered_companions():
    raw = {
        "id": "x.two", "title": "Twitching fits it", "category": "suspicion", "text": "Twitching fits it.",
        "when": [{"fact": "symptom", "where": {"name": "twitching"}}],
        "sources": [{"document": "minerals", "quote": "Magnesium is essential for many bodily functions"}],
        "unless": [
            {"fact": "nutrient_level", "where": {"nutrient": "magnesium", "level": "normal"}, "text": "A normal result."},
            {"fact": "lifestyle", "where": {"factor": "stress"}, "text": "Stress instead.", "hedge": "can",
             "sources": [{"document": "minerals", "quote": "When magnesium levels are low, nerves can become overexcited"}]},
        ],
    }
    main, first, second = Rule.model_validate(raw).expanded()
    assert [r.id for r in (main, first, second)] == ["x.two", "x.two.contradicted-1", "x.two.contradicted-2"]
    assert [c.absent for c in main.when] == [False, True, True]
    assert first.sources == main.sources  # none given: the rule's own
    assert second.sources[0].quote == "When magnesium levels are low, nerves can become overexcited"
    assert (first.hedge, second.hedge) == (None, "can")
    assert (first.text, second.text) == ("A normal result.", "Stress instead.")
    assert second.title == "An answer that speaks against it: twitching fits it"
    assert Rule.model_validate(dict(raw, unless=[])).expanded() == [Rule.model_validate(dict(raw, unless=[]))]


def test_red_flags_have_the_higher_salience():
    kb = default_knowledge_base()
    assert {r.salience for r in kb.rules if r.category == "red_flag"} == {10}
    assert {r.salience for r in kb.rules if r.category != "red_flag"} == {0}


def test_the_forms_a_field_test_takes():
    one_of = OneOf(one_of=["twitching", "cramps"], bind="?complaint")
    assert accepted_values(one_of) == ["twitching", "cramps"]
    assert accepted_values(["a", "b"]) == ["a", "b"]
    assert accepted_values("twitching") == ["twitching"] and accepted_values(False) == [False]
    assert accepted_values("?x") is None and accepted_values(Comparison(gt=1)) is None
    assert accepted_values(Presence(known=False)) is None
    assert bound_variable(one_of) == "?complaint" and bound_variable("?n") == "?n" and bound_variable("n") is None
    assert is_variable("?dose_mg") and not is_variable("dose") and not is_variable("?Dose") and not is_variable(5)
    condition = Condition(fact="supplement", where={"nutrient": "?n", "daily_dose_mg": Comparison(gt=100), "unit": one_of.model_copy(update={"one_of": ["mg"], "bind": "?u"})})
    assert condition.variables() == {"?n", "?u"}
    with pytest.raises(ValueError, match="symptom.severe is not numeric"):
        Condition(fact="symptom", where={"severe": Comparison(gt=1)})
    with pytest.raises(ValueError, match="supplement has no field 'colour'; its fields are daily_dose, daily_dose_mg, duration_months, nutrient, unit"):
        Condition(fact="supplement", where={"colour": "red"})


# --- the edges of reading a rule file ----------------------------------------------------------


def test_a_rule_file_with_no_rules_yet_is_no_fault_and_entries_that_are_no_tables_are_numbered(kb_copy):
    kb_dir, ledger = kb_copy
    (kb_dir / "00_empty.toml").write_text("# nothing yet\n", encoding="utf-8")
    assert len(load_knowledge_base(kb_dir, ledger).rules) == 118
    (kb_dir / "01_list.toml").write_text('rule = [5, "x"]\n', encoding="utf-8")
    assert load_problems(kb_dir, ledger) == [
        "01_list.toml: rule #1: Input should be a valid dictionary or instance of Rule",
        "01_list.toml: rule #2: Input should be a valid dictionary or instance of Rule",
    ]


def test_a_rule_file_of_exactly_the_size_limit_is_read_and_one_byte_more_is_refused(kb_copy):
    from expert.rules.knowledge import MAX_TOML_BYTES

    kb_dir, ledger = kb_copy
    big = kb_dir / "00_big.toml"
    with big.open("wb") as file:
        file.write(b"#" + b"x" * (MAX_TOML_BYTES - 2) + b"\n")
    assert big.stat().st_size == MAX_TOML_BYTES == 10_000_000
    assert len(load_knowledge_base(kb_dir, ledger).rules) == 118
    with big.open("ab") as file:
        file.write(b"\n")
    assert load_problems(kb_dir, ledger) == ["00_big.toml: larger than 10 MB, more than a rule file or ledger can be"]


def test_a_rule_file_that_cannot_be_read_gives_the_systems_reason(kb_copy, monkeypatch):
    import errno

    kb_dir, ledger = kb_copy
    real = Path.read_text

    def failing(path, *args, **kwargs):
        if path.name == "30_magnesium.toml":
            raise OSError(errno.EIO, "Input/output error")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", failing)
    assert load_problems(kb_dir, ledger) == ["30_magnesium.toml: cannot be read: Input/output error"]


def test_a_blank_line_in_a_document_does_not_end_it_and_only_rows_are_rows():
    from expert.rules.corpus import Document

    units = Document(id="notes", title="Notes", text="Notes\n\nFirst sentence. Second one.\n| a | b |\n\nLast.\n").units()
    assert [(u.line, u.text, u.is_table_row) for u in units] == [
        (1, "Notes", False), (3, "First sentence.", False), (3, "Second one.", False), (4, "| a | b |", True), (6, "Last.", False),
    ]
    assert all(u.is_table_row is False for u in units if not u.text.startswith("|"))


def test_a_ledger_that_is_not_toml_is_named_and_one_without_entries_sets_nothing_aside(kb_copy):
    kb_dir, ledger = kb_copy
    ledger.write_text("[[set_aside]\n", encoding="utf-8")
    assert load_problems(kb_dir, ledger) == [
        f"ledger {ledger}: not valid TOML: Expected ']]' at the end of an array declaration (at line 1, column 12)"
    ]
    ledger.write_text("# nothing set aside\n", encoding="utf-8")
    kb = load_knowledge_base(kb_dir, ledger)
    assert kb.ledger == () and len([p for p in kb.problems() if "unaccounted for" in p]) == 35


def test_a_condition_cannot_test_a_facts_kind():
    with pytest.raises(ValueError, match="symptom has no field 'kind'; its fields are location, name, persistent, severe"):
        Condition(fact="symptom", where={"kind": "symptom"})
