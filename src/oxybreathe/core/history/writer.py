"""The background writer: every history call on one thread, so a front end never waits on disk."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from oxybreathe.core.history.faults import sqlite3, why
from oxybreathe.core.history.opening import Opened, open_store
from oxybreathe.core.history.pending import RETRY_SECONDS, Pending, Ticket, Write
from oxybreathe.core.history.rows import Read, Row, storable
from oxybreathe.core.history.store import BUSY_TIMEOUT_MS, Store, now

T = TypeVar("T")

LAST_TRY_BUSY_MS = 1000  # the last try as oxybreathe closes waits at most this for a lock
CLOSE_SECONDS = 8.0  # the most `Recorder.close` waits for the writes to finish


class Recorder:
    """Every history call on one background thread, in the order they were made.

    Calls return at once; reads return a Future. Nothing that goes wrong on the thread reaches
    the caller or stops the thread. A write that fails is kept and tried again
    (history/pending.py). Each turn of events is one line for `on_notice`, called on the
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

    def rate_during(self, ticket: Ticket, ratings: str) -> None:
        self._on_row(ticket, lambda store, row: store.rate_during(row, ratings))

    def journal(self, ticket: Ticket, text: str) -> None:
        self._on_row(ticket, lambda store, row: store.journal(row, text))

    def shown_notes(self) -> Future[list[str]]:
        return self._read(lambda store: store.shown_notes(), lambda _problem: [])

    def read(self, limit: int | None = None) -> Future[Read]:
        """The history as `Store.read` gives it; `problem` says why, if it cannot be read."""

        def fallback(problem: str | None) -> Read:
            if problem is None and not self._retry:
                return Read()  # history is off: there is nothing to read
            return Read(problem=f"The history cannot be read just now ({problem or self._retry}).")

        return self._read(lambda store: store.read(limit), fallback)

    def delete(self, row: int) -> Future[str | None]:
        """Remove one session's row (the user asked, and confirmed): None once it is gone, or
        the one line that says why it could not be."""

        def work(store: Store) -> str | None:
            if not store.writable:
                return "The history cannot be changed just now (it is read-only)."
            if not store.delete(row):
                return "That session is no longer in the history."
            return None

        return self._read(
            work,
            lambda problem: f"The session could not be deleted ({problem or 'no history'}).",
        )

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
