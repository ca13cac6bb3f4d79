"""The command palette (ctrl+p), driven like a user in the real app through Pilot: start a
session by name (one of the user's own too), open history, turn settings on and off, switch the
theme; each change applies and is remembered like a key's."""

from __future__ import annotations

from typing import Any

from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from oxybreathe.core import memory as memories
from oxybreathe.core import themes
from oxybreathe.ui.screens.checkin import CheckinScreen
from oxybreathe.ui.screens.history import HistoryScreen
from oxybreathe.ui.screens.home import HomeScreen
from oxybreathe.ui.screens.session import SessionScreen
from tests.conftest import app_with, box_app, session_on_top

MINE = """\
name: "My [b]calm[/b] breath"
description: One of my own.
steps:
  - breathe:
      - inhale: 4
      - exhale: 6
    minutes: 1
"""


async def palette(pilot: Pilot[Any], typed: str, wanted: str = "") -> list[str]:
    """Open the palette, type `typed`, and return the commands it offers, as shown, once one
    starts with `wanted` (or the search has settled)."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*typed)
    offered: list[str] = []
    for _ in range(100):  # the providers search in a worker, and results come in batches
        await pilot.pause(0.02)
        options = pilot.app.screen.query_one(CommandList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        if shown and shown == offered and (not wanted or any(s.startswith(wanted) for s in shown)):
            break
        offered = shown
    return offered


async def choose(pilot: Pilot[Any], typed: str, wanted: str) -> None:
    offered = await palette(pilot, typed, wanted)
    assert any(line.startswith(wanted) for line in offered), offered
    first = next(line for line in offered if line.startswith(wanted))
    index = offered.index(first)
    for _ in range(index):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


async def test_start_a_session_of_your_own_by_name(clock, user_sessions):
    user_sessions.mkdir(parents=True)
    (user_sessions / "mine.yaml").write_text(MINE)
    app = app_with(clock, checkin=False, chimes=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        offered = await palette(pilot, "start my calm", "Start My")
        # The name is the user's text: shown literally, never as markup.
        assert offered[0].startswith("Start My [b]calm[/b] breath"), offered
        await pilot.press("enter")
        screen = await session_on_top(pilot)
        assert isinstance(screen, SessionScreen) and screen.plan.session.id == "mine"
    assert memories.load().session == "mine"


async def test_start_asks_the_check_in_first_when_it_is_on(clock):
    app = app_with(clock, chimes=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await choose(pilot, "start box", "Start Box breathing")
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)


async def test_open_history_from_the_palette(clock):
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await choose(pilot, "history", "Open history")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HistoryScreen)


async def test_settings_turn_on_and_off_and_are_remembered(clock):
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.prefs.chimes and not app.prefs.reduce_motion
        await choose(pilot, "chimes off", "Chimes off")
        assert not app.prefs.chimes
        await choose(pilot, "reduced motion on", "Reduced motion on")
        assert app.prefs.reduce_motion
        assert isinstance(app.screen, HomeScreen)
        assert "Chimes: off" in str(app.screen.query_one("#details").render())
        await choose(pilot, "spoken guidance on", "Spoken guidance on")
        await choose(pilot, "spoken phase words on", "Spoken phase words on")
        assert app.prefs.voice and app.prefs.voice_phases
        assert "Voice: on" in str(app.screen.query_one("#details").render())
    assert memories.load().preferences == {
        "chimes": False,
        "reduce_motion": True,
        "voice": True,
        "voice_phases": True,
    }


async def test_switch_to_the_low_light_theme(clock):
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await choose(pilot, "theme night", f"Theme: {themes.LOW_LIGHT}")
        assert app.theme == themes.LOW_LIGHT and app.prefs.theme == themes.LOW_LIGHT
    assert memories.load().preferences == {"theme": themes.LOW_LIGHT}


async def test_in_a_session_the_palette_starts_nothing_and_opens_no_history(clock):
    app = box_app(clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await session_on_top(pilot)
        offered = await palette(pilot, "s")
        assert not any(line.startswith(("Start ", "Open history")) for line in offered), offered
        await pilot.press("escape")
        await pilot.pause()
        await choose(pilot, "chimes", "Chimes off for this session")
        screen = app.screen
        assert isinstance(screen, SessionScreen) and screen.player is not None
        assert screen.player.muted  # now, in this session: what `c` does here
    assert "chimes" not in memories.load().preferences
