"""The session history: one SQLite file in the user data folder, never sent anywhere.

One row per session, written when it starts and updated as it runs and when it ends, so a session
stopped early (or a process killed outright) keeps the time actually done. The file is in WAL mode
with a busy timeout, so two running copies of the app both keep their rows. `PRAGMA user_version`
is the schema version; `MIGRATIONS` upgrades any older file, one version at a time.

A file that cannot be used (corrupt, unreadable, or from a newer oxybreathe) is moved aside with
a timestamp and a new one is started; a folder or file that cannot be written means "history is
off this time" (the file is still read, so past sessions show). Either way the caller gets one line
to show, and the session goes ahead.

`Recorder` runs every database call on one background thread, so a front end never waits on disk.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from oxybreathe.core import locations
from oxybreathe.core.checkin import Ratings

if TYPE_CHECKING:  # plans load with a session, not for `oxybreathe history`
    from oxybreathe.core.plan import Plan

try:
    import sqlite3
except ImportError:  # a Python built without SQLite (it happens with source builds)
    sqlite3 = None  # type: ignore[assignment]

T = TypeVar("T")

FILENAME = "history.sqlite3"
BUSY_TIMEOUT_MS = 5000

# Version n is reached by running MIGRATIONS[n - 1] on a file at version n - 1 (0 = empty file).
MIGRATIONS = (
    # 1: one row per session, the columns of the CSV export.
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        session TEXT NOT NULL,
        planned_seconds REAL NOT NULL,
        actual_seconds REAL NOT NULL DEFAULT 0,
        completed INTEGER NOT NULL DEFAULT 0,
        stress_before INTEGER,
        stress_after INTEGER,
        craving_before INTEGER,
        craving_after INTEGER
    );
    """,
    # 2: the session's display name, the closing note shown (for the rotation), the end time.
    """
    ALTER TABLE sessions ADD COLUMN name TEXT;
    ALTER TABLE sessions ADD COLUMN note TEXT;
    ALTER TABLE sessions ADD COLUMN ended_at TEXT;
    CREATE INDEX sessions_by_start ON sessions (started_at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_COLUMNS = (
    "id, started_at, session, name, planned_seconds, actual_seconds, completed, "
    "stress_before, stress_after, craving_before, craving_after, note"
)


class Unusable(Exception):
    """The history file cannot be used as it is; `reason` says why, for one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Busy(Exception):
    """Another copy of the app held the file for longer than the busy timeout."""


@dataclass(frozen=True, slots=True)
class Row:
    """One session as recorded. Ratings are 0-10, or None when skipped."""

    id: int
    started_at: datetime
    session: str
    name: str
    planned_seconds: float
    actual_seconds: float
    completed: bool
    stress_before: int | None = None
    stress_after: int | None = None
    craving_before: int | None = None
    craving_after: int | None = None
    note: str | None = None


def now() -> datetime:
    """The local time with its UTC offset, to the second."""
    return datetime.now().astimezone().replace(microsecond=0)


