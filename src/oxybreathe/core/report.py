"""Figures from the history: totals, the streak, the CSV export and the `history` report.

All pure: rows in, numbers and text out.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TextIO

from oxybreathe.core.history.rows import Row
from oxybreathe.core.safe_text import shorten
from oxybreathe.core.wording import count, time_spent

CSV_HEADER = (
    "started_at",
    "session",
    "planned_seconds",
    "actual_seconds",
    "completed",
    "stress_before",
    "stress_after",
    "craving_before",
    "craving_after",
    # Added at the end, so that older readers of the export keep working (docs/history.md).
    "journal",
    "craving_during",
)


# Figures ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Summary:
    """The totals shown above the history table."""

    sessions: int
    minutes_total: float
    minutes_this_week: float
    stress_change: float | None  # the average of (after - before), where both were given
    craving_change: float | None
    stress_pairs: int  # the sessions with both a before and an after stress rating
    craving_pairs: int
    streak_days: int
    not_counted: int = 0  # sessions under COUNT_MIN_SECONDS: listed, but in no figure


# A session under a minute (a 0-second stop, a start by mistake) is listed, but counts towards
# no total, no average and no streak: it would make the figures say more than happened.
COUNT_MIN_SECONDS = 60


def counted(rows: Iterable[Row]) -> list[Row]:
    """The sessions the figures count: those of a minute or more."""
    return [row for row in rows if row.actual_seconds >= COUNT_MIN_SECONDS]


def summarize(rows: Iterable[Row], today: date | None = None) -> Summary:
    """Totals over the sessions of a minute or more in `rows` (the rest are only counted as
    `not_counted`); 'this week' starts on Monday, and days are local days."""
    every = list(rows)
    rows = counted(every)
    today = today or date.today()
    monday = today - timedelta(days=today.weekday())
    week = sum(row.actual_seconds for row in rows if monday <= local_day(row) <= today)
    stress = rating_changes((r.stress_before, r.stress_after) for r in rows)
    craving = rating_changes((r.craving_before, r.craving_after) for r in rows)
    return Summary(
        len(rows),
        sum(row.actual_seconds for row in rows) / 60,
        week / 60,
        sum(stress) / len(stress) if stress else None,
        sum(craving) / len(craving) if craving else None,
        len(stress),
        len(craving),
        streak(rows, today),
        len(every) - len(rows),
    )


def rating_changes(pairs: Iterable[tuple[int | None, int | None]]) -> list[int]:
    """after - before, for each pair where both ratings were given."""
    return [after - before for before, after in pairs if before is not None and after is not None]


def rated(rows: Iterable[Row]) -> list[Row]:
    """The sessions with at least one before-and-after pair of ratings."""
    return [
        r
        for r in rows
        if rating_changes([(r.stress_before, r.stress_after), (r.craving_before, r.craving_after)])
    ]


def local_day(row: Row) -> date:
    return row.started_at.astimezone().date()


STREAK_MIN_SECONDS = COUNT_MIN_SECONDS  # a day counts towards the streak with such a session


def streak(rows: Iterable[Row], today: date) -> int:
    """Days in a row, up to today, with a session of at least a minute.

    A streak that ended yesterday still stands (today is not over yet).
    """
    days = {local_day(row) for row in rows if row.actual_seconds >= STREAK_MIN_SECONDS}
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def write_csv(rows: Iterable[Row], out: TextIO) -> None:
    """Every row as CSV, with CSV_HEADER; seconds are whole, completed is 1 or 0."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            (
                row.started_at.isoformat(),
                _cell(row.session),
                round(row.planned_seconds),
                round(row.actual_seconds),
                int(row.completed),
                *("" if value is None else value for value in _ratings(row)),
                _cell(row.journal or ""),
                " ".join(f"{seconds}:{rating}" for seconds, rating in row.craving_during),
            )
        )


def _ratings(row: Row) -> tuple[int | None, ...]:
    return (row.stress_before, row.stress_after, row.craving_before, row.craving_after)


