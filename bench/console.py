"""Benchmark: how long the console takes to choose a question and to take an answer.

    uv run python bench/console.py

For each of the documents' main stories (tests/console_stories.py), a whole consultation is held
through the library; prints a Markdown table of medians and maxima. Not a test: it asserts nothing.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from console_stories import (  # noqa: E402
    B6_HIGH_DOSE,
    EYELID_COFFEE_SLEEP,
    LOW_VITAMIN_D,
    SEIZURES,
    TINGLING_MOUTH_FACIAL,
)

from expert.console.interview import Interview  # noqa: E402

STORIES = {
    "eyelid, coffee, poor sleep": EYELID_COFFEE_SLEEP,
    "B6 200 mg a day for a year": B6_HIGH_DOSE,
    "low vitamin D": LOW_VITAMIN_D,
    "tingling around the mouth, facial twitching": TINGLING_MOUTH_FACIAL,
    "seizures": SEIZURES,
}


def main() -> None:
    print("| story | questions | choose next (median / max ms) | answer + run (median / max ms) | conclusions |")
    print("|---|---|---|---|---|")
    for name, story in STORIES.items():
        interview = Interview()
        choose, answer = [], []
        lines = iter(story.lines)
        while True:
            start = time.perf_counter()
            q = interview.next_question()
            choose.append(time.perf_counter() - start)
            if q is None:
                break
            start = time.perf_counter()
            interview.answer_all(q.parse_all(next(lines)))
            answer.append(time.perf_counter() - start)
        ms = lambda xs: f"{statistics.median(xs) * 1000:.1f} / {max(xs) * 1000:.1f}"  # noqa: E731
        print(f"| {name} | {len(answer)} | {ms(choose)} | {ms(answer)} | {len(interview.report().conclusions)} |")


if __name__ == "__main__":
    main()
