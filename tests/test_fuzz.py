"""The loader on hostile input: only a Session or its own located LoadError, ever.

Property-based: hypothesis mutates the built-in files and generates YAML-ish text. Set
HYPOTHESIS_PROFILE=thorough for many more examples than CI runs.
"""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oxybreathe.core import config
from oxybreathe.core.loader import parse_session
from oxybreathe.core.model import Session
from oxybreathe.core.plan import LengthError, bounds, lay_out
from oxybreathe.core.problems import LoadError, Problem
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
    "!!float ",
    "!!int ",
    "!!bool ",
    "!!str ",
    "!!null ",
    "!!binary ",
    "!!timestamp ",
    "9" * 5000,
    "0x" + "f" * 400,
    "1" + ":00" * 200,
]

# Scalars as hostile as YAML allows: explicit tags on numbers of every size and notation.
TAGS = st.sampled_from(["", "", "!!float ", "!!int ", "!!bool ", "!!str ", "!!null ", "! "])
NUMBERS = st.one_of(
    st.integers().map(str),
    st.floats().map(repr),  # inf, nan, 1e+308, -0.0 ...
    st.integers(min_value=300, max_value=6000).map(lambda digits: "9" * digits),
    st.integers(min_value=0).map(lambda n: f"0x{n:x}"),
    st.integers(min_value=0).map(lambda n: f"0{n:o}"),
    st.integers(min_value=0).map(lambda n: f"0b{n:b}"),
    st.lists(st.integers(min_value=0, max_value=59), min_size=1, max_size=300).map(
        lambda parts: "1" + "".join(f":{part:02d}" for part in parts)
    ),
    st.sampled_from(
        [".inf", "-.inf", ".NaN", "-0", "1_000", "1e309", "1.0e+400", "1:30.5", "0x_", "0b", "2,5"]
    ),
    st.text(alphabet="0123456789_.:+-eExXbo", max_size=12),
    st.text(max_size=4),
)
HOSTILE_SCALARS = st.builds(str.__add__, TAGS, NUMBERS)
# Every number field of the format, each filled with its own hostile scalar.
SESSION_TEMPLATE = """\
version: {}
name: x
minutes: {}
chimes: {{interval: chime, every: {}}}
steps:
  - say: hi
    seconds: {}
  - breathe: [inhale: {}, {{phase: exhale, seconds: {}}}]
    cycles: {}
  - breathe: [inhale: 4, exhale: 6]
    minutes: {}
  - breathe: [inhale: 4, exhale: 6]
"""
SETTINGS_TEMPLATE = "chimes: {}\nvolume: {}\nreduce_motion: {}\ncheckin: {}\nstreak: {}\n"


def assert_located(problem: Problem) -> None:
    """One line, at a position, short enough to read (a 5,000-digit value is cut)."""
    line, col, message = problem.line, problem.col, problem.message
    assert line >= 1 and col >= 1
    assert message and "\n" not in message and len(message) < 600


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
            assert_located(problem)
        return
    assert isinstance(session, Session)
    lengths = bounds(session)  # a loaded session must always plan at its own lengths
    for seconds in {lengths.shortest, lengths.default}:
        try:
            lay_out(session, seconds / 60)
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


def loaded_profile() -> settings:
    """The profile loaded above (`settings.default` is None only before one is loaded)."""
    profile = settings.default
    assert profile is not None
    return profile


# A quarter of the profile's examples each: every example fills every field.
QUARTER = settings(max_examples=max(1, loaded_profile().max_examples // 4))


@QUARTER
@given(st.lists(HOSTILE_SCALARS, min_size=8, max_size=8))
def test_hostile_scalars_in_every_number_field_never_escape(values: list[str]) -> None:
    check(SESSION_TEMPLATE.format(*values))


@QUARTER
@given(st.lists(HOSTILE_SCALARS, min_size=5, max_size=5))
def test_hostile_scalars_in_the_settings_file_never_escape(values: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / config.FILENAME
        path.write_text(SETTINGS_TEMPLATE.format(*values), encoding="utf-8")
        settings = config.load(path)  # never raises: each wrong key falls back
    for problem in settings.problems:
        assert_located(problem)
        assert "session" not in problem.message
