"""The loader on hostile input: only a Session or its own located LoadError, ever.

Property-based: hypothesis mutates the built-in files and generates YAML-ish text. Set
HYPOTHESIS_PROFILE=thorough for many more examples than CI runs.
"""

from __future__ import annotations

import os
import signal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oxybreathe.core.loader import LoadError, parse_session
from oxybreathe.core.model import Session
from oxybreathe.core.plan import LengthError, bounds, plan
from tests.conftest import SESSIONS

settings.register_profile(
    "ci", max_examples=2_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=20_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

BUILTINS = [path.read_text(encoding="utf-8") for path in sorted(SESSIONS.glob("*.yaml"))]
YAML_BITS = [
    "\n",
    " ",
    "  ",
    "- ",
    ": ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "!!python/x ",
    "!t ",
    "'",
    '"',
    "#",
    "---\n",
    "...",
    "|\n",
    ">-\n",
    "? ",
    "~",
    "null",
    "true",
    "1e309",
    ".nan",
    "-1",
    "0",
    "0.4",
    "121",
    "inhale",
    "exhale",
    "hold",
    "cycles",
    "minutes",
    "seconds",
    "say",
    "breathe",
    "steps",
    "name",
    "chimes",
    "every",
    "phase",
    "cue",
    "closing",
    "\t",
    "\x00",
    "\x1b[2J",
    "é",
    "\ufeff",
    "\u202e",
]


HANG_SECONDS = 10  # far beyond any real load (milliseconds): only a hang reaches it


class Hang(Exception):
    pass


def _hang(_signum: int, _frame: object) -> None:
    raise Hang(f"the loader ran for {HANG_SECONDS} s")


def check(text: str) -> None:
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(HANG_SECONDS)
    try:
        _check(text)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _check(text: str) -> None:
    try:
        session = parse_session(text, "fuzz.yaml")
    except LoadError as error:
        assert error.problems, "a LoadError always carries at least one problem"
        for problem in error.problems:
            assert problem.line >= 1 and problem.col >= 1
            assert problem.message and "\n" not in problem.message
        return
    assert isinstance(session, Session)
    lengths = bounds(session)  # a loaded session must always plan at its own lengths
    for seconds in {lengths.shortest, lengths.default}:
        try:
            plan(session, seconds / 60)
        except LengthError:
            raise AssertionError("a valid session refused one of its own lengths") from None


@given(
    st.sampled_from(BUILTINS),
    st.lists(
        st.tuples(
            st.integers(min_value=0),
            st.integers(min_value=0, max_value=8),
            st.sampled_from(YAML_BITS) | st.text(max_size=4),
        ),
        max_size=6,
    ),
)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_mutated_builtins_never_escape(source: str, edits: list[tuple[int, int, str]]) -> None:
    text = source
    for where, cut, insert in edits:
        position = where % (len(text) + 1)
        text = text[:position] + insert + text[position + cut :]
    check(text)


@given(st.lists(st.sampled_from(YAML_BITS) | st.text(max_size=3), max_size=40).map("".join))
def test_random_yaml_never_escapes(text: str) -> None:
    check(text)
