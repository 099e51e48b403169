"""Starting the command: what `import expert` loads, the console's first screen kept between starts,
Ctrl-C at any moment of start-up, and help that cannot be written.

Behaviour only; how long start-up takes is measured by bench/startup.py. Every child process runs
with its own cache folder (EXPERT_CACHE_DIR), and a Ctrl-C is sent once the child has said it
reached the point to interrupt, never after a guessed delay. No wait here is timed: each waits for
what the child says or does, bounded only by tests/bounded.py's guard against a child that hangs.
"""

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import expert
from bounded import DEADLINE, run, wait
from expert.console import opening

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "examples" / "eyelid.json"
HEAVY = ("experta", "pydantic", "expert.rules.schema", "expert.facts.models", "cryptography")


def child_env(cache: Path | str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "EXPERT_CACHE_DIR")}
    return env | {"EXPERT_CACHE_DIR": str(cache), "PYTHONIOENCODING": "utf-8"} | extra


def loaded_after(code: str) -> list[str]:
    """The heavy modules in sys.modules after running `code` in a fresh interpreter."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = run([sys.executable, "-c", probe], f"the modules loaded after {code!r}", cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


# --- what is imported, and when ----------------------------------------------------------------


def test_import_expert_alone_loads_neither_the_engine_nor_the_models_nor_cryptography():
    assert loaded_after("import expert") == []


def test_building_the_commands_parser_loads_none_of_them_either():
    # What `expert --help` and every command pay before doing anything.
    assert loaded_after("from expert.cli import build_parser\nbuild_parser()") == []


def test_a_public_name_loads_what_it_needs_when_first_used():
    assert {"experta", "pydantic"} <= set(loaded_after("from expert import consult"))
    assert "cryptography" in loaded_after("import expert\nexpert.verify_log")


def test_every_name_in_all_is_importable_and_listed_by_dir():
    for name in expert.__all__:
        assert getattr(expert, name) is not None, name
    namespace: dict = {}
    exec(f"from expert import {', '.join(expert.__all__)}", namespace)
    assert set(expert.__all__) <= set(namespace) and set(expert.__all__) <= set(dir(expert))
    assert expert.consult is expert.engine.session.consult  # the same object, not a wrapper


def test_a_name_that_is_not_public_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'consultt'"):
        expert.consultt  # noqa: B018
    with pytest.raises(ImportError):
        exec("from expert import consultt", {})


def test_the_help_names_the_case_key_variable_the_audit_trail_reads():
    from expert.audit.keys import CASE_KEY_ENV
    from expert.commands import audit

    assert audit.CASE_KEY_ENV == CASE_KEY_ENV


# --- the console's first screen ---------------------------------------------------------------


def run_console(cache, lines=("quit",), **extra) -> subprocess.CompletedProcess:
    return run(
        [sys.executable, "-m", "expert"], f"the console to end after reading {list(lines)}",
        input="".join(f"{line}\n" for line in lines), capture_output=True,
        text=True, encoding="utf-8", cwd=ROOT, env=child_env(cache, **extra),
    )


def kept_screens(cache: Path) -> list[Path]:
    return sorted(cache.glob("opening-*.txt"))


def test_the_first_screen_kept_for_the_next_start_is_what_the_console_showed(tmp_path):
    cache = tmp_path / "cache"
    first = run_console(cache, ["1", "quit"])
    assert first.returncode == 0, first.stderr
    (kept,) = kept_screens(cache)
    screen = kept.read_text(encoding="utf-8").split("\n", 1)[1]
    assert first.stdout.startswith(screen) and "Q1. Which of these do you have?" in screen
    assert "> " not in screen and "twitching of the eyelids" not in first.stdout[len(screen):].split("> 1")[0]
    # Read back at the next start: the same dialogue, byte for byte, the first screen shown from the cache.
    again = run_console(cache, ["1", "quit"])
    assert again.returncode == 0 and again.stdout == first.stdout
    assert run_console("", ["1", "quit"]).stdout == first.stdout  # and without any cache


def test_the_first_question_is_on_screen_before_the_engine_is_loaded(tmp_path):
    cache = tmp_path / "cache"
    assert run_console(cache).returncode == 0  # keeps the first screen
    with paused_at("experta", [], cache) as child:
        shown = read_until(child.stdout, b"Q1.", "the first question while the engine's import is held")
        assert "Which of these do you have?" in shown.decode("utf-8")
        child.send_signal(signal.SIGINT)
        assert wait(child, "the console to exit 130 after Ctrl-C") == 130


def test_a_kept_screen_that_is_not_the_first_question_is_followed_by_the_real_one(tmp_path):
    cache = tmp_path / "cache"
    assert run_console(cache).returncode == 0
    (kept,) = kept_screens(cache)
    header, screen = kept.read_text(encoding="utf-8").split("\n", 1)
    kept.write_text(header + "\nQ1. A question these rules never ask?\n", encoding="utf-8")
    result = run_console(cache)
    assert result.returncode == 0
    assert result.stdout.startswith("Q1. A question these rules never ask?\n")
    assert "Which of these do you have?" in result.stdout  # asked in full after it
    assert kept.read_text(encoding="utf-8") == header + "\n" + screen  # and kept right for next time


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"\xff\xfe not text"),
        lambda path: path.write_text("expert console opening 0000 88 0\nQ1. From another version?\n"),
        lambda path: path.write_text(""),
        lambda path: (path.unlink(), path.mkdir()),
    ],
    ids=["not-utf8", "another-key", "empty", "a-folder"],
)
def test_a_damaged_kept_screen_is_ignored(tmp_path, damage):
    cache = tmp_path / "cache"
    expected = run_console(cache).stdout
    (kept,) = kept_screens(cache)
    damage(kept)
    result = run_console(cache)
    assert result.returncode == 0 and result.stdout == expected and result.stderr == ""


def test_a_cache_folder_that_cannot_be_made_is_no_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_console(blocker / "cache")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == run_console("").stdout


def test_screens_kept_for_other_versions_of_the_package_are_removed(tmp_path, monkeypatch):
    monkeypatch.setenv(opening.CACHE_VARIABLE, str(tmp_path))
    old = opening.Opening("0" * 64, 88, False)
    old.remember("Q1. an older first screen\n")
    new = opening.Opening("1" * 64, 88, False)
    assert new.cached() is None
    new.remember("Q1. the first screen now\n")
    assert new.cached() == "Q1. the first screen now\n" and old.cached() is None
    assert len(kept_screens(tmp_path)) == 1


def test_the_key_is_the_packages_content(tmp_path):
    key = opening.sources_hash()
    assert key == opening.sources_hash() and len(key) == 64
    files = {f"{folder.name}/{path.relative_to(folder)}" for folder in opening._source_folders() for path in folder.rglob("*")}
    for part in ("expert/console/planner.py", "rules/kb/10_red_flags.toml", "rules/documents/minerals.txt", "facts/models.py"):
        assert any(name.endswith(part) for name in files), part


@pytest.mark.parametrize("columns", ["30", "60", "88", "120", "x"])
def test_the_opening_wraps_at_the_width_the_console_uses(monkeypatch, columns):
    from expert.explain.render import terminal_width

    monkeypatch.setenv("COLUMNS", columns)
    assert opening.screen_width() == terminal_width()


# --- Ctrl-C during start-up --------------------------------------------------------------------

# The console script's two lines, after a finder that stops the import of one module: it says so on
# stderr, then waits for a signal. SIGINT is given its usual handler even if the test runner's
# shell ignores it.
STOPPED_IMPORT = """
import importlib.abc, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
TARGET = sys.argv[1]
class Stop(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == TARGET:
            sys.stderr.write("importing " + name + "\\n")
            sys.stderr.flush()
            signal.pause()
        return None
sys.meta_path.insert(0, Stop())
sys.argv = ["expert", *sys.argv[2:]]
from expert.cli import main
sys.exit(main())
"""


def read_until(stream, marker: bytes, what: str) -> bytes:
    """What a child writes to `stream` up to and including `marker`; fail naming `what` and showing
    what came so far if the stream ends first (or, on a machine where nothing happens, at the guard)."""
    shown, end = b"", time.monotonic() + DEADLINE
    while marker not in shown:
        left = end - time.monotonic()
        assert left > 0, f"expected {what}, but nothing more came within {DEADLINE} s; so far: {shown[-600:]!r}"
        if select.select([stream], [], [], left)[0]:
            chunk = os.read(stream.fileno(), 4096)
            assert chunk, f"expected {what}, but the child closed its output after: {shown[-600:]!r}"
            shown += chunk
    return shown


class paused_at:
    """A child running `expert ARGS`, stopped at the import of `module` (context manager)."""

    def __init__(self, module: str, args: list[str], cache: Path | str):
        self.child = subprocess.Popen(
            [sys.executable, "-c", STOPPED_IMPORT, module, *args], cwd=ROOT, env=child_env(cache),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.module = module

    def __enter__(self) -> subprocess.Popen:
        # Waits until the child is there, however loaded the machine.
        said = f"importing {self.module}\n".encode()
        line = read_until(self.child.stderr, b"\n", f"the child to say {said!r}")
        assert line == said, line + self.child.stderr.read()
        return self.child

    def __exit__(self, *exc) -> None:
        if self.child.poll() is None:
            self.child.kill()
        wait(self.child, "a killed child to be gone")
        for stream in (self.child.stdin, self.child.stdout, self.child.stderr):
            stream.close()


@pytest.mark.parametrize(
    "module,args",
    [
        ("expert.commands.audit", ["--help"]),  # building the parser
        ("pydantic", ["consult", str(CASE)]),  # a command loading the library
        ("cryptography", ["audit", "verify", "no-such.jsonl"]),  # the audit trail's keys
        ("expert.console.opening", []),  # the console, before its first screen
        ("experta", []),  # the console, loading the engine
    ],
    ids=["parser", "consult", "audit", "opening", "engine"],
)
def test_ctrl_c_during_start_up_is_one_line_and_exit_130(tmp_path, module, args):
    with paused_at(module, args, tmp_path / "cache") as child:
        child.send_signal(signal.SIGINT)
        child.stdin.close()
        assert wait(child, f"`expert {' '.join(args)}` to exit 130 after Ctrl-C at the import of {module}") == 130
        assert child.stderr.read().decode() == "expert: interrupted\n"


# --- help that cannot be written ---------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["--help"], ["audit", "--help"], ["audit", "verify", "--help"], ["consult", "-h"]])
@pytest.mark.parametrize("unbuffered", ["1", ""], ids=["unbuffered", "buffered"])
def test_help_on_a_full_disk_is_an_error_not_silence(args, unbuffered):
    with open("/dev/full", "w") as full:
        done = run(
            [sys.executable, "-m", "expert", *args], f"`expert {' '.join(args)}` to end on a full disk",
            cwd=ROOT, stdout=full, stderr=subprocess.PIPE, text=True, env=child_env("", PYTHONUNBUFFERED=unbuffered),
        )
    assert done.returncode == 1
    assert done.stderr == "expert: cannot write the output: No space left on device\n"


def test_help_read_to_its_end_exits_0(tmp_path):
    done = run([sys.executable, "-m", "expert", "audit", "--help"], "`expert audit --help` to end", cwd=ROOT,
               capture_output=True, text=True, env=child_env(""))
    assert done.returncode == 0 and done.stderr == "" and "usage:" in done.stdout
