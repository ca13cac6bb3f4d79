"""One session's life, with no terminal: a fake clock, a real history file in a tmp folder."""

from __future__ import annotations

import gc

import pytest

from oxybreathe.core import notes
from oxybreathe.core.checkin import Ratings
from oxybreathe.core.closing import Outcome
from oxybreathe.core.engine import CueStarted, Event, Finished
from oxybreathe.core.flow import SAVE_EVERY_SECONDS, SessionFlow, Show
from oxybreathe.core.history import Recorder, open_store
from oxybreathe.core.loader import load_session, parse_session
from oxybreathe.core.plan import lay_out
from tests.conftest import SESSIONS, FakeClock


def rows(folder):
    opened = open_store(folder)
    assert opened.store is not None
    try:
        return opened.store.rows()
    finally:
        opened.store.close()


def play_to_end(flow: SessionFlow, clock: FakeClock, show: Show | None = None) -> list[Event]:
    events = flow.start(show)
    while not flow.done:
        deadline = flow.next_deadline()
        assert deadline is not None
        clock.now = deadline
        events += flow.poll(show)
    return events


def test_a_whole_session_is_kept_with_its_ratings_and_note(tmp_path, clock):
    recorder = Recorder(tmp_path)
    session_plan = lay_out(load_session(SESSIONS / "box.yaml"), 1)
    flow = SessionFlow(session_plan, recorder=recorder, clock=clock)
    flow.begin(Ratings(stress=7, craving=3))
    events = play_to_end(flow, clock)
    assert sum(isinstance(e, CueStarted) for e in events) == len(session_plan.cues)
    assert flow.outcome == Outcome(session_plan.total, completed=True)
    closing = flow.close(Ratings(stress=4))
    assert closing.headline.startswith("Well done.")
    assert closing.changes() == ["Stress 7 → 4"]
    assert flow.close(Ratings(stress=1)) is closing  # closed once
    flow.shut()
    assert recorder.close(timeout=10)
    [row] = rows(tmp_path)
    assert (row.session, row.completed, row.actual_seconds) == ("box", True, session_plan.total)
    assert (row.stress_before, row.stress_after, row.craving_before, row.craving_after) == (
        7,
        4,
        3,
        None,
    )
    assert row.note == closing.note.id


def test_the_time_done_is_saved_every_30_seconds_even_in_a_long_prompt(tmp_path, clock):
    # One 100-second prompt: no cue for 100 s, yet the time done is kept every 30 s, so a
    # process killed at 95 s keeps 90 s.
    recorder = Recorder(tmp_path)
    long_prompt = parse_session("name: Long\nsteps: [{say: Sit., seconds: 100}]\n")
    flow = SessionFlow(lay_out(long_prompt), recorder=recorder, clock=clock)
    flow.begin(Ratings())
    flow.start()
    start = clock.now
    saves = []
    while flow.next_deadline() is not None and flow.next_deadline() < start + 95:
        clock.now = flow.next_deadline()
        flow.poll()
        saves.append(round(clock.now - start, 6))
        assert recorder.rows().result(timeout=10)[0].actual_seconds == pytest.approx(saves[-1])
    assert saves == [SAVE_EVERY_SECONDS, 2 * SAVE_EVERY_SECONDS, 3 * SAVE_EVERY_SECONDS]
    recorder.close(timeout=10)


def test_stopping_early_keeps_the_time_breathed_and_says_so(tmp_path, clock):
    recorder = Recorder(tmp_path)
    flow = SessionFlow(
        lay_out(load_session(SESSIONS / "box.yaml"), 3), recorder=recorder, clock=clock
    )
    flow.begin(Ratings())
    flow.start()
    clock.advance(12.5)
    flow.poll()
    outcome = flow.stop()
    assert outcome == Outcome(12.5, completed=False)
    assert flow.stop() == outcome  # a second stop changes nothing
    assert flow.close(Ratings()).headline == "You stopped after 12 s."
    recorder.close(timeout=10)
    [row] = rows(tmp_path)
    assert (row.completed, row.actual_seconds) == (False, 12.5)


