"""Make user text safe to show: no control characters ever reach a terminal."""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls (ESC, BEL, CSI ...), DEL, and the bidirectional overrides that can make
# text read differently from what it is.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")


def strip_controls(text: str) -> str:
    """Return `text` with every control character removed; line breaks and tabs become spaces."""
    return _UNSAFE.sub("", re.sub("[\t\r\n\f\v]", " ", text))


def clean(text: str) -> str:
    """Return `text` on one line, with every control character removed.

    Runs of white space (newlines included) become one space, so a prompt is one line in plain
    mode and in logs.
    """
    text = unicodedata.normalize("NFC", text)
    return _UNSAFE.sub("", _SPACES.sub(" ", text)).strip()


def shorten(text: str, limit: int = 40) -> str:
    """Return `clean(text)`, cut to `limit` characters with an ellipsis."""
    text = clean(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
