"""The cited documents: the project's own copies, each with a short stable id and its title.

A document is cut into units the coverage ledger accounts for: each table row is one unit, and
every other line is cut into sentences.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DOCUMENTS_DIR = Path(__file__).parent / "documents"

# id -> file name. The ids are what rules cite; they never change.
DOCUMENT_FILES = {
    "minerals": "minerals.txt",  # seed 000_42db3050e1d787d5.txt
    "vitamins": "vitamins.txt",  # seed 002_eee236358ace0f17.txt
}

# A sentence ends at ., ! or ? followed by a space and a capital letter (so the question
# quoted inside "which mineral deficiency causes twitching?" is not an end).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass(frozen=True)
class Unit:
    """One sentence or table row of a document: the smallest thing the ledger accounts for."""

    document: str
    line: int  # 1-based line number in the document
    text: str
    is_table_row: bool


@dataclass(frozen=True)
class Document:
    """A cited document: its stable id, its title (its first line) and its exact text."""

    id: str
    title: str
    text: str

    def units(self) -> tuple[Unit, ...]:
        """The document's sentences and table rows, in reading order."""
        out = []
        for number, line in enumerate(self.text.split("\n"), start=1):
            line = line.strip()
            if not line:
                continue
            if line.startswith("|"):
                out.append(Unit(self.id, number, line, True))
                continue
            for sentence in _SENTENCE_END.split(line):
                out.append(Unit(self.id, number, sentence, False))
        return tuple(out)


@cache
def corpus() -> dict[str, Document]:
    """The two documents, read once per process, by id."""
    docs = {}
    for doc_id, name in DOCUMENT_FILES.items():
        text = (DOCUMENTS_DIR / name).read_text(encoding="utf-8")
        docs[doc_id] = Document(id=doc_id, title=text.split("\n", 1)[0].strip(), text=text)
    return docs
