"""The note after a lapse: shame-free, with the danger signs (from facts.md, with sources).

Shown by `oxybreathe help --lapse`, on the help screen, and offered by the support closing.
"""

from __future__ import annotations

from oxybreathe.core.notes import Note

TITLE = "After a lapse"

NOTES = (
    Note(
        "lapse",
        "lapse",
        "A lapse is not a relapse. A single slip is not the end of what you are working "
        "towards, and it does not wipe out the days before it. Treating a slip as a total "
        "failure tends to make more use likely; treating it as something to learn from "
        "helps. When you are ready, notice what led up to it, and what could help next time.",
        "Larimer, Palmer & Marlatt 1999, Alcohol Res Health 23(2):151-160.",
    ),
    Note(
        "lapse-tolerance",
        "lapse",
        "Please take care: after a break, tolerance falls. An amount you used to take can now "
        "be fatal, above all with opioids.",
        "Merrall et al. 2010, Addiction 105(9):1545-1554.",
    ),
    Note(
        "lapse-withdrawal",
        "lapse",
        "Stopping alcohol or benzodiazepines suddenly, after heavy or long use, can cause "
        "seizures, which can kill. Withdrawal needs medical help, not a breathing exercise.",
        "Schuckit 2014, N Engl J Med 371:2109-2113; Soyka 2017, N Engl J Med 376:1147-1157.",
    ),
)


def lines() -> list[str]:
    """The note as plain lines, each paragraph followed by its source."""
    out = [f"{TITLE}:"]
    for note in NOTES:
        out += ["", note.text, f"Source: {note.source}"]
    return out
