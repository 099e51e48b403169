"""The console under faults and hostile input: nothing the person said is lost, no traceback.

Each test reproduces a fault found by an attack on the console (issue 10): a full disk under the
journal, odd numbers and file names, deeply nested JSON, a change the rules cannot run on.
"""

import json
import os
import resource
import signal
import subprocess
import sys

import pytest
from bounded import run
from console_stories import ROOT, env, run_expert
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expert.errors import ExpertError, FiringLimitError, InvalidFactError
from expert.console.interview import JOURNAL_HEADER, Interview, journal_line, read_resumable


def run_with_file_limit(lines: list[str], limit: int, *args: str) -> subprocess.CompletedProcess:
    """The console with a limit on the size of any file it writes (a disk that fills up)."""

    def limit_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return run(
        [sys.executable, "-m", "expert", *args], f"the console to end after its {len(lines)} lines on a full disk",
        input="".join(line + "\n" for line in lines),
        capture_output=True, text=True, cwd=ROOT, env=env(), preexec_fn=limit_files,
    )


def test_a_journal_on_a_full_disk_is_reported_at_once_and_keeps_every_whole_answer(tmp_path):
    journal = tmp_path / "answers.jsonl"
    header = len(journal_line(JOURNAL_HEADER))
    lines = ["eyelids", "none", "no", "no", "no", "no", "none", "quit"]
    # Room for the header and a few answers, not for all of them.
    result = run_with_file_limit(lines, header + 150, "--journal", str(journal))
    assert result.returncode == 0 and "Traceback" not in result.stderr + result.stdout
    warned = [line for line in result.stdout.splitlines() if "Could not write to the journal" in line]
    assert len(warned) >= 1 and "File too large" in " ".join(result.stdout.split())
    # Every line of the journal is whole, and resuming keeps every answer in it.
    text = journal.read_text(encoding="utf-8")
    assert text.endswith("\n")
    kept = [json.loads(line) for line in text.splitlines()]
    assert kept[0] == JOURNAL_HEADER and len(kept) >= 2
    form, events = read_resumable(journal)
    again = Interview()
    again.replay(events)
    assert len(again.answers) == len(kept) - 1
    # The farewell does not claim the journal kept what it could not.
    assert " ".join(result.stdout.split()).endswith(
        "> quit Your answers were not saved. To keep them, type 'save FILE' before leaving, or start with "
        "'expert --journal FILE'."
    )


@pytest.mark.parametrize("typed", ["change ²", "retract ²", "how ²", "change " + "9" * 5000, "how " + "9" * 5000,
                                   "retract 99999999999999999999"])
def test_odd_numbers_get_a_reason_not_a_traceback(typed):
    result = run_expert(["cramps", typed, "facts", "quit"])
    assert result.returncode == 0 and "Traceback" not in result.stderr + result.stdout
    assert "1. muscle symptoms: cramps" in result.stdout.split("> facts\n")[1]


@pytest.mark.parametrize("typed, reason", [
    ("save a\x00b", "Not saved: a file name cannot hold a NUL character."),
    ("load a\x00b", "Could not load it: a file name cannot hold a NUL character."),
])
def test_a_nul_in_a_file_name_gets_a_reason(typed, reason):
    result = run_expert(["cramps", typed, "quit"])
    assert result.returncode == 0 and "Traceback" not in result.stderr + result.stdout
    assert reason in result.stdout.splitlines()


