"""Check-ins: "Stress now?" and "Craving now?" on 0-10, before and after a session."""

from __future__ import annotations

from dataclasses import dataclass

from oxybreathe.core.safe_text import clean

QUESTIONS = (("stress", "Stress now?"), ("craving", "Craving now?"))
# Which questions to ask (the `checkin_questions` setting), and the order `k` goes through them.
CHOICES = ("both", "stress", "craving", "none")
CHOICE_WORDS = {
    "both": "stress and craving",
    "stress": "stress only",
    "craving": "craving only",
    "none": "no questions",
}
SCALE = "0 means none at all, 10 the most you can imagine."
LOW, HIGH = 0, 10
TEN_KEY = "t"  # one key per answer: 0-9 are the digits, 10 is t (for ten)

# The journal line, after the after-check-in: one optional line, kept in the history.
JOURNAL_QUESTION = "Anything to note?"
JOURNAL_HINT = "One line, kept in your history on this computer. Enter on an empty line skips."
JOURNAL_MAX_CHARS = 280


@dataclass(frozen=True, slots=True)
class Ratings:
    """Answers on 0-10; None is a skipped question."""

    stress: int | None = None
    craving: int | None = None


def rating_for_key(key: str) -> int | None:
    """The rating a key press gives (`0`-`9`, or `t` for 10), or None for any other key."""
    if len(key) == 1 and key.isdigit() and key.isascii():
        return int(key)
    return HIGH if key.lower() == TEN_KEY else None


def parse_answer(text: str) -> int | None:
    """A typed answer: a whole number 0-10, or empty to skip. Raises ValueError otherwise."""
    text = text.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and LOW <= int(text) <= HIGH:
        return int(text)
    raise ValueError(f"type a whole number from {LOW} to {HIGH}, or press Enter to skip")


def change(label: str, before: int | None, after: int | None, arrow: str = "→") -> str | None:
    """`Stress 7 → 4`, or None unless both ratings were given."""
    if before is None or after is None:
        return None
    return f"{label} {before} {arrow} {after}"


def changes(before: Ratings, after: Ratings, arrow: str = "→") -> list[str]:
    """The changes worth showing, stress first."""
    lines = (
        change("Stress", before.stress, after.stress, arrow),
        change("Craving", before.craving, after.craving, arrow),
    )
    return [line for line in lines if line is not None]


def journal_entry(text: str | None) -> str | None:
    """The line to keep from what the user typed: on one line, with no control characters,
    at most JOURNAL_MAX_CHARS long; None for nothing (an empty line skips)."""
    if text is None:
        return None
    entry = clean(text[: JOURNAL_MAX_CHARS * 4])[:JOURNAL_MAX_CHARS].strip()
    return entry or None


def asked(choice: str) -> tuple[tuple[str, str], ...]:
    """The questions a `checkin_questions` choice asks, in order (none for an unknown one)."""
    if choice == "both":
        return QUESTIONS
    return tuple(question for question in QUESTIONS if question[0] == choice)


def next_choice(choice: str) -> str:
    """The choice after `choice` in CHOICES (what `k` on the home screen moves to)."""
    return CHOICES[(CHOICES.index(choice) + 1) % len(CHOICES)] if choice in CHOICES else "both"
