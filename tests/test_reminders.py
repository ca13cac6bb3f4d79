"""Reminders: our file, and real unit files, plists and crontab text in tmp folders.

The scheduler's tool (systemctl, launchctl, crontab) is the one thing replaced: in-process by
an injected runner, and for the real CLI by a stand-in `crontab` on PATH that keeps its table
in a tmp file (the machine's own crontab is never touched).
"""

from __future__ import annotations

import os
import plistlib
import stat
from collections.abc import Sequence
from pathlib import Path

import pytest

from oxybreathe.core import reminders, schedulers
from oxybreathe.core.reminders import BadReminder, Reminder
from tests.conftest import run_cli

NOTIFY = ["/usr/bin/notify-send", "oxybreathe", "Time for Box breathing. 100% calm $HOME"]


class Calls:
    """A scheduler tool that says yes (or `fail`s), and remembers what it was asked."""

    def __init__(self, fail: str | None = None) -> None:
        self.argv: list[list[str]] = []
        self.fail = fail

    def __call__(self, argv: Sequence[str], stdin: str | None) -> tuple[int, str, str]:
        self.argv.append(list(argv))
        if self.fail and self.fail in argv:
            return 1, "", "Failed to connect to bus: No medium found"
        return 0, "", ""


class Crontab:
    """crontab -l / crontab -, on text in memory."""

    def __init__(self, text: str | None = None) -> None:
        self.text = text

    def __call__(self, argv: Sequence[str], stdin: str | None) -> tuple[int, str, str]:
        if list(argv) == ["crontab", "-l"]:
            return (0, self.text, "") if self.text is not None else (1, "", "no crontab for you")
        assert list(argv) == ["crontab", "-"] and stdin is not None
        self.text = stdin
        return 0, "", ""


def test_times_days_and_ids_are_checked_with_one_clear_line():
    assert reminders.parse_time("7:30") == (7, 30) and reminders.parse_time("23:59") == (23, 59)
    for bad in ("24:00", "7.30", "7:3", "", "07:30:00", "٧:٣٠"):
        with pytest.raises(BadReminder, match="HH:MM"):
            reminders.parse_time(bad)
    assert reminders.parse_days("Friday,mon") == ("mon", "fri")
    for bad in ("funday", ",", "mon;tue"):
        with pytest.raises(BadReminder, match="mon,tue"):
            reminders.parse_days(bad)
    with pytest.raises(BadReminder):
        reminders.check_session_id("box; rm -rf ~")


def test_the_file_keeps_them_and_a_hand_edited_entry_is_skipped(tmp_path):
    path = tmp_path / "reminders.json"
    kept = [Reminder("1", 7, 30, ("mon",), "box", "systemd"), Reminder("2", 21, 5)]
    reminders.save(kept, path)
    assert reminders.load(path) == kept
    path.write_text(
        '{"reminders": [{"id": "1", "time": "99:00", "scheduler": "cron"},'
        ' {"id": "3", "time": "06:00", "days": [], "session": null, "scheduler": "cron"},'
        ' {"id": "x; y", "time": "06:00", "scheduler": "cron"}, "junk"]}'
    )
    assert reminders.load(path) == [Reminder("3", 6, 0, (), None, "cron")]
    path.write_text("[[[[" * 100_000)
    assert reminders.load(path) == []
    assert reminders.next_id(kept) == "3"