def test_a_session_stopped_before_its_first_cue_is_kept_as_no_time(tmp_path, clock):
    recorder = Recorder(tmp_path)
    flow = SessionFlow(
        lay_out(load_session(SESSIONS / "box.yaml"), 3), recorder=recorder, clock=clock
    )
    flow.begin(Ratings())
    assert flow.stop() == Outcome(0.0, completed=False)
    flow.shut()
    recorder.close(timeout=10)
    [row] = rows(tmp_path)
    assert (row.completed, row.actual_seconds) == (False, 0.0)


def test_the_garbage_collector_is_held_only_while_the_clock_runs(clock):
    flow = SessionFlow(lay_out(load_session(SESSIONS / "sigh.yaml"), 1), clock=clock)
    assert gc.get_freeze_count() == 0
    flow.start()
    assert gc.get_freeze_count() > 1000
    flow.stop()
    assert gc.get_freeze_count() == 0


def test_the_next_sessions_note_rotates_past_the_one_shown(tmp_path, clock):
    recorder = Recorder(tmp_path)
    shown = []
    for _ in range(2):
        flow = SessionFlow(
            lay_out(load_session(SESSIONS / "box.yaml"), 1), recorder=recorder, clock=clock
        )
        flow.begin(Ratings())
        assert isinstance(play_to_end(flow, clock)[-1], Finished)
        shown.append(flow.close(Ratings(), wait=10).note.id)
    assert shown[0] != shown[1]
    assert {shown[0], shown[1]} <= {n.id for n in notes.library() if n.topic == "stress"}
    recorder.close(timeout=10)


def test_without_a_history_the_session_still_runs_and_closes(clock):
    flow = SessionFlow(lay_out(load_session(SESSIONS / "grounding.yaml")), clock=clock)
    flow.begin(Ratings(craving=8))
    play_to_end(flow, clock)
    assert flow.close(Ratings(craving=5)).changes() == ["Craving 8 → 5"]


class ListeningPlayer:
    """A player that notes each sound asked for, in order with what was shown (the flow's
    Player protocol; the real one is tested through ALSA in test_audio.py)."""

    unavailable = False

    def __init__(self, log: list[str]) -> None:
        self.log = log

    def notice_for(self, front_end):
        return None

    def wait_ready(self) -> None:
        pass

    def play(self, sound) -> None:
        if sound is not None:
            self.log.append(f"sound {sound.builtin}")

    def close(self, linger=0.0) -> None:
        pass


def chimed_flow(log: list[str], clock: FakeClock, cycles: int) -> SessionFlow:
    """A flow whose every phase rings the tick, into a player that notes it in `log`."""
    session = parse_session(
        "name: Chimed\nchimes: {start: none, end: none, phase: tick}\n"
        f"steps:\n  - breathe: [inhale: 4, exhale: 4]\n    cycles: {cycles}\n"
    )
    flow = SessionFlow(lay_out(session), player=ListeningPlayer(log), clock=clock)
    flow.begin(Ratings())
    return flow


def test_a_front_end_that_shows_at_once_shows_each_cue_before_its_sound(clock):
    log: list[str] = []
    flow = chimed_flow(log, clock, cycles=2)

    def show(events: list[Event]) -> None:
        log.extend(f"show {e.cue.phase}" for e in events if isinstance(e, CueStarted))

    play_to_end(flow, clock, show)
    assert log == ["show inhale", "sound tick", "show exhale", "sound tick"] * 2


def test_without_a_show_the_sound_goes_out_before_the_events_are_returned(clock):
    log: list[str] = []
    flow = chimed_flow(log, clock, cycles=1)
    [cue] = [e for e in flow.start() if isinstance(e, CueStarted)]
    flow.stop()  # which hands the garbage collector back
    assert (cue.cue.phase, log) == ("inhale", ["sound tick"])
