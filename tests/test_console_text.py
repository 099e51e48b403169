"""How the console lays out a numbered conclusion that takes more than one line: the lines after
the first start under its first word, in the list of new conclusions and in the lists of those
withdrawn, updated or replaced alike, and so do the person's answers and the rules fired."""

import re

import expert
from expert.console import text
from expert.console.questions import main_questions
from expert.console.text import Style

WIDTH = 60
PLAIN = Style(on=False)
CASE = [
    {"kind": "symptom", "name": "twitching", "location": "eyelids"},
    {"kind": "symptom", "name": "cramps"},
    {"kind": "nutrient_level", "nutrient": "magnesium", "level": "low"},
]


def hangs_under_its_text(block: str) -> None:
    """Every numbered item's later lines start in the column where its text starts. A heading (at
    the margin), a note in brackets or a rule's "on: ..." line ends the item."""
    starts = None
    for line in block.splitlines():
        head = re.match(r"^(\s*(\[\d+\]|\d+\.) )", line)
        if head:
            starts = len(head.group(1))
        elif not line.startswith(" ") or line.lstrip().startswith(("(", "on:")):
            starts = None
        elif starts is not None:
            assert len(line) - len(line.lstrip(" ")) == starts, f"not under the text above it: {line!r}\n{block}"


def numbered(report, *numbers):
    return list(zip(numbers, report.conclusions))


def test_withdrawn_updated_and_replaced_items_continue_under_their_text():
    report = expert.consult(CASE)
    assert len(report.conclusions) >= 3
    for numbers in [(1, 2, 3), (9, 10, 11), (98, 99, 100)]:
        items = numbered(report, *numbers)
        for block in (text.withdrawn(items, PLAIN, WIDTH), text.updated(items, PLAIN, WIDTH),
                      text.replaced([((n, c), [1]) for n, c in items], PLAIN, WIDTH),
                      text.new_conclusions(items, report, PLAIN, width=WIDTH)):
            continued = [line for line in block.splitlines()
                         if line.startswith(" ") and not re.match(r"^\s*(\[\d+\]|\()", line)]
            assert continued, f"nothing wrapped at {WIDTH} columns, so nothing is tested:\n{block}"
            hangs_under_its_text(block)


def test_the_rules_fired_and_what_they_fired_on_continue_under_their_text():
    report = expert.consult(CASE)
    block = text.trace(report, lambda c: 1, WIDTH)
    assert re.search(r"\n {6}\S", block), f"no rule's text wrapped at {WIDTH} columns:\n{block}"
    hangs_under_its_text(block)
    # What each rule fired on starts under the rule's text too.
    starts = None
    for line in block.splitlines():
        head = re.match(r"^(\s*\d+\. )", line)
        if head:
            starts = len(head.group(1))
        elif line.lstrip().startswith("on: "):
            assert len(line) - len(line.lstrip(" ")) == starts, f"not under the rule's text: {line!r}\n{block}"


def test_an_answer_listed_continues_under_its_text():
    complaint = next(q for q in main_questions() if q.id == "complaint")
    every = ["twitching_eyelids", "twitching_face", "twitching_arms", "twitching_legs", "cramps", "spasms"]
    for number in (1, 10):
        block = text.facts([(number, complaint, every)], width=WIDTH)
        assert len(block.splitlines()) > 2, f"the answer did not wrap at {WIDTH} columns:\n{block}"
        hangs_under_its_text(block)
