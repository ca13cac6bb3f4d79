"""The history store on real SQLite files in tmp dirs: rows, faults, migrations, two writers."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from oxybreathe.core import history, report
from oxybreathe.core.history import Recorder, Row, open_store
from tests.conftest import write_protected

UTC = UTC


def opened(folder: Path | None) -> history.Store:
    result = open_store(folder)
    assert result.store is not None, result.notice
    assert result.notice is None
    return result.store


def test_a_session_is_written_when_it_starts_and_updated_when_it_ends(tmp_path):
    store = opened(tmp_path)
    row = store.begin("box", "Box breathing", 306, stress_before=7, craving_before=6)
    [started] = store.rows()
    assert (started.completed, started.actual_seconds, started.stress_before) == (False, 0, 7)
    store.progress(row, 30)
    assert store.rows()[0].actual_seconds == 30
    store.finish(row, 306, completed=True)
    store.rate_after(row, 4, 3)
    store.note_shown(row, "hpa-axis")
    store.progress(row, 12)  # a late progress write never undoes the end
    store.close()
    [done] = opened(tmp_path).rows()
    assert (done.session, done.name, done.completed, done.actual_seconds) == (
        "box",
        "Box breathing",
        True,
        306,
    )
    assert (done.stress_before, done.stress_after, done.craving_before, done.craving_after) == (
        7,
        4,
        6,
        3,
    )
    assert done.note == "hpa-axis"
    assert store.path.with_name(history.FILENAME).exists()


def test_the_file_is_in_wal_mode_with_the_current_schema_version(tmp_path):
    opened(tmp_path).close()
    db = sqlite3.connect(tmp_path / history.FILENAME)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION
    db.close()


def test_xdg_data_home_moves_the_file(isolated_home):
    opened(None).close()
    assert (isolated_home / "data" / "oxybreathe" / history.FILENAME).is_file()


def test_a_version_1_file_is_migrated_and_keeps_its_rows(tmp_path):
    db = sqlite3.connect(tmp_path / history.FILENAME)
    db.executescript(history.MIGRATIONS[0])
    db.execute(
        "INSERT INTO sessions (started_at, session, planned_seconds, actual_seconds, completed, "
        "stress_before, stress_after) "
        "VALUES ('2026-01-02T08:00:00+01:00', 'box', 300, 120, 0, 8, 5)"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    store = opened(tmp_path)
    [old] = store.rows()
    assert (old.session, old.name, old.actual_seconds, old.completed) == ("box", "box", 120, False)
    assert (old.stress_before, old.stress_after, old.note) == (8, 5, None)
    assert old.started_at == datetime(2026, 1, 2, 8, tzinfo=timezone(timedelta(hours=1)))
    store.note_shown(store.begin("sigh", "Cyclic sighing", 300), "stress-short-bursts")
    assert [row.session for row in store.rows()] == ["box", "sigh"]
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"this is not a database at all" * 200, "not a database"),
        (b"SQLite format 3\x00" + b"\xff" * 5000, ""),
    ],
)
def test_a_corrupt_file_is_moved_aside_and_a_new_one_started(tmp_path, content, reason):
    path = tmp_path / history.FILENAME
    path.write_bytes(content)
    result = open_store(tmp_path, clock=lambda: datetime(2026, 11, 21, 9, 30, 5))
    assert result.store is not None
    aside = tmp_path / f"{history.FILENAME}.unusable-20261121-093005"
    assert aside.read_bytes() == content  # nothing is lost
    assert result.notice is not None and str(aside) in result.notice
    assert reason in result.notice
    assert "\n" not in result.notice
    result.store.begin("box", "Box", 60)
    assert len(result.store.rows()) == 1


@pytest.mark.parametrize(
    ("version", "reason"),
    [
        (history.SCHEMA_VERSION + 1, "newer oxybreathe"),
        (history.SCHEMA_VERSION, "no sessions table"),  # a database, but not a history
    ],
)
def test_a_file_from_a_newer_version_or_another_program_is_moved_aside(tmp_path, version, reason):
    db = sqlite3.connect(tmp_path / history.FILENAME)
    db.execute("CREATE TABLE future (x)")
    db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    db.close()
    result = open_store(tmp_path)
    assert result.store is not None
    assert result.notice is not None and reason in result.notice
    assert len(list(tmp_path.glob(f"{history.FILENAME}.unusable-*"))) == 1


def test_an_unreadable_file_is_moved_aside(tmp_path):
    (tmp_path / history.FILENAME).mkdir()  # unreadable as a database, even for root
    result = open_store(tmp_path)
    assert result.store is not None
    assert result.notice is not None and "not a file" in result.notice


def test_a_data_folder_that_cannot_be_made_turns_history_off(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = open_store(blocker / "oxybreathe")
    assert result.store is None
    assert result.notice is not None
    assert result.notice.startswith("History is off this time: cannot create")


def test_the_recorder_writes_in_order_off_the_calling_thread(tmp_path):
    recorder = Recorder(tmp_path)
    assert recorder.notice.result(timeout=10) is None
    ticket = recorder.begin("box", "Box breathing", 300, stress_before=5)
    recorder.progress(ticket, 30)
    recorder.finish(ticket, 200, completed=False)
    recorder.note_shown(ticket, "cravings-wave")
    assert recorder.shown_notes().result(timeout=10) == ["cravings-wave"]
    assert recorder.close(timeout=10)
    [row] = opened(tmp_path).rows()
    assert (row.actual_seconds, row.completed, row.stress_before) == (200, False, 5)


def test_a_recorder_with_history_off_accepts_everything_and_writes_nothing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    recorder = Recorder(blocker / "x")
    notice = recorder.notice.result(timeout=10)
    assert notice is not None and "History is off" in notice
    ticket = recorder.begin("box", "Box", 60)
    recorder.finish(ticket, 60, completed=True)
    assert recorder.rows().result(timeout=10) == []
    assert recorder.close(timeout=10)


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from oxybreathe.core.history import open_store

    folder, name = Path(sys.argv[1]), sys.argv[2]
    opened = open_store(folder)
    assert opened.notice is None, opened.notice
    store = opened.store
    for n in range(40):
        row = store.begin(name, name, 60)
        store.progress(row, n)
        store.finish(row, 60, completed=True)
    """
)


