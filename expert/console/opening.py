"""The console's first screen, on the terminal before the rules are loaded.

Before the console can ask anything it imports pydantic and experta, reads and checks the
knowledge base and builds the Rete network: close to a second on a slow machine. Yet what it
shows first, the introduction and the first question, is the same at every start for the same
code and the same knowledge base. So the console keeps that screen in the user's cache folder,
under the hash of every file of the package (its code, rules and documents) and the width and
colour it was drawn for, and the next start prints it at once and loads the rules while the person
reads. The prompt sign follows when the console can take the answer (the terminal keeps what is
typed before).

The cache holds no answer and nothing about the person. It is only read when its key matches
byte for byte, and never trusted beyond that: the console works out its first question as always
and, should it differ from the screen shown, asks it in full. A cache folder that cannot be read
or written is left alone; it is written atomically (a temporary file renamed), and only in the
user's cache folder ($EXPERT_CACHE_DIR, else $XDG_CACHE_HOME/expert or ~/.cache/expert), never in
the package's own. EXPERT_CACHE_DIR set empty turns it off.

This module imports nothing of the engine: it must run before any of it is loaded.
"""

import hashlib
import importlib.util
import os
import sys
from pathlib import Path

from expert.util.terminal import terminal_width

CACHE_VARIABLE = "EXPERT_CACHE_DIR"
_PREFIX = "opening-"
_MAGIC = "expert console opening"
# A first screen is a few hundred bytes; anything much larger is not one of ours.
MAX_SCREEN_BYTES = 64_000
# What the console's prompt ends with; the screen is everything before it.
PROMPT_SIGN = "> "


def colour_wanted(stream) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set or TERM is dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def screen_width() -> int:
    """The width the console will wrap at."""
    return terminal_width()


def cache_dir() -> Path | None:
    """The folder the first screens are kept in, or None when there is none to use."""
    named = os.environ.get(CACHE_VARIABLE)
    if named is not None:
        return Path(named) if named else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):  # no home folder to speak of
        return None
    return Path(base) / "expert"


def _source_folders() -> list[Path]:
    """The package's folders: expert/ and, in a checkout, facts/ and rules/ beside it."""
    folders: list[Path] = []
    for name in ("expert", "expert.facts", "expert.rules"):
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            folder = Path(location).resolve()
            if name == "expert" and folder != Path(__file__).resolve().parent.parent:
                continue  # the checkout's root, added to expert's path to find facts/ and rules/
            if not any(folder == f or f in folder.parents for f in folders):
                folders.append(folder)
    return folders


def sources_hash() -> str:
    """SHA-256 of every file the console's first screen could depend on: each file of the package
    (code, rule files, documents, ledger) with its path, and the Python version."""
    digest = hashlib.sha256(sys.version.encode())
    for folder in _source_folders():
        for directory, subfolders, files in os.walk(folder):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = Path(directory, name)
                data = path.read_bytes()
                label = f"{folder.name}/{path.relative_to(folder).as_posix()}".encode()
                digest.update(len(label).to_bytes(4, "big") + label + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


class Opening:
    """The first screen as this start sees it: its cache key, and the screen shown (None if none was)."""

    def __init__(self, key: str, width: int, colour: bool):
        self.key, self.width, self.colour = key, width, colour
        self.shown: str | None = None

    @property
    def _header(self) -> str:
        return f"{_MAGIC} {self.key} {self.width} {int(self.colour)}\n"

    def _path(self, folder: Path) -> Path:
        return folder / f"{_PREFIX}{self.key[:32]}-{self.width}{'c' if self.colour else 'p'}.txt"

    def cached(self) -> str | None:
        """The screen kept for this key, or None (no cache, none kept, or not readable as one)."""
        folder = cache_dir()
        if folder is None:
            return None
        path = self._path(folder)
        try:
            if not path.is_file() or path.stat().st_size > MAX_SCREEN_BYTES:
                return None
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        header, _, screen = text.partition("\n")
        if header + "\n" != self._header or not screen:
            return None
        return screen

    def remember(self, screen: str) -> None:
        """Keep the screen the console worked out, in place of any other; a failure is not an error."""
        folder = cache_dir()
        if folder is None or screen == self.shown or len(screen.encode("utf-8")) > MAX_SCREEN_BYTES:
            return
        import tempfile

        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{_PREFIX}", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(self._header + screen)
                os.replace(temporary, self._path(folder))
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            # Screens kept for other versions of the package will not be asked for again.
            for old in folder.glob(f"{_PREFIX}*.txt"):
                if not old.name.startswith(f"{_PREFIX}{self.key[:32]}-"):
                    old.unlink(missing_ok=True)
        except OSError:
            pass


def show_first_screen(args, stdout) -> Opening | None:
    """Print the console's first screen from the cache when it is there, and return what this start
    knows of it; None when the console starts otherwise (resuming, with a journal: both read or
    check files before anything is shown)."""
    if getattr(args, "resume", None) or getattr(args, "journal", None):
        return None
    for stream in (sys.stdin, stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        opening = Opening(sources_hash(), screen_width(), colour_wanted(stdout))
    except OSError:
        return None  # a file of the package cannot be read: no key, so no cache
    screen = opening.cached()
    if screen is not None:
        try:
            stdout.write(screen)
            stdout.flush()
        except OSError:
            return opening  # the console will meet the same fault, and say so
        opening.shown = screen
    return opening
