"""Real permissions: the CLI run as an ordinary user (not root), in folders it may not write."""

from __future__ import annotations

from tests.conftest import UserHome, run_as_user


def test_an_ordinary_user_cannot_write_a_folder_left_read_only(user_home: UserHome):
    # The fixture itself: the command really runs without root's power over mode bits.
    locked = user_home.mkdir(user_home.root / "locked", 0o555)
    probe = locked / "probe"
    result = run_as_user(user_home, "new", "calm", env={"XDG_CONFIG_HOME": str(locked)})
    assert result.returncode != 0
    assert not probe.exists() and not (locked / "oxybreathe").exists()
    assert "Traceback" not in result.stderr
