"""What the app remembers between runs: the last session and length, and what the user changed
in the app (a key, the palette). Kept in `remembered.json` in the user state folder.

This is memory, not configuration: a missing, unreadable or corrupt file means "nothing
remembered", a wrong value is forgotten on its own, and a failed write (a read-only home) is
ignored. Only the app writes it, and only with what the user changed there: never a flag and
never the settings file (core/preferences.py keeps the layers apart).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from oxybreathe.core import locations
from oxybreathe.core.limits import SESSION_MAX_SECONDS
from oxybreathe.core.preferences import BY_KEY, REMEMBERED_KEYS, Choice, Flag, Name, Whole

FILENAME = "remembered.json"
OLD_FILENAME = "state.json"  # before 0.2: in the data folder, with every setting in it
MAX_BYTES = 64 * 1024  # a few hundred bytes in use; anything larger is not ours
NAME_MAX_CHARS = 64


@dataclass(frozen=True, slots=True)
class Memory:
    """The remembered choices. `preferences` holds only the settings the user changed in the app."""

    session: str | None = None
    minutes: float | None = None
    preferences: Mapping[str, Any] = field(default_factory=dict)
    told: bool = False  # the first run said that the app is not for emergencies (issue 16)

    def told_once(self) -> Memory:
        """The memory once the first run has said what the app is not for."""
        return replace(self, told=True)

    def chose(self, session: str, minutes: float | None) -> Memory:
        """The memory after starting `session` at `minutes` from home."""
        return replace(self, session=session, minutes=minutes)

    def changed(self, key: str, value: Any) -> Memory:
        """The memory after the user changed setting `key` in the app."""
        if key not in REMEMBERED_KEYS:
            raise KeyError(f"the app does not remember `{key}`")
        return replace(self, preferences={**self.preferences, key: value})


def path(folder: Path | None = None) -> Path:
    """Where the memory is kept."""
    return (folder or locations.state_dir()) / FILENAME


def load(folder: Path | None = None, old_folder: Path | None = None) -> Memory:
    """Read the memory; anything wrong gives what can be read, or nothing. Never raises.

    With no memory yet, the file an older oxybreathe kept in the data folder is read instead.
    """
    raw = _read(path(folder))
    if raw is None:
        raw = _read((old_folder or locations.data_dir()) / OLD_FILENAME)
        if raw is not None and "show_streak" in raw:
            raw = {**raw, "streak": raw["show_streak"]}
    if raw is None:
        return Memory()
    preferences = raw.get("preferences", raw)  # the old file kept them at the top
    kept = {}
    if isinstance(preferences, dict):
        for key in REMEMBERED_KEYS:
            value = _valid(key, preferences.get(key))
            if value is not None:
                kept[key] = value
    session = raw.get("session")
    return Memory(
        session if isinstance(session, str) and len(session) <= 255 else None,
        _minutes(raw.get("minutes")),
        kept,
        told=raw.get("told") is True,
    )


def _read(file: Path) -> dict[str, Any] | None:
    """The file's JSON object: a regular file of at most MAX_BYTES, opened without blocking."""
    try:
        handle = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not hang
        try:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                return None
            data = os.read(handle, MAX_BYTES + 1)
        finally:
            os.close(handle)
        if len(data) > MAX_BYTES:
            return None
        raw = json.loads(data)
    except (OSError, ValueError, RecursionError):  # RecursionError: nesting deeper than json goes
        return None
    return raw if isinstance(raw, dict) else None


def _valid(key: str, value: object) -> Any:
    """`value` if it is a valid value of setting `key`, else None."""
    kind = BY_KEY[key].kind
    if isinstance(kind, Flag):
        return value if isinstance(value, bool) else None
    if isinstance(kind, Whole):
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        return value if kind.low <= value <= kind.high else None
    if isinstance(kind, Choice):
        return value if isinstance(value, str) and value in kind.options else None
    assert isinstance(kind, Name)
    return value if isinstance(value, str) and 0 < len(value) <= NAME_MAX_CHARS else None


def _minutes(value: object) -> float | None:
    """A length a session can have (above 0, at most 3 hours), or None.

    True and false are not numbers here; NaN, infinity and a 400-digit integer fail the
    comparison (which, unlike float(), never overflows).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 < value <= SESSION_MAX_SECONDS / 60 else None


def save(memory: Memory, folder: Path | None = None) -> bool:
    """Write the memory atomically; return False (and change nothing) if that fails."""
    import tempfile  # only when saving: not worth its import time at start-up

    target = path(folder)
    temporary = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".remembered-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({**asdict(memory), "preferences": dict(memory.preferences)}, out)
        os.replace(temporary, target)
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return False
    return True