class Store:
    """An open history file. Use it from one thread only (Recorder does that).

    With `read_only`, the file is only read (it, or its folder, cannot be written): `writable`
    is False, and the past sessions can still be shown.
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.writable = not read_only
        if path.exists() and not path.is_file():
            raise Unusable("it is not a file")
        if read_only:
            self.db = self._open_to_read(path)
            return
        try:
            self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as error:
            raise _classify(error) from None
        try:
            self._prepare()
        except BaseException:
            self.db.close()
            raise

    @staticmethod
    def _open_to_read(path: Path) -> sqlite3.Connection:
        """Open without writing anything, even the WAL index, which needs a writable folder.

        SQLite's read-only mode still opens the file's -shm index; where that cannot be
        created, the file is read as "immutable" (no locks, no index): nothing else can be
        writing it then, since neither could this copy.
        """
        uri = path.resolve().as_uri()
        try:
            return _checked_for_reading(f"{uri}?mode=ro")
        except sqlite3.Error as error:
            if not _cannot_open(error):
                raise _classify(error) from None
        try:
            return _checked_for_reading(f"{uri}?mode=ro&immutable=1")
        except sqlite3.Error as error:
            raise _classify(error) from None

    def _prepare(self) -> None:
        try:
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise Unusable(
                    f"it was written by a newer oxybreathe (schema {version}; "
                    f"this one reads up to {SCHEMA_VERSION})"
                )
            if self.db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise Unusable("it is damaged")
            mode = self.db.execute("PRAGMA journal_mode").fetchone()[0].lower()
            if mode != "wal" and (
                self.db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal"
            ):
                raise Unusable("it cannot be opened in WAL mode")
            self.db.execute("PRAGMA synchronous = NORMAL")  # WAL: safe against crashes, fast
            if version < SCHEMA_VERSION:
                self._migrate()
            else:  # SQLite opens a write-protected file read-only: find out now, not mid-session
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    self.db.execute(f"PRAGMA user_version = {version}")  # a write, undone
                finally:
                    self.db.execute("ROLLBACK")
            self.db.execute(f"SELECT {_COLUMNS} FROM sessions LIMIT 1").fetchall()
        except sqlite3.Error as error:
            if _cannot_open(error) and _is_sqlite_file(self.path):
                # The file is good, but SQLite cannot create its -wal and -shm files beside it:
                # the folder is read-only. Leave the file be.
                raise OSError(_folder_problem(self.path.parent) or _why(error)) from None
            raise _classify(error) from None

    def _migrate(self) -> None:
        """Bring the file up to SCHEMA_VERSION, in one transaction per step.

        Each step re-reads the version inside its write lock, so two copies starting at once
        cannot both run it.
        """
        while True:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                version = self.db.execute("PRAGMA user_version").fetchone()[0]
                if version >= SCHEMA_VERSION:
                    self.db.execute("COMMIT")
                    return
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {version + 1}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()

    # Writing --------------------------------------------------------------------------------

    def begin(
        self,
        session: str,
        name: str,
        planned_seconds: float,
        *,
        started_at: datetime | None = None,
        stress_before: int | None = None,
        craving_before: int | None = None,
    ) -> int:
        """Record a session that has just started (incomplete, nothing done yet); return its id."""
        cursor = self._write(
            "INSERT INTO sessions (started_at, session, name, planned_seconds, actual_seconds, "
            "completed, stress_before, craving_before) VALUES (?, ?, ?, ?, 0, 0, ?, ?)",
            (
                (started_at or now()).isoformat(),
                session,
                name,
                planned_seconds,
                stress_before,
                craving_before,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def progress(self, row: int, actual_seconds: float) -> None:
        """Keep the time done so far (what survives a killed process)."""
        self._write(
            "UPDATE sessions SET actual_seconds = ? WHERE id = ? AND ended_at IS NULL",
            (actual_seconds, row),
        )

    def finish(
        self, row: int, actual_seconds: float, completed: bool, *, ended_at: datetime | None = None
    ) -> None:
        """Record how the session ended."""
        self._write(
            "UPDATE sessions SET actual_seconds = ?, completed = ?, ended_at = ? WHERE id = ?",
            (actual_seconds, int(completed), (ended_at or now()).isoformat(), row),
        )

    def rate_after(self, row: int, stress: int | None, craving: int | None) -> None:
        """Record the after-session ratings."""
        self._write(
            "UPDATE sessions SET stress_after = ?, craving_after = ? WHERE id = ?",
            (stress, craving, row),
        )

    def note_shown(self, row: int, note: str) -> None:
        """Record which closing note was shown after this session."""
        self._write("UPDATE sessions SET note = ? WHERE id = ?", (note, row))

    def _write(self, sql: str, parameters: Sequence[object]) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, parameters)
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise Busy(str(error)) from None
            raise

    # Reading --------------------------------------------------------------------------------

    def rows(self, limit: int | None = None) -> list[Row]:
        """Sessions, oldest first (the most recent `limit` of them, if given)."""
        sql = f"SELECT {_COLUMNS} FROM sessions ORDER BY started_at DESC, id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_row(values) for values in reversed(self.db.execute(sql).fetchall())]

    def shown_notes(self) -> list[str]:
        """The closing notes shown so far, oldest first."""
        cursor = self.db.execute("SELECT note FROM sessions WHERE note IS NOT NULL ORDER BY id")
        return [note for (note,) in cursor.fetchall()]


def _row(values: tuple[Any, ...]) -> Row:
    (row_id, started, session, name, planned, actual, completed, *ratings, note) = values
    stress_before, stress_after, craving_before, craving_after = ratings
    return Row(
        row_id,
        datetime.fromisoformat(started),
        session,
        name or session,
        float(planned),
        float(actual),
        bool(completed),
        stress_before,
        stress_after,
        craving_before,
        craving_after,
        note,
    )


def _classify(error: sqlite3.Error) -> Exception:
    """Sort a failure to open into 'move the file aside' (Unusable) and 'leave it be'."""
    message = str(error)
    if "locked" in message or "busy" in message:
        return Busy(message)
    if "readonly" in message or "read-only" in message:
        return OSError(message)
    if isinstance(error, sqlite3.DatabaseError):
        return Unusable(message)
    return error


def _checked_for_reading(uri: str) -> sqlite3.Connection:
    """A read-only connection to a history file at this version, with its table readable."""
    db = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:  # an older file is upgraded once it can be written
            raise Unusable(f"schema {version}; this oxybreathe reads {SCHEMA_VERSION}")
        db.execute(f"SELECT {_COLUMNS} FROM sessions LIMIT 1").fetchall()
    except BaseException:
        db.close()
        raise
    return db


def _cannot_open(error: sqlite3.Error) -> bool:
    """SQLITE_CANTOPEN: the file, or one of the files SQLite keeps beside it, cannot be opened."""
    return getattr(error, "sqlite_errorcode", 0) & 0xFF == 14 or "unable to open" in str(error)


def _is_sqlite_file(path: Path) -> bool:
    """True when `path` can be read and starts like an SQLite database."""
    try:
        with path.open("rb") as file:
            return file.read(16) == b"SQLite format 3\0"
    except OSError:
        return False


def _folder_problem(folder: Path) -> str | None:
    """Why no file can be created in `folder` (e.g. "read-only file system"), or None."""
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=folder):
            return None
    except OSError as error:
        return _why(error)


# Opening, with the faults handled -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Opened:
    """The result of opening the history: a store (or None: history is off), and a notice."""

    store: Store | None
    notice: str | None = None


def history_path(folder: Path | None = None) -> Path:
    """Where the history file is (or would be)."""
    return (folder or locations.data_dir()) / FILENAME


def open_store(folder: Path | None = None, *, clock: Callable[[], datetime] = now) -> Opened:
    """Open (creating or migrating) the history file; never raises.

    A file that cannot be used is moved aside (with its -wal and -shm files) and replaced.
    """
    path = history_path(folder)
    if sqlite3 is None:
        return Opened(None, _off("this Python was built without its sqlite3 module"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return Opened(None, _off(f"cannot create {path.parent}: {_why(error)}"))
    try:
        return Opened(_open_waiting(path))
    except Busy:
        return Opened(None, _off("another copy of oxybreathe kept the file busy"))
    except Unusable as problem:
        reason = problem.reason
    except OSError as error:  # a read-only file or folder: the file is fine, leave it be
        return _read_only(path, _off(f"cannot write {path}: {_why(error)}"))
    except sqlite3.Error as error:
        if not path.exists():
            return Opened(None, _off(f"cannot write in {path.parent}: {_why(error)}"))
        reason = _why(error)
    stamp = clock().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.unusable-{stamp}")
    try:
        os.replace(path, aside)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
        store = Store(path)
    except (OSError, sqlite3.Error, Unusable, Busy) as error:
        return Opened(None, _off(f"{path} cannot be used ({reason}) or moved ({_why(error)})"))
    return Opened(store, f"The history file could not be used ({reason}); it was moved to {aside}.")


def _read_only(path: Path, notice: str) -> Opened:
    """The file opened to read only, so that past sessions can still be shown; history is off."""
    try:
        return Opened(Store(path, read_only=True), notice)
    except (sqlite3.Error, Unusable, Busy, OSError):  # _classify can answer any of these
        return Opened(None, notice)


def _open_waiting(path: Path) -> Store:
    """Open the store, trying again while another copy holds a lock it will soon let go of.

    SQLite answers "busy" at once, without waiting, in a few cases: two copies creating the
    file or switching it to WAL at the same moment. This runs on the history thread (or in a
    command that reads), never where a screen is drawn.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.01
    while True:
        try:
            return Store(path)
        except Busy:
            if time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


