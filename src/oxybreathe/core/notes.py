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

    A session's own text wins. Otherwise, notes of the session's topic (or of every topic) come
    in library order, skipping those in `shown`, so that none repeats until all have been shown.
    """
    if session.closing_text:
        return Note("own", "own", session.closing_text)
    topics = (session.closing_topic,) if session.closing_topic else CLOSING_TOPICS
    candidates = [note for note in library() if note.topic in topics]
    seen = set(shown)
    fresh = [note for note in candidates if note.id not in seen]
    return (fresh or candidates)[0]
