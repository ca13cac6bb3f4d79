"""Every length rule, checked on the plan with no clock."""

from __future__ import annotations

import itertools
import math
import resource

import pytest

from oxybreathe.core.loader import load_session
from oxybreathe.core.model import DEFAULT_FILL_SECONDS, Sound
from oxybreathe.core.plan import LengthError, bounds, lay_out
from tests.conftest import SESSIONS, run_cli


@pytest.fixture
def load(write):
    return lambda text: load_session(write(text))


def test_cues_are_laid_end_to_end(load):
    session = load("""
        name: x
        chimes: {start: bell, inhale: rise, end: bowl}
        steps:
          - say: Settle.
            seconds: 5
          - breathe: [inhale: 4, hold: 2, exhale: 6]
            cycles: 2
            say: Slowly.
    """)
    laid = lay_out(session)
    assert [(c.start, c.duration, c.kind, c.phase, c.cycle) for c in laid.cues] == [
        (0, 5, "prompt", None, None),
        (5, 4, "phase", "inhale", 1),
        (9, 2, "phase", "hold", 1),
        (11, 6, "phase", "exhale", 1),
        (17, 4, "phase", "inhale", 2),
        (21, 2, "phase", "hold", 2),
        (23, 6, "phase", "exhale", 2),
    ]
    assert laid.total == 29
    assert laid.step_starts == (0, 5)
    assert laid.cues[0].sound == Sound(builtin="bell")  # the start chime on the first cue
    assert laid.cues[1].sound == Sound(builtin="rise") and laid.cues[2].sound is None
    assert laid.cues[1].step_text == "Slowly." and laid.cues[1].cycles == 2
    assert laid.end_sound == Sound(builtin="bowl")


def test_filling_steps_share_what_the_fixed_steps_leave(load):
    session = load("""
        name: x
        steps:
          - say: a
            seconds: 20
          - breathe: [inhale: 4, exhale: 6]
          - say: b
    """)
    laid = lay_out(session, minutes=2.5)  # 150 s: 130 s left, 65 s each
    assert laid.total == 20 + 70 + 65  # 6.5 cycles round half up to 7
    assert [c.duration for c in laid.cues if c.kind == "prompt"] == [20, 65]


def test_a_filling_breathing_step_rounds_to_the_nearest_cycle(load):
    session = load("name: x\nsteps:\n  - breathe: [inhale: 4, exhale: 6]\n")
    assert lay_out(session, minutes=1.07).total == 60  # 6.42 cycles -> 6
    assert lay_out(session, minutes=1.09).total == 70  # 6.54 cycles -> 7


def test_a_filling_breathing_step_always_has_a_cycle(load):
    session = load(
        "name: x\nsteps:\n  - say: a\n  - breathe: [inhale: 15, exhale: 15]\n  - say: b\n"
    )
    assert bounds(session).shortest == 32
    laid = lay_out(session, minutes=32 / 60)  # a share of 10.7 s is 0.36 cycles: still one
    assert [c.duration for c in laid.cues] == pytest.approx([32 / 3, 15, 15, 32 / 3])


def test_the_file_minutes_is_the_default_length(load):
    session = load("name: x\nminutes: 2\nsteps:\n  - breathe: [inhale: 5, exhale: 5]\n")
    assert lay_out(session).total == 120
    assert lay_out(session, minutes=3).total == 180
    assert bounds(session).default == 120


def test_without_any_length_each_filling_step_gets_the_default(load):
    session = load("name: x\nsteps:\n  - say: a\n  - breathe: [inhale: 5, exhale: 5]\n")
    assert DEFAULT_FILL_SECONDS == 120
    assert lay_out(session).total == 240


def test_a_fixed_session_refuses_another_length_and_names_its_own(load):
    session = load("name: x\nsteps:\n  - say: a\n    seconds: 90\n")
    assert lay_out(session, minutes=1.5).total == 90
    with pytest.raises(LengthError, match="fixed length of 1 min 30 s; it cannot run for 3 min"):
        lay_out(session, minutes=3)
    assert bounds(session).fixed and bounds(session).shortest == 90


