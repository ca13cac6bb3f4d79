"""Small remembered choices (last session, length, chimes), kept in the user data folder.

This is memory, not configuration: a missing, unreadable or corrupt file means "nothing
remembered", and a failed write (a read-only home) is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

from oxybreathe.core import locations
from oxybreathe.core.model import SESSION_MAX_SECONDS

FILENAME = "state.json"
# The file holds a few hundred bytes; anything much larger is not ours.
MAX_BYTES = 64 * 1024

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Remembered:
    """What the home screen restores."""

    session: str | None = None
    minutes: float | None = None
    chimes: bool = True
    reduce_motion: bool = False
    volume: int | None = None
    theme: str | None = None
    show_streak: bool = True


def _path(folder: Path | None) -> Path:
    return (folder or locations.data_dir()) / FILENAME


def load(folder: Path | None = None) -> Remembered:
    """Read the remembered choices; anything wrong gives the defaults. Never raises."""
    try:
        raw = json.loads(_read(_path(folder)))
    except (OSError, ValueError, RecursionError):  # deep nesting is a RecursionError
        return Remembered()
    if not isinstance(raw, dict):
        return Remembered()
    session = raw.get("session")
    chimes = raw.get("chimes", True)
    calm = raw.get("reduce_motion", False)
    return Remembered(
        session if isinstance(session, str) else None,
        _minutes(raw.get("minutes")),
        chimes if isinstance(chimes, bool) else True,
        calm if isinstance(calm, bool) else False,
        _volume(raw.get("volume")),
        theme if isinstance(theme := raw.get("theme"), str) else None,
        streak if isinstance(streak := raw.get("show_streak", True), bool) else True,
    )


def _read(path: Path) -> bytes:
    """The file's bytes: a regular file of at most MAX_BYTES, opened without ever blocking."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # a FIFO in its place must not hang
    handle = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise ValueError("not a regular file")
        data = os.read(handle, MAX_BYTES + 1)
    finally:
        os.close(handle)
    if len(data) > MAX_BYTES:
        raise ValueError("too large")
    return data


def _volume(value: object) -> int | None:
    """A whole number 0-100, or None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= 100 else None


def _minutes(value: object) -> float | None:
    """A length a session can have (above 0, at most 3 hours), or None.

    True and false are not numbers here; NaN, infinity and a 400-digit integer fail the
    comparison (which, unlike float(), never overflows).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 < value <= SESSION_MAX_SECONDS / 60 else None


def save(remembered: Remembered, folder: Path | None = None) -> bool:
    """Write the choices atomically; return False (and change nothing) if that fails."""
    import tempfile  # only when saving: not worth its import time at start-up

    path = _path(folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(asdict(remembered), out)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(temporary)
        return False
    return True


def first_set(*values: T | None) -> T:
    """The first value that is set (not None): a choice on the command line wins over the
    settings file, which wins over what was remembered. The last value is never None."""
    return next(value for value in values if value is not None)
