"""Every quote of every rule stands word for word in its document, and `expert check` catches any that does not.

The rule files and the documents are read here as plain files (tomllib and open), not through the
knowledge base's loader or corpus, so a fault in those cannot hide a quote that is not in the text.
The only liberty is whitespace: runs of spaces and line breaks count as one space.
"""

import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest

from expert.cli import main
from expert.kb.check import check_files
from expert.rules.knowledge import KnowledgeBaseError, load_knowledge_base

ROOT = Path(__file__).resolve().parent.parent
KB_FILES = sorted((ROOT / "rules" / "kb").glob("*.toml"))
LEDGER = ROOT / "rules" / "ledger.toml"
# The README: rules/documents/minerals.txt is id `minerals`, rules/documents/vitamins.txt id `vitamins`.
DOCUMENT_FILES = {"minerals": "minerals.txt", "vitamins": "vitamins.txt"}


def normalised(text: str) -> str:
    return " ".join(text.split())


DOCUMENTS = {
    doc_id: normalised((ROOT / "rules" / "documents" / name).read_text(encoding="utf-8"))
    for doc_id, name in DOCUMENT_FILES.items()
}


def raw_rules() -> list[tuple[str, dict]]:
    """(file name, rule table) for every [[rule]] of every rule file, as TOML reads it."""
    return [(path.name, rule) for path in KB_FILES for rule in tomllib.loads(path.read_text(encoding="utf-8"))["rule"]]


def quotes() -> list[tuple[str, int, str, str]]:
    """(where, position, document, quote) for every source of every rule and of every `unless`."""
    out = []
    for _, rule in raw_rules():
        for n, source in enumerate(rule.get("sources", []), start=1):
            out.append((rule["id"], n, source["document"], source["quote"]))
        for unless in rule.get("unless", []):
            for n, source in enumerate(unless.get("sources", []), start=1):
                out.append((f"{rule['id']} (unless)", n, source["document"], source["quote"]))
    return out


QUOTES = quotes()


def test_the_rule_files_hold_quotes_from_both_documents():
    assert len(raw_rules()) >= 100
    assert {doc for _, _, doc, _ in QUOTES} == set(DOCUMENT_FILES)
    assert sum(1 for _, n, _, _ in QUOTES if n >= 2) >= 50, "most rules cite more than one sentence"


@pytest.mark.parametrize("where, position, document, quote", QUOTES, ids=[f"{w}#{n}" for w, n, _, _ in QUOTES])
def test_every_quote_is_verbatim_in_its_document(where, position, document, quote):
    assert document in DOCUMENTS, f"{where}: quote {position} names an unknown document {document!r}"
    assert normalised(quote) in DOCUMENTS[document], f"{where}: quote {position} is not in {document}: {quote!r}"


def test_a_quote_is_whole_words_not_a_fragment_of_one():
    for where, position, document, quote in QUOTES:
        text = DOCUMENTS[document]
        start = text.index(normalised(quote))
        end = start + len(normalised(quote))
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        assert not (before.isalnum() or after.isalnum()), f"{where}: quote {position} cuts a word: {quote!r}"


def test_every_hedge_is_a_word_of_its_quotes():
    # README: "`hedge` is the document's own word of certainty and must stand in one of the quotes".
    for _, rule in raw_rules():
        for block in [rule, *rule.get("unless", [])]:
            hedge = block.get("hedge")
            if hedge is None:
                continue
            cited = " ".join(s["quote"] for s in block.get("sources") or rule["sources"]).casefold()
            assert hedge.casefold() in cited, f"{rule['id']}: hedge {hedge!r} is in none of its quotes"


# --- `expert check` on a copy whose rule has a quote altered after its first ----------------------

def rules_with_several_quotes() -> list[tuple[str, str, int]]:
    """(file name, rule id, position) for the second and the last quote of rules citing two or more."""
    out = []
    for name, rule in raw_rules():
        count = len(rule.get("sources", []))
        for position in sorted({2, count}):
            if count >= 2:
                out.append((name, rule["id"], position))
    return out


SEVERAL = rules_with_several_quotes()
# One rule of each file, and every position after the first that rule has.
PICKED = [case for case in SEVERAL if case[1] == next(c[1] for c in SEVERAL if c[0] == case[0])]


def altered_copy(tmp_path: Path, file_name: str, rule_id: str, position: int) -> tuple[Path, Path, str, str]:
    """A copy of the rule files in which the rule's quote at `position` gains a word; that quote's document and text."""
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    for path in KB_FILES:
        shutil.copy(path, kb_dir / path.name)
    ledger = tmp_path / "ledger.toml"
    shutil.copy(LEDGER, ledger)
    path = kb_dir / file_name
    text = path.read_text(encoding="utf-8")
    start = text.index(f"id = {json.dumps(rule_id)}\n")
    end = text.find("[[rule]]", start)
    end = len(text) if end < 0 else end
    block = text[start:end]
    openings = [m.end() for m in re.finditer(r'quote = "', block)]
    at = openings[position - 1]
    path.write_text(text[: start + at] + "Indeed, " + text[start + at:], encoding="utf-8")
    rule = next(r for n, r in raw_rules() if r["id"] == rule_id)
    source = rule["sources"][position - 1]
    return kb_dir, ledger, source["document"], "Indeed, " + source["quote"]


@pytest.mark.parametrize("file_name, rule_id, position", PICKED, ids=[f"{r}#{n}" for _, r, n in PICKED])
def test_check_calls_a_rule_with_a_quote_altered_after_its_first_unsound(file_name, rule_id, position, tmp_path, capsys):
    kb_dir, ledger, document, altered = altered_copy(tmp_path, file_name, rule_id, position)
    assert main(["check", "--kb", str(kb_dir), "--ledger", str(ledger)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"rule {rule_id}: quote is not verbatim in {document}: {altered!r}" in out
    assert out[-1].startswith("not sound:")
    result = check_files(kb_dir, ledger)
    assert f"rule {rule_id}: quote is not verbatim in {document}: {altered!r}" in result.problems
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(kb_dir, ledger)
    assert f"rule {rule_id}: quote is not verbatim in {document}: {altered!r}" in caught.value.problems


def test_check_calls_an_unless_with_an_altered_second_quote_unsound(tmp_path, capsys):
    kb_dir, ledger = tmp_path / "kb", tmp_path / "ledger.toml"
    kb_dir.mkdir()
    for path in KB_FILES:
        shutil.copy(path, kb_dir / path.name)
    shutil.copy(LEDGER, ledger)
    name, rule = next((n, r) for n, r in raw_rules() if len(r.get("unless", [{}])[0].get("sources", [])) >= 2)
    second = rule["unless"][0]["sources"][1]
    path = kb_dir / name
    text = path.read_text(encoding="utf-8")
    unless_at = text.index("[[rule.unless]]", text.index(f"id = {json.dumps(rule['id'])}\n"))
    quote_at = [m.end() for m in re.finditer(r'quote = "', text[unless_at:])][1] + unless_at
    path.write_text(text[:quote_at] + "Indeed, " + text[quote_at:], encoding="utf-8")
    assert main(["check", "--kb", str(kb_dir), "--ledger", str(ledger)]) == 1
    out = capsys.readouterr().out
    assert f"quote is not verbatim in {second['document']}: {'Indeed, ' + second['quote']!r}" in out
