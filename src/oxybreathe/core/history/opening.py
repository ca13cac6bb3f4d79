"""Opening the history file, with every fault handled: never raises, always one line.

Faults are sorted by SQLite's result codes (faults.py), never by message text:
- a file that really is damaged, is not a database, or is from a newer oxybreathe is moved aside
  with a timestamp and a new one is started;
- a folder or file that cannot be written means "history is off this time" (the file is still
  read, so past sessions show);
- a lock held by another program, a full disk or an I/O error leaves the file exactly as it is:
  the writer keeps the session's writes and tries again (pending.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from oxybreathe.core import locations
from oxybreathe.core.history.faults import (
    Busy,
    Unavailable,
    Unusable,
    cannot_read,
    sqlite3,
    why,
)
from oxybreathe.core.history.store import BUSY_TIMEOUT_MS, FILENAME, Store, now


@dataclass(frozen=True, slots=True)
class Opened:
    """The result of opening the history: a store (or None: history is off), and a notice.

    `retry` says why the file cannot be written, when that may pass (a lock, a full disk): the
    Recorder tries again, and `store` is the file opened to read, if it could be.
    """

    store: Store | None
    notice: str | None = None
    retry: str | None = None


def history_path(folder: Path | None = None) -> Path:
    """Where the history file is (or would be)."""
    return (folder or locations.data_dir()) / FILENAME


def open_store(
    folder: Path | None = None,
    *,
    clock: Callable[[], datetime] = now,
    busy_ms: int = BUSY_TIMEOUT_MS,
) -> Opened:
    """Open (creating or migrating) the history file; never raises.

    A damaged file, or one that is not a database, is moved aside (with its -wal and -shm files)
    and replaced. Nothing else moves it.
    """
    path = history_path(folder)
    if sqlite3 is None:
        return Opened(None, _off("this Python was built without its sqlite3 module"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return Opened(None, _off(f"cannot create {path.parent}: {why(error)}"))
    try:
        return Opened(_open_waiting(path, busy_ms))
    except Busy as error:
        return _not_now(path, "another program is holding the history file", str(error))
    except Unavailable as error:
        return _not_now(path, str(error))
    except Unusable as problem:
        reason = problem.reason
    except OSError as error:  # a read-only file or folder: the file is fine, leave it be
        return _read_only(path, _off(f"cannot write {path}: {why(error)}"))
    except Exception as error:  # anything else: leave the file be, and say so
        return _not_now(path, why(error))
    aside = _aside(path, clock().strftime("%Y%m%d-%H%M%S"))
    try:
        os.replace(path, aside)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
        store = Store(path, busy_ms=busy_ms)
    except (OSError, sqlite3.Error, Unusable, Busy, Unavailable) as error:
        return Opened(None, _off(f"{path} cannot be used ({reason}) or moved ({why(error)})"))
    return Opened(store, f"The history file could not be used ({reason}); it was moved to {aside}.")


def _aside(path: Path, stamp: str) -> Path:
    """A name to move `path` to that nothing has yet (two moved in one second keep both)."""
    aside = path.with_name(f"{path.name}.unusable-{stamp}")
    count = 1
    while any(aside.with_name(aside.name + end).exists() for end in ("", "-wal", "-shm")):
        count += 1
        aside = path.with_name(f"{path.name}.unusable-{stamp}-{count}")
    return aside


def _read_only(path: Path, notice: str, retry: str | None = None) -> Opened:
    """The file opened to read only, so that past sessions can still be shown."""
    try:
        return Opened(Store(path, read_only=True), notice, retry)
    except (sqlite3.Error, Unusable, Busy, Unavailable, OSError):  # what classify can answer
        if unreadable := cannot_read(path):
            notice = _off(f"cannot read {path}: {unreadable}")
        return Opened(None, notice, retry)


def _open_waiting(path: Path, busy_ms: int) -> Store:
    """Open the store, trying again while another copy holds a lock it will soon let go of.

    SQLite answers "busy" at once, without waiting, in a few cases: two copies creating the
    file or switching it to WAL at the same moment. This runs on the history thread (or in a
    command that reads), never where a screen is drawn.
    """
    deadline = time.monotonic() + busy_ms / 1000
    pause = 0.01
    while True:
        try:
            return Store(path, busy_ms=busy_ms)
        except Busy:
            if time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


def _off(reason: str) -> str:
    return f"History is off this time: {reason}."


def _not_now(path: Path, reason: str, detail: str | None = None) -> Opened:
    """The file cannot be written for a `reason` that may pass: read it, and try again later."""
    said = f"{reason} ({detail})" if detail else reason
    return _read_only(path, f"The history cannot be written just now ({path}): {said}.", reason)
