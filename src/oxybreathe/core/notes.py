"""The closing notes: a small library kept as YAML data inside the package."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from oxybreathe.core.model import CLOSING_TOPICS, Session

FOOTER = (
    "Not medical care. In a crisis, call your local emergency number; "
    "in the US, call or text 988, or SAMHSA 1-800-662-4357."
)
OWN = "own"  # the id of a session's own closing text


@dataclass(frozen=True, slots=True)
class Note:
    """A closing note and the reference beneath it (none for a session's own text)."""

    id: str
    topic: str
    text: str
    source: str = ""


@cache
def library() -> tuple[Note, ...]:
    """Every shipped note, in file order."""
    raw = yaml.safe_load(resources.files("oxybreathe").joinpath("notes.yaml").read_text("utf-8"))
    return tuple(
        Note(item["id"], item["topic"], " ".join(item["text"].split()), item["source"])
        for item in raw
    )


def pick(session: Session, shown: Iterable[str] = ()) -> Note:
    """Choose the closing note for `session`.

    A session's own text wins. Otherwise the notes of the session's topic (or of every topic)
    come in library order. `shown` is every note shown so far, oldest first: a note is not
    picked again until all its candidates have been shown since the last full round.
    """
    if session.closing_text:
        return Note(OWN, OWN, session.closing_text)
    topics = (session.closing_topic,) if session.closing_topic else CLOSING_TOPICS
    candidates = [note for note in library() if note.topic in topics]
    everyone = {note.id for note in candidates}
    this_round: set[str] = set()
    for note_id in shown:
        if note_id in everyone:
            this_round.add(note_id)
            if this_round == everyone:
                this_round = set()
    return next(note for note in candidates if note.id not in this_round)
