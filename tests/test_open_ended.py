"""Open-ended sessions: the filling step runs until the user stops, and that is its ending."""

from __future__ import annotations

import io
import signal

import pytest

from oxybreathe.core import checkin
from oxybreathe.core.checkin import Ratings
from oxybreathe.core.flow import CHECK_EVERY_SECONDS, SessionFlow
from oxybreathe.core.history import Recorder, open_store
from oxybreathe.core.loader import load_session, parse_session
from oxybreathe.core.model import SESSION_MAX_SECONDS, SayStep
from oxybreathe.core.plan import LengthError, lay_out
from oxybreathe.core.problems import LoadError
from oxybreathe.plain import run_plain
from oxybreathe.ui.screens.closing import ClosingScreen
from oxybreathe.ui.screens.home import HomeScreen
from oxybreathe.ui.screens.session import SessionScreen
from tests.conftest import (
    SESSIONS,
    app_with,
    history_rows,
    run_cli,
    select,
    session_on_top,
    start_run,
    text_of,
    top,
)

FILLING = (
    "name: Open\nsteps:\n  - say: settle\n    seconds: 2\n  - breathe: [inhale: 2, exhale: 3]\n"
)


def test_the_plan_is_bounded_and_marked_open_ended():
    plan = lay_out(parse_session(FILLING, "open.yaml"), open_ended=True)
    assert plan.open_ended
    assert SESSION_MAX_SECONDS - 5 <= plan.total <= SESSION_MAX_SECONDS
    assert len(plan.cues) <= 1 + 2 * SESSION_MAX_SECONDS // 5  # a few thousand, never millions
    assert not lay_out(parse_session(FILLING, "open.yaml"), 5).open_ended
    fixed = parse_session("name: F\nsteps: [{say: hi, seconds: 3}]\n", "f.yaml")
    with pytest.raises(LengthError, match="only a session with a step that fills"):
        lay_out(fixed, open_ended=True)


def test_the_session_file_says_it_and_a_wrong_value_is_located(write):
    session = load_session(write(FILLING + "open_ended: true\n"))
    assert session.open_ended and lay_out(session).open_ended
    assert not lay_out(session, 3).open_ended  # a chosen length wins
    for text, where, message in (
        (FILLING + "open_ended: maybe\n", "6:13", "`open_ended` must be true or false"),
        (FILLING + "minutes: 5\nopen_ended: true\n", "6:10", "not both"),
        ("name: F\nsteps: [{say: hi, seconds: 3}]\nopen_ended: yes\n", "3:13", "can be open-ended"),
    ):
        with pytest.raises(LoadError) as error:
            load_session(write(text, "bad.yaml"))
        [problem] = error.value.problems
        assert f":{where}:" in str(problem) and message in str(problem)


def test_stopping_is_a_normal_ending_kept_as_finished(tmp_path, clock):
    recorder = Recorder(tmp_path)
    plan = lay_out(load_session(SESSIONS / "urge-surfing.yaml"), open_ended=True)
    flow = SessionFlow(plan, recorder=recorder, clock=clock)
    flow.begin(Ratings(craving=8))
    flow.start()
    for _ in range(100):  # deadlines on the fake clock, no sleep
        deadline = flow.next_deadline()
        assert deadline is not None
        clock.now = deadline
        flow.poll()
    outcome = flow.stop()
    assert outcome.completed and outcome.ran == pytest.approx(clock.now - 1000.0)
    closing = flow.close(Ratings(craving=3))
    assert closing.headline.startswith("Well done. You breathed for")
    recorder.close()
    opened = open_store(tmp_path)
    assert opened.store is not None
    [row] = opened.store.rows()
    opened.store.close()
    assert (row.completed, row.planned_seconds, row.craving_before, row.craving_after) == (
        True,
        0,
        8,
        3,
    )


def test_plain_mode_ends_on_ctrl_c_normally_with_status_0():
    process = start_run(["urge-surfing", "--open-ended", "--plain", "--no-chimes"])
    assert process.stdout is not None
    assert process.stdout.readline() == "Urge surfing (open-ended: Ctrl+C ends it)\n"
    first = load_session(SESSIONS / "urge-surfing.yaml").steps[0]
    assert isinstance(first, SayStep)
    assert process.stdout.readline() == first.text + "\n"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Ended after " in out and "Stopped after" not in out
    [row] = run_cli("history", "--csv").stdout.splitlines()[1:]
    assert row.split(",")[1:5] == ["urge-surfing", "0", row.split(",")[3], "1"]


def test_open_ended_with_minutes_is_a_usage_error():
    result = run_cli("run", "box", "--open-ended", "--minutes", "5", "--plain")
    assert result.returncode == 2
    assert result.stderr == "oxybreathe run: give --minutes or --open-ended, not both\n"
    fixed = run_cli("run", "grounding", "--open-ended", "--plain")
    assert fixed.returncode == 2 and "can be open-ended" in fixed.stderr