def test_systemd_writes_a_timer_and_a_service_and_remove_cleans_both(tmp_path):
    calls = Calls()
    systemd = schedulers.Systemd(tmp_path / "systemd" / "user", run=calls)
    reminder = Reminder("4", 7, 5, ("mon", "fri"), "box", "systemd")
    assert systemd.install(reminder, NOTIFY) is None
    timer, service = systemd.paths(reminder)
    assert "OnCalendar=Mon,Fri *-*-* 07:05:00\n" in timer.read_text()
    assert "WantedBy=timers.target" in timer.read_text()
    assert service.read_text().splitlines()[-1] == (
        'ExecStart="/usr/bin/notify-send" "oxybreathe" "Time for Box breathing. 100%% calm $$HOME"'
    )
    assert calls.argv == [
        ["systemctl", "--user", "daemon-reload"],
        ["systemctl", "--user", "enable", "--now", "oxybreathe-reminder-4.timer"],
    ]
    assert systemd.present(reminder)
    assert systemd.uninstall(reminder) is None
    assert not timer.exists() and not service.exists() and not systemd.present(reminder)
    assert calls.argv[2] == ["systemctl", "--user", "disable", "--now", timer.name]


def test_a_systemctl_that_fails_leaves_no_unit_files_and_says_why(tmp_path):
    systemd = schedulers.Systemd(tmp_path, run=Calls(fail="enable"))
    problem = systemd.install(Reminder("1", 8, 0, (), None, "systemd"), NOTIFY)
    assert (
        problem == "systemctl --user failed (status 1: Failed to connect to bus: No medium found)"
    )
    assert list(tmp_path.iterdir()) == []


def test_cron_adds_one_marked_line_and_leaves_the_users_own_lines(tmp_path):
    table = Crontab("MAILTO=me\n0 3 * * * backup.sh\n")
    cron = schedulers.Cron(run=table, uid=1000)
    every_day, weekend = Reminder("1", 7, 30), Reminder("2", 9, 0, ("sat", "sun"), "box")
    assert cron.install(every_day, NOTIFY) is None
    assert cron.install(weekend, ["notify-send", "oxybreathe", "Time for box"]) is None
    lines = (table.text or "").splitlines()
    assert lines[:2] == ["MAILTO=me", "0 3 * * * backup.sh"]
    assert lines[2] == (
        "30 7 * * * DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus "
        "/usr/bin/notify-send oxybreathe 'Time for Box breathing. 100\\% calm $HOME' "
        "# oxybreathe-reminder 1"
    )
    assert lines[3].startswith("0 9 * * 6,0 ") and lines[3].endswith("# oxybreathe-reminder 2")
    assert cron.uninstall(every_day) is None
    assert (table.text or "").splitlines() == [*lines[:2], lines[3]]
    assert not cron.present(every_day) and cron.present(weekend)
    assert schedulers.Cron(run=Crontab()).install(every_day, NOTIFY) is None  # none yet


def test_launchd_writes_a_plist_with_its_calendar(tmp_path):
    calls = Calls()
    launchd = schedulers.Launchd(tmp_path, run=calls)
    reminder = Reminder("2", 22, 15, ("sun", "wed"), None, "launchd")
    assert launchd.install(reminder, ["osascript", "-e", "display notification"]) is None
    plist = plistlib.loads(launchd.path(reminder).read_bytes())
    assert plist["Label"] == "org.oxybreathe.reminder.2"
    assert plist["StartCalendarInterval"] == [
        {"Hour": 22, "Minute": 15, "Weekday": 0},  # launchd counts from Sunday
        {"Hour": 22, "Minute": 15, "Weekday": 3},
    ]
    assert calls.argv == [["launchctl", "load", "-w", str(launchd.path(reminder))]]
    assert launchd.uninstall(reminder) is None and not launchd.present(reminder)


def test_the_scheduler_and_notifier_are_chosen_by_what_is_here():
    def which(*found: str):
        return lambda name: f"/usr/bin/{name}" if name in found else None

    def choose(platform: str, systemd: bool, *found: str):
        return schedulers.choose(platform, which(*found), lambda: systemd)

    assert isinstance(choose("linux", True, "systemctl", "crontab"), schedulers.Systemd)
    assert isinstance(choose("linux", False, "systemctl", "crontab"), schedulers.Cron)
    assert isinstance(choose("darwin", False, "launchctl", "crontab"), schedulers.Launchd)
    assert choose("linux", False, "systemctl") is None
    assert schedulers.notifier("linux", which()) is None
    mac = schedulers.notifier("darwin", which("osascript"))
    assert (
        mac is not None
        and mac('say "hi"')[-1] == 'display notification "say \\"hi\\"" with title "oxybreathe"'
    )