def ended(writer: subprocess.Popen[str]) -> tuple[int, str]:
    """Wait for `writer`, then read what it said on stderr."""
    assert writer.stderr is not None
    return writer.wait(timeout=60), writer.stderr.read()


@pytest.mark.parametrize("attempt", range(3))  # the race is in the first moments: try it often
def test_two_writers_at_once_both_keep_their_rows(tmp_path, attempt):
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), name], stderr=subprocess.PIPE, text=True
        )
        for name in ("first", "second")
    ]
    results = [ended(writer) for writer in writers]
    assert results == [(0, ""), (0, "")]
    rows = opened(tmp_path).rows()
    assert sorted(row.session for row in rows) == ["first"] * 40 + ["second"] * 40
    assert all(row.completed for row in rows)


# Figures -----------------------------------------------------------------------------------


def row(
    day: date,
    seconds: float = 300,
    *,
    stress_before: int | None = None,
    stress_after: int | None = None,
    craving_before: int | None = None,
    craving_after: int | None = None,
) -> Row:
    started = datetime(day.year, day.month, day.day, 12, tzinfo=UTC).astimezone()
    return Row(
        0,
        started,
        "box",
        "Box breathing",
        300,
        seconds,
        seconds >= 300,
        stress_before=stress_before,
        stress_after=stress_after,
        craving_before=craving_before,
        craving_after=craving_after,
    )


