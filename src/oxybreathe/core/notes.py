"""The closing notes: a small library kept as YAML data inside the package."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from oxybreathe.core.model import CLOSING_TOPICS, BreatheStep, Session

OWN = "own"  # the id of a session's own closing text


@dataclass(frozen=True, slots=True)
class Note:
    """A closing note and the reference beneath it (none for a session's own text)."""

    id: str
    topic: str
    text: str
    source: str = ""
    fits: str = ""  # which sessions the note is about (see notes.yaml); "" is any session


@cache
def library() -> tuple[Note, ...]:
    """Every shipped note, in file order."""
    raw = yaml.safe_load(resources.files("oxybreathe").joinpath("notes.yaml").read_text("utf-8"))
    return tuple(
        Note(
            item["id"],
            item["topic"],
            " ".join(item["text"].split()),
            item["source"],
            item.get("fits", ""),
        )
        for item in raw
    )


def traits(session: Session) -> set[str]:
    """What a note's `fits` can name that this session has: breathing, slow, resonant, sigh."""
    found = set()
    for step in session.steps:
        if not isinstance(step, BreatheStep) or step.cycle_seconds <= 0:
            continue
        found.add("breathing")
        per_minute = 60 / step.cycle_seconds
        names = [phase.name for phase in step.phases]
        if per_minute < 10:
            found.add("slow")
        if 5 <= per_minute <= 7 and "hold" not in names:
            found.add("resonant")
        if any(a == b == "inhale" for a, b in zip(names, names[1:], strict=False)):
            found.add("sigh")
    return found


def pick(session: Session, shown: Iterable[str] = ()) -> Note:
    """Choose the closing note for `session`.

    A session's own text wins. Otherwise the notes of the session's topic (or of every topic)
    that fit it (a note about six breaths a minute only after such breathing) come in library
    order. `shown` is every note shown so far, oldest first: a note is not
    picked again until all its candidates have been shown since the last full round.
    """
    if session.closing_text:
        return Note(OWN, OWN, session.closing_text)
    topics = (session.closing_topic,) if session.closing_topic else CLOSING_TOPICS
    has = traits(session)
    candidates = [
        note for note in library() if note.topic in topics and (not note.fits or note.fits in has)
    ]
    everyone = {note.id for note in candidates}
    this_round: set[str] = set()
    for note_id in shown:
        if note_id in everyone:
            this_round.add(note_id)
            if this_round == everyone:
                this_round = set()
    return next(note for note in candidates if note.id not in this_round)
