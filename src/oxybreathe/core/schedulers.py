"""The system's own schedulers, which run reminders: no daemon of ours.

systemd user timers where systemd runs, launchd on macOS, cron otherwise. Each writes its own
kind of entry (unit files, a plist, a crontab line with a marker comment) and calls its tool
through `run`, which tests replace (the subprocess boundary, not our code). Every fault is one
line, returned, never raised.
"""

from __future__ import annotations

import os
import plistlib
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from oxybreathe.core import locations
from oxybreathe.core.reminders import DAYS, Reminder

# argv, text for stdin -> (exit status, stdout, stderr)
Runner = Callable[[Sequence[str], "str | None"], tuple[int, str, str]]
TOOL_SECONDS = 15  # the most a scheduler's tool may take

NO_SCHEDULER = (
    "No scheduler found: reminders use systemd user timers, launchd (macOS) or cron, "
    "and none is here (on Debian: apt install cron)."
)
NO_NOTIFIER = (
    "No way to show a notification: reminders use notify-send (on Debian: apt install "
    "libnotify-bin), or osascript on macOS."
)
MARKER = "# oxybreathe-reminder"


def run_tool(argv: Sequence[str], stdin: str | None = None) -> tuple[int, str, str]:
    """Run a scheduler's tool; a missing or hanging tool is a status, never an exception."""
    try:
        done = subprocess.run(
            list(argv), input=stdin, capture_output=True, text=True, timeout=TOOL_SECONDS
        )
    except FileNotFoundError:
        return 127, "", f"{argv[0]} is not installed"
    except (OSError, subprocess.TimeoutExpired) as error:
        return 126, "", str(error)
    return done.returncode, done.stdout, done.stderr


def notifier(
    platform: str = sys.platform, which: Callable[[str], str | None] = shutil.which
) -> Callable[[str], list[str]] | None:
    """How to show a notification here: a function from the message to the command, or None."""
    if platform == "darwin" and which("osascript"):
        return lambda message: [
            "osascript",
            "-e",
            f'display notification {_applescript(message)} with title "oxybreathe"',
        ]
    found = which("notify-send")
    if found:
        return lambda message: [found, "oxybreathe", message]
    return None