def test_too_short_a_length_names_the_shortest_possible(load):
    session = load(
        "name: x\nsteps:\n  - say: a\n    seconds: 60\n"
        "  - breathe: [inhale: 4, hold: 7, exhale: 8]\n  - say: b\n"
    )
    # Each filling step gets an equal share; at the smallest share (1 s for the prompt) the
    # breathing step still runs one 19 s cycle, so nothing shorter than 80 s can be laid out.
    with pytest.raises(LengthError, match="the shortest length is 1 min 20 s"):
        lay_out(session, minutes=79 / 60)
    assert bounds(session).shortest == 80
    assert lay_out(session, minutes=80 / 60).total == 60 + 19 + 10  # equal 10 s shares


def test_a_session_cannot_be_asked_for_more_than_three_hours(load):
    session = load("name: x\nsteps:\n  - breathe: [inhale: 4, exhale: 6]\n")
    assert lay_out(session, minutes=180).total == 10800
    with pytest.raises(LengthError, match="longer than the 3 h a session can last"):
        lay_out(session, minutes=181)


def test_minutes_on_a_breathing_step_rounds_to_whole_cycles(load):
    session = load(
        "name: x\nsteps:\n  - breathe: [inhale: 4, hold: 7, exhale: 8]\n    minutes: 1\n"
    )
    assert lay_out(session).total == 57  # 3.16 cycles -> 3
    assert bounds(session).fixed


def test_long_sessions_do_not_accumulate_rounding_error(load):
    session = load("name: x\nsteps:\n  - breathe: [inhale: 5.45, exhale: 5.45]\n")
    laid = lay_out(session, minutes=180)
    last = laid.cues[-1]
    assert last.start == pytest.approx(laid.total - 5.45, abs=1e-9)
    assert last.cycle == last.cycles == 990  # 990.8 cycles rounds down: 3 h is the limit


def test_cue_at_finds_the_running_cue(load):
    laid = lay_out(load("name: x\nsteps:\n  - breathe: [inhale: 4, exhale: 6]\n    cycles: 2\n"))
    assert [laid.cue_at(t) for t in (0, 3.99, 4, 10, 19.99)] == [0, 0, 1, 2, 3]
    assert laid.cue_at(20) is None
    assert laid.next_step_start(3) == 20


@pytest.mark.parametrize("path", sorted(SESSIONS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_builtin_plans_at_its_shortest_default_and_longest(path):
    session = load_session(path)
    lengths = bounds(session)
    for seconds in {lengths.shortest, lengths.default, lengths.longest}:
        laid = lay_out(session, seconds / 60)
        assert laid.cues and laid.total <= 10800 + 0.5
        ends = [cue.end for cue in laid.cues]
        assert all(a.end == pytest.approx(b.start) for a, b in itertools.pairwise(laid.cues))
        assert ends[-1] == pytest.approx(laid.total)


def test_interval_bells_fill_long_steps_only(load):
    session = load("""
        name: x
        chimes: {interval: chime, every: 30}
        steps:
          - say: short
            seconds: 20
          - say: long
            seconds: 95
    """)
    laid = lay_out(session)
    assert [bell.offset for bell in laid.bells] == [50, 80, 110]
    assert {s.builtin for s in laid.sounds} == {"bell", "chime", "bowl"}


def test_no_chimes_means_no_sounds(load):
    session = load("name: x\nchimes: {start: none, end: none}\nsteps: [{say: hi}]\n")
    assert lay_out(session).sounds == set()


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_a_small_file_asking_for_millions_of_cues_is_refused_before_laying_them_out(write):
    # 6 KB: one breathing step of 20 phases and 10,000 cycles, repeated by 900 aliases, is
    # 180 million cues. Checked on the step lengths, it is refused at once, in 1 GiB or less.
    phases = ", ".join(["inhale: 0.5", "exhale: 0.5"] * 10)
    path = write(
        f"name: big\nsteps:\n  - &s\n    breathe: [{phases}]\n    cycles: 10000\n"
        + "  - *s\n" * 900
    )
    result = run_cli("validate", str(path), preexec_fn=_limit_memory, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout == (
        f"{path}:3:3: this session would last 25027 h 46 min 40 s, "
        "longer than the 3 h a session can last\n"
    )


@pytest.mark.parametrize("minutes", [math.inf, math.nan, 1e308])
def test_a_length_that_is_not_a_finite_number_of_seconds_is_refused(load, minutes):
    fills = load("name: x\nsteps:\n  - breathe: [inhale: 4, exhale: 6]\n")
    fixed = load("name: x\nsteps:\n  - say: hi\n    seconds: 5\n")
    for session in (fills, fixed):
        with pytest.raises(LengthError, match="a length must be a finite number of minutes"):
            lay_out(session, minutes)