def test_summary_counts_this_week_averages_changes_and_the_streak():
    today = date(2026, 11, 21)  # a Saturday
    rows = [
        row(today - timedelta(days=7), 600, stress_before=8, stress_after=4),  # last week
        row(today - timedelta(days=4), 120, stress_before=6, stress_after=5, craving_before=6),
        row(today - timedelta(days=1), 300, craving_before=6, craving_after=3),
        row(today, 300, stress_before=7, stress_after=4, craving_before=6, craving_after=3),
        row(today, 20, stress_before=9, stress_after=0),  # under a minute: in no figure
        row(today, 0),  # a 0-second stop
    ]
    summary = report.summarize(rows, today)
    assert (summary.sessions, summary.not_counted) == (4, 2)
    assert summary.minutes_total == pytest.approx((600 + 120 + 300 + 300) / 60)
    assert summary.minutes_this_week == pytest.approx((120 + 300 + 300) / 60)
    assert summary.stress_change == pytest.approx((-4 - 1 - 3) / 3)
    assert summary.craving_change == pytest.approx(-3)
    assert (summary.stress_pairs, summary.craving_pairs) == (3, 2)
    second = report.totals(summary)[1]
    assert second == "Average change: stress -2.7 (over 3 sessions), craving -3 (over 2 sessions)"
    assert summary.streak_days == 2
    assert report.totals(summary)[2] == (
        "2 sessions under a minute are listed but not counted. "
        "Streak: days in a row with a session of a minute or more."
    )
    assert len(report.totals(report.summarize(rows[:4], today), show_streak=False)) == 2


def test_a_first_short_session_says_why_the_streak_is_zero():
    today = date(2026, 11, 21)
    lines = report.report([row(today, 40)], today=today)
    assert lines[-3].startswith("Sessions: 0, this week: 0 s, all time: 0 s, streak: 0 days")
    assert lines[-1] == (
        "1 session under a minute is listed but not counted. "
        "Streak: days in a row with a session of a minute or more."
    )


def test_a_streak_that_ended_yesterday_still_stands_and_a_gap_breaks_it():
    today = date(2026, 11, 21)
    days = [today - timedelta(days=n) for n in (1, 2, 3, 5)]
    assert report.streak([row(day) for day in days], today) == 3
    assert report.streak([row(today - timedelta(days=2))], today) == 0


def test_csv_has_the_documented_header_and_whole_seconds():
    out = io.StringIO()
    report.write_csv(
        [
            row(date(2026, 11, 20), 61.6, stress_before=7, stress_after=4),
            Row(2, datetime(2026, 11, 21, 9, tzinfo=UTC), "=cmd|x", "x", 60, 0, False),
        ],
        out,
    )
    lines = out.getvalue().splitlines()
    assert (
        lines[0]
        == ",".join(report.CSV_HEADER)
        == (
            "started_at,session,planned_seconds,actual_seconds,completed,"
            "stress_before,stress_after,craving_before,craving_after,journal,craving_during"
        )
    )
    assert lines[1].split(",")[2:] == ["300", "62", "0", "7", "4", "", "", "", ""]
    assert lines[2] == "2026-11-21T09:00:00+00:00,'=cmd|x,60,0,0,,,,,,"  # never a formula


def test_the_report_lists_newest_first_and_says_how_many_are_left_out():
    today = date(2026, 11, 21)
    rows = [row(today - timedelta(days=n), 300) for n in range(5, 0, -1)]
    lines = report.report(rows, limit=2, today=today)
    assert lines[0].split() == ["WHEN", "SESSION", "TIME", "ENDED", "STRESS", "CRAVING"]
    assert "Fri 20 Nov" in lines[1] and "Thu 19 Nov" in lines[2]
    assert lines[3] == "(the latest 2 of 5; `oxybreathe history --csv` has them all)"
    assert lines[5].startswith("Sessions: 5, this week: 25 min, all time: 25 min, streak: 5 days")
    assert "streak" not in " ".join(report.report(rows, today=today, show_streak=False))