def _off(why: str) -> str:
    return f"History is off this time: {why}."


def _why(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error) or type(error).__name__


# The background writer ----------------------------------------------------------------------


@dataclass(eq=False)
class Ticket:
    """A session being recorded; its row id arrives from the writer thread."""

    row: Future[int | None] = field(default_factory=Future)


class Recorder:
    """Every history call on one background thread, in the order they were made.

    Calls return at once. Reads return a Future. A failure inside the thread turns history off
    for the rest of the run and sets `notice`; it never reaches the caller.
    """

    _STOP = object()

    def __init__(self, folder: Path | None = None) -> None:
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._store: Store | None = None
        self.notice: Future[str | None] = Future()  # from opening the file
        self.late_notice: str | None = None  # set if a later write fails
        self._thread = threading.Thread(
            target=self._work, args=(folder,), name="oxybreathe-history", daemon=True
        )
        self._thread.start()

    def _work(self, folder: Path | None) -> None:
        opened = open_store(folder)
        self._store = opened.store
        self.notice.set_result(opened.notice)
        while (job := self._jobs.get()) is not self._STOP:
            job()
        if self._store is not None:
            self._store.close()

    def _call(self, work: Callable[[Store], T], default: T, *, writes: bool = True) -> Future[T]:
        result: Future[T] = Future()

        def job() -> None:
            if self._store is None or (writes and not self._store.writable):
                result.set_result(default)
                return
            try:
                result.set_result(work(self._store))
            except (sqlite3.Error, Busy, OSError) as error:
                self._store.close()
                self._store = None
                self.late_notice = _off(f"writing the history failed ({_why(error)})")
                result.set_result(default)

        self._jobs.put(job)
        return result

    def begin(
        self,
        session: str,
        name: str,
        planned_seconds: float,
        *,
        stress_before: int | None = None,
        craving_before: int | None = None,
    ) -> Ticket:
        ticket = Ticket()
        started = now()
        found = self._call(
            lambda store: store.begin(
                session,
                name,
                planned_seconds,
                started_at=started,
                stress_before=stress_before,
                craving_before=craving_before,
            ),
            None,
        )
        found.add_done_callback(lambda done: ticket.row.set_result(done.result()))
        return ticket

    def _on_row(self, ticket: Ticket, work: Callable[[Store, int], None]) -> None:
        def job(store: Store) -> None:
            row = ticket.row.result()  # set earlier on this same thread
            if row is not None:
                work(store, row)

        self._call(job, None)

    def progress(self, ticket: Ticket, actual_seconds: float) -> None:
        self._on_row(ticket, lambda store, row: store.progress(row, actual_seconds))

    def finish(self, ticket: Ticket, actual_seconds: float, completed: bool) -> None:
        ended = now()
        self._on_row(
            ticket, lambda store, row: store.finish(row, actual_seconds, completed, ended_at=ended)
        )

    def rate_after(self, ticket: Ticket, stress: int | None, craving: int | None) -> None:
        self._on_row(ticket, lambda store, row: store.rate_after(row, stress, craving))

    def note_shown(self, ticket: Ticket, note: str) -> None:
        self._on_row(ticket, lambda store, row: store.note_shown(row, note))

    def shown_notes(self) -> Future[list[str]]:
        return self._call(lambda store: store.shown_notes(), [], writes=False)

    def rows(self, limit: int | None = None) -> Future[list[Row]]:
        return self._call(lambda store: store.rows(limit), [], writes=False)

    def close(self, timeout: float | None = 5.0) -> bool:
        """Finish the queued writes (waiting at most `timeout` s); True if all were done."""
        self._jobs.put(self._STOP)
        self._thread.join(timeout)
        return not self._thread.is_alive()


