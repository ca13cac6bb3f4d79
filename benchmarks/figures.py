"""The arithmetic of the figures: percentiles, budgets as ratios, the table and the exit status."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Figure:
    """One row of the table: a figure, its reference from the same run, and its budget."""

    name: str
    ours: str
    reference: str
    budget: str
    within: bool | None  # None: shown for information, or still to come


def percentile(values: Sequence[float], share: int) -> float:
    """The `share` percentile (1-99) of `values` (at least two), interpolated."""
    if not 1 <= share <= 99:
        raise ValueError(f"a percentile from 1 to 99, not {share}")
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1]


def at_most(ours: float, reference: float, factor: float, plus: float = 0.0) -> bool:
    """The budget "ours ≤ factor × reference + plus"."""
    return ours <= factor * reference + plus


def ratio(ours: float, reference: float) -> float:
    """ours / reference (infinite when the reference is nothing at all)."""
    return ours / reference if reference > 0 else math.inf


def paired_ratio(pairs: Sequence[tuple[float, float]]) -> float:
    """The median ratio of (ours, reference) pairs, each measured one right after the other."""
    return statistics.median(ratio(ours, reference) for ours, reference in pairs)


def versus(name: str, ours: float, label: str, reference: float, factor: float) -> Figure:
    """A time in ms beside its reference's, within `factor` times it."""
    return Figure(
        name,
        f"**{ours:.0f} ms** ({ratio(ours, reference):.2f}x)",
        f"{label}: {reference:.0f} ms",
        f"≤ {factor:g}x",
        at_most(ours, reference, factor),
    )


def table(figures: Sequence[Figure]) -> str:
    """The figures as a Markdown table (it reads well in a terminal too)."""
    lines = [
        "| figure | oxybreathe | reference, same run | budget | within |",
        "|---|---|---|---|---|",
    ]
    for f in figures:
        verdict = "—" if f.within is None else ("yes" if f.within else "**NO**")
        lines.append(f"| {f.name} | {f.ours} | {f.reference} | {f.budget} | {verdict} |")
    return "\n".join(lines)


def over_budget(figures: Sequence[Figure]) -> list[Figure]:
    return [figure for figure in figures if figure.within is False]


def exit_status(figures: Sequence[Figure]) -> int:
    return 1 if over_budget(figures) else 0
