"""The history file itself: its schema, its migrations, and reading and writing rows.

One row per session, written when it starts and updated as it runs and when it ends. The file is
in WAL mode with a busy timeout, so two running copies of the app both keep their rows. `PRAGMA
user_version` is the schema version; `MIGRATIONS` upgrades any older file, one version at a time.
Use a Store from one thread only (the writer does that).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from oxybreathe.core.history.faults import (
    SQLITE_CANTOPEN,
    SQLITE_ERROR,
    SQLITE_IOERR,
    SQLITE_READONLY,
    Unavailable,
    Unusable,
    classify,
    code_of,
    sqlite3,
    why,
)
from oxybreathe.core.history.rows import Read, Row, Unreadable, decoded, parse, storable

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
    # 3: the line the user wrote after the session ("Anything to note?").
    """
    ALTER TABLE sessions ADD COLUMN journal TEXT;
    """,
    # 4: the craving ratings asked during an open-ended session, "seconds:rating" apart.
    """
    ALTER TABLE sessions ADD COLUMN craving_during TEXT;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_COLUMNS = (
    "id, started_at, session, name, planned_seconds, actual_seconds, completed, "
    "stress_before, stress_after, craving_before, craving_after, note, journal, craving_during"
)
# The columns to read from a file of each version: an older one that cannot be upgraded (it
# cannot be written) is read as it is, without the columns later versions added.
_COLUMNS_BY_VERSION = {
    1: _COLUMNS.replace("name,", "NULL,").replace(
        ", note, journal, craving_during", ", NULL, NULL, NULL"
    ),
    2: _COLUMNS.replace(", journal, craving_during", ", NULL, NULL"),
    3: _COLUMNS.replace(", craving_during", ", NULL"),
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
        self.db.text_factory = decoded
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

    def journal(self, row: int, text: str) -> None:
        """Record the line the user wrote after this session."""
        self._write("UPDATE sessions SET journal = ? WHERE id = ?", (text, row))

    def rate_during(self, row: int, ratings: str) -> None:
        """Record the craving ratings asked so far during the session ("180:6 360:3")."""
        self._write("UPDATE sessions SET craving_during = ? WHERE id = ?", (ratings, row))

    def delete(self, row: int) -> bool:
        """Remove one session's row for good; True if there was such a row."""
        return self._write("DELETE FROM sessions WHERE id = ?", (row,)).rowcount == 1

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
                rows.append(parse(values))
            except Unreadable:
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
    db.text_factory = decoded
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
