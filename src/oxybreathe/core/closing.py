"""What a session ends with: a headline, the change in the ratings, a note and a help line.

Pure: the plan, how it ended and the ratings in; the text both front ends show, out. The
closing listens to the ratings and the outcome (facts.md, "After a lapse"):

    support   craving rated 7 or more after, or higher than before: support comes first
              (the help lines, "not acting on an urge counts", surfing again); no physiology
    worse     stress rated higher after than before: kind words, no verdict
    early     stopped before the end: an honest, kind line, no "well done"
    done      the note that fits the session (its own closing text first)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from oxybreathe.core import checkin, notes
from oxybreathe.core.checkin import Ratings
from oxybreathe.core.helplines import GENERAL, Helplines, full_text, one_line
from oxybreathe.core.model import CLOSING_TOPICS
from oxybreathe.core.notes import Note
from oxybreathe.core.plan import Plan
from oxybreathe.core.wording import time_spent

CRAVING_HIGH = 7  # a craving rated this or more after a session gets the support closing
EARLY_NOTE_SECONDS = 60.0  # stopped before this: no note about the body, just a kind line

Kind = Literal["support", "worse", "early", "done"]

SUPPORT = Note(
    "support",
    "support",
    "Not acting on an urge counts, whatever the urge is doing now. An urge can stay strong "
    "for a while; urges still rise and fall, often sooner than it feels. You can surf it "
    "again, reach out to someone, or call one of the lines above.",
    "Bowen S & Marlatt A 2009, Psychol Addict Behav 23(4):666-671; "
    "Sayette MA et al. 2005, Psychol Addict Behav 19(1):88-93.",
)
WORSE = Note(
    "worse",
    "worse",
    "Sometimes a practice leaves you feeling no better, or worse. That is not a failure, and "
    "it is not your fault. Be gentle with yourself: something else may suit this moment, like "
    "moving, a drink of water, or talking to someone.",
)
EARLY = Note(
    "early",
    "early",
    "Stopping when you need to is always allowed. You can come back to this whenever you like.",
)
LAPSE_OFFER = "After a lapse, there is a note for you: F1 in the app, or oxybreathe help --lapse."
SURF_AGAIN = "To surf the urge again now: oxybreathe now"
NOT_MEDICAL = "Not medical care."


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a session ended: the seconds actually breathed (pauses excluded), and whether it
    ran to its end."""

    ran: float
    completed: bool


@dataclass(frozen=True, slots=True)
class Closing:
    """The closing, as text: each front end lays it out its own way.

    `first` are lines shown before everything else (the help lines, in the support closing);
    `offers` are the lines after the note that offer a next step.
    """

    kind: Kind
    headline: str
    before: Ratings
    after: Ratings
    note: Note
    footer: str
    first: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()

    def changes(self, arrow: str = "→") -> list[str]:
        """`Stress 7 → 4` for each rating given before and after (plain mode says "to")."""
        return checkin.changes(self.before, self.after, arrow)

    @property
    def rotates(self) -> bool:
        """True when the note is one of the library's (so the rotation must count it)."""
        return self.note.topic in CLOSING_TOPICS


def _rose(before: int | None, after: int | None) -> bool:
    return before is not None and after is not None and after > before


def kind(outcome: Outcome, before: Ratings, after: Ratings) -> Kind:
    """Which closing the ratings and the outcome call for (the first that applies)."""
    if (after.craving is not None and after.craving >= CRAVING_HIGH) or _rose(
        before.craving, after.craving
    ):
        return "support"
    if _rose(before.stress, after.stress):
        return "worse"
    return "done" if outcome.completed else "early"


def headline(outcome: Outcome, *, praise: bool = True) -> str:
    """One line on how the session went: "Well done." only for a whole session, and only
    when `praise` (a session's own closing sentence speaks for itself)."""
    ran = time_spent(outcome.ran)
    if not outcome.completed:
        return f"You stopped after {ran}."
    return f"Well done. You breathed for {ran}." if praise else f"You breathed for {ran}."


def compose(
    plan: Plan,
    outcome: Outcome,
    before: Ratings,
    after: Ratings,
    shown: Iterable[str] = (),
    helplines: Helplines = GENERAL,
) -> Closing:
    """The closing for this session; `shown` is every note shown before, oldest first."""
    chosen = kind(outcome, before, after)
    footer = f"{NOT_MEDICAL} {one_line(helplines)}"
    if chosen == "support":
        lines = tuple(full_text(helplines))
        return Closing(
            chosen,
            headline(outcome, praise=False),
            before,
            after,
            SUPPORT,
            footer,
            first=lines,
            offers=(LAPSE_OFFER,),
        )
    if chosen == "worse":
        return Closing(chosen, headline(outcome, praise=False), before, after, WORSE, footer)
    if chosen == "early" and outcome.ran < EARLY_NOTE_SECONDS:
        return Closing(chosen, headline(outcome), before, after, EARLY, footer)
    note = notes.pick(plan.session, shown)
    praise = outcome.completed and note.id != notes.OWN
    return Closing(chosen, headline(outcome, praise=praise), before, after, note, footer)
