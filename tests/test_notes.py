"""The closing notes: each has a reference, none makes a banned claim, and the rotation is fair."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oxybreathe.core import notes
from oxybreathe.core.loader import load_session, parse_session
from oxybreathe.core.model import CLOSING_TOPICS, Session

LIBRARY = notes.library()
SESSIONS = Path(__file__).resolve().parent.parent / "sessions"

# "Authors year, journal ...": a surname, optional co-authors or "et al.", a year, then a journal.
REFERENCE = re.compile(r"^[A-Z][\w'&,. -]+ (19|20)\d\d, [A-Z][\w. ]+")
BANNED = [
    re.compile(r"oxytocin", re.IGNORECASE),  # the app never claims to raise it
    re.compile(r"\b\d+\s*(-|–|to)\s*\d+\s*min", re.IGNORECASE),  # no "20-30 minutes" figure
    re.compile(r"\bpass(es)? (in|within|after) \d+", re.IGNORECASE),
    re.compile(r"(?<!not a )\b(cures?|guarantee[sd]?)\b", re.IGNORECASE),  # "not a cure" is fine
]


def session(closing: str = "") -> Session:
    return parse_session(
        f"name: T\n{closing}steps:\n  - say: hello\n    seconds: 5\n", session_id="t"
    )


def test_there_are_at_least_twelve_notes_and_three_on_each_topic():
    assert len(LIBRARY) >= 12
    for topic in CLOSING_TOPICS:
        assert sum(note.topic == topic for note in LIBRARY) >= 3, topic
    assert len({note.id for note in LIBRARY}) == len(LIBRARY)


@pytest.mark.parametrize("note", LIBRARY, ids=lambda note: note.id)
def test_every_note_carries_a_reference_and_no_banned_claim(note):
    assert REFERENCE.match(note.source), note.source
    for banned in BANNED:
        assert not banned.search(note.text), f"{note.id}: {banned.pattern}"
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", note.text) if s]
    assert 2 <= len(sentences) <= 4, note.id


def test_the_banned_patterns_do_catch_the_claims():
    for claim in ("Breathing raises oxytocin.", "Cravings pass in 20-30 minutes.", "A cure."):
        assert any(banned.search(claim) for banned in BANNED), claim


def test_a_note_only_follows_the_breathing_it_is_about():
    box = load_session(SESSIONS / "box.yaml")
    resonant = load_session(SESSIONS / "resonant.yaml")
    sigh = load_session(SESSIONS / "sigh.yaml")
    assert notes.traits(box) == {"breathing", "slow"}  # 16 s a cycle, with holds
    assert "resonant" in notes.traits(resonant) and "sigh" not in notes.traits(resonant)
    assert "sigh" in notes.traits(sigh)
    assert notes.traits(session()) == set()
    for chosen in (box, session(), session("closing: stress\n")):
        picked = set()
        shown: list[str] = []
        for _ in range(20):
            shown.append(notes.pick(chosen, shown).id)
            picked.add(shown[-1])
        assert "stress-resonance" not in picked, chosen.id  # no "six breaths a minute" after box
        assert "stress-cyclic-sighing" not in picked


@pytest.mark.parametrize("closing", ["", "closing: cravings\n", "closing: hpa\n"])
def test_the_rotation_never_repeats_until_every_candidate_was_shown(closing):
    chosen = session(closing)
    candidates = [
        n.id for n in LIBRARY if (not closing or n.topic == closing.split()[1]) and not n.fits
    ]
    shown: list[str] = []
    for _ in range(3 * len(candidates) + 2):
        shown.append(notes.pick(chosen, shown).id)
    for start in range(len(shown) - len(candidates) + 1):
        window = shown[start : start + len(candidates)]
        assert len(set(window)) == len(window), f"repeated too early: {window}"
    assert set(shown) == set(candidates)


def test_notes_shown_by_other_sessions_count_towards_the_round():
    general = session()
    cravings = [n.id for n in LIBRARY if n.topic == "cravings"]
    shown = cravings[:2]  # shown after two urge-surfing sessions
    picked = notes.pick(general, shown).id
    assert picked not in shown


def test_a_sessions_own_text_wins():
    note = notes.pick(session("closing: Well done, you.\n"), ["anything"])
    assert (note.id, note.text, note.source) == (notes.OWN, "Well done, you.", "")
