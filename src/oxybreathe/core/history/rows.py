"""History rows as read back from the file: every value checked before it is believed.

The file is the user's: another program, a hand edit or a damaged disk can leave any value in
any column. A row that does not hold what oxybreathe wrote is left out and counted, so the rest
of the history is still shown and the user is told how many were not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MAX_SECONDS = 1_000_000.0  # no session lasts 11 days: a larger figure is not one we wrote
JOURNAL_READ_MAX = 2000  # characters of a journal line read back (we write at most 280)
_SURROGATES = str.maketrans({code: "\ufffd" for code in range(0xD800, 0xE000)})


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
    journal: str | None = None  # what the user wrote after it, as stored (clean it to show it)
    craving_during: tuple[tuple[int, int], ...] = ()  # (seconds in, rating), asked during it


@dataclass(frozen=True, slots=True)
class Read:
    """What reading the history gave: the rows that could be read, how many could not, and
    why nothing could be read at all (`problem`), if that was so."""

    rows: list[Row] = field(default_factory=list)
    unreadable: int = 0
    problem: str | None = None

    def notices(self) -> list[str]:
        """One line for each thing the user should know about this read (or none)."""
        lines = [] if self.problem is None else [self.problem]
        if self.unreadable:
            rows = "row" if self.unreadable == 1 else "rows"
            lines.append(
                f"{self.unreadable} {rows} of the history could not be read and "
                f"{'is' if self.unreadable == 1 else 'are'} left out."
            )
        return lines


class Unreadable(ValueError):
    """A row that does not hold what oxybreathe writes."""


def storable(text: str) -> str:
    """`text` as SQLite can store it: a lone surrogate (a file name in another encoding, read
    with Python's surrogateescape) becomes U+FFFD, so the rest of the text is kept."""
    return text.translate(_SURROGATES)


def decoded(data: bytes) -> str:
    """Text read from the file; bytes that are not UTF-8 become U+FFFD instead of an error."""
    return data.decode("utf-8", "replace")


def parse(values: tuple[Any, ...]) -> Row:
    """A Row from the columns of history._COLUMNS, or Unreadable."""
    (row_id, started, session, name, planned, actual, completed, *rest) = values
    *ratings, note, journal, during = rest
    if not isinstance(session, str) or not (name is None or isinstance(name, str)):
        raise Unreadable("the session's id or name is not text")
    if completed not in (0, 1) or isinstance(completed, float):
        raise Unreadable(f"completed is {completed!r}")
    stress_before, stress_after, craving_before, craving_after = (
        _rating(value) for value in ratings
    )
    return Row(
        _whole(row_id),
        _moment(started),
        session,
        name or session,
        _seconds(planned),
        _seconds(actual),
        bool(completed),
        stress_before,
        stress_after,
        craving_before,
        craving_after,
        note if isinstance(note, str) else None,  # only the note rotation reads it
        _journal(journal),
        during_ratings(during),
    )


def _journal(value: object) -> str | None:
    """The user's line, bounded (a hand edit may have put a book there); not text is none."""
    if not isinstance(value, str) or not value:
        return None
    return value[:JOURNAL_READ_MAX]


def during_ratings(value: object) -> tuple[tuple[int, int], ...]:
    """("180:6 360:3" ->) ((180, 6), (360, 3)); what is not that, or past 200 entries, is left
    out (only this column: the rest of the row is still good)."""
    if not isinstance(value, str):
        return ()
    found = []
    for part in value.split()[:200]:
        seconds, _, rating = part.partition(":")
        digits = seconds.isascii() and seconds.isdigit() and rating.isascii() and rating.isdigit()
        if digits and int(seconds) <= MAX_SECONDS and 0 <= int(rating) <= 10:
            found.append((int(seconds), int(rating)))
    return tuple(found)


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unreadable(f"{value!r} is not a whole number")
    return value


def _moment(value: object) -> datetime:
    """An ISO 8601 time that can be shown in local time (so not at the ends of time)."""
    if not isinstance(value, str) or len(value) > 64:
        raise Unreadable("started_at is not a time")
    try:
        moment = datetime.fromisoformat(value)
        local = moment.astimezone()  # what every figure and the table do with it
    except (ValueError, OverflowError, OSError):
        raise Unreadable(f"started_at {value!r} is not a time") from None
    return moment if moment.tzinfo is not None else local  # no offset: it was local time


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unreadable(f"{value!r} is not a number of seconds")
    seconds = float(value)
    if not (math.isfinite(seconds) and 0 <= seconds <= MAX_SECONDS):
        raise Unreadable(f"{value!r} is not a number of seconds")
    return seconds


def _rating(value: object) -> int | None:
    if value is None:
        return None
    rating = _whole(value)
    if not 0 <= rating <= 10:
        raise Unreadable(f"{value!r} is not a rating from 0 to 10")
    return rating