def test_save_does_not_replace_a_symbolic_link_or_a_device(tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text("{}", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    result = run_expert(["cramps", f"save {link}", "save /dev/null", "quit"])
    out = " ".join(result.stdout.split())
    assert "is a symbolic link" in out and "is not a regular file" in out
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "{}"


def test_a_journal_that_is_a_device_is_refused_in_one_line(tmp_path):
    result = run_expert([], "--journal", "/dev/zero")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "not a regular file" in result.stderr


def test_a_journal_line_nested_too_deeply_is_refused_in_one_line(tmp_path):
    journal = tmp_path / "deep.jsonl"
    journal.write_text(journal_line(JOURNAL_HEADER) + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    with pytest.raises(InvalidFactError, match="line 2: nested too deeply"):
        read_resumable(journal)
    result = run_expert([], "--resume", str(journal))
    assert result.returncode == 2 and "Traceback" not in result.stderr and result.stderr.startswith("expert: ")


def test_a_change_the_rules_cannot_run_on_leaves_the_interview_as_it_was(monkeypatch):
    interview = Interview()
    interview.answer("complaint", ["cramps"])
    before = (dict(interview.answers), dict(interview.numbers), list(interview.events), interview.facts())
    calls = {"n": 0}
    real_run = type(interview.session).run

    def failing_run(session):
        calls["n"] += 1
        if calls["n"] == 1:
            raise FiringLimitError("the rules fired more than 1000 times")
        return real_run(session)

    monkeypatch.setattr(type(interview.session), "run", failing_run)
    for change in (lambda: interview.answer("symptom:seizures", True),
                   lambda: interview.load([{"kind": "symptom", "name": "seizures"}]),
                   lambda: interview.forget("complaint")):
        calls["n"] = 0
        with pytest.raises(FiringLimitError):
            change()
        assert (dict(interview.answers), dict(interview.numbers), list(interview.events), interview.facts()) == before
    # The next answer works.
    monkeypatch.setattr(type(interview.session), "run", real_run)
    assert interview.answer("symptom:seizures", True).new


def test_a_load_that_fails_leaves_the_answers_and_says_why_in_one_line(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"facts": [{"kind": "symptom", "name": "hiccups"}]}), encoding="utf-8")
    result = run_expert(["cramps", f"load {case}", "replace", "facts", "quit"])
    assert "Could not load it: facts[0].name" in " ".join(result.stdout.split())
    assert "1. muscle symptoms: cramps" in result.stdout.split("> facts\n")[1]


def test_a_full_standard_output_is_one_line_on_stderr():
    with open("/dev/full", "w") as full:
        result = run([sys.executable, "-m", "expert"], "the console to end with a full standard output",
                     input="cramps\n", stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env())
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["expert: cannot write the console's output: No space left on device"]


# --- fuzzing: any line typed, any journal ---------------------------------------------------------

LINES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["why", "how 1", "facts", "change", "retract 1", "trace", "summary", "done", "verbose", "help",
                     "none", "yes", "no", "?", "eyelids", "1, 9", "b6 200 mg", "magnesium low", "200 mg"]),
    st.builds(lambda w, n: f"{w} {n}", st.sampled_from(["how", "change", "retract"]), st.text(max_size=8)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(LINES, max_size=12))
def test_any_lines_typed_never_crash_the_console(lines):
    import io

    from expert.console.app import Console

    typed = io.StringIO("".join(line.replace("\n", " ").replace("\r", " ") + "\n" for line in lines) + "quit\n")
    console = Console(Interview(), typed, io.StringIO())
    try:
        assert console.run() == 0
    except EOFError:
        pass  # input ended at a prompt: the console's caller handles it (exit 0)


EVENTS = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)
KEYED = st.fixed_dictionaries(
    {}, optional={"question": st.sampled_from(["complaint", "symptoms", "supplements", "supplement:vitamin_b6/daily_dose", "tests", "nope"]),
                  "answer": EVENTS, "forget": st.sampled_from(["complaint", "habits", "x"]), "ask_again": EVENTS, "load": EVENTS,
                  "answers": EVENTS, "merge": EVENTS},
)


@settings(max_examples=60, deadline=None)
@given(events=st.lists(st.one_of(KEYED, EVENTS), max_size=6))
def test_any_journal_is_replayed_or_refused_with_a_reason(tmp_path_factory, events):
    path = tmp_path_factory.mktemp("j") / "j.jsonl"
    path.write_text(journal_line(JOURNAL_HEADER) + "".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    try:
        form, read = read_resumable(path)
        Interview().replay(read)
    except ExpertError as exc:
        assert str(exc) and "\n" not in str(exc)