class Recording:
    """One session's row, kept the same way by both front ends.

    Begun with the before ratings; the time done saved as it runs; ended, completed or not;
    rated after; and the closing note it showed, which the next sessions' rotation reads.
    """

    def __init__(self, recorder: Recorder, plan: Plan, before: Ratings) -> None:
        self.recorder = recorder
        self.before = before
        self.ended = False
        self._shown = recorder.shown_notes()  # asked now, so it is ready by the closing note
        self._ticket = recorder.begin(
            plan.session.id,
            plan.session.name,
            plan.total,
            stress_before=before.stress,
            craving_before=before.craving,
        )

    def save(self, ran: float) -> None:
        """Keep `ran` seconds done (what survives a killed process)."""
        if not self.ended:
            self.recorder.progress(self._ticket, ran)

    def finish(self, ran: float, completed: bool) -> None:
        """Record the end, once; later calls change nothing."""
        if not self.ended:
            self.ended = True
            self.recorder.finish(self._ticket, ran, completed)

    def rate_after(self, after: Ratings) -> None:
        if after != Ratings():
            self.recorder.rate_after(self._ticket, after.stress, after.craving)

    @property
    def shown_notes(self) -> Future[list[str]]:
        """The closing notes shown before this session, oldest first (asked at its start)."""
        return self._shown

    def note_shown(self, note_id: str) -> None:
        """Keep which closing note this session showed (the rotation reads it back)."""
        self.recorder.note_shown(self._ticket, note_id)