def stand_ins(folder: Path, *tools: str) -> dict[str, str]:
    """A PATH of stand-in tools: crontab keeping its table in a file, notify-send doing nothing."""
    folder.mkdir()
    scripts = {
        "crontab": (
            '#!/bin/sh\ncase "$1" in\n'
            '  -l) [ -f "$FAKE_CRONTAB" ] || { echo "no crontab for you" >&2; exit 1; }; '
            '/bin/cat "$FAKE_CRONTAB" ;;\n'
            '  -) /bin/cat > "$FAKE_CRONTAB" ;;\n  *) exit 2 ;;\nesac\n'
        ),
        "notify-send": "#!/bin/sh\nexit 0\n",
    }
    for tool in tools:
        path = folder / tool
        path.write_text(scripts[tool])
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return {"PATH": str(folder), "FAKE_CRONTAB": str(folder.parent / "crontab.txt")}


def test_a_new_user_sets_a_reminder_sees_it_listed_and_removes_it(tmp_path):
    env = stand_ins(tmp_path / "bin", "crontab", "notify-send")
    table = Path(env["FAKE_CRONTAB"])
    added = run_cli("remind", "add", "07:30", "urge-surfing", "--days", "mon,thu", env=env)
    assert (added.returncode, added.stderr) == (0, "")
    assert added.stdout == "Reminder 1: 07:30, mon,thu for Urge surfing (cron).\n"
    assert "oxybreathe run urge-surfing" in table.read_text()
    assert run_cli("remind", "add", "21:00", env=env).returncode == 0
    listed = run_cli("remind", "list", env=env).stdout.splitlines()
    assert listed == ["1  07:30  mon,thu  urge-surfing  (cron)", "2  21:00  every day  (cron)"]
    # An entry removed from the crontab by hand: the list is still true, and says so.
    table.write_text("".join(line + "\n" for line in table.read_text().splitlines()[1:]))
    assert (
        run_cli("remind", "list", env=env)
        .stdout.splitlines()[0]
        .endswith("not in the scheduler any more: `remind remove` tidies it up")
    )
    for wanted in ("1", "2"):
        removed = run_cli("remind", "remove", wanted, env=env)
        assert removed.stdout == f"Reminder {wanted} removed.\n", removed.stderr
    assert table.read_text() == ""
    assert run_cli("remind", "list", env=env).stdout.startswith("No reminders.")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["25:00"], "oxybreathe remind add: TIME must be HH:MM on the 24-hour clock"),
        (["7:30", "--days", "someday"], "oxybreathe remind add: --days takes days like"),
        (["7:30", "no-such-session"], "oxybreathe remind add: no session 'no-such-session'"),
    ],
)
def test_a_bad_time_days_or_session_is_one_usage_line(tmp_path, args, line):
    result = run_cli(
        "remind", "add", *args, env=stand_ins(tmp_path / "bin", "crontab", "notify-send")
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(line) and result.stderr.count("\n") == 1


def test_no_scheduler_or_no_notifier_is_one_line_on_what_is_missing(tmp_path):
    nothing = run_cli("remind", "add", "07:30", env=stand_ins(tmp_path / "a", "notify-send"))
    assert (nothing.returncode, nothing.stderr) == (1, schedulers.NO_SCHEDULER + "\n")
    silent = run_cli("remind", "add", "07:30", env=stand_ins(tmp_path / "b", "crontab"))
    assert (silent.returncode, silent.stderr) == (1, schedulers.NO_NOTIFIER + "\n")
    assert not (tmp_path / "crontab.txt").exists()
    assert sorted(os.listdir(tmp_path)) == ["a", "b"]  # nothing kept: no list, no table
