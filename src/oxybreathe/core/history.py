"""The session history: one SQLite file in the user data folder, never sent anywhere.

One row per session, written when it starts and updated as it runs and when it ends, so a session
stopped early (or a process killed outright) keeps the time actually done. The file is in WAL mode
with a busy timeout, so two running copies of the app both keep their rows. `PRAGMA user_version`
is the schema version; `MIGRATIONS` upgrades any older file, one version at a time.

Faults are sorted by SQLite's result codes, never by message text:
- a file that really is damaged, is not a database, or is from a newer oxybreathe is moved aside
  with a timestamp and a new one is started;
- a folder or file that cannot be written means "history is off this time" (the file is still
  read, so past sessions show);
- a lock held by another program, a full disk or an I/O error leaves the file exactly as it is:
  the Recorder keeps the session's writes and tries again (core/history_pending.py).
Either way the caller gets one line to show, and the session goes ahead. Rows are checked as they
are read (core/history_rows.py): one the reader cannot parse is left out and counted.

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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from oxybreathe.core import history_rows, locations
from oxybreathe.core.checkin import Ratings
from oxybreathe.core.history_faults import (
    SQLITE_CANTOPEN,
    SQLITE_ERROR,
    SQLITE_IOERR,
    SQLITE_READONLY,
    Busy,
    Unavailable,
    Unusable,
    cannot_read,
    classify,
    code_of,
)
from oxybreathe.core.history_pending import RETRY_SECONDS, Pending, Ticket, Write, why
from oxybreathe.core.history_rows import Read, Row, storable

if TYPE_CHECKING:  # plans load with a session, not for `oxybreathe history`
    from oxybreathe.core.plan import Plan

try:
    import sqlite3
except ImportError:  # a Python built without SQLite (it happens with source builds)
    sqlite3 = None  # type: ignore[assignment]

T = TypeVar("T")

FILENAME = "history.sqlite3"
BUSY_TIMEOUT_MS = 5000
LAST_TRY_BUSY_MS = 1000  # the last try as oxybreathe closes waits at most this for a lock
CLOSE_SECONDS = 8.0  # the most `Recorder.close` waits for the writes to finish

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
# The columns to read from a file of each version: one at version 1 that cannot be upgraded
# (it cannot be written) is read as it is, with no name or note yet.
_COLUMNS_BY_VERSION = {
    1: _COLUMNS.replace("name,", "NULL,").replace(", note", ", NULL"),
    SCHEMA_VERSION: _COLUMNS,
}


def now() -> datetime:
    """The local time with its UTC offset, to the second."""
    return datetime.now().astimezone().replace(microsecond=0)


class Store:
    """An open history file. Use it from one thread only (Recorder does that).

    With `read_only`, the file is only read (it, or its folder, cannot be written): `writable`
    is False, and the past sessions can still be shown.
    """

    def __init__(
        self, path: Path, *, read_only: bool = False, busy_ms: int = BUSY_TIMEOUT_MS
    ) -> None:
        self.path = path
        self.writable = not read_only
        if path.exists() and not path.is_file():
            raise Unusable("it is not a file")
        self.columns = _COLUMNS
        if read_only:
            self.db, self.columns = self._open_to_read(path)
            return
        try:
            self.db = sqlite3.connect(path, timeout=busy_ms / 1000, isolation_level=None)
        except sqlite3.Error as error:
            raise classify(error, path) from None
        self.db.text_factory = history_rows.decoded
        try:
            self._prepare(busy_ms)
        except BaseException:
            self.db.close()
            raise

    @staticmethod
    def _open_to_read(path: Path) -> tuple[sqlite3.Connection, str]:
        """Open without writing anything, even the WAL index, which needs a writable folder.

        SQLite's read-only mode still opens the file's -shm index; where that cannot be
        created (a read-only folder, a full disk), the file is read as "immutable" (no locks,
        no index): nothing else can be writing it then, since neither could this copy.
        """
        uri = path.resolve().as_uri()
        try:
            return _checked_for_reading(f"{uri}?mode=ro")
        except sqlite3.Error as error:
            # No -shm: CANTOPEN, or READONLY_DIRECTORY (mode bits), or IOERR (no room for it).
            if code_of(error) not in (SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_IOERR):
                raise classify(error, path) from None
        try:
            return _checked_for_reading(f"{uri}?mode=ro&immutable=1")
        except sqlite3.Error as error:
            raise classify(error, path) from None

    def _prepare(self, busy_ms: int) -> None:
        try:
            self.db.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
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
                raise Unavailable("it cannot be opened in WAL mode")
            self.db.execute("PRAGMA synchronous = NORMAL")  # WAL: safe against crashes, fast
            if version < SCHEMA_VERSION:
                _not_ours(self._migrate, "it cannot be upgraded")
            else:  # SQLite opens a write-protected file read-only: find out now, not mid-session
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    self.db.execute(f"PRAGMA user_version = {version}")  # a write, undone
                finally:
                    self._roll_back()
            _not_ours(self._check_table, "it has no sessions table that oxybreathe can read")
        except sqlite3.Error as error:
            raise classify(error, self.path) from None

    def _check_table(self) -> None:
        self.db.execute(f"SELECT {_COLUMNS} FROM sessions LIMIT 1").fetchall()

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
                self._roll_back()
                raise

    def _roll_back(self) -> None:
        """End the transaction, unless SQLite already has (it does after a full disk or an
        I/O error): a second ROLLBACK would fail, and hide the error that matters."""
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

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
        """Run one write; text is made storable first (a Latin-1 file name still records)."""
        values = [storable(value) if isinstance(value, str) else value for value in parameters]
        return self.db.execute(sql, values)

    # Reading --------------------------------------------------------------------------------

    def read(self, limit: int | None = None) -> Read:
        """Sessions, oldest first (the most recent `limit` of them, if given); never raises.

        A row that does not hold what oxybreathe writes is left out and counted.
        """
        sql = f"SELECT {self.columns} FROM sessions ORDER BY started_at DESC, id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        try:
            found = self.db.execute(sql).fetchall()
        except (sqlite3.Error, MemoryError) as error:
            return Read(problem=f"The history could not be read ({why(error)}).")
        rows, unreadable = [], 0
        for values in reversed(found):
            try:
                rows.append(history_rows.parse(values))
            except history_rows.Unreadable:
                unreadable += 1
        return Read(rows, unreadable)

    def rows(self, limit: int | None = None) -> list[Row]:
        """The rows `read` could read."""
        return self.read(limit).rows

    def shown_notes(self) -> list[str]:
        """The closing notes shown so far, oldest first."""
        cursor = self.db.execute("SELECT note FROM sessions WHERE note IS NOT NULL ORDER BY id")
        return [note for (note,) in cursor.fetchall() if isinstance(note, str)]


def _not_ours(step: Callable[[], None], reason: str) -> None:
    """Run a step that reads or changes the table; an SQL error there (SQLITE_ERROR: no such
    table, no such column) means the file is a database, but not a history oxybreathe wrote."""
    try:
        step()
    except sqlite3.Error as error:
        if code_of(error) == SQLITE_ERROR:
            raise Unusable(f"{reason}: {why(error)}") from None
        raise


def _checked_for_reading(uri: str) -> tuple[sqlite3.Connection, str]:
    """A read-only connection to a history file, with its table readable, and the columns to
    select from it (an older file is upgraded once it can be written)."""
    db = sqlite3.connect(uri, uri=True, isolation_level=None)
    db.text_factory = history_rows.decoded
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version not in _COLUMNS_BY_VERSION:
            raise Unusable(f"schema {version}; this oxybreathe reads {SCHEMA_VERSION}")
        columns = _COLUMNS_BY_VERSION[version]
        db.execute(f"SELECT {columns} FROM sessions LIMIT 1").fetchall()
    except BaseException:
        db.close()
        raise
    return db, columns


# Opening, with the faults handled -----------------------------------------------------------


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


# The background writer ----------------------------------------------------------------------


class Recorder:
    """Every history call on one background thread, in the order they were made.

    Calls return at once; reads return a Future. Nothing that goes wrong on the thread reaches
    the caller or stops the thread. A write that fails is kept and tried again
    (core/history_pending.py). Each turn of events is one line for `on_notice`, called on the
    history thread: the opening notice (also `notice`), a write that failed, the history saved
    again. After `close`, `late_notice` names what could not be saved, if anything.
    """

    _STOP = object()

    def __init__(
        self,
        folder: Path | None = None,
        *,
        on_notice: Callable[[str], None] | None = None,
        retry_seconds: Sequence[float] = RETRY_SECONDS,
        busy_ms: int = BUSY_TIMEOUT_MS,
    ) -> None:
        self._folder = folder
        self._busy_ms = busy_ms
        self._on_notice = on_notice
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._store: Store | None = None
        self._retry: str | None = None  # why the store cannot be written now, if that may pass
        self._last_word: str | None = None  # said by close(): the history saved at the last try
        self._pending = Pending(retry_seconds)
        self._closed: bool | None = None
        self.notice: Future[str | None] = Future()  # from opening the file
        self.late_notice: str | None = None  # after close: what could not be saved
        self._thread = threading.Thread(target=self._work, name="oxybreathe-history", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        notice = self._open()
        if notice and self._retry is not None:
            notice += " Sessions are kept, and saved as soon as it can be written."
            self._pending.failed(self._retry)  # the writes wait, and the timer starts
        self._say(notice)  # before `notice` is set: whoever waits for it finds the line said
        self.notice.set_result(notice)
        while True:
            try:
                job = self._jobs.get(timeout=self._pending.wait())
            except queue.Empty:  # the pause after a failed write is over
                job = self._flush
            if job is self._STOP:
                break
            self._safely(job)
        self._safely(lambda: self._flush(last=True))
        if self._store is not None:
            self._store.close()

    def _safely(self, job: Callable[[], None]) -> None:
        try:
            job()
        except Exception as error:  # each job guards its own work; this is the last guard
            self._say(f"The history met an error ({why(error)}); it carries on.")

    def _open(self, busy_ms: int | None = None) -> str | None:
        busy_ms = self._busy_ms if busy_ms is None else busy_ms
        try:
            opened = open_store(self._folder, busy_ms=busy_ms)
        except Exception as error:  # open_store handles every fault it knows of; not this one
            problem = why(error)
            opened = Opened(None, f"The history cannot be written just now: {problem}.", problem)
        if self._store is not None:
            self._store.close()
        self._store, self._retry = opened.store, opened.retry
        return opened.notice

    def _say(self, line: str | None) -> None:
        if line and self._on_notice is not None:
            # A front end that cannot show the line must not stop the history.
            with contextlib.suppress(Exception):
                self._on_notice(line)

    def _flush(self, *, last: bool = False) -> None:
        """Try the waiting writes (opening the file first, if it could not be written)."""
        if self._store is None or not self._store.writable:
            if not self._retry:
                return
            notice = self._open(min(LAST_TRY_BUSY_MS, self._busy_ms) if last else None)
            if self._store is None or not self._store.writable:
                line = self._pending.failed(self._retry or notice or "it cannot be opened")
                if not last:
                    self._say(line)
                return
            if notice:
                self._say(notice)
        elif last:
            with contextlib.suppress(sqlite3.Error):
                busy_ms = min(LAST_TRY_BUSY_MS, self._busy_ms)
                self._store.db.execute(f"PRAGMA busy_timeout = {busy_ms}")
        line = self._pending.flush(self._store)
        if last:
            self._last_word = line  # "saved again": said by close(), once the app is closing
        else:
            self._say(line)

    def _write(self, ticket: Ticket, work: Callable[[Store], None]) -> None:
        write = Write(ticket, work)
        self._pending.expect(ticket)

        def job() -> None:
            writable = self._store is not None and self._store.writable
            if not writable and not self._retry:
                self._pending.forget(write)  # history is off, and the opening notice said so
                return
            self._pending.add(write)
            if writable and self._pending.may_write_now():
                self._flush()

        self._jobs.put(job)

    def _read(self, work: Callable[[Store], T], fallback: Callable[[str | None], T]) -> Future[T]:
        result: Future[T] = Future()

        def job() -> None:
            if not result.set_running_or_notify_cancel():
                return  # the caller gave up on it (a history screen closed while it read)
            if self._store is None:
                value = fallback(None)
            else:
                try:
                    value = work(self._store)
                except Exception as error:
                    value = fallback(why(error))
            result.set_result(value)  # the Future reports a done-callback that raises

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
        started = now()
        ticket = Ticket(storable(name), started)

        def work(store: Store) -> None:
            ticket.row = store.begin(
                session,
                name,
                planned_seconds,
                started_at=started,
                stress_before=stress_before,
                craving_before=craving_before,
            )

        self._write(ticket, work)
        return ticket

    def _on_row(self, ticket: Ticket, work: Callable[[Store, int], None]) -> None:
        def job(store: Store) -> None:
            if ticket.row is not None:  # its start was saved first: the writes keep their order
                work(store, ticket.row)

        self._write(ticket, job)

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
        return self._read(lambda store: store.shown_notes(), lambda _problem: [])

    def read(self, limit: int | None = None) -> Future[Read]:
        """The history as `Store.read` gives it; `problem` says why, if it cannot be read."""

        def fallback(problem: str | None) -> Read:
            if problem is None and not self._retry:
                return Read()  # history is off: there is nothing to read
            return Read(problem=f"The history cannot be read just now ({problem or self._retry}).")

        return self._read(lambda store: store.read(limit), fallback)

    def rows(self, limit: int | None = None) -> Future[list[Row]]:
        """The rows `read` could read."""
        return self._read(lambda store: store.rows(limit), lambda _problem: [])

    def close(self, timeout: float | None = CLOSE_SECONDS) -> bool:
        """Finish the writes, with one last try for any that failed (waiting at most `timeout`
        s); True if the history thread finished. `late_notice` then names what was not saved."""
        if self._closed is None:
            self._jobs.put(self._STOP)
            self._thread.join(timeout)
            self._closed = not self._thread.is_alive()
            self.late_notice = self._pending.lost(finished=self._closed) or self._last_word
        return self._closed


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
