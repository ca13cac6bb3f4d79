"""Writing figures for people: lengths of time and counts, in plain English."""

from __future__ import annotations


def duration(seconds: float) -> str:
    """Write a length of time for people: `45 s`, `3 min`, `1 h 5 min`, `2 min 30 s`."""
    total = round(seconds)
    if total < 60:
        return f"{round(seconds, 2):g} s" if seconds < 10 and seconds != total else f"{total} s"
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} h")
    if minutes:
        parts.append(f"{minutes} min")
    if secs:
        parts.append(f"{secs} s")
    return " ".join(parts)


def time_spent(seconds: float) -> str:
    """How long someone actually breathed, in whole seconds: `2 min 3 s`, `0 s`."""
    return duration(round(max(0.0, seconds)))


def count(number: int, one: str, many: str | None = None) -> str:
    """`1 session`, `2 sessions`, `0 sessions`: a real plural, never "session(s)"."""
    return f"{number} {one if number == 1 else (many or one + 's')}"
