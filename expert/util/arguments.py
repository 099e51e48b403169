"""Checks on what a library caller passes: a wrong kind of argument is one clear InvalidArgumentError.

Without them, `consult(None)` or `verify_log(None)` would fail deep inside with a TypeError about
something the caller never named. Each message names the argument, says what is accepted, and
what was given (its type, never its content, which may be personal).
"""

import os
from pathlib import Path

from expert.errors import InvalidArgumentError


def given(value) -> str:
    """What was given, by type only: `None`, `a str`, `an int`."""
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def path_argument(value, name: str) -> Path:
    """A path given as a str or os.PathLike, as a Path."""
    if isinstance(value, (str, os.PathLike)) and not isinstance(value, bytes):
        text = os.fspath(value)
        if isinstance(text, str) and text:
            return Path(text)
    raise InvalidArgumentError(f"{name}: expected a file path (a str or pathlib.Path), got {given(value)}")


def instance_argument(value, name: str, kind: type | tuple[type, ...], accepted: str, *, optional: bool = False):
    """`value` itself if it is an instance of `kind` (or None when optional)."""
    if (optional and value is None) or (isinstance(value, kind) and not (kind is int and isinstance(value, bool))):
        return value
    raise InvalidArgumentError(f"{name}: expected {accepted}{' or None' if optional else ''}, got {given(value)}")


def bool_argument(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    raise InvalidArgumentError(f"{name}: expected True or False, got {given(value)}")


def count_argument(value, name: str, *, minimum: int = 1) -> int:
    """A whole number of at least `minimum` (not a bool, not a float)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        raise InvalidArgumentError(f"{name}: expected a whole number of at least {minimum}, got {value}")
    raise InvalidArgumentError(f"{name}: expected a whole number of at least {minimum}, got {given(value)}")