def test_trend_is_on_a_fixed_scale_and_shows_skipped_ratings_as_gaps():
    assert report.trend([0, 5, 10, None, 7], width=10) == "▁▅█ ▆"
    assert report.trend(list(range(11)), width=3) == "▇▇█"  # the latest three
    assert report.signed(-2.25) == "-2.2" and report.signed(1) == "+1" and report.signed(0) == "0"


def test_a_python_without_sqlite3_runs_sessions_with_history_off(write):
    path = write("name: Short\nsteps:\n  - say: Hello.\n    seconds: 1\n")
    code = (
        "import sys; sys.modules['sqlite3'] = None\n"  # makes `import sqlite3` fail
        "from oxybreathe.cli import main\n"
        f"sys.exit(main(['run', {str(path)!r}, '--plain', '--no-chimes']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "Finished: 1 s." in result.stdout
    assert result.stderr.strip() == (
        "History is off this time: this Python was built without its sqlite3 module."
    )


def test_a_read_only_history_file_is_left_as_it_is_and_still_read(tmp_path):
    store = opened(tmp_path)
    store.begin("box", "Box", 60)
    store.close()
    path = tmp_path / history.FILENAME
    for side in ("-wal", "-shm"):  # a clean close leaves only the file itself
        assert not path.with_name(path.name + side).exists()
    before = path.read_bytes()
    with write_protected(path):
        result = open_store(tmp_path)
        assert result.store is not None and not result.store.writable
        assert [row.session for row in result.store.rows()] == ["box"]
        result.store.close()
    assert result.notice is not None and result.notice.startswith("History is off this time")
    assert "cannot write" in result.notice
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.unusable-*"))  # a good file is never moved aside


def test_a_read_only_data_folder_keeps_its_file_as_it_is_and_past_sessions_show(tmp_path):
    # A read-only home: SQLite cannot create the -wal and -shm files beside the history file.
    # That is no reason to call the file unusable: it is read, and left exactly as it is.
    store = opened(tmp_path)
    store.begin("box", "Box", 60)
    store.close()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with write_protected(tmp_path):
        recorder = Recorder(tmp_path)
        notice = recorder.notice.result(timeout=10)
        ticket = recorder.begin("4-7-8", "4-7-8", 60)  # history is off: dropped, no error
        recorder.finish(ticket, 60, completed=True)
        rows = recorder.rows().result(timeout=10)
        assert recorder.close(timeout=10)
    assert notice == (
        f"History is off this time: cannot write {tmp_path / history.FILENAME}: "
        "operation not permitted."
    )
    assert [row.session for row in rows] == ["box"]
    assert recorder.late_notice is None
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_recording_ends_once_and_keeps_the_note_it_showed(tmp_path):
    from oxybreathe.core.checkin import Ratings
    from oxybreathe.core.loader import load_session
    from oxybreathe.core.plan import lay_out
    from tests.conftest import SESSIONS

    box = lay_out(load_session(SESSIONS / "box.yaml"), 3)
    recorder = Recorder(tmp_path)
    first = history.Recording(recorder, box, Ratings(stress=7))
    first.save(31)
    assert recorder.rows().result(timeout=10)[0].actual_seconds == 31
    first.finish(100, completed=True)
    first.finish(120, completed=False)  # a second end changes nothing
    first.save(130)  # nor does a late save
    first.rate_after(Ratings())  # nothing answered: nothing written
    first.note_shown("hpa-chain")
    second = history.Recording(recorder, box, Ratings())
    assert second.shown_notes.result(timeout=10) == ["hpa-chain"]
    assert recorder.close(timeout=10)
    [one, two] = opened(tmp_path).rows()
    assert (one.actual_seconds, one.completed, one.stress_before, one.stress_after) == (
        100,
        True,
        7,
        None,
    )
    assert (one.note, two.note, two.completed) == ("hpa-chain", None, False)


def test_totals_are_in_whole_seconds_like_the_table():
    today = date(2026, 11, 21)
    [first, *_] = report.totals(report.summarize([row(today, 62.89)], today))
    assert first.startswith("Sessions: 1, this week: 1 min 3 s, all time: 1 min 3 s")
