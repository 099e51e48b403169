"""The documents' main stories as answers, and helpers to run the real console over pipes.

A story maps question ids to what the person types; any other question gets "no" (or "don't
know" when "no" is not an answer). The lines to pipe are worked out with the library's own
planner, so the tests follow whatever order the rules make the console ask in.
"""

import os
import subprocess
import sys
from pathlib import Path

from expert.interview import Interview

ROOT = Path(__file__).resolve().parent.parent

EYELID_COFFEE_SLEEP = {
    "symptom:twitching": "yes",
    "symptom:twitching/location": "eyelids",
    "symptom:twitching/persistent": "no",
    "lifestyle:excessive_caffeine": "yes",
    "lifestyle:poor_sleep": "yes",
}
B6_HIGH_DOSE = {
    "symptom:twitching": "yes",
    "supplement": "vitamin b6",
    "supplement:vitamin_b6/daily_dose": "200 mg",
    "supplement:vitamin_b6/duration_months": "1 year",
}
LOW_VITAMIN_D = {"symptom:twitching": "yes", "nutrient_level:vitamin_d": "low"}
TINGLING_MOUTH_FACIAL = {
    "symptom:twitching": "yes",
    "symptom:twitching/location": "face",
    "symptom:tingling": "yes",
    "symptom:tingling/location": "around the mouth",
}
SEIZURES = {"symptom:twitching": "yes", "symptom:seizures": "yes"}


def default_line(question) -> str:
    return "no" if question.answer in ("yes_no", "choices") else "don't know"


def script(story: dict, *, stop_at: str | None = None) -> tuple[list[str], Interview]:
    """The lines a person with this story types, in the order the console asks; and the interview."""
    interview = Interview()
    lines = []
    while (q := interview.next_question()) is not None:
        if q.id == stop_at:
            break
        line = story.get(q.id, default_line(q))
        lines.append(line)
        interview.answer(q.id, q.parse(line))
    return lines, interview


def env(**extra) -> dict:
    out = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    out.update(extra)
    return out


def run_expert(lines: list[str], *args: str, cwd=None, extra_env=None, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real program, its input piped from these lines."""
    return subprocess.run(
        [sys.executable, "-m", "expert", *args],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd or ROOT,
        env=env(**(extra_env or {})),
        timeout=timeout,
    )
