"""Writes that have not reached the history file yet: kept in order, tried again, never dropped
without a word.

A write that fails (a full disk, a lock another program holds, any error at all) waits here with
every write after it, in order, and the history thread tries again after a pause that grows
(RETRY_SECONDS). One failing session does not hold up another: a write that fails for a reason
of its own holds back only the later writes of its own session. When oxybreathe closes, what is
still waiting gets one last try, and what is left is named in one line (`lost`).

Only the history thread adds, runs and removes writes; `expect` and `lost` may be called from any
thread (the count of unsaved writes is kept under a lock).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from oxybreathe.core.history.faults import why

if TYPE_CHECKING:
    from oxybreathe.core.history.store import Store

RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)  # the pauses before each new try; then the last

# SQLite result codes (the low byte of sqlite_errorcode) that say one write was wrong, not the
# file or the disk: SQLITE_TOOBIG, SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_RANGE.
_OWN_FAULT_CODES = frozenset({18, 19, 20, 25})


@dataclass(eq=False)
class Ticket:
    """A session being recorded. `row` is its id in the file, once its start has been saved."""

    name: str
    started: datetime
    row: int | None = None
    unsaved: int = 0  # its writes not in the file yet (changed under Pending's lock)

    def what(self) -> str:
        """The session, as the line naming what was not saved says it."""
        when = f"{self.name} (started {self.started.strftime('%H:%M')})"
        return when if self.row is None else f"the end of {when}"


@dataclass(eq=False)
class Write:
    """One write for one session's row."""

    ticket: Ticket
    run: Callable[[Store], None]


def only_this_write(error: BaseException) -> bool:
    """True when `error` is a fault of one write (a value SQLite refused, a bug), not of the
    file, the disk or a lock: the other sessions' writes can go ahead."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _OWN_FAULT_CODES
    return not isinstance(error, OSError)


class Pending:
    """The writes waiting for the file, oldest first, and when to try them next."""

    def __init__(
        self,
        retry_seconds: Sequence[float] = RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._writes: list[Write] = []
        self._tickets: list[Ticket] = []
        self._lock = threading.Lock()
        self._retry_seconds = tuple(retry_seconds)
        self._clock = clock
        self._tries = 0  # failed tries in a row
        self._next_try = 0.0
        self._whole_file = False  # the last try failed for all writes (a lock, a full disk)
        self.failing: str | None = None  # why the last try failed; None once all is saved

    # Any thread ------------------------------------------------------------------------------

    def expect(self, ticket: Ticket) -> None:
        """Count one more write for `ticket`, before it is queued."""
        with self._lock:
            if ticket not in self._tickets:
                self._tickets.append(ticket)
            ticket.unsaved += 1

    def lost(self, *, finished: bool) -> str | None:
        """One line naming every session with a write not saved, or None when all were.

        `finished` is False when the history thread was still at work as oxybreathe closed.
        """
        with self._lock:
            unsaved = [ticket for ticket in self._tickets if ticket.unsaved]
            reason = self.failing or (
                None if finished else "it was still being written when oxybreathe closed"
            )
            if not unsaved:
                return None
            what = "; ".join(ticket.what() for ticket in unsaved)
        return f"The history could not be saved ({reason}), so this is not kept: {what}."

    # The history thread ----------------------------------------------------------------------

    def add(self, write: Write) -> None:
        self._writes.append(write)

    def forget(self, write: Write) -> None:
        """A write that will never be kept: history is off, and the user was told so."""
        with self._lock:
            write.ticket.unsaved -= 1

    def may_write_now(self) -> bool:
        """False while the file itself is failing: new writes then wait for the next try."""
        return self.failing is None or not self._whole_file

    def wait(self) -> float | None:
        """Seconds until the next try, or None when nothing is waiting for one."""
        if self.failing is None or not self._writes:
            return None
        return max(0.0, self._next_try - self._clock())

    def flush(self, store: Store) -> str | None:
        """Run the waiting writes in order; return a line to say, if something changed.

        A failure of the file stops the run (the rest stay, in order); a failure of one write
        holds back only the rest of its session's writes.
        """
        held: set[Ticket] = set()
        problem: BaseException | None = None
        self._whole_file = False
        index = 0
        while index < len(self._writes):
            write = self._writes[index]
            if write.ticket in held:
                index += 1
                continue
            try:
                write.run(store)
            except Exception as error:  # nothing that fails here may stop the history thread
                problem = error
                if not only_this_write(error):
                    self._whole_file = True
                    break
                held.add(write.ticket)
                index += 1
                continue
            del self._writes[index]
            with self._lock:
                write.ticket.unsaved -= 1
        if problem is not None:
            return self.failed(why(problem), whole_file=self._whole_file)
        if self.failing is not None and not self._writes:
            self.failing = None
            self._tries = 0
            return "The history is saved now; nothing was lost."
        return None

    def failed(self, reason: str, *, whole_file: bool = True) -> str | None:
        """A try failed for `reason`; the line to say when this starts a run of failures."""
        first = self.failing is None
        self._whole_file = whole_file
        with self._lock:
            self.failing = reason
        pause = self._retry_seconds[min(self._tries, len(self._retry_seconds) - 1)]
        self._tries += 1
        self._next_try = self._clock() + pause
        if first:
            return (
                f"The history could not be saved ({reason}); "
                "it will be tried again while oxybreathe runs."
            )
        return None
