"""One row of the benchmark table: a figure, its reference from the same run, and its budget."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    ours: str
    reference: str
    budget: str
    within: bool | None  # None: no budget, shown for information


def table(figures: list[Figure]) -> str:
    """The figures as a Markdown table (it reads well in a terminal too)."""
    lines = [
        "| figure | oxybreathe | reference, same run | budget | within |",
        "|---|---|---|---|---|",
    ]
    for f in figures:
        verdict = "—" if f.within is None else ("yes" if f.within else "**NO**")
        lines.append(f"| {f.name} | {f.ours} | {f.reference} | {f.budget} | {verdict} |")
    return "\n".join(lines)
