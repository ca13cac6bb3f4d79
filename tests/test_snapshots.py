"""Snapshot tests of every screen (pytest-textual-snapshot). Update with --snapshot-update."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from oxybreathe.ui.screens.session import SessionScreen
from tests.conftest import FakeClock, app_with, box_app, history_store


async def into_inhale(pilot, clock: FakeClock, seconds: float = 8 + 2.5) -> None:
    """Move the fake clock to `seconds` into the session (default: mid-inhale)."""
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SessionScreen)
    clock.advance(seconds)
    screen.sync()
    await pilot.pause()


def test_home(snap_compare, clock):
    assert snap_compare(
        app_with(clock, checkin=False), press=["down", "down"], terminal_size=(100, 30)
    )


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


def test_check_in(snap_compare, clock):
    assert snap_compare(box_app(clock, checkin=True), terminal_size=(80, 24))


def test_closing_with_the_change_in_ratings(snap_compare, clock):
    async def rate_breathe_rate(pilot):
        await pilot.pause()
        await pilot.press("7", "6")
        await into_inhale(pilot, clock, 10_000)
        await pilot.press("4", "3")
        await pilot.pause()

    app = box_app(clock, checkin=True)
    assert snap_compare(app, run_before=rate_breathe_rate, terminal_size=(80, 24))


def test_history(snap_compare, clock, monkeypatch):
    # Fixed dates long past, so "this week" and the streak do not depend on today, shown in UTC.
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    store = history_store()
    start = datetime(2025, 3, 3, 7, 30, tzinfo=UTC)
    ratings = [(8, 5, 7, 4), (7, 4, 6, 3), (9, 6, None, None), (6, 3, 5, 2), (7, 3, 6, 2)]
    for day, (sb, sa, cb, ca) in enumerate(ratings):
        row = store.begin(
            "urge-surfing",
            "Urge surfing",
            600,
            started_at=start + timedelta(days=day),
            stress_before=sb,
            craving_before=cb,
        )
        store.finish(row, 600 if day != 2 else 200, completed=day != 2)
        store.rate_after(row, sa, ca)
    store.close()

    async def open_history(pilot):
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause(0.3)

    app = app_with(clock, checkin=False)
    assert snap_compare(app, run_before=open_history, terminal_size=(100, 30))


# Issue 16: help at the moment of need.


def test_help_lines_screen(snap_compare, clock, monkeypatch):
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert snap_compare(app_with(clock, checkin=False), press=["f1"], terminal_size=(80, 24))


def test_support_closing_after_a_rising_craving(snap_compare, clock, monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)

    async def rate_and_finish(pilot):
        await pilot.pause()
        await pilot.press("3", "4")
        await into_inhale(pilot, clock, 10_000)
        await pilot.press("3", "8")
        await pilot.pause()

    assert snap_compare(
        box_app(clock, checkin=True), run_before=rate_and_finish, terminal_size=(80, 24)
    )