async def test_the_length_chooser_ends_with_open_ended_and_q_ends_it_as_finished(clock):
    app = app_with(clock, chimes=False, checkin=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await select(pilot, "urge-surfing")
        home = top(app, HomeScreen)
        await pilot.press(*["right"] * (len(home.choices) + 2))  # past the end: it stays
        assert text_of(home, "length") == "Length: ◀ open-ended ▶  (until you stop)"
        await pilot.press("enter")
        screen = await session_on_top(pilot)
        assert isinstance(screen, SessionScreen) and screen.plan.open_ended
        clock.advance(3600)  # an hour: far past the file's 10 minutes
        screen.sync()
        await pilot.pause()
        assert text_of(screen, "progress") == "1:00:00 so far.  Open-ended: q ends it."
        assert not screen.engine.done
        await pilot.press("q", "y")
        await pilot.pause()
        closing = top(app, ClosingScreen)
        assert text_of(closing, "headline") == "Well done. You breathed for 1 h."
    app.wrap_up()
    [row] = history_rows()
    assert (row.completed, row.actual_seconds) == (True, 3600)


def test_an_urge_session_asks_craving_now_every_few_minutes_and_keeps_the_answers(tmp_path, clock):
    recorder = Recorder(tmp_path)
    plan = lay_out(load_session(SESSIONS / "urge-surfing.yaml"), open_ended=True)
    flow = SessionFlow(plan, recorder=recorder, clock=clock)
    flow.begin(Ratings(craving=8))
    flow.start()
    while not flow.asking:  # on the fake clock, deadline by deadline: the check is one of them
        deadline = flow.next_deadline()
        assert deadline is not None
        clock.now = deadline
        flow.poll()
    assert flow.engine.ran() == pytest.approx(CHECK_EVERY_SECONDS)
    assert flow.rate_during(6) is False and not flow.asking  # 8 -> 6: not yet
    while not flow.asking:
        deadline = flow.next_deadline()
        assert deadline is not None
        clock.now = deadline
        flow.poll()
    assert flow.rate_during(4) is True  # 8 -> 4: eased, the front end offers to end
    flow.stop()
    flow.close(Ratings(craving=3))
    recorder.close()
    opened = open_store(tmp_path)
    assert opened.store is not None
    [row] = opened.store.rows()
    opened.store.close()
    assert row.craving_during == ((180, 6), (360, 4)) and row.completed


def test_a_timed_session_or_one_without_a_craving_rating_never_asks(clock):
    urge = load_session(SESSIONS / "urge-surfing.yaml")
    for plan, before in (
        (lay_out(urge), Ratings(craving=8)),
        (lay_out(urge, open_ended=True), Ratings()),
    ):
        flow = SessionFlow(plan, clock=clock)
        flow.begin(before)
        flow.start()
        clock.advance(CHECK_EVERY_SECONDS * 2)
        flow.poll()
        assert not flow.asking


async def test_the_app_asks_craving_now_and_offers_to_end_when_it_eased(clock):
    app = app_with(clock, chimes=False, checkin_questions="craving")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await select(pilot, "urge-surfing")
        home = top(app, HomeScreen)
        await pilot.press(*["right"] * (len(home.choices) + 2), "enter")
        await pilot.pause()
        await pilot.press("8")  # the craving before
        screen = await session_on_top(pilot)
        clock.advance(CHECK_EVERY_SECONDS)
        screen.sync()
        await pilot.pause()
        assert text_of(screen, "paused") == "Craving now? Press 0-9, or t for 10."
        await pilot.press("3")
        assert text_of(screen, "paused") == "Craving 8 → 3: eased. q ends, or go on."  # fits 40
        await pilot.press("q", "y")
        await pilot.pause()
        await pilot.press("2")  # the craving after
        await pilot.pause()
        assert isinstance(top(app, ClosingScreen), ClosingScreen)
    app.wrap_up()
    [row] = history_rows()
    assert (row.craving_before, row.craving_during, row.craving_after) == (8, ((180, 3),), 2)
    assert row.completed


def test_plain_mode_takes_a_typed_answer_while_the_session_goes_on(tmp_path, clock):
    recorder = Recorder(tmp_path)
    plan = lay_out(load_session(SESSIONS / "urge-surfing.yaml"), open_ended=True)
    flow = SessionFlow(plan, recorder=recorder, clock=clock)
    answers = iter(["eleven", "2"])  # typed during the session: a mistake, then 2
    asked_at: list[float] = []

    def typed(timeout: float) -> str | None:
        asked_at.append(flow.engine.ran())
        if flow.engine.ran() > 2 * CHECK_EVERY_SECONDS:
            raise KeyboardInterrupt  # Ctrl+C: the way an open-ended session ends
        clock.advance(min(timeout, 5))
        return next(answers, None) if len(asked_at) in (1, 2) else None

    out = io.StringIO()
    status = run_plain(
        flow,
        out=out,
        sleep=clock.advance,
        ask=lambda prompt: "7" if not flow.engine.started else "",
        questions=checkin.asked("craving"),
        typed=typed,
    )
    recorder.close()
    text = out.getvalue()
    assert status == 0
    assert text.count("Craving now? Type 0-10 and Enter (or just keep breathing).") == 2
    assert "Please type a whole number from 0 to 10, or press Enter to skip." in text
    assert "Craving 7 to 2: it has eased. Ctrl+C ends here, or go on." in text
    assert "Ended after " in text
    opened = open_store(tmp_path)
    assert opened.store is not None
    [row] = opened.store.rows()
    opened.store.close()
    assert row.craving_before == 7 and [r for _s, r in row.craving_during] == [2]
