"""Figures across days: which sessions help (per session), and the ratings over the weeks.

All pure: rows in, numbers and text out. Only sessions of a minute or more count
(`report.counted`), as in the totals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from oxybreathe.core.history.rows import Row
from oxybreathe.core.report import counted, local_day, rating_changes, signed
from oxybreathe.core.safe_text import shorten

MAX_WEEKS = 520  # the chart's weeks at most (ten years): a hand-edited date cannot make millions


# Which sessions help: per session, over the sessions rated before and after ------------------


@dataclass(frozen=True, slots=True)
class Kind:
    """One session's figures: how many times it was done (a minute or more), and the average
    change in each rating over the times it was rated both before and after."""

    name: str
    times: int
    stress_change: float | None
    stress_pairs: int
    craving_change: float | None
    craving_pairs: int

    @property
    def biggest_drop(self) -> float:
        """The larger fall of the two averages (for the order); 0 when neither was rated."""
        changes = [c for c in (self.stress_change, self.craving_change) if c is not None]
        return min(changes, default=0.0)


def by_session(rows: Iterable[Row]) -> list[Kind]:
    """Every session done for a minute or more, the one whose ratings fell most first (by its
    larger average fall), among those rated at least FEW times; then the ones rated fewer
    times, in the same order (one good session never tops the list); then those never rated,
    the most done first."""
    groups: dict[str, list[Row]] = {}
    for row in counted(rows):
        groups.setdefault(row.session, []).append(row)
    kinds = []
    for group in groups.values():
        stress = rating_changes((r.stress_before, r.stress_after) for r in group)
        craving = rating_changes((r.craving_before, r.craving_after) for r in group)
        kinds.append(
            Kind(
                group[-1].name,  # the latest name: a file renamed since shows its new name
                len(group),
                sum(stress) / len(stress) if stress else None,
                len(stress),
                sum(craving) / len(craving) if craving else None,
                len(craving),
            )
        )
    return sorted(kinds, key=lambda k: (_tier(k), k.biggest_drop, -k.times))


def _tier(kind: Kind) -> int:
    """0: rated often enough to say something; 1: rated, but fewer than FEW times; 2: never."""
    most = max(kind.stress_pairs, kind.craving_pairs)
    return 0 if most >= FEW else 1 if most else 2


KIND_COLUMNS = ("Session", "Times", "Stress", "Craving")


def kind_cells(kind: Kind, name_width: int = 28) -> tuple[str, ...]:
    """One session's figures as text: `-2.5 (over 4)` beside each average, so that a figure
    resting on one session never looks like a finding."""

    def figure(change: float | None, pairs: int) -> str:
        return "not rated" if change is None else f"{signed(change)} (over {pairs})"

    return (
        shorten(kind.name, name_width),
        str(kind.times),
        figure(kind.stress_change, kind.stress_pairs),
        figure(kind.craving_change, kind.craving_pairs),
    )


def kinds_table(rows: Iterable[Row], name_width: int = 28) -> list[str]:
    """The per-session figures as aligned lines with a heading, or nothing if there are none."""
    kinds = by_session(rows)
    if not kinds:
        return []
    table = [KIND_COLUMNS, *(kind_cells(kind, name_width) for kind in kinds)]
    widths = [max(len(line[i]) for line in table) for i in range(len(KIND_COLUMNS))]
    lines = [
        "  ".join(
            cell.rjust(width) if i == 1 else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in table
    ]
    few = next((n for n, kind in enumerate(kinds) if _tier(kind)), None)
    if few is not None and few > 0:  # a line between what says something and what says little
        lines.insert(1 + few, "-" * max(len(line) for line in lines))
    if few is not None:
        lines.append(FEW_NOTE if few > 0 else FEW_NOTE.replace("Below the line: f", "F"))
    return lines


KINDS_TITLE = "Which sessions help (average change where rated before and after)"
FEW = 3  # a figure over fewer rated sessions than this says little yet: listed after the rest
FEW_NOTE = f"Below the line: fewer than {FEW} rated sessions, too few to say much yet."


# Over the weeks -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Week:
    """The averages of one week's ratings (Monday to Sunday, local days); None: none given."""

    monday: date
    stress_before: float | None
    stress_after: float | None
    craving_before: float | None
    craving_after: float | None


def weekly(rows: Iterable[Row]) -> list[Week]:
    """Each week from the first counted session's to the last's, empty weeks included (a gap
    on the chart), with the average of each rating given that week."""
    rows = counted(rows)
    if not rows:
        return []
    by_week: dict[date, list[Row]] = {}
    for row in rows:
        day = local_day(row)
        by_week.setdefault(day - timedelta(days=day.weekday()), []).append(row)
    last = max(by_week)
    first = max(min(by_week), last - timedelta(days=7 * (MAX_WEEKS - 1)))  # bounded, whatever

    def mean(values: Iterable[int | None]) -> float | None:
        given = [v for v in values if v is not None]
        return sum(given) / len(given) if given else None

    weeks = []
    monday = first
    while monday <= last:
        group = by_week.get(monday, [])
        weeks.append(
            Week(
                monday,
                mean(r.stress_before for r in group),
                mean(r.stress_after for r in group),
                mean(r.craving_before for r in group),
                mean(r.craving_after for r in group),
            )
        )
        monday += timedelta(days=7)
    return weeks
