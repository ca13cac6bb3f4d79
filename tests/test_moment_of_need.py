"""Help at the moment of need, in the real TUI (Pilot) and plain mode: the help key on every
screen, the caution before the first hold at every size, `oxybreathe now` and u on home, the
first run's note, and the closing that listens."""

from __future__ import annotations

import io
import os
import subprocess

import pytest

from oxybreathe.core import memory as memories
from oxybreathe.core.checkin import Ratings
from oxybreathe.core.closing import Outcome, compose, kind
from oxybreathe.core.flow import SessionFlow
from oxybreathe.core.helplines import COUNTRIES, GENERAL, one_line
from oxybreathe.core.loader import load_session
from oxybreathe.core.plan import lay_out
from oxybreathe.plain import closing_lines, run_plain
from oxybreathe.ui.screens.checkin import CheckinScreen
from oxybreathe.ui.screens.closing import ClosingScreen
from oxybreathe.ui.screens.helplines import HelpLinesScreen
from oxybreathe.ui.screens.history import HistoryScreen
from oxybreathe.ui.screens.home import HomeScreen
from oxybreathe.ui.screens.session import SessionScreen
from tests.conftest import (
    SESSIONS,
    FakeClock,
    app_with,
    select,
    session_on_top,
    start_cli,
    text_of,
    to_next_deadline,
    top,
)

BOX = load_session(SESSIONS / "box.yaml")


async def _help_opens_and_returns(pilot, kind_on_top: type, key: str = "f1") -> None:
    app = pilot.app
    await pilot.press(key)
    await pilot.pause()
    helps = top(app, HelpLinesScreen)
    shown = str(helps.query_one("#lines").render())
    assert one_line(GENERAL).split(".")[0].split(", ")[-1] in shown or "call" in shown
    assert "Crisis lines" in shown
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, kind_on_top)


