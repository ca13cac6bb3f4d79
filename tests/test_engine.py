"""The engine against a fake clock: deadlines, pause, skip, stop and late wake-ups. No sleeping."""

from __future__ import annotations

import random

import pytest

from oxybreathe.core.engine import (
    BellRang,
    CueStarted,
    Engine,
    Event,
    Finished,
    Paused,
    Resumed,
    Skipped,
    Stopped,
)
from oxybreathe.core.loader import parse_session
from oxybreathe.core.plan import lay_out
from tests.conftest import FakeClock

BOX = """
name: Box
chimes: {start: bell, inhale: rise, exhale: fall, end: bowl}
steps:
  - say: Settle.
    seconds: 10
  - breathe: [inhale: 4, hold: 4, exhale: 4, hold: 4]
    cycles: 3
  - say: Rest.
    seconds: 10
"""


@pytest.fixture
def engine(clock: FakeClock) -> Engine:
    return Engine(lay_out(parse_session(BOX)), clock)


def run_to_next(engine: Engine, clock: FakeClock, lateness: float = 0.0) -> list[Event]:
    deadline = engine.next_deadline()
    assert deadline is not None
    clock.now = deadline + lateness
    return engine.poll()


def test_start_emits_the_first_cue_with_its_start_chime(engine, clock):
    (event,) = engine.start()
    assert isinstance(event, CueStarted)
    assert event.cue.index == 0 and event.late == 0 and event.play_sound
    assert event.cue.sound is not None and event.cue.sound.builtin == "bell"
    assert engine.next_deadline() == clock.now + 10


def test_deadlines_come_from_the_start_not_from_when_poll_ran(engine, clock):
    start = clock.now
    engine.start()
    for _ in range(5):
        events = run_to_next(engine, clock, lateness=0.3)  # every wake-up 300 ms late
        assert isinstance(events[0], CueStarted)
        assert events[0].late == pytest.approx(0.3)
    # Five cues in: the next deadline is still exactly start + its planned offset.
    assert engine.next_deadline() == pytest.approx(start + engine.plan.cues[6].start)


def test_polling_before_a_deadline_emits_nothing(engine, clock):
    engine.start()
    clock.advance(9.999)
    assert engine.poll() == []
    clock.advance(0.001)
    assert [e.cue.index for e in engine.poll()] == [1]


def test_pause_shifts_every_remaining_deadline(engine, clock):
    start = clock.now
    engine.start()
    clock.advance(5)
    assert engine.pause() == [Paused(5.0)]
    assert engine.next_deadline() is None
    clock.advance(100)
    assert engine.poll() == []  # nothing happens while paused
    assert engine.position() == 5
    events = engine.resume()
    assert events == [Resumed(5.0, 100.0)]
    assert engine.next_deadline() == start + 100 + 10
    clock.advance(5)
    assert [e.cue.index for e in engine.poll()] == [1]


def test_skip_jumps_to_the_next_step(engine, clock):
    start = clock.now
    engine.start()
    clock.advance(12)  # into the first inhale of the breathing step
    engine.poll()
    skipped, started = engine.skip()
    assert skipped == Skipped(1, 58.0)
    assert isinstance(started, CueStarted) and started.cue.text == "Rest."
    assert engine.position() == pytest.approx(58)
    assert engine.ran() == pytest.approx(12)
    # The end is now 10 s away, measured consistently from the start.
    assert engine.next_deadline() == pytest.approx(start + 12 + 10)


def test_skip_while_paused_stays_paused(engine, clock):
    engine.start()
    clock.advance(3)
    engine.pause()
    _, started = engine.skip()
    assert started.cue.index == 1 and engine.paused
    clock.advance(50)
    assert engine.position() == pytest.approx(10)
    engine.resume()
    assert engine.cue_elapsed() == 0


def test_skip_from_the_last_step_finishes(engine, clock):
    engine.start()
    clock.advance(60)
    engine.poll()
    events = engine.skip()
    assert isinstance(events[-1], Finished) and engine.done


def test_stop_reports_how_long_actually_ran(engine, clock):
    engine.start()
    clock.advance(20)
    engine.poll()
    engine.pause()
    clock.advance(30)
    (event,) = engine.stop()
    assert event == Stopped(ran=20.0, position=20.0)
    clock.advance(10)
    assert engine.ran() == 20 and engine.stop() == [] and engine.poll() == []


