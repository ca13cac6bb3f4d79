"""A practice across days: honest totals, which sessions help, and the weeks, from twenty
sessions of mixed kinds recorded through the real store."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from oxybreathe.core import report, stats
from oxybreathe.core.history import FILENAME, Recorder, Row
from oxybreathe.ui.screens.confirm import Confirm
from oxybreathe.ui.screens.forget import ChooseEntry, entry_text
from oxybreathe.ui.screens.history import HistoryScreen
from tests.conftest import (
    MIXED_SESSIONS,
    app_with,
    history_rows,
    history_store,
    record_mixed_sessions,
    run_cli,
    text_of,
    top,
    write_protected,
)

FIRST_DAY = datetime(2025, 3, 3, 7, 30, tzinfo=UTC)  # a Monday long past: "this week" is empty


@pytest.fixture
def twenty(monkeypatch):
    """The twenty mixed sessions in the real history file, shown in UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    store = history_store()
    record_mixed_sessions(store, FIRST_DAY)
    store.close()
    yield history_rows()
    monkeypatch.undo()
    time.tzset()


def test_per_session_figures_count_only_rated_pairs_and_put_few_ratings_last(twenty):
    assert len(twenty) == len(MIXED_SESSIONS) == 20
    kinds = stats.by_session(twenty)
    assert [k.name for k in kinds] == [
        "Urge surfing",  # craving -4.5, over 6
        "Box breathing",  # stress -2.2, over 6
        "4-7-8 breathing",  # the 40-second one (stress 7 -> 1) is not counted
        "Cyclic sighing",  # -4, but over one session: after the rest
        "Body scan",  # never rated
    ]
    urge, box, breath, sigh, scan = kinds
    assert (urge.times, urge.craving_pairs) == (6, 6)  # the 0-second stop is not counted
    assert urge.craving_change == pytest.approx((-4 - 5 - 5 - 4 - 4 - 5) / 6)
    assert (box.stress_pairs, box.craving_pairs) == (6, 2)
    assert breath.times == 3 and breath.stress_change == pytest.approx(-1)
    assert (sigh.stress_pairs, scan.times, scan.stress_change) == (1, 2, None)
    lines = stats.kinds_table(twenty)
    assert lines[0].split() == ["Session", "Times", "Stress", "Craving"]
    assert lines[1].split() == [
        "Urge",
        "surfing",
        "6",
        "-1.7",
        "(over",
        "6)",
        "-4.5",
        "(over",
        "6)",
    ]
    assert set(lines[4]) == {"-"}  # the line before the figures that say little
    assert lines[5].split()[-2:] == ["not", "rated"] and "(over 1)" in lines[5]
    assert lines[-1] == stats.FEW_NOTE


def test_weeks_average_each_rating_and_keep_empty_weeks_as_gaps():
    monday = datetime(2025, 3, 3, 8, tzinfo=UTC)
    rows = [
        Row(1, monday, "box", "Box", 300, 300, True, 8, 4),
        Row(2, monday + timedelta(days=2), "box", "Box", 300, 300, True, 6, 4, 5, 1),
        Row(3, monday + timedelta(days=15), "box", "Box", 300, 300, True, 3, 2),
        Row(4, monday + timedelta(days=16), "box", "Box", 300, 20, False, 10, 0),  # not counted
    ]
    weeks = stats.weekly(rows)
    assert [w.monday for w in weeks] == [date(2025, 3, 3), date(2025, 3, 10), date(2025, 3, 17)]
    assert (weeks[0].stress_before, weeks[0].stress_after, weeks[0].craving_after) == (7, 4, 1)
    assert weeks[1].stress_before is None
    assert (weeks[2].stress_before, weeks[2].stress_after) == (3, 2)
    assert report.trend([w.stress_before for w in weeks], 10) == "▆ ▃"


def test_a_date_far_in_the_past_cannot_make_the_weeks_unbounded():
    rows = [
        Row(1, datetime(1, 1, 8, tzinfo=UTC), "box", "Box", 300, 300, True, 5, 4),
        Row(2, datetime(9999, 1, 1, tzinfo=UTC), "box", "Box", 300, 300, True, 5, 4),
    ]
    assert len(stats.weekly(rows)) == stats.MAX_WEEKS


def test_oxybreathe_history_prints_which_sessions_help(twenty):
    lines = run_cli("history", "--limit", "2").stdout.splitlines()
    assert "2 sessions under a minute are listed but not counted." in lines[7]
    assert lines[7].endswith("Streak: days in a row with a session of a minute or more.")
    at = lines.index(stats.KINDS_TITLE)
    assert lines[at + 2].startswith("Urge surfing") and lines[-1] == stats.FEW_NOTE


async def test_the_history_screen_at_80x24_shows_which_sessions_help_with_counts(twenty, clock):
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause(0.3)
        screen = top(app, HistoryScreen)
        assert text_of(screen, "totals").startswith("Sessions: 18, this week: 0 s")
        kinds = text_of(screen, "kinds").splitlines()
        assert kinds[1].startswith("Urge surfing") and "-4.5 (over 6)" in kinds[1]
        assert "Cyclic sighing" in kinds[5] and "(over 1)" in kinds[5]
        region = screen.query_one("#kinds").region
        assert region.bottom <= 24 - 1  # all of it in view, above the footer, unscrolled
        trend = text_of(screen, "trend").splitlines()
        assert len(trend) == 4 and len(trend[0].rstrip()) == 16 + 5  # five weeks


def test_the_history_screen_snapshot_at_80x24(twenty, snap_compare, clock):
    async def open_history(pilot):
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause(0.3)

    app = app_with(clock, checkin=False)
    assert snap_compare(app, run_before=open_history, terminal_size=(80, 24))


async def test_an_entry_is_deleted_only_after_confirming_and_the_rest_is_kept(twenty, clock):
    newest_first = list(reversed(twenty))
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause(0.3)
        screen = top(app, HistoryScreen)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ChooseEntry)
        await pilot.press("escape")  # changed my mind
        await pilot.pause()
        assert app.screen_stack[-1] is screen
        await pilot.press("delete", "down", "enter")  # the second newest (the Delete key)
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert entry_text(newest_first[1]) in text_of(app.screen, "question")
        await pilot.press("n")  # keep it
        await pilot.pause()
        assert len(history_rows()) == 20
        await pilot.press("x", "down", "enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause(0.3)
        assert app.screen_stack[-1] is screen
        assert [r.id for r in screen.rows or []] == [
            r.id for r in twenty if r is not newest_first[1]
        ]
    app.wrap_up()
    assert [r.id for r in history_rows()] == [r.id for r in twenty if r is not newest_first[1]]
    assert len(run_cli("history", "--csv").stdout.splitlines()) == 1 + 19  # the export: the rest


def test_the_recorder_deletes_one_row_and_says_when_it_cannot(tmp_path):
    recorder = Recorder(tmp_path)
    recorder.begin("box", "Box", 300)
    recorder.begin("sigh", "Sigh", 300)
    first, second = recorder.rows().result(timeout=10)
    assert recorder.delete(first.id).result(timeout=10) is None
    assert recorder.delete(first.id).result(timeout=10) == (
        "That session is no longer in the history."
    )
    assert [row.id for row in recorder.rows().result(timeout=10)] == [second.id]
    recorder.close()
    with write_protected(tmp_path / FILENAME):
        read_only = Recorder(tmp_path)
        assert read_only.delete(second.id).result(timeout=10) == (
            "The history cannot be changed just now (it is read-only)."
        )
        read_only.close()
