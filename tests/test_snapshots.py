"""Snapshot tests of every screen (pytest-textual-snapshot). Update with --snapshot-update."""

from __future__ import annotations

import pytest

from oxybreathe.ui.app import OxybreatheApp
from oxybreathe.ui.screens.session import SessionScreen
from tests.test_engine import FakeClock
from tests.test_tui import box_app


async def into_inhale(pilot, clock: FakeClock, seconds: float = 8 + 2.5) -> None:
    """Move the fake clock to `seconds` into the session (default: mid-inhale)."""
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SessionScreen)
    clock.advance(seconds)
    screen.sync()
    await pilot.pause()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_home(snap_compare, clock):
    assert snap_compare(OxybreatheApp(clock=clock), press=["down", "down"], terminal_size=(100, 30))


def test_session_mid_inhale(snap_compare, clock):
    assert snap_compare(
        box_app(clock), run_before=lambda pilot: into_inhale(pilot, clock), terminal_size=(80, 24)
    )


def test_session_paused(snap_compare, clock):
    async def pause(pilot):
        await into_inhale(pilot, clock)
        await pilot.press("space")

    assert snap_compare(box_app(clock), run_before=pause, terminal_size=(80, 24))


def test_closing(snap_compare, clock):
    async def finish(pilot):
        await into_inhale(pilot, clock, 10_000)

    assert snap_compare(box_app(clock), run_before=finish, terminal_size=(80, 24))


def test_session_at_40x12(snap_compare, clock):
    assert snap_compare(
        box_app(clock), run_before=lambda pilot: into_inhale(pilot, clock), terminal_size=(40, 12)
    )


def test_reduced_motion(snap_compare, clock):
    assert snap_compare(
        box_app(clock, reduce_motion=True),
        run_before=lambda pilot: into_inhale(pilot, clock),
        terminal_size=(80, 24),
    )
