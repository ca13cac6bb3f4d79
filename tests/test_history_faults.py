"""History never silently loses a session: real faults on real SQLite files.

Every exception in the writer, rows the reader cannot parse, a real full disk (a small tmpfs
filled to the last byte) and a real lock held by a second process (`BEGIN EXCLUSIVE`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypedDict

import pytest

from oxybreathe.core import history
from oxybreathe.core.history import Recorder, open_store
from oxybreathe.core.history.pending import Ticket
from oxybreathe.core.loader import load_session
from oxybreathe.core.plan import lay_out
from tests.conftest import SESSIONS, FakeClock, app_with, run_cli


class Timing(TypedDict):
    """A Recorder's timing keywords."""

    retry_seconds: Sequence[float]
    busy_ms: int


QUICK: Timing = {"retry_seconds": (0.05,), "busy_ms": 200}  # a Recorder that tries again at once


class Said:
    """The lines a Recorder says, as they come (on its own thread)."""

    def __init__(self) -> None:
        self.lines: queue.Queue[str] = queue.Queue()

    def __call__(self, line: str) -> None:
        self.lines.put(line)

    def next(self, timeout: float = 30) -> str:
        return self.lines.get(timeout=timeout)


def make_history(folder: Path, *names: str) -> Path:
    """A history file with one finished session per name; its path."""
    opened = open_store(folder)
    assert opened.store is not None and opened.notice is None, opened.notice
    for name in names:
        row = opened.store.begin(name.lower(), name, 60)
        opened.store.finish(row, 60, completed=True)
    opened.store.close()
    return folder / history.FILENAME


def short_session(folder: Path, seconds: int = 1) -> Path:
    path = folder / "short.yaml"
    path.write_text(f"name: Short\nsteps:\n  - say: Hello.\n    seconds: {seconds}\n")
    return path


def rows_in(folder: Path) -> list[history.Row]:
    opened = open_store(folder)
    assert opened.store is not None, opened.notice
    try:
        return opened.store.rows()
    finally:
        opened.store.close()


def sessions_in(folder: Path) -> list[str]:
    return [row.session for row in rows_in(folder)]


# Any exception in the writer ----------------------------------------------------------------


def test_a_latin1_file_name_records_its_session(tmp_path, isolated_home):
    session = tmp_path / os.fsdecode(b"caf\xe9.yaml")  # a lone surrogate in the id
    session.write_text("name: Caf\xe9\nsteps:\n  - say: Hello.\n    seconds: 1\n")
    result = run_cli("run", str(session), "--plain", "--no-chimes")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # nothing failed, so nothing is said
    [row] = run_cli("history", "--csv").stdout.splitlines()[1:]
    assert row.split(",")[1:5] == ["caf\ufffd", "1", "1", "1"]  # kept, with the byte replaced


def test_a_write_failing_with_any_exception_is_said_and_later_sessions_still_record(tmp_path):
    said = Said()
    recorder = Recorder(tmp_path, on_notice=said, **QUICK)
    assert recorder.notice.result(timeout=10) is None
    # A number SQLite cannot hold: the sqlite3 module raises OverflowError, not sqlite3.Error.
    huge = recorder.begin("huge", "Huge", 10**30)
    recorder.finish(huge, 60, completed=True)
    first = said.next()
    assert first.startswith("The history could not be saved (")
    assert first.endswith("); it will be tried again while oxybreathe runs.")
    fine = recorder.begin("box", "Box breathing", 60)  # not held up by the failing session
    recorder.finish(fine, 60, completed=True)
    assert [row.session for row in recorder.rows().result(timeout=10)] == ["box"]
    assert recorder.close(timeout=10)
    assert recorder.late_notice is not None
    assert recorder.late_notice.startswith("The history could not be saved (")
    assert recorder.late_notice.endswith(f"so this is not kept: Huge (started {hhmm(huge)}).")
    assert sessions_in(tmp_path) == ["box"]


def hhmm(ticket: Ticket) -> str:
    return ticket.started.strftime("%H:%M")


def test_a_raising_callback_or_a_cancelled_read_never_stops_the_writer(tmp_path):
    path = make_history(tmp_path)
    with holding(path) as release:  # the writer is held in opening, so the reads wait
        recorder = Recorder(tmp_path, **QUICK)
        raising = recorder.rows()
        raising.add_done_callback(lambda _done: 1 / 0)
        abandoned = recorder.read()
        assert abandoned.cancel()  # a history screen closed while it was reading
        ticket = recorder.begin("box", "Box breathing", 60)
        recorder.finish(ticket, 60, completed=True)
        release()
    assert recorder.close(timeout=10)
    assert recorder.late_notice is None
    assert sessions_in(tmp_path) == ["box"]