def _applescript(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Scheduler(Protocol):
    name: str

    def install(self, reminder: Reminder, command: list[str]) -> str | None: ...

    def uninstall(self, reminder: Reminder) -> str | None: ...

    def present(self, reminder: Reminder) -> bool: ...


def _failed(tool: str, result: tuple[int, str, str]) -> str:
    status, out, err = result
    said = (err or out).strip().splitlines()
    return f"{tool} failed (status {status}{': ' + said[-1] if said else ''})"


@dataclass
class Systemd:
    """A .timer and a .service in the user's systemd folder, enabled with systemctl --user."""

    folder: Path = field(default_factory=locations.systemd_user_dir)
    run: Runner = run_tool
    name: str = "systemd"

    def unit(self, reminder: Reminder) -> str:
        return f"oxybreathe-reminder-{reminder.id}"

    def paths(self, reminder: Reminder) -> tuple[Path, Path]:
        unit = self.unit(reminder)
        return self.folder / f"{unit}.timer", self.folder / f"{unit}.service"

    def install(self, reminder: Reminder, command: list[str]) -> str | None:
        timer, service = self.paths(reminder)
        days = ",".join(day.capitalize() for day in reminder.days)
        calendar = f"{days + ' ' if days else ''}*-*-* {reminder.time}:00"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            service.write_text(
                f"[Unit]\nDescription=oxybreathe reminder {reminder.id}\n\n"
                f"[Service]\nType=oneshot\nExecStart={_systemd_command(command)}\n",
                encoding="utf-8",
            )
            timer.write_text(
                f"[Unit]\nDescription=oxybreathe reminder {reminder.id} ({reminder.time}, "
                f"{reminder.days_text})\n\n[Timer]\nOnCalendar={calendar}\n\n"
                "[Install]\nWantedBy=timers.target\n",
                encoding="utf-8",
            )
        except OSError as error:
            return f"cannot write {timer.parent}: {error.strerror or error}"
        for argv in (
            ["systemctl", "--user", "daemon-reload"],
            ["systemctl", "--user", "enable", "--now", timer.name],
        ):
            result = self.run(argv, None)
            if result[0] != 0:
                self.uninstall(reminder)
                return _failed("systemctl --user", result)
        return None

    def uninstall(self, reminder: Reminder) -> str | None:
        timer, service = self.paths(reminder)
        self.run(["systemctl", "--user", "disable", "--now", timer.name], None)  # may be gone
        for path in (timer, service):
            try:
                path.unlink(missing_ok=True)
            except OSError as error:
                return f"cannot remove {path}: {error.strerror or error}"
        self.run(["systemctl", "--user", "daemon-reload"], None)
        return None

    def present(self, reminder: Reminder) -> bool:
        return self.paths(reminder)[0].is_file()


def _systemd_command(argv: list[str]) -> str:
    """A command line as systemd's ExecStart reads it: each word quoted, % and $ doubled."""

    def word(text: str) -> str:
        text = text.replace("%", "%%").replace("$", "$$")
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return " ".join(word(part) for part in argv)


@dataclass
class Cron:
    """One line in the user's crontab, found again by its marker comment."""

    run: Runner = run_tool
    name: str = "cron"
    uid: int = field(default_factory=os.getuid)

    def _marker(self, reminder: Reminder) -> str:
        return f"{MARKER} {reminder.id}"

    def _read(self) -> tuple[str | None, str | None]:
        status, out, err = result = self.run(["crontab", "-l"], None)
        if status == 0:
            return out, None
        if status == 127:
            return None, _failed("crontab -l", result)
        return "", None  # "no crontab for user": an empty one

    def _write(self, lines: list[str]) -> str | None:
        text = "".join(line + "\n" for line in lines)
        result = self.run(["crontab", "-"], text)
        return None if result[0] == 0 else _failed("crontab", result)

    def _others(self, text: str, reminder: Reminder) -> list[str]:
        marker = self._marker(reminder)
        return [line for line in text.splitlines() if not line.rstrip().endswith(marker)]

    def install(self, reminder: Reminder, command: list[str]) -> str | None:
        text, problem = self._read()
        if text is None:
            return problem
        weekdays = ",".join(str((DAYS.index(day) + 1) % 7) for day in reminder.days) or "*"
        # cron runs with no session: notify-send needs the user's bus; % ends a cron command.
        bus = f"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/{self.uid}/bus"
        line = (
            f"{reminder.minute} {reminder.hour} * * {weekdays} {bus} "
            f"{shlex.join(command).replace('%', chr(92) + '%')} {self._marker(reminder)}"
        )
        return self._write([*self._others(text, reminder), line])

    def uninstall(self, reminder: Reminder) -> str | None:
        text, problem = self._read()
        if text is None:
            return problem
        others = self._others(text, reminder)
        return None if others == text.splitlines() else self._write(others)

    def present(self, reminder: Reminder) -> bool:
        text, _problem = self._read()
        marker = self._marker(reminder)
        return any(line.rstrip().endswith(marker) for line in (text or "").splitlines())


@dataclass
class Launchd:
    """A plist in ~/Library/LaunchAgents, loaded with launchctl."""

    folder: Path = field(default_factory=locations.launch_agents_dir)
    run: Runner = run_tool
    name: str = "launchd"

    def path(self, reminder: Reminder) -> Path:
        return self.folder / f"org.oxybreathe.reminder.{reminder.id}.plist"

    def install(self, reminder: Reminder, command: list[str]) -> str | None:
        moment = {"Hour": reminder.hour, "Minute": reminder.minute}
        # launchd counts weekdays from Sunday (0).
        when = [{**moment, "Weekday": (DAYS.index(d) + 1) % 7} for d in reminder.days] or moment
        path = self.path(reminder)
        label = path.name.removesuffix(".plist")
        plist = {"Label": label, "ProgramArguments": command, "StartCalendarInterval": when}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(plistlib.dumps(plist))
        except OSError as error:
            return f"cannot write {path}: {error.strerror or error}"
        result = self.run(["launchctl", "load", "-w", str(path)], None)
        if result[0] != 0:
            path.unlink(missing_ok=True)
            return _failed("launchctl load", result)
        return None

    def uninstall(self, reminder: Reminder) -> str | None:
        path = self.path(reminder)
        if path.exists():
            self.run(["launchctl", "unload", "-w", str(path)], None)
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            return f"cannot remove {path}: {error.strerror or error}"
        return None

    def present(self, reminder: Reminder) -> bool:
        return self.path(reminder).is_file()


def by_name(name: str, run: Runner = run_tool) -> Scheduler:
    """The scheduler a reminder was given to."""
    if name == "systemd":
        return Systemd(run=run)
    if name == "launchd":
        return Launchd(run=run)
    return Cron(run=run)


def choose(
    platform: str = sys.platform,
    which: Callable[[str], str | None] = shutil.which,
    systemd_runs: Callable[[], bool] = lambda: Path("/run/systemd/system").is_dir(),
    run: Runner = run_tool,
) -> Scheduler | None:
    """The scheduler to use here, or None when there is none."""
    if platform == "darwin" and which("launchctl"):
        return Launchd(run=run)
    if systemd_runs() and which("systemctl"):
        return Systemd(run=run)
    if which("crontab"):
        return Cron(run=run)
    return None
