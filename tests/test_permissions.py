"""Real permissions: the CLI run as an ordinary user (not root), in folders it may not write."""

from __future__ import annotations

from pathlib import Path

import pytest

from oxybreathe.core import history
from tests.conftest import UserHome, run_as_user


def test_an_ordinary_user_cannot_write_a_folder_left_read_only(user_home: UserHome):
    # The fixture itself: the command really runs without root's power over mode bits.
    locked = user_home.mkdir(user_home.root / "locked", 0o555)
    probe = locked / "probe"
    result = run_as_user(user_home, "new", "calm", env={"XDG_CONFIG_HOME": str(locked)})
    assert result.returncode != 0
    assert not probe.exists() and not (locked / "oxybreathe").exists()
    assert "Traceback" not in result.stderr


# The history, the settings and the remembered choices, in folders and files an ordinary user
# may not read or write. Each case: a session still runs in plain mode, with at most one line
# about it; the history is shown wherever it can be read; nothing is moved aside or changed.


def with_history(home: UserHome) -> tuple[Path, Path]:
    """A history with one session in it, made by the user; (the session file, the history)."""
    session = home.root / "short.yaml"
    session.write_text("name: Short\nsteps:\n  - say: Hello.\n    seconds: 1\n")
    home.own(session)
    made = run_as_user(home, "run", str(session), "--plain", "--no-chimes")
    assert (made.returncode, made.stderr) == (0, ""), made.stderr
    path = home.data / history.FILENAME
    assert path.is_file()
    return session, path


def run_short(home: UserHome, session: Path) -> str:
    """Run the session as the user; return what it said on stderr (it must finish)."""
    ran = run_as_user(home, "run", str(session), "--plain", "--no-chimes")
    assert ran.returncode == 0, ran.stderr
    assert "Finished: 1 s." in ran.stdout
    assert "Traceback" not in ran.stderr
    return ran.stderr


def assert_shown(home: UserHome, notice: str) -> None:
    """`history` and `history --csv` show the one session, after `notice` (or nothing)."""
    shown = run_as_user(home, "history")
    assert (shown.returncode, shown.stderr) == (0, notice)
    assert "Short" in shown.stdout and "1 session under a minute is listed" in shown.stdout
    exported = run_as_user(home, "history", "--csv")
    assert (exported.returncode, exported.stderr) == (0, notice)
    assert len(exported.stdout.splitlines()) == 2


@pytest.mark.parametrize("mode", [0o555, 0o444], ids=["folder-0o555", "file-0o444"])
def test_a_history_that_cannot_be_written_is_left_as_it_is_and_still_shown(user_home, mode):
    session, path = with_history(user_home)
    target = path.parent if mode == 0o555 else path
    target.chmod(mode)
    before = path.read_bytes()
    said = run_short(user_home, session)
    notice = f"History is off this time: cannot write {path}: permission denied.\n"
    assert said == notice
    assert_shown(user_home, notice)
    assert path.read_bytes() == before  # beside it, SQLite may keep its -wal and -shm files
    assert not list(path.parent.glob("*.unusable-*"))


@pytest.mark.parametrize("unreadable", ["folder", "file"])
def test_a_history_that_cannot_be_read_is_said_in_one_line_and_never_moved(user_home, unreadable):
    session, path = with_history(user_home)
    (path.parent if unreadable == "folder" else path).chmod(0o000)
    notice = f"History is off this time: cannot read {path}: permission denied.\n"
    assert run_short(user_home, session) == notice
    for command in (["history"], ["history", "--csv"]):
        shown = run_as_user(user_home, *command)
        assert (shown.returncode, shown.stderr, shown.stdout) == (1, notice, "")
    path.parent.chmod(0o755)
    path.chmod(0o644)
    assert sorted(p.name for p in path.parent.iterdir()) == [history.FILENAME]
    assert_shown(user_home, "")  # all there once it can be read again


def test_a_config_folder_that_cannot_be_entered_is_one_line_and_history_still_shows(user_home):
    session, _path = with_history(user_home)
    settings = user_home.config / "oxybreathe" / "config.yaml"
    user_home.mkdir(settings.parent)
    settings.write_text("volume: 20\n")
    settings.parent.chmod(0o000)
    said = run_short(user_home, session)
    assert said == f"{settings}:1:1: permission denied (using the default)\n"
    shown = run_as_user(user_home, "history")
    assert shown.returncode == 0 and "2 sessions under a minute are listed" in shown.stdout
    assert "Traceback" not in shown.stderr


@pytest.mark.parametrize("mode", [0o000, 0o444], ids=["0o000", "0o444"])
def test_remembered_choices_that_cannot_be_read_or_written_change_nothing(user_home, mode):
    session, _path = with_history(user_home)
    remembered = user_home.mkdir(user_home.root / "state" / "oxybreathe") / "remembered.json"
    remembered.write_text('{"preferences": {"streak": false}}')
    user_home.own(remembered)
    remembered.chmod(mode)
    remembered.parent.chmod(0o555)  # nor can a new one replace it
    user_home.data.chmod(0o555)  # and the history cannot be written either
    assert run_short(user_home, session).startswith("History is off this time")
    shown = run_as_user(user_home, "history")
    assert shown.returncode == 0 and "Short" in shown.stdout
    assert ("streak" in shown.stdout) is (mode == 0o000)  # read when it can be: hidden
    assert remembered.read_text() == '{"preferences": {"streak": false}}'