def test_a_recorder_whose_thread_is_still_busy_at_close_says_what_may_be_lost(tmp_path):
    path = make_history(tmp_path)
    with holding(path):
        recorder = Recorder(tmp_path)  # the real 5 s busy timeout: opening takes that long
        ticket = recorder.begin("box", "Box breathing", 60)
        assert not recorder.close(timeout=0.5)
    assert recorder.late_notice == (
        "The history could not be saved (it was still being written when oxybreathe closed), "
        f"so this is not kept: Box breathing (started {hhmm(ticket)})."
    )


# Rows the reader cannot parse ---------------------------------------------------------------

BAD_ROWS = (
    "(started_at, session, planned_seconds) VALUES ('yesterday', 'box', 60)",
    "(started_at, session, planned_seconds) VALUES ('9999-12-31T23:59:59-14:00', 'box', 60)",
    "(started_at, session, planned_seconds) VALUES (x'32303236', 'box', 60)",
    "(started_at, session, planned_seconds) VALUES ('2026-01-02T08:00:00+00:00', 'box', 'long')",
    "(started_at, session, planned_seconds, actual_seconds) "
    "VALUES ('2026-01-02T08:00:00+00:00', 'box', 60, 9e999)",
    "(started_at, session, planned_seconds, name) "
    "VALUES ('2026-01-02T08:00:00+00:00', 'box', 60, x'00ff')",
    "(started_at, session, planned_seconds, completed) "
    "VALUES ('2026-01-02T08:00:00+00:00', 'box', 60, 'yes')",
    "(started_at, session, planned_seconds, stress_before) "
    "VALUES ('2026-01-02T08:00:00+00:00', 'box', 60, 'high')",
    "(started_at, session, planned_seconds, craving_after) "
    "VALUES ('2026-01-02T08:00:00+00:00', 'box', 60, 99)",
)


def spoil(path: Path) -> None:
    """Add every row of BAD_ROWS, and one good row whose name is not valid UTF-8."""
    db = sqlite3.connect(path)
    for values in BAD_ROWS:
        db.execute(f"INSERT INTO sessions {values}")
    db.execute(
        "INSERT INTO sessions (started_at, session, planned_seconds, actual_seconds, completed, "
        "name) VALUES ('2026-01-03T08:00:00', 'odd', 60, 60, 1, CAST(x'4f64ff64' AS TEXT))"
    )
    db.commit()
    db.close()


LEFT_OUT = f"{len(BAD_ROWS)} rows of the history could not be read and are left out.\n"


def test_rows_that_cannot_be_read_are_left_out_and_said_and_later_sessions_record(
    tmp_path, isolated_home
):
    spoil(make_history(isolated_home / "data" / "oxybreathe", "Box"))
    shown = run_cli("history")
    assert (shown.returncode, shown.stderr) == (0, LEFT_OUT)
    assert "Box" in shown.stdout and "Od\ufffdd" in shown.stdout  # the readable rows show
    assert "Sessions: 2" in shown.stdout
    exported = run_cli("history", "--csv")
    assert (exported.returncode, exported.stderr) == (0, LEFT_OUT)
    [_header, odd, box] = exported.stdout.splitlines()  # oldest first
    assert odd.startswith("2026-01-03T08:00:00+") and box.split(",")[1] == "box"  # with offset
    ran = run_cli("run", str(short_session(tmp_path)), "--plain", "--no-chimes")
    assert (ran.returncode, ran.stderr) == (0, "")
    later = run_cli("history").stdout  # the 1-second session recorded: listed, not counted
    assert "Sessions: 2" in later and "1 session under a minute is listed" in later


