"""The journal line: asked once after the after-check-in, kept in the real history, shown."""

from __future__ import annotations

import csv
import io
import sqlite3

from textual.widgets import DataTable, Input

from oxybreathe.core import checkin, history, report
from oxybreathe.core.checkin import Ratings
from oxybreathe.core.flow import SessionFlow
from oxybreathe.core.history import Recorder, open_store
from oxybreathe.core.loader import parse_session
from oxybreathe.core.plan import lay_out
from oxybreathe.ui.screens.closing import ClosingScreen
from oxybreathe.ui.screens.history import HistoryScreen
from oxybreathe.ui.screens.home import HomeScreen
from oxybreathe.ui.screens.journal import JournalScreen
from oxybreathe.ui.screens.session import SessionScreen
from tests.conftest import (
    app_with,
    box_app,
    history_rows,
    history_store,
    run_cli,
    select,
    session_on_top,
    text_of,
    top,
)


def quick_plan():
    return lay_out(parse_session("name: Quick\nsteps: [{say: hi, seconds: 2}]\n", "quick.yaml"))


def test_the_flow_keeps_the_line_clean_and_bounded_and_an_empty_one_is_none(tmp_path, clock):
    for typed, kept in (
        ("  felt the urge \x1b[2J pass\n\tslowly ", "felt the urge [2J pass slowly"),
        ("x" * 5000, "x" * checkin.JOURNAL_MAX_CHARS),
        ("   \n ", None),
        (None, None),
    ):
        recorder = Recorder(tmp_path / str(len(typed or "")))
        flow = SessionFlow(quick_plan(), recorder=recorder, clock=clock)
        flow.begin(Ratings())
        flow.start()
        clock.advance(2)
        flow.poll()
        flow.close(Ratings(), journal=typed)
        recorder.close()
        opened = open_store(tmp_path / str(len(typed or "")))
        assert opened.store is not None
        [row] = opened.store.rows()
        opened.store.close()
        assert row.journal == kept


def test_a_version_2_file_is_upgraded_and_keeps_its_rows(tmp_path):
    db = sqlite3.connect(tmp_path / history.FILENAME)
    for migration in history.MIGRATIONS[:2]:
        db.executescript(migration)
    db.execute(
        "INSERT INTO sessions (started_at, session, name, planned_seconds, actual_seconds, "
        "completed, note) VALUES ('2026-01-02T08:00:00+01:00', 'box', 'Box', 300, 300, 1, 'n')"
    )
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    opened = open_store(tmp_path)
    assert opened.store is not None and opened.notice is None
    store = opened.store
    [old] = store.rows()
    assert (old.name, old.note, old.journal) == ("Box", "n", None)
    store.journal(store.begin("sigh", "Cyclic sighing", 300), "better")
    assert [row.journal for row in store.rows()] == [None, "better"]
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION == 4
    store.close()


def test_a_huge_or_odd_journal_written_by_hand_is_bounded_or_left_out(tmp_path):
    opened = open_store(tmp_path)
    assert opened.store is not None
    store = opened.store
    store.journal(store.begin("box", "Box", 60), "y" * 100_000)
    odd = store.begin("box", "Box", 60)
    store.db.execute("UPDATE sessions SET journal = x'00ff' WHERE id = ?", (odd,))
    long, blob = store.rows()
    assert long.journal is not None and 0 < len(long.journal) <= 2000
    assert blob.journal is None
    store.close()


def test_the_csv_adds_the_journal_at_the_end_never_as_a_formula():
    rows = [
        history.Row(1, report_time(), "box", "Box", 60, 60, True, journal="=HYPERLINK(x)"),
        history.Row(2, report_time(), "box", "Box", 60, 60, True, journal='said "no", twice'),
    ]
    out = io.StringIO()
    report.write_csv(rows, out)
    read = list(csv.reader(io.StringIO(out.getvalue())))
    assert read[0][-2:] == ["journal", "craving_during"]
    assert read[0][:-2] == list(report.CSV_HEADER[:-2])  # the old columns, in their order
    assert [line[-2] for line in read[1:]] == ["'=HYPERLINK(x)", 'said "no", twice']


def report_time():
    from datetime import UTC, datetime

    return datetime(2026, 11, 21, 9, tzinfo=UTC)


async def test_the_app_asks_once_keeps_the_line_and_shows_it_literally(clock):
    app = app_with(clock, chimes=False, checkin_questions="none", journal=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await select(pilot, "box")
        await pilot.press("left", "left", "enter")
        screen = await session_on_top(pilot)
        clock.advance(30)
        screen.sync()
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        journal = top(app, JournalScreen)
        assert isinstance(journal, JournalScreen)
        assert text_of(journal, "question") == "Anything to note?"
        await pilot.press(*"[b]calmer[/b] now")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(top(app, ClosingScreen), ClosingScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("h")
        await pilot.pause(0.2)
        history_screen = top(app, HistoryScreen)
        table = history_screen.query_one("#recent", DataTable)
        assert [str(column.label) for column in table.columns.values()][-1] == "Note"
        assert str(table.get_row_at(0)[-1]) == "[b]calmer[/b] now"  # literally, not bold
    app.wrap_up()
    [row] = history_rows()
    assert row.journal == "[b]calmer[/b] now"


async def test_enter_on_an_empty_line_or_escape_skips_and_the_setting_turns_it_off(clock):
    for keys in (("enter",), ("escape",)):
        app = app_with(clock, chimes=False, checkin_questions="none", journal=True)
        async with app.run_test(size=(40, 12)) as pilot:
            await pilot.pause()
            await select(pilot, "box")
            await pilot.press("enter")
            screen = await session_on_top(pilot)
            clock.advance(5)
            screen.sync()
            await pilot.press("q", "y")
            await pilot.pause()
            assert isinstance(app.screen, JournalScreen)
            assert app.screen.query_one(Input).has_focus
            await pilot.press(*keys)
            await pilot.pause()
            assert isinstance(top(app, ClosingScreen), ClosingScreen)
        app.wrap_up()
    assert [row.journal for row in history_rows()] == [None, None]
    app = app_with(clock, chimes=False, checkin_questions="none", journal=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await select(pilot, "box")
        await pilot.press("enter")
        screen = await session_on_top(pilot)
        await pilot.press("q", "y")
        await pilot.pause()
        assert isinstance(top(app, ClosingScreen), ClosingScreen)
    app.wrap_up()


def test_oxybreathe_history_shows_a_note_column_only_when_there_is_a_note():
    store = history_store()
    row = store.begin("box", "Box breathing", 300)
    store.finish(row, 300, completed=True)
    store.close()
    assert "NOTE" not in run_cli("history").stdout
    store = history_store()
    store.journal(store.begin("box", "Box breathing", 300), "rang my sponsor \x1b]0;x\x07after")
    store.close()
    lines = run_cli("history").stdout.splitlines()
    assert lines[0].split()[-1] == "NOTE"
    assert lines[1].endswith("rang my sponsor ]0;xafter") and "\x1b" not in lines[1]
    assert run_cli("history", "--csv").stdout.splitlines()[0].endswith(",journal,craving_during")


def test_the_journal_screen_snapshot_at_80x24(snap_compare, clock):
    async def to_the_journal(pilot):
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, SessionScreen)
        clock.advance(10)
        screen.sync()
        await pilot.press("q", "y")
        await pilot.pause()
        assert isinstance(pilot.app.screen, JournalScreen)

    app = box_app(clock, checkin=True, checkin_questions="none", journal=True)
    assert snap_compare(app, run_before=to_the_journal, terminal_size=(80, 24))
