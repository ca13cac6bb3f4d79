"""What a session ends with: a headline, the change in the ratings, a note and a help line.

Pure: the plan, how it ended and the ratings in; the text both front ends show, out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from oxybreathe.core import checkin, notes
from oxybreathe.core.checkin import Ratings
from oxybreathe.core.notes import Note
from oxybreathe.core.plan import Plan
from oxybreathe.core.wording import time_spent


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a session ended: the seconds actually breathed (pauses excluded), and whether it
    ran to its end."""

    ran: float
    completed: bool


@dataclass(frozen=True, slots=True)
class Closing:
    """The closing, as text: each front end lays it out its own way."""

    headline: str
    before: Ratings
    after: Ratings
    note: Note
    footer: str

    def changes(self, arrow: str = "→") -> list[str]:
        """`Stress 7 → 4` for each rating given before and after (plain mode says "to")."""
        return checkin.changes(self.before, self.after, arrow)


def headline(outcome: Outcome) -> str:
    """One line on how the session went."""
    ran = time_spent(outcome.ran)
    if outcome.completed:
        return f"Well done. You breathed for {ran}."
    return f"Session ended early, after {ran}. That still counts."


def compose(
    plan: Plan, outcome: Outcome, before: Ratings, after: Ratings, shown: Iterable[str] = ()
) -> Closing:
    """The closing for this session; `shown` is every note shown before, oldest first."""
    return Closing(
        headline(outcome),
        before,
        after,
        notes.pick(plan.session, shown),
        notes.FOOTER,
    )