async def test_the_history_screen_leaves_out_rows_it_cannot_read_and_sessions_still_record(
    isolated_home,
):
    spoil(make_history(isolated_home / "data" / "oxybreathe", "Box"))
    app = app_with(FakeClock(), checkin=False, chimes=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause(0.3)
        totals = str(app.screen.query_one("#totals").render())
        assert totals.startswith("Sessions: 2")
        assert LEFT_OUT.strip() in totals
        await pilot.press("escape")
        await pilot.pause()
        app.practise(lay_out(load_session(SESSIONS / "box.yaml"), 3), from_home=True)
        await pilot.pause()
        await pilot.press("ctrl+q")
    app.wrap_up()  # the session is kept as stopped: the writer outlived the unreadable rows
    assert sessions_in(isolated_home / "data" / "oxybreathe") == ["odd", "box", "box"]


# A full disk -------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 512 KiB filesystem (tmpfs) to fill; unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k,mode=0755", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.fail(f"a full disk is tested on a small tmpfs, which needs root: {made.stderr}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=True)


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill `disk` with a filler file, to its last byte or to `leave` bytes free."""
    filler = disk / "filler"
    handle = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    size = 64 * 1024
    try:
        while size and shutil.disk_usage(disk).free > leave:
            try:
                os.write(handle, b"\0" * min(size, shutil.disk_usage(disk).free - leave))
            except OSError as error:
                assert error.errno == errno.ENOSPC
                size //= 2
    finally:
        os.close(handle)
    assert shutil.disk_usage(disk).free == leave
    return filler


def test_a_full_disk_never_moves_the_history_aside_and_it_is_still_read(small_disk):
    path = make_history(small_disk / "oxybreathe", "Box")
    before = path.read_bytes()
    fill(small_disk)
    result = open_store(small_disk / "oxybreathe")
    assert result.notice is not None and "the disk is full" in result.notice
    assert result.retry is not None  # it may pass: a Recorder tries again
    assert result.store is not None and not result.store.writable
    assert [row.session for row in result.store.rows()] == ["box"]
    result.store.close()
    assert path.read_bytes() == before
    assert not list(path.parent.glob("*.unusable-*"))


def test_a_full_disk_while_an_old_file_is_upgraded_keeps_it_and_still_shows_it(small_disk):
    folder = small_disk / "oxybreathe"
    folder.mkdir()
    db = sqlite3.connect(folder / history.FILENAME)
    db.executescript(history.MIGRATIONS[0])  # version 1: the upgrade adds an index
    db.executemany(
        "INSERT INTO sessions (started_at, session, planned_seconds) VALUES (?, ?, 60)",
        [
            (f"2026-01-{1 + n // 3600:02}T08:{n // 60 % 60:02}:{n % 60:02}Z", "box")
            for n in range(4000)
        ],
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    fill(small_disk, leave=100 * 1024)  # room to open it, not to index 4,000 rows
    result = open_store(folder)
    assert result.notice is not None and "the disk is full" in result.notice
    assert result.store is not None and not result.store.writable
    assert len(result.store.rows()) == 4000  # read as it is, without the upgrade
    result.store.close()
    assert not list(folder.glob("*.unusable-*"))


def test_a_disk_that_fills_mid_session_keeps_the_writes_until_there_is_room(small_disk):
    folder = small_disk / "oxybreathe"
    make_history(folder)
    said = Said()
    recorder = Recorder(folder, on_notice=said, **QUICK)
    assert recorder.notice.result(timeout=10) is None
    ticket = recorder.begin("box", "Box breathing", 60)
    assert len(recorder.rows().result(timeout=10)) == 1  # its start is in the file
    filler = fill(small_disk)
    recorder.finish(ticket, 60, completed=True)
    recorder.note_shown(ticket, "n" * 200_000)  # more than the disk could ever take
    assert said.next() == (
        "The history could not be saved (database or disk is full); "
        "it will be tried again while oxybreathe runs."
    )
    filler.unlink()
    assert said.next() == "The history is saved now; nothing was lost."
    assert recorder.close(timeout=10) and recorder.late_notice is None
    [row] = rows_in(folder)
    assert row.completed and row.note is not None and len(row.note) == 200_000


def test_a_plain_session_on_a_full_disk_runs_says_what_is_lost_and_the_file_is_kept(
    small_disk, tmp_path
):
    path = make_history(small_disk / "oxybreathe", "Box")
    before = path.read_bytes()
    fill(small_disk)
    home = {"XDG_DATA_HOME": str(small_disk)}
    result = run_cli("run", str(short_session(tmp_path)), "--plain", "--no-chimes", env=home)
    assert result.returncode == 0 and "Finished: 1 s." in result.stdout
    opening, last = result.stderr.splitlines()
    assert opening == (
        f"The history cannot be written just now ({path}): the disk is full. "
        "Sessions are kept, and saved as soon as it can be written."
    )
    assert re.fullmatch(
        r"The history could not be saved \(the disk is full\), "
        r"so this is not kept: Short \(started \d\d:\d\d\)\.",
        last,
    )
    shown = run_cli("history", env=home)
    assert shown.returncode == 0 and "Box" in shown.stdout and "Short" not in shown.stdout
    assert path.read_bytes() == before
    assert not list(path.parent.glob("*.unusable-*"))


async def test_the_app_says_a_full_disk_in_a_notice_and_names_the_lost_session_at_exit(
    small_disk,
):
    folder = small_disk / "oxybreathe"
    make_history(folder, "Box")
    fill(small_disk)
    app = app_with(
        FakeClock(),
        checkin=False,
        chimes=False,
        data_dir=folder,
        start=lay_out(load_session(SESSIONS / "box.yaml"), 3),
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.5)
        messages = [n.message for n in app._notifications]
        assert any("the disk is full" in m for m in messages), messages
        await pilot.press("ctrl+q")
    app.wrap_up()
    assert app.farewell[-1].startswith("The history could not be saved (")
    assert "so this is not kept: Box breathing (started " in app.farewell[-1]


# A lock another program holds ---------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sqlite3, sys
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")
    print("held", flush=True)
    sys.stdin.readline()  # until the test lets go
    db.execute("COMMIT")
    """
)


