"""The documents' main stories as what a person types, and helpers to run the real console.

Each story is written out by hand: the questions the console is expected to ask, in order, and
the line typed at each. If the console asked something else, or in another order, the story's
answers would land on the wrong questions and the tests that use it fail.
"""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bounded import run

ROOT = Path(__file__).resolve().parent.parent
WARNING_SIGNS = ["symptom:seizures", "symptom:difficulty_breathing", "symptom:tetany", "symptom:irregular_heartbeat"]


@dataclass(frozen=True)
class Story:
    asked: list[str]  # question ids, in the order the console asks them
    lines: list[str]  # what is typed at each

    def __post_init__(self):
        assert len(self.asked) == len(self.lines)


EYELID_COFFEE_SLEEP = Story(
    ["complaint", "complaint/course", *WARNING_SIGNS, "symptoms", "supplements", "tests", "habits", "health"],
    ["eyelids", "none", "no", "no", "no", "no", "none", "none", "none", "coffee, poor sleep", "none"],
)
B6_HIGH_DOSE = Story(
    ["complaint", "complaint/course", *WARNING_SIGNS, "symptoms", "supplements", "tests", "habits", "health"],
    ["twitching", "none", "no", "no", "no", "no", "none", "b6 200 mg for 1 year", "none", "none", "none"],
)
LOW_VITAMIN_D = Story(
    ["complaint", "complaint/course", *WARNING_SIGNS, "symptoms", "supplements", "tests", "habits", "health"],
    ["twitching", "none", "no", "no", "no", "no", "none", "none", "vitamin d low", "none", "none"],
)
TINGLING_MOUTH_FACIAL = Story(
    ["complaint", "complaint/course", *WARNING_SIGNS, "symptoms", "symptom:tingling/location", "tests", "habits",
     "supplements", "health"],
    ["face", "none", "no", "no", "no", "no", "tingling", "around the mouth", "none", "none", "none", "none"],
)
SEIZURES = Story(
    ["complaint", "complaint/course", *WARNING_SIGNS, "symptoms", "tests", "habits", "supplements", "health"],
    ["twitching", "none", "yes", "no", "no", "no", "none", "none", "none", "none", "none"],
)
STORIES = {
    "eyelid-coffee-sleep": EYELID_COFFEE_SLEEP,
    "b6-200mg-a-year": B6_HIGH_DOSE,
    "low-vitamin-d": LOW_VITAMIN_D,
    "tingling-mouth-facial": TINGLING_MOUTH_FACIAL,
    "seizures": SEIZURES,
}


def interview_of(story: Story):
    """The interview after answering a story through the library, checking each question asked."""
    from expert.console.interview import Interview

    interview = Interview()
    for expected, line in zip(story.asked, story.lines):
        q = interview.next_question()
        assert q is not None and q.id == expected, f"expected {expected}, the console asked {q and q.id}"
        interview.answer_all(q.parse_all(line))
    assert interview.next_question() is None
    return interview


def env(**extra) -> dict:
    out = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    out.update(extra)
    return out


def run_expert(lines: list[str], *args: str, cwd=None, extra_env=None) -> subprocess.CompletedProcess:
    """The real program, its input piped from these lines. A piped consultation reads its input to the
    end and exits; only a console that hangs meets the guard, and fails saying what it printed last."""
    return run(
        [sys.executable, "-m", "expert", *args],
        f"`expert {' '.join(args)}` to end after reading its {len(lines)} lines of input",
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd or ROOT,
        env=env(**(extra_env or {})),
    )