async def test_the_help_key_works_on_every_screen(clock):
    app = app_with(clock, chimes=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await _help_opens_and_returns(pilot, HomeScreen)
        await _help_opens_and_returns(pilot, HomeScreen, key="question_mark")
        await pilot.press("h")
        await pilot.pause()
        await _help_opens_and_returns(pilot, HistoryScreen)
        await pilot.press("escape")
        await pilot.pause()
        await select(pilot, "box")
        await pilot.press("enter")
        await pilot.pause()
        await _help_opens_and_returns(pilot, CheckinScreen)
        await pilot.press("s", "s")
        screen = await session_on_top(pilot)
        await _help_opens_and_returns(pilot, SessionScreen)
        await pilot.press("q")
        await pilot.pause()
        await _help_opens_and_returns(pilot, type(app.screen))  # the "End now?" question
        await pilot.press("y")
        await pilot.pause()
        assert screen.flow.done
        await _help_opens_and_returns(pilot, CheckinScreen)
        await pilot.press("s", "s")
        await pilot.pause()
        await _help_opens_and_returns(pilot, ClosingScreen)


async def test_the_help_screen_shows_the_settings_country_and_the_lapse_note(clock, isolated_home):
    settings = isolated_home / "config" / "oxybreathe" / "config.yaml"
    settings.parent.mkdir(parents=True)
    settings.write_text("country: AU\n")
    app = app_with(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        helps = top(app, HelpLinesScreen)
        assert "Lifeline - call 13 11 14" in str(helps.query_one("#lines").render())
        assert "A lapse is not a relapse" in str(helps.query_one("#lapse").render())


@pytest.mark.parametrize("size", [(100, 30), (80, 24), (40, 12)])
@pytest.mark.parametrize("session_id", ["box", "4-7-8"])
async def test_the_caution_is_seen_before_the_first_hold_at_every_size(clock, size, session_id):
    session = load_session(SESSIONS / f"{session_id}.yaml")
    app = app_with(clock, start=lay_out(session), checkin=False, chimes=False)
    async with app.run_test(size=size) as pilot:
        screen = await session_on_top(pilot)
        assert screen.engine.current is not None and screen.engine.current.phase != "hold"
        caution = screen.query_one("#opening")
        assert str(caution.render()).startswith("Caution: Breathe gently.")
        region = caution.region
        width, height = size
        # All of it on screen: inside the terminal, above the footer, and not cut short.
        text = str(caution.render())
        needed = -(-len(text) // (width - 2))  # at least this many lines at this width
        assert region.height >= needed and region.y >= 0 and region.bottom <= height - 1
        assert region.width == width
        assert "water" in str(caution.render())
        assert screen.query_one("#phase").region.height >= 1  # the pacer's essentials stay


def test_plain_mode_prints_the_caution_before_the_first_hold():
    out = io.StringIO()
    clock = FakeClock(100.0)
    run_plain(SessionFlow(lay_out(BOX, 1), clock=clock), out=out, sleep=clock.advance)
    lines = out.getvalue().splitlines()
    caution = next(i for i, line in enumerate(lines) if line.startswith("Caution: "))
    first_hold = next(i for i, line in enumerate(lines) if line.startswith("Hold "))
    assert caution == 1 < first_hold  # right after the title, before any cue
    assert "never practise breath holds in or near water" in lines[caution].lower()


def test_oxybreathe_now_prints_its_first_cue_at_once_with_a_help_line():
    # Not timed here (figures belong in benchmarks): the first cue comes with no question asked.
    process = start_cli(
        ["now", "--plain", "--no-chimes"],
        stdin=subprocess.DEVNULL,
        env={**os.environ, "LANG": "en_GB.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""},
    )
    assert process.stdout is not None
    title = process.stdout.readline()
    help_line = process.stdout.readline()
    first_cue = process.stdout.readline()
    process.terminate()
    out, err = process.communicate(timeout=30)
    assert title.startswith("SOBER breathing space")
    assert help_line.strip() == one_line(COUNTRIES["GB"])  # Samaritans, at the start
    assert first_cue.startswith("Stop. Pause whatever you are doing")
    assert "now?" not in title + help_line + first_cue + out  # no questions
    assert out.strip().splitlines()[-1] == one_line(COUNTRIES["GB"])  # and at the end
    assert "Traceback" not in err


async def test_u_on_home_starts_the_urge_session_at_once_with_a_help_line(clock):
    app = app_with(clock, chimes=False)  # check-in on: `now` still asks nothing
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("u")
        screen = await session_on_top(pilot)
        assert screen.plan.session.id == "sober"
        assert one_line(GENERAL) in str(screen.query_one("#opening").render())
        while not screen.engine.done:
            await to_next_deadline(pilot, clock, screen)
        await pilot.pause()
        closing = top(app, ClosingScreen)  # no after check-in either
        assert one_line(GENERAL) in text_of(closing, "footer-note")


async def test_the_first_run_says_once_what_the_app_is_not_for(clock):
    app = app_with(clock, first_run=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("not for emergencies" in message for message in said)
    assert memories.load().told
    again = app_with(clock, first_run=True)  # the real memory now says it was told
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert not any("not for emergencies" in n.message for n in again._notifications)


@pytest.mark.parametrize(("width", "height"), [(40, 12), (59, 20), (100, 30)])
async def test_the_first_run_notice_is_never_cut_off_at_the_edge(clock, width, height):
    app = app_with(clock, first_run=True)
    async with app.run_test(size=(width, height), notifications=True) as pilot:
        await pilot.pause()
        await pilot.pause()
        [toast] = app.screen.query("Toast")  # Textual's notice widget, by its CSS type
        region = toast.region
        assert region.x >= 0 and region.right <= width and region.y >= 0 and region.bottom <= height
        if width < 60:  # a narrow terminal: the whole width, not half of it
            assert region.width >= width - 2  # its rack keeps room for a scrollbar
        # Every word of the message is in the notice as drawn (wrapped, never clipped).
        drawn = " ".join(
            "".join(segment.text for segment in line).strip()
            for line in toast.render_lines(toast.region.reset_offset)
        )
        for word in one_line(app.helplines).split():
            assert word in drawn.split(), (word, drawn)


async def test_a_rising_craving_gets_support_first_and_can_surf_again(clock):
    app = app_with(clock, start=lay_out(BOX, 1), chimes=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("3", "4")  # stress 3, craving 4 before
        screen = await session_on_top(pilot)
        while not screen.engine.done:
            await to_next_deadline(pilot, clock, screen)
        await pilot.pause()
        await pilot.press("3", "6")  # craving rose: 4 -> 6
        await pilot.pause()
        closing = top(app, ClosingScreen)
        assert closing.closing.kind == "support"
        assert "Crisis lines" in text_of(closing, "first")
        assert "Not acting on an urge counts" in text_of(closing, "note")
        assert "Well done" not in text_of(closing, "headline")
        await pilot.press("u")  # surf again
        again = await session_on_top(pilot)
        assert again.plan.session.id == "sober"


PLAN = lay_out(BOX, 1)
DONE = Outcome(60, completed=True)


@pytest.mark.parametrize(
    ("before", "after", "outcome", "expected"),
    [
        (Ratings(3, 4), Ratings(3, 6), DONE, "support"),  # craving rose
        (Ratings(3, 9), Ratings(2, 7), DONE, "support"),  # craving still high
        (Ratings(None, None), Ratings(None, 8), DONE, "support"),
        (Ratings(9, 2), Ratings(10, 2), DONE, "worse"),  # stress rose
        (Ratings(5, 2), Ratings(4, 2), Outcome(2, completed=False), "early"),
        (Ratings(5, 5), Ratings(4, 5), DONE, "done"),
        (Ratings(), Ratings(), DONE, "done"),
    ],
)
def test_the_closing_listens_to_the_ratings(before, after, outcome, expected):
    assert kind(outcome, before, after) == expected
    closing = compose(PLAN, outcome, before, after)
    assert closing.kind == expected
    if expected in ("support", "worse", "early"):
        assert "Well done" not in closing.headline
        assert not closing.rotates  # no physiology note
    if expected == "support":
        assert "Not acting on an urge counts" in closing.note.text
        assert closing.first and "Crisis lines:" in closing.first
        lines = closing_lines(closing)
        assert lines.index("To surf the urge again now: oxybreathe now") > lines.index(
            closing.first[0]
        )
        assert any("help --lapse" in line for line in lines)
    if expected == "worse":
        assert "not your fault" in closing.note.text


def test_worst_case_from_the_issue_gets_support_not_a_verdict():
    closing = compose(PLAN, DONE, Ratings(9, 10), Ratings(10, 10))
    assert closing.kind == "support"
    assert "healthy stress response" not in " ".join(closing_lines(closing))


def test_well_done_is_not_forced_before_a_sessions_own_closing():
    from oxybreathe.core.loader import parse_session

    own = parse_session(
        "name: T\nclosing: You showed up today.\nsteps:\n  - say: hi\n    seconds: 5\n"
    )
    closing = compose(lay_out(own), Outcome(5, True), Ratings(), Ratings())
    assert closing.headline == "You breathed for 5 s."
    assert compose(PLAN, DONE, Ratings(), Ratings()).headline.startswith("Well done.")