def _cell(text: str) -> str:
    """Text for a spreadsheet cell: no control characters, and never read as a formula."""
    text = "".join(ch for ch in text if ch.isprintable())
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# The report `oxybreathe history` prints -------------------------------------------------------


def rating_change(before: int | None, after: int | None, arrow: str = "->") -> str:
    """`7 -> 4`, `7 -> ?`, or `-` when neither was given."""
    if before is None and after is None:
        return "-"
    return f"{'?' if before is None else before} {arrow} {'?' if after is None else after}"


def signed(value: float) -> str:
    """A change with its sign: `-2.5`, `+1`, `0`."""
    text = f"{value:+.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("+0", "-0") else text


def totals(summary: Summary, *, show_streak: bool = True) -> list[str]:
    """The totals, in two lines."""
    first = (
        f"Sessions: {summary.sessions}, this week: {time_spent(summary.minutes_this_week * 60)}, "
        f"all time: {time_spent(summary.minutes_total * 60)}"
    )
    if show_streak:
        first += f", streak: {count(summary.streak_days, 'day')}"
    parts = [
        f"{label} {signed(value)} (over {count(pairs, 'session')})"
        for label, value, pairs in (
            ("stress", summary.stress_change, summary.stress_pairs),
            ("craving", summary.craving_change, summary.craving_pairs),
        )
        if value is not None
    ]
    if parts:  # each average over its own pairs: a session may have rated only one of them
        second = f"Average change: {', '.join(parts)}"
    else:
        second = "Average change: rate stress and craving before and after to see it."
    return [first, second, *counting(summary, show_streak=show_streak)]


def counting(summary: Summary, *, show_streak: bool = True) -> list[str]:
    """What the totals count, said plainly: sessions under a minute are left out, and what a
    streak day is (so that "streak: 0 days" after a short first session is not a mystery)."""
    words = []
    if summary.not_counted:
        words.append(
            f"{count(summary.not_counted, 'session')} under a minute "
            f"{'is' if summary.not_counted == 1 else 'are'} listed but not counted."
        )
    if show_streak:
        words.append("Streak: days in a row with a session of a minute or more.")
    return [" ".join(words)] if words else []


COLUMNS = ("When", "Session", "Time", "Ended", "Stress", "Craving", "Note")
NOTE_WIDTH = 40  # the journal line, shortened in the table (the CSV has all of it)


def cells(row: Row, arrow: str = "->") -> tuple[str, ...]:
    """One session as the text of the COLUMNS: the CLI table and the history screen."""
    return (
        row.started_at.astimezone().strftime("%a %d %b %H:%M"),
        shorten(row.name, 28),
        time_spent(row.actual_seconds),
        "finished" if row.completed else "stopped",
        rating_change(row.stress_before, row.stress_after, arrow),
        rating_change(row.craving_before, row.craving_after, arrow),
        shorten(row.journal, NOTE_WIDTH) if row.journal else "",
    )


def report(
    rows: Sequence[Row], *, limit: int = 20, today: date | None = None, show_streak: bool = True
) -> list[str]:
    """The recent sessions as a table, newest first, then the totals over every session."""
    if not rows:
        return ["No sessions recorded yet."]
    table = [tuple(heading.upper() for heading in COLUMNS)]
    table += [cells(row) for row in reversed(rows[-limit:])]
    if not any(line[-1] for line in table[1:]):  # no journal line among them: no Note column
        table = [line[:-1] for line in table]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]
    shown = min(limit, len(rows))
    if shown < len(rows):
        lines.append(
            f"(the latest {shown} of {len(rows)}; `oxybreathe history --csv` has them all)"
        )
    return [*lines, "", *totals(summarize(rows, today), show_streak=show_streak)]


BLOCKS = "▁▂▃▄▅▆▇█"


def trend(values: Sequence[float | None], width: int) -> str:
    """A sparkline of 0-10 ratings on a fixed scale, one column per session (the latest
    `width`); a skipped rating is a space. A fixed scale keeps before and after comparable."""
    shown = values[-width:] if width > 0 else []
    return "".join(
        " " if value is None else BLOCKS[round(max(0, min(10, value)) / 10 * (len(BLOCKS) - 1))]
        for value in shown
    )
