"""Why the history file cannot be opened, sorted by SQLite's result codes (never by message).

Only a file that really is damaged, or is not a database, may be moved aside (Unusable). A lock
is Busy; a file or folder that cannot be written is an OSError (history is off, the file is
still read); anything else (a full disk, an I/O error, no memory) is Unavailable: the file is
left as it is, and the Recorder tries again later.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# The one import of sqlite3 for the whole history: a Python built without it (it happens with
# source builds) still imports every module here, and history is simply off.
try:
    import sqlite3 as sqlite3  # re-exported: the other history modules take it from here
except ImportError:  # a Python built without SQLite (it happens with source builds)
    sqlite3 = None  # type: ignore[assignment]


class Unusable(Exception):
    """The history file cannot be used as it is; `reason` says why, for one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Busy(Exception):
    """Another program held the file for longer than the busy timeout."""


class Unavailable(Exception):
    """The file is fine but cannot be written just now (a full disk, an I/O error): try later."""


# SQLite's primary result codes (the low byte of `sqlite_errorcode`).
SQLITE_ERROR = 1
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26


def code_of(error: BaseException) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def classify(error: sqlite3.Error, path: Path) -> Exception:
    """The exception a failure to open `path` means, by its result code (see above)."""
    code = code_of(error)
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return Busy(why(error))
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return Unusable(why(error))
    if code in (SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM):
        return OSError(_cannot_write(path) or why(error))
    if code in (SQLITE_FULL, SQLITE_IOERR) and _disk_full(path.parent):
        return Unavailable("the disk is full")  # SQLite may only say "disk I/O error"
    return Unavailable(why(error))


def _disk_full(folder: Path) -> bool:
    """Too little room left in `folder` for SQLite's -wal and -shm files."""
    try:
        return shutil.disk_usage(folder).free < 64 * 1024
    except OSError:
        return False


def _cannot_write(path: Path) -> str | None:
    """Why `path`, or a file beside it (-wal, -shm), cannot be opened to write, or None."""
    try:
        os.close(os.open(path, os.O_RDWR))
    except FileNotFoundError:
        pass
    except OSError as error:
        return why(error)
    return _folder_problem(path.parent)


def _folder_problem(folder: Path) -> str | None:
    """Why no file can be created in `folder` (e.g. "read-only file system"), or None."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return None
    except OSError as error:
        return why(error)


def cannot_read(path: Path) -> str | None:
    """Why the file at `path` cannot be opened to read (None if it can, or is not there)."""
    try:
        os.close(os.open(path, os.O_RDONLY))
    except FileNotFoundError:
        return None
    except OSError as error:
        return why(error)
    return None


def why(error: BaseException) -> str:
    """A failure, short and lower case, for one line."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error).splitlines()[0] if str(error) else type(error).__name__
