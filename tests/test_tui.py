"""The Textual app through Pilot, with an injected clock: no test waits for real time."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import pytest
from textual.widgets import DataTable

from oxybreathe.core import history
from oxybreathe.core import memory as memories
from oxybreathe.core.loader import load_session, parse_session
from oxybreathe.core.memory import Memory
from oxybreathe.core.plan import lay_out
from oxybreathe.ui.screens import session as session_module
from oxybreathe.ui.screens.checkin import CheckinScreen
from oxybreathe.ui.screens.closing import ClosingScreen
from oxybreathe.ui.screens.confirm import Confirm
from oxybreathe.ui.screens.history import HistoryScreen
from oxybreathe.ui.screens.home import HomeScreen
from oxybreathe.ui.screens.session import (
    MIN_FRAME_SECONDS,
    QUIET_BEFORE_CUE,
    SECOND_MARGIN,
    SessionScreen,
    clock_text,
    next_draw_in,
)
from oxybreathe.ui.widgets.details import Details
from oxybreathe.ui.widgets.pacer import Pacer, orb_lines, pacer_levels
from tests.conftest import (
    SESSIONS,
    app_with,
    box_app,
    history_rows,
    history_store,
    select,
    session_on_top,
    text_of,
    to_next_deadline,
    top,
)


async def test_home_lists_sessions_with_descriptions(clock):
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = top(app, HomeScreen)
        assert isinstance(home, HomeScreen)
        assert {"box", "4-7-8", "urge-surfing"} <= {entry.id for entry in home.entries}
        await select(pilot, "box")
        assert text_of(home, "name") == "Box breathing"
        assert "Four equal sides" in text_of(home, "description")
        assert text_of(home, "length") == "Length: ◀ 5 min ▶  (runs 5 min 6 s)"


async def test_length_keys_move_within_what_the_session_allows(clock):
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await select(pilot, "box")
        await pilot.press("right", "plus")
        assert text_of(app.screen, "length").startswith("Length: ◀ 7 min ▶")
        await pilot.press(*["left"] * 40)
        assert text_of(app.screen, "length").startswith("Length: ◀ 34 s ▶")  # the shortest
        await select(pilot, "grounding")
        await pilot.press("right")
        assert text_of(app.screen, "length") == "Length: 2 min 25 s (fixed)"


async def test_start_breathe_pause_resume_and_finish(clock):
    app = app_with(clock, chimes=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await select(pilot, "box")
        await pilot.press("left", "left")  # 3 minutes
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)
        assert text_of(app.screen, "question") == "Stress now?"
        await pilot.press("7")
        assert text_of(app.screen, "question") == "Craving now?"
        await pilot.press("6")
        screen = await session_on_top(pilot)
        assert screen.plan.total == 8 + 10 * 16 + 10  # 3 min asks for 10.25 cycles: 10
        assert text_of(screen, "prompt").startswith("Sit comfortably")
        await to_next_deadline(pilot, clock, screen)
        assert text_of(screen, "phase") == "Breathe in  4"
        clock.advance(1.5)
        screen.draw()
        assert text_of(screen, "phase") == "Breathe in  3"
        await pilot.press("space")
        assert screen.engine.paused and "Paused" in text_of(screen, "paused")
        clock.advance(600)  # ten minutes away from the screen
        screen.sync()
        assert text_of(screen, "phase") == "Breathe in  3"
        await pilot.press("space")
        assert not screen.engine.paused and text_of(screen, "paused") == ""
        while not screen.engine.done:
            await to_next_deadline(pilot, clock, screen)
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)
        await pilot.press("4", "3")
        await pilot.pause()
        closing = top(app, ClosingScreen)
        assert isinstance(closing, ClosingScreen)
        assert text_of(closing, "headline") == "Well done. You breathed for 2 min 58 s."
        assert text_of(closing, "changes") == "Stress 7 → 4   Craving 6 → 3"
        assert text_of(closing, "source").startswith("Source: ")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    app.wrap_up()
    assert memories.load() == Memory("box", 3.0, told=True)
    [row] = history_rows()
    assert (row.session, row.completed, round(row.actual_seconds)) == ("box", True, 178)
    assert (row.stress_before, row.stress_after, row.craving_before, row.craving_after) == (
        7,
        4,
        6,
        3,
    )
    assert row.note == closing.closing.note.id


async def test_a_ten_minute_session_runs_in_milliseconds(clock):
    session_plan = lay_out(load_session(SESSIONS / "resonant.yaml"), minutes=10)
    app = app_with(clock, checkin=False, chimes=False, start=session_plan)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await session_on_top(pilot)
        phases_seen = set()
        while not screen.engine.done:
            await to_next_deadline(pilot, clock, screen)
            if screen.engine.current is not None:
                phases_seen.add(text_of(screen, "phase").split("  ")[0])
        await pilot.pause()
        assert phases_seen == {"", "Breathe in", "Breathe out"}
        assert isinstance(app.screen, ClosingScreen)


async def test_skip_moves_to_the_next_step(clock):
    app = box_app(clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = top(app, SessionScreen)
        await pilot.press("s")
        assert screen.engine.current is not None and screen.engine.current.step == 1
        await pilot.press("s")
        assert text_of(screen, "prompt").startswith("Let your breathing return")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ClosingScreen)


async def test_ending_early_asks_first_and_can_be_cancelled(clock):
    app = box_app(clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = top(app, SessionScreen)
        clock.advance(20)
        screen.sync()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, Confirm) and screen.engine.paused
        clock.advance(30)  # deciding takes a while; it does not count
        await pilot.press("n")
        await pilot.pause()
        assert top(app, SessionScreen) is screen and not screen.engine.paused
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        closing = top(app, ClosingScreen)
        assert isinstance(closing, ClosingScreen)
        assert text_of(closing, "headline") == "You stopped after 20 s."  # no "well done"


async def test_user_text_is_shown_literally(clock):
    session = parse_session(
        'name: "[red]x[/red] \\e]0;title\\a"\nsteps:\n  - say: "[/] and [bold]b[/bold]"\n'
        "    seconds: 5\n"
    )
    app = app_with(clock, checkin=False, chimes=False, start=lay_out(session))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert text_of(app.screen, "title") == "[red]x[/red] ]0;title"
        assert text_of(app.screen, "prompt") == "[/] and [bold]b[/bold]"


async def test_reduced_motion_shows_a_calm_countdown_without_the_orb(clock):
    app = box_app(clock, reduce_motion=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = top(app, SessionScreen)
        assert not screen.query(Pacer)
        await to_next_deadline(pilot, clock, screen)
        assert text_of(screen, "phase") == "Breathe in  4"
        # In the middle of the screen, and one line high: the countdown's change each second
        # repaints that line alone (it was the 24 rows around it, 3.5 KB a second).
        phase = screen.query_one("#phase").region
        assert phase.height == 1 and abs(phase.y - 15) <= 3


async def test_details_show_user_text_literally_and_make_room_in_small_terminals(
    clock, user_sessions
):
    user_sessions.mkdir(parents=True)
    (user_sessions / "marked.yaml").write_text(
        "name: '[b]Loud[/b] [link=x]here'\ndescription: 'Calm [red]text[/red].'\n"
        "steps:\n  - breathe: [inhale: 4, exhale: 4]\n"
    )
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await select(pilot, "marked")
        details = app.screen.query_one(Details)
        shown = str(details.render())
        assert "[b]Loud[/b] [link=x]here" in shown  # markup is text here
        assert "Calm [red]text[/red]." in shown
        assert shown.index("Loud") < shown.index("Calm") < shown.index("Length")
        await pilot.resize_terminal(60, 16)
        await pilot.pause()
        shown = str(details.render())
        assert "Calm" not in shown  # the description gives way
        assert "Length: ◀" in shown and "Chimes: on" in shown
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert "Calm [red]text[/red]." in str(details.render())
        with pytest.raises(ValueError, match="no such part: colour"):
            details.show(colour="red")


async def test_chimes_toggle_and_broken_user_files_show_their_problems(clock, user_sessions):
    user_sessions.mkdir(parents=True)
    (user_sessions / "mine.yaml").write_text("name: Mine\nsteps:\n  - sy: hi\n")
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await select(pilot, "mine")
        assert "mine.yaml:3:5: a step needs" in text_of(app.screen, "problems")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # a broken session does not start
        await pilot.press("c")
        assert text_of(app.screen, "chimes").startswith("Chimes: off")
        await pilot.press("m")
        assert "Motion: calm countdown" in text_of(app.screen, "chimes")
    assert memories.load() == Memory(
        preferences={"chimes": False, "reduce_motion": True}, told=True
    )
    app = box_app(clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert not app.screen.query(Pacer)  # the remembered setting applies to the next session


async def test_edit_of_a_builtin_makes_a_user_copy_first(clock, user_sessions, monkeypatch):
    monkeypatch.setenv("EDITOR", "true")  # an editor that changes nothing
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await select(pilot, "box")
        await pilot.press("e")
        await pilot.pause()
        # The headless driver cannot suspend; the copy is still made, and the built-in untouched.
        copy = user_sessions / "box.yaml"  # your box, which replaces the built-in in the list
        assert copy.read_text() == (SESSIONS / "box.yaml").read_text()
        selected = top(app, HomeScreen).selected
        assert selected is not None and selected.id == "box" and not selected.builtin
        await pilot.press("n")
        await pilot.pause()
        assert (user_sessions / "my-session.yaml").is_file()
        selected = top(app, HomeScreen).selected
        assert selected is not None and selected.id == "my-session"


async def test_the_last_choice_is_remembered(clock, isolated_home: Path):
    memories.save(Memory("resonant", 5.0, {"chimes": False}))
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = top(app, HomeScreen)
        assert home.selected is not None and home.selected.id == "resonant"
        assert text_of(home, "length").startswith("Length: ◀ 5 min ▶")
        assert text_of(home, "chimes").startswith("Chimes: off")


async def test_tiny_terminals_still_show_the_essentials(clock):
    app = box_app(clock)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        screen = top(app, SessionScreen)
        await to_next_deadline(pilot, clock, screen)
        assert screen.query_one("#phase").region.height >= 1
        assert text_of(screen, "phase") == "Breathe in  4"
        await pilot.resize_terminal(20, 6)
        await pilot.pause()
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert screen.query_one(Pacer).size.width == 100


def test_pacer_levels_fill_on_inhales_and_empty_on_exhales():
    laid = lay_out(load_session(SESSIONS / "sigh.yaml"), minutes=1)
    levels = pacer_levels(laid)
    assert levels[0] == (0.0, 0.0)  # the opening prompt
    assert levels[1] == pytest.approx((0.0, 2 / 3))  # the first, longer inhale
    assert levels[2] == pytest.approx((2 / 3, 1.0))  # the top-up
    assert levels[3] == pytest.approx((1.0, 0.0))  # the long exhale


def test_the_orb_grows_with_fullness():
    def area(fullness: float) -> int:
        return sum(line.count("█") for line in orb_lines(40, 12, fullness))

    assert 0 < area(0) < area(0.5) < area(1)
    assert all(len(line) == 40 for line in orb_lines(40, 12, 1))


async def test_a_session_opened_at_once_does_not_wait_for_home_to_read_the_files(clock):
    # `oxybreathe run box`: home is under the session; reading every session file there would
    # hold up the session's first cues. It reads them when it first comes into view, with the
    # session just run highlighted, not the one remembered from before.
    memories.save(Memory("4-7-8", 5.0))
    app = box_app(clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await session_on_top(pilot)
        [home] = [s for s in app.screen_stack if isinstance(s, HomeScreen)]
        await to_next_deadline(pilot, clock, screen)
        await pilot.pause()
        assert home.entries == []
        await pilot.press("q", "y")  # stop early: the closing screen, then home
        await pilot.pause()
        assert isinstance(app.screen, ClosingScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert top(app, HomeScreen) is home
        await pilot.pause()
        assert "box" in {entry.id for entry in home.entries}
        assert home.selected is not None and home.selected.id == "box"


async def test_the_next_cue_is_timed_on_the_event_loops_monotonic_clock(clock):
    # An absolute time on the loop's clock: a busy moment after setting it cannot make it late
    # (Textual's set_timer counts from when its task first runs).
    app = box_app(clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await session_on_top(pilot)
        await to_next_deadline(pilot, clock, screen)
        loop = asyncio.get_running_loop()
        before = loop.time()
        screen._schedule()
        after = loop.time()
        timer = screen._deadline_timer
        assert timer is not None
        wait = screen.engine.next_deadline() - clock()
        assert before + wait <= timer.when() <= after + wait


async def test_no_full_garbage_collection_walks_the_app_during_a_session(clock):
    # A full collection of everything Textual holds took 22 ms mid-session: more than a frame.
    app = box_app(clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await session_on_top(pilot)
        assert gc.get_freeze_count() > 1000
        while not screen.engine.done:
            await to_next_deadline(pilot, clock, screen)
        await pilot.pause()
        assert not isinstance(app.screen, SessionScreen)
        assert gc.get_freeze_count() == 0
    assert gc.get_freeze_count() == 0


def test_redraws_come_when_something_drawn_changes_and_never_just_before_a_cue():
    # A countdown's next second (2.5 s left in the cue: in 0.5 s), just after it ticks over.
    assert next_draw_in(2.5, 30.0, None) == pytest.approx(0.5 + SECOND_MARGIN)
    # The session's clock ticks first when it is nearer.
    assert next_draw_in(2.5, 30.2, None) == pytest.approx(0.2 + SECOND_MARGIN)
    # The orb moves by a pixel sooner than either: then, but never sooner than a frame.
    assert next_draw_in(2.5, 30.0, 0.1) == pytest.approx(0.1)
    assert next_draw_in(2.5, 30.0, 0.001) == pytest.approx(MIN_FRAME_SECONDS)
    # Within one frame before the cue's deadline nothing is drawn: the deadline draws, and a
    # paint just before it would hold the new phase back by a frame.
    left = 0.3
    assert next_draw_in(left, 30.0, left - QUIET_BEFORE_CUE + 0.001) is None
    assert next_draw_in(left, 30.0, left - QUIET_BEFORE_CUE - 0.001) == pytest.approx(
        left - QUIET_BEFORE_CUE - 0.001
    )
    assert next_draw_in(0.01, 30.0, 0.005) is None  # a cue shorter than a frame
    assert next_draw_in(0.9, 30.0, None) is None  # the countdown's next change is the deadline
    assert QUIET_BEFORE_CUE > 1 / 60  # at least one of Textual's frames


def test_clock_text_counts_down_without_showing_zero_early():
    assert [clock_text(s) for s in (0, 0.2, 59.5, 60, 3599.9, 3600)] == [
        "0:00",
        "0:01",
        "1:00",
        "1:00",
        "1:00:00",
        "1:00:00",
    ]


def _orb_by_pixels(width: int, height: int, fullness: float) -> list[str]:
    """The obvious per-pixel drawing that orb_lines must match."""
    from oxybreathe.ui.widgets.pacer import SMALLEST

    scale = SMALLEST + (1 - SMALLEST) * fullness
    radius_y = (height * 2 - 1) / 2
    ry, rx = radius_y * scale, min((width - 1) / 2, radius_y) * scale
    cy, cx = (height * 2 - 1) / 2, (width - 1) / 2

    def inside(x: int, y: int) -> bool:
        return rx > 0 and ry > 0 and ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1.0

    return [
        "".join(
            {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}[
                (inside(x, row * 2), inside(x, row * 2 + 1))
            ]
            for x in range(width)
        )
        for row in range(height)
    ]


@pytest.mark.parametrize(("width", "height"), [(1, 1), (7, 3), (40, 12), (100, 22), (33, 9)])
def test_the_fast_orb_matches_the_per_pixel_drawing(width, height):
    for step in range(21):
        assert orb_lines(width, height, step / 20) == _orb_by_pixels(width, height, step / 20)


async def test_notices_show_brackets_and_paths_literally(clock, user_sessions, monkeypatch):
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")  # no editor at all
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = top(app, HomeScreen)
        from oxybreathe.ui.notices import notify_literally

        notify_literally(home, "pip install 'oxybreathe[audio]' \x1b]0;x\x07[/]")
        await pilot.press("n")  # new session: with no editor, a notice names the file
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert "pip install 'oxybreathe[audio]' ]0;x[/]" in messages
        assert any("Set $EDITOR to edit sessions here. Your file is" in m for m in messages)


async def test_fast_keys_change_the_length_of_the_session_they_land_on(clock):
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await select(pilot, "4-7-8")
        await pilot.press("down", "down", "left", "left")  # to box, then shorter, in one burst
        await pilot.pause()
        home = top(app, HomeScreen)
        assert home.selected is not None and home.selected.id == "box"
        assert text_of(home, "length").startswith("Length: ◀ 3 min ▶")


async def test_a_chosen_theme_is_remembered(clock):
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.theme = "nord"  # as the command palette's "Change theme" does
        await pilot.pause()
    assert memories.load().preferences["theme"] == "nord"
    again = app_with(clock, checkin=False)
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_an_unknown_remembered_theme_is_ignored(clock):
    memories.save(Memory(preferences={"theme": "no-such-theme"}))
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"


async def test_check_in_questions_can_be_skipped_and_escape_goes_back(clock):
    app = app_with(clock, chimes=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await select(pilot, "box")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)
        await pilot.press("escape")  # changed my mind: back to the list, nothing recorded
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("x", "s")  # x is not an answer; s skips stress
        assert text_of(app.screen, "question") == "Craving now?"
        await pilot.press("t")  # t is 10
        screen = await session_on_top(pilot)
        clock.advance(20)
        screen.sync()
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)
        await pilot.press("escape")  # after the session, escape skips both
        await pilot.pause()
        closing = top(app, ClosingScreen)
        assert isinstance(closing, ClosingScreen)
        assert not closing.query("#changes")
    app.wrap_up()
    [row] = history_rows()
    assert (row.completed, row.actual_seconds) == (False, 20)
    assert (row.stress_before, row.craving_before, row.stress_after, row.craving_after) == (
        None,
        10,
        None,
        None,
    )


async def test_quitting_the_app_mid_session_keeps_the_session_as_incomplete(clock):
    app = box_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        clock.advance(42)
        top(app, SessionScreen).sync()
        await pilot.press("ctrl+q")
    app.wrap_up()
    [row] = history_rows()
    assert (row.session, row.completed, row.actual_seconds) == ("box", False, 42)


async def test_the_history_screen_shows_totals_trend_and_table_and_hides_the_streak(clock):
    store = history_store()
    for stress, craving in ((8, 7), (7, 6)):
        row = store.begin("box", "Box [b]breathing[/b]", 300, stress_before=stress)
        store.finish(row, 300, completed=True)
        store.rate_after(row, stress - 3, craving)
    store.close()
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause(0.2)
        screen = top(app, HistoryScreen)
        assert text_of(screen, "totals").startswith("Sessions: 2, this week: 10 min")
        assert "streak: 1 day" in text_of(screen, "totals")
        assert "Average change: stress -3" in text_of(screen, "totals")
        trend = text_of(screen, "trend").splitlines()
        assert trend[0].endswith("▇▆") and trend[1].endswith("▅▄")
        table = screen.query_one("#recent", DataTable)
        assert table.row_count == 2
        assert str(table.get_row_at(0)[1]) == "Box [b]breathing[/b]"  # literally
        assert str(table.get_row_at(0)[4]) == "7 → 4"
        await pilot.press("d")
        assert "streak" not in text_of(screen, "totals")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert memories.load().preferences["streak"] is False


async def test_an_empty_history_says_so(clock):
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause(0.2)
        assert text_of(app.screen, "totals").startswith("No sessions yet.")


async def test_history_problems_show_one_line_and_the_session_goes_on(clock, isolated_home):
    path = isolated_home / "data" / "oxybreathe" / history.FILENAME
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 100)
    app = box_app(clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        assert isinstance(app.screen, SessionScreen)
        messages = [n.message for n in app._notifications]
        assert any("could not be used" in m and "moved to" in m for m in messages), messages
    app.wrap_up()
    assert len(history_rows()) == 1


async def test_the_orb_takes_the_new_theme_colour_at_once(clock, monkeypatch):
    monkeypatch.delenv("NO_COLOR")  # in colour, so that themes differ
    app = box_app(clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await session_on_top(pilot)
        await to_next_deadline(pilot, clock, screen)
        pacer = screen.query_one(Pacer)

        def orb_colour():
            strips = pacer.render_lines(pacer.region.reset_offset)
            styles = {seg.style for strip in strips for seg in strip if seg.text.strip()}
            assert len(styles) == 1
            style = styles.pop()
            assert style is not None
            return style.color

        before = orb_colour()
        app.theme = "nord" if app.theme != "nord" else "gruvbox"
        await pilot.pause()
        after = orb_colour()
        assert after != before
        assert after == pacer.rich_style.color


async def test_no_sound_is_said_in_the_layout_in_the_apps_words_and_covers_nothing(
    clock, tmp_path, monkeypatch
):
    config = tmp_path / "nodevice.conf"  # an ALSA default device that does not exist
    config.write_text("pcm.!default { type hw; card 7; device 0 }\n")
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"/usr/share/alsa/alsa.conf:{config}")
    monkeypatch.setattr(session_module, "NOTICE_SECONDS", 0.5)
    app = box_app(clock, chimes=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await session_on_top(pilot)
        notice = screen.query_one("#notice")
        for _ in range(100):  # the sound worker answers in real time
            if notice.display:
                break
            await pilot.pause(0.05)
        text = str(notice.render())
        assert text.startswith("Sound is off: no working sound device was found")
        assert "turn chimes off with c on the home screen" in text
        assert "--no-chimes" not in text
        assert not app._notifications  # no toast over the orb
        pacer = screen.query_one(Pacer)
        assert notice.region.bottom <= pacer.region.y  # above the orb, not over it
        assert text_of(screen, "sound") == "no sound"
        await pilot.pause(0.8)
        assert not notice.display  # gone after NOTICE_SECONDS; "no sound" stays
        assert text_of(screen, "sound") == "no sound"


@pytest.mark.parametrize(
    ("where", "hint"),
    [("home", "Press q to quit."), ("session", "Press q to end the session, or ctrl+q to quit.")],
)
async def test_ctrl_c_names_the_key_that_leaves_from_here(clock, where, hint):
    app = box_app(clock) if where == "session" else app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert [n.message for n in app._notifications] == [hint]
        await pilot.press("q")  # and the key does what it says
        await pilot.pause()
        if where == "session":
            assert isinstance(app.screen, Confirm)
        else:
            assert not app.is_running


async def test_home_lists_sessions_in_the_order_of_their_names(clock, user_sessions):
    user_sessions.mkdir(parents=True)
    (user_sessions / "zzz.yaml").write_text("name: Aardvark calm\nsteps: [{say: hi}]\n")
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = top(app, HomeScreen)
        assert isinstance(home, HomeScreen)
        # For acute moments first, labelled, and never behind a breath-hold exercise.
        acute = [e.id for e in home.entries if e.session and e.session.acute]
        assert acute == ["grounding", "sober", "urge-surfing"]
        assert [e.id for e in home.entries[:3]] == acute
        assert home.selected is not None and home.selected.id == "grounding"  # not 4-7-8
        builtins = [e.session.name for e in home.entries[3:] if e.builtin and e.session]
        assert builtins == sorted(builtins, key=str.casefold) and len(builtins) > 5
        assert home.entries[-1].id == "zzz"  # yours after the built-ins


async def test_home_says_once_when_the_sessions_folder_cannot_be_used(clock, user_sessions):
    user_sessions.parent.mkdir(parents=True)
    user_sessions.write_text("a file where the folder should be")
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("r")  # reloading does not say it again
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        folder = [m for m in messages if "sessions folder" in m]
        assert folder == [
            f"Your sessions folder {user_sessions}: this is a file, not a folder. "
            "The built-in sessions are listed."
        ]
        assert any(e.id == "box" for e in top(app, HomeScreen).entries)


async def test_history_table_shows_every_column_at_80x24_and_scrolls_sideways_when_narrower(
    clock,
):
    store = history_store()
    for _ in range(30):
        row = store.begin("urge-surfing", "Urge surfing with a long name of my own", 600)
        store.finish(row, 590, completed=True)
        store.rate_after(row, 3, 10)
    store.close()
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause(0.3)
        scroller = app.screen.query_one("#history")
        table = app.screen.query_one("#recent", DataTable)
        assert table.region.right <= scroller.region.right  # the ratings are on screen
        assert str(table.get_row_at(0)[1]).startswith("Urge surfing")
        assert scroller.max_scroll_x == 0
        assert not app.screen.query_one("#sideways").display
        await pilot.press("down", "down", "down", "pagedown")
        await pilot.pause()
        assert scroller.scroll_y > 0  # the keys scroll the screen, the table with it
        await pilot.resize_terminal(40, 12)
        await pilot.pause(0.2)
        assert scroller.max_scroll_x > 0
        assert app.screen.query_one("#sideways").display
        await pilot.press("right", "right", "right")
        await pilot.pause()
        assert scroller.scroll_x > 0


async def test_home_never_shows_between_the_screens_of_a_session(clock):
    # Check-in, session, check-in, closing: one after another, with no frame of home between.
    app = app_with(clock, chimes=False)
    shown: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen_change_signal.subscribe(app, lambda screen: shown.append(type(screen).__name__))
        await select(pilot, "box")
        await pilot.press("left", "left", "enter")  # 3 minutes
        await pilot.pause()
        await pilot.press("7", "6")
        screen = await session_on_top(pilot)
        while not screen.engine.done:
            await to_next_deadline(pilot, clock, screen)
        await pilot.pause()
        await pilot.press("4", "3")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    steps = [name for name in shown if name != "Backdrop"]
    assert steps == [
        "CheckinScreen",
        "SessionScreen",
        "CheckinScreen",
        "ClosingScreen",
        "HomeScreen",
    ]
