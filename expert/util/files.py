"""Reading files that a person names, safely: regular files only, and never more than a cap.

A device such as /dev/zero would be read until memory runs out, and a FIFO would hang the reader;
a file larger than any sound case file or log is refused before it is read. Each fault is one
line (`FileFault`), which the caller words as its own error.
"""

import errno
import os
import stat
from pathlib import Path


class FileFault(Exception):
    """A named file cannot be used; the message is one line, starting with the file's name."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a plain file"


def size_words(limit: int) -> str:
    """A byte count as a person says it: 10 MB, 64 KB, 1 GB."""
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if limit >= size and limit % size == 0:
            return f"{limit // size} {unit}"
    return f"{limit} bytes"


def not_regular(path: str | Path) -> str | None:
    """Why `path` is not a regular file (None if it is one, or does not exist yet)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc.strerror or str(exc)
    return None if stat.S_ISREG(mode) else f"not a regular file ({_kind(mode)})"


def open_regular(path: str | Path, flags: int, mode: int = 0o600) -> int:
    """A file descriptor on a regular file; FileFault (without the name) for anything else.

    The file is opened without blocking, so that a FIFO with no writer is refused instead of
    waiting for one, and checked after opening, so that it cannot be swapped in between.
    """
    try:
        fd = os.open(path, flags | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC, mode)
    except FileNotFoundError:
        raise FileFault("no such file") from None
    except OSError as exc:
        raise FileFault(exc.strerror or str(exc)) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileFault(f"not a regular file ({_kind(info.st_mode)})")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: str | Path, limit: int, *, what: str = "a file", shared_lock: bool = False) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; FileFault naming the file otherwise.

    With `shared_lock`, the file is read under a shared `flock`, so that a writer holding the
    exclusive lock finishes first.
    """
    try:
        fd = open_regular(path, os.O_RDONLY)
    except FileFault as exc:
        raise FileFault(f"{path}: {exc}") from None
    try:
        if shared_lock:
            import fcntl  # POSIX only: imported here so that reading works everywhere else

            fcntl.flock(fd, fcntl.LOCK_SH)
        too_big = f"{path}: larger than {size_words(limit)}, more than {what} can be"
        if os.fstat(fd).st_size > limit:
            raise FileFault(too_big)
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise FileFault(too_big)
        return b"".join(chunks)
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise FileFault(f"{path}: not a regular file (a folder)") from None
        raise FileFault(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)  # closing releases the lock