def test_a_late_wake_up_moves_straight_to_the_current_cue(engine, clock):
    engine.start()
    clock.advance(33)  # a suspended laptop: 10 s prompt, then 23 s into the breathing
    (event,) = engine.poll()
    assert event.cue.index == 6  # cycle 2, the first hold (30 s to 34 s)
    assert event.cue.start == 30 and event.cue.phase == "hold"
    assert event.missed == 5
    assert event.late == pytest.approx(3)
    assert event.play_sound is False  # no burst, and no misleading late chime
    following = run_to_next(engine, clock)[0]
    assert isinstance(following, CueStarted) and following.cue.index == 7


def test_a_wake_up_past_the_end_finishes_once(engine, clock):
    engine.start()
    clock.advance(10_000)
    assert engine.poll() == [Finished(10_000.0)]
    assert engine.poll() == []


def test_the_plan_runs_to_its_end_and_finishes(engine, clock):
    events = engine.start()
    while not engine.done:
        events += run_to_next(engine, clock)
    started = [e for e in events if isinstance(e, CueStarted)]
    assert [e.cue.index for e in started] == list(range(len(engine.plan.cues)))
    assert events[-1] == Finished(engine.plan.total)


def test_a_long_session_does_not_drift_with_jittery_wake_ups(clock):
    session = parse_session("name: x\nsteps:\n  - breathe: [inhale: 5.45, exhale: 5.45]\n")
    long_engine = Engine(lay_out(session, minutes=180), clock)
    start = clock.now
    rng = random.Random(7)
    long_engine.start()
    worst = 0.0
    while not long_engine.done:
        deadline = long_engine.next_deadline()
        assert deadline is not None
        clock.now = deadline + rng.uniform(0, 0.02)  # every wake-up up to 20 ms late
        for event in long_engine.poll():
            if isinstance(event, CueStarted):
                worst = max(worst, clock.now - (start + event.cue.start))
    assert long_engine.plan.cues[-1].cycle == 990
    assert worst <= 0.02 + 1e-6  # the error never exceeds one wake-up's lateness


def test_elapsed_time_drives_the_pacer(engine, clock):
    engine.start()
    clock.advance(12.5)
    engine.poll()
    assert engine.current.phase == "inhale"
    assert engine.cue_elapsed() == pytest.approx(2.5)
    assert engine.remaining() == pytest.approx(engine.plan.total - 12.5)


SITTING = """
name: Sitting
chimes: {start: bell, interval: chime, every: 60, end: bowl}
steps:
  - say: Sit quietly.
    seconds: 300
  - say: Come back.
    seconds: 10
"""


def test_interval_bells_ring_on_their_own_deadlines(clock):
    engine = Engine(lay_out(parse_session(SITTING)), clock)
    start = clock.now
    engine.start()
    rung = []
    while not engine.done:
        deadline = engine.next_deadline()
        clock.now = deadline
        for event in engine.poll():
            if isinstance(event, BellRang):
                rung.append(clock.now - start)
                assert event.play_sound and event.bell.sound.builtin == "chime"
    assert rung == [60, 120, 180, 240]  # not at 300: that is the next step's start


def test_bells_missed_in_a_stall_ring_once_and_only_if_on_time(clock):
    engine = Engine(lay_out(parse_session(SITTING)), clock)
    engine.start()
    clock.advance(200)  # a suspended laptop slept through the 60 s, 120 s and 180 s bells
    (bell,) = [e for e in engine.poll() if isinstance(e, BellRang)]
    assert bell.bell.offset == 180 and bell.late == pytest.approx(20)
    assert bell.play_sound is False  # 20 s late: silence rather than a misleading bell
    deadline = engine.next_deadline()
    assert deadline is not None
    clock.now = deadline
    (on_time,) = engine.poll()
    assert isinstance(on_time, BellRang)
    assert on_time.bell.offset == 240 and on_time.play_sound


def test_skipping_a_step_skips_its_bells(clock):
    engine = Engine(lay_out(parse_session(SITTING)), clock)
    engine.start()
    clock.advance(30)
    engine.skip()
    clock.advance(5)
    assert not [e for e in engine.poll() if isinstance(e, BellRang)]
    assert engine.next_deadline() == pytest.approx(clock.now + 5)  # the end, not a bell
