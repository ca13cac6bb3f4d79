"""The numbers the command line takes (--minutes, --volume, --limit), read so that no text can
raise anything but a one-line usage error: any notation, any size, any Unicode digit."""

from __future__ import annotations

import argparse
import math
import sys

from oxybreathe.core.model import SESSION_MAX_SECONDS
from oxybreathe.core.preferences import VOLUME_MAX, VOLUME_MIN


def minutes(text: str) -> float:
    try:
        value = float(text)  # Python's reading: `2.5`, ` 3 `, `1_000`, Unicode digits
    except ValueError:
        raise _bad(f"not a number of minutes: {_quoted(text)}") from None
    if math.isnan(value) or (math.isinf(value) and not _has_digits(text)):
        raise _bad(f"not a finite number of minutes: {_quoted(text)}")
    if value <= 0:
        raise _bad(f"minutes must be above 0, got {_quoted(text)}")
    longest = SESSION_MAX_SECONDS // 60
    if value > longest:  # also `1e309`, too large to be a float
        raise _bad(f"a session lasts at most {longest} minutes (3 hours), got {_quoted(text)}")
    return value


def volume(text: str) -> int:
    value = _whole(text)
    if value is None or not VOLUME_MIN <= value <= VOLUME_MAX:
        raise _bad(f"volume is a whole number {VOLUME_MIN}-{VOLUME_MAX}, got {_quoted(text)}")
    return int(value)


def count(text: str) -> int:
    value = _whole(text)
    if value is None or value < 1:
        raise _bad(f"a whole number above 0, got {_quoted(text)}")
    return int(min(value, sys.maxsize))  # more than there can be: all of them


def _whole(text: str) -> float | None:
    """A whole number as Python reads one (Unicode digits too, never `²`), or None.

    Digits too many for int() (its 4,300-digit limit) come back as infinity: larger than any
    bound, with no ValueError, OverflowError or quadratic conversion.
    """
    try:
        return int(text)
    except ValueError:
        return math.inf if text.strip().lstrip("+").replace("_", "").isdecimal() else None


def _has_digits(text: str) -> bool:
    return any(char.isdecimal() for char in text)


def _quoted(text: str) -> str:
    """The user's text for a one-line message: quoted, escaped, cut to 40 characters."""
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _bad(message: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(message)