@contextlib.contextmanager
def holding(path: Path) -> Iterator[Callable[[], None]]:
    """A second process holds `BEGIN EXCLUSIVE` on `path` until the yielded call (or the end)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline() == "held\n"
    stdin = holder.stdin  # narrowed here: the closure below cannot see the assert

    def release() -> None:
        if holder.poll() is None:
            stdin.write("\n")
            stdin.flush()
            assert holder.wait(timeout=10) == 0

    try:
        yield release
    finally:
        release()


def test_a_lock_held_at_open_keeps_the_session_and_saves_it_once_let_go(tmp_path):
    path = make_history(tmp_path)
    said = Said()
    with holding(path) as release:
        recorder = Recorder(tmp_path, on_notice=said, **QUICK)
        assert said.next() == (
            f"The history cannot be written just now ({path}): another program is holding "
            "the history file (database is locked). "
            "Sessions are kept, and saved as soon as it can be written."
        )
        ticket = recorder.begin("box", "Box breathing", 60)
        recorder.finish(ticket, 60, completed=True)
        release()
        assert said.next() == "The history is saved now; nothing was lost."
    assert recorder.close(timeout=10) and recorder.late_notice is None
    [row] = rows_in(tmp_path)
    assert (row.session, row.completed) == ("box", True)


def test_a_lock_held_at_a_write_is_said_and_the_write_kept_until_let_go(tmp_path):
    path = make_history(tmp_path)
    said = Said()
    recorder = Recorder(tmp_path, on_notice=said, **QUICK)
    assert recorder.notice.result(timeout=10) is None
    ticket = recorder.begin("box", "Box breathing", 60)
    assert len(recorder.rows().result(timeout=10)) == 1
    with holding(path) as release:
        recorder.finish(ticket, 60, completed=True)
        recorder.rate_after(ticket, 3, 2)
        assert said.next() == (
            "The history could not be saved (database is locked); "
            "it will be tried again while oxybreathe runs."
        )
        release()
        assert said.next() == "The history is saved now; nothing was lost."
    assert recorder.close(timeout=10) and recorder.late_notice is None
    [row] = rows_in(tmp_path)
    assert (row.completed, row.stress_after, row.craving_after) == (True, 3, 2)


def test_a_lock_never_let_go_is_named_when_the_recorder_closes(tmp_path):
    path = make_history(tmp_path)
    recorder = Recorder(tmp_path, **QUICK)
    assert recorder.notice.result(timeout=10) is None
    ticket = recorder.begin("box", "Box breathing", 60)
    assert len(recorder.rows().result(timeout=10)) == 1
    with holding(path):
        recorder.finish(ticket, 60, completed=True)
        assert recorder.close(timeout=10)  # one last try, then the line
    assert recorder.late_notice == (
        "The history could not be saved (database is locked), so this is not kept: "
        f"the end of Box breathing (started {hhmm(ticket)})."
    )
    [row] = rows_in(tmp_path)
    assert not row.completed  # its start was kept; nothing is made up


def test_the_cli_under_a_lock_runs_the_session_says_so_and_still_shows_the_history(tmp_path):
    folder = tmp_path / "data" / "oxybreathe"
    path = make_history(folder, "Box")
    home = {"XDG_DATA_HOME": str(tmp_path / "data")}
    with holding(path):
        result = run_cli("run", str(short_session(tmp_path)), "--plain", "--no-chimes", env=home)
        shown = run_cli("history", env=home)
    assert result.returncode == 0 and "Finished: 1 s." in result.stdout
    opening, last = result.stderr.splitlines()
    assert opening == (
        f"The history cannot be written just now ({path}): another program is holding "
        "the history file (database is locked). "
        "Sessions are kept, and saved as soon as it can be written."
    )
    assert re.fullmatch(
        r"The history could not be saved \(another program is holding the history file\), "
        r"so this is not kept: Short \(started \d\d:\d\d\)\.",
        last,
    )
    assert shown.returncode == 0 and "Box" in shown.stdout
    assert sessions_in(folder) == ["box"]
    assert not list(folder.glob("*.unusable-*"))


# Only a damaged file is moved aside ------------------------------------------------------------


def test_two_damaged_files_in_one_second_are_both_kept(tmp_path):
    path = tmp_path / history.FILENAME
    for content in (b"first damaged file" * 100, b"second damaged file" * 100):
        path.write_bytes(content)
        result = open_store(tmp_path, clock=lambda: datetime(2026, 11, 21, 9, 30, 5))
        assert result.store is not None
        result.store.close()
    kept = sorted(p.read_bytes()[:6] for p in tmp_path.glob(f"{history.FILENAME}.unusable-*"))
    assert kept == [b"first ", b"second"]
