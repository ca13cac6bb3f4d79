"""Reminders: what the user asked for, kept in a file of ours (`locations.reminders_file`).

The system's own scheduler runs them (core/schedulers.py); this file is the truth `remind list`
shows, whatever happens to the scheduler's entry. Pure apart from reading and writing the file.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from oxybreathe.core import locations

SCHEDULERS = ("systemd", "launchd", "cron")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_REMINDERS = 50  # a file with more than this (a hand edit) is read up to here
MAX_FILE_BYTES = 64 * 1024
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")  # ASCII digits only
_ID = re.compile(r"[1-9][0-9]{0,5}")
_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class BadReminder(ValueError):
    """A TIME, days or session id that cannot be a reminder; the message says what is wanted."""


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder at `hour`:`minute` on `days` (all week when empty), for `session` (or none)."""

    id: str
    hour: int
    minute: int
    days: tuple[str, ...] = ()
    session: str | None = None
    scheduler: str = "cron"  # the scheduler it was given to: systemd, launchd or cron

    @property
    def time(self) -> str:
        return f"{self.hour:02}:{self.minute:02}"

    @property
    def days_text(self) -> str:
        return ",".join(self.days) if self.days else "every day"

    def message(self, name: str | None = None) -> str:
        """What the notification says: what it is for, and how to start it."""
        if self.session is None:
            return "Time to breathe. Start with: oxybreathe"
        return f"Time for {name or self.session}. Start it with: oxybreathe run {self.session}"


def parse_time(text: str) -> tuple[int, int]:
    """`7:30` or `07:30` (24-hour) as (hour, minute), or BadReminder."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise BadReminder(f"TIME must be HH:MM on the 24-hour clock (e.g. 07:30), got {text!r}")
    return int(match.group(1)), int(match.group(2))


def parse_days(text: str | None) -> tuple[str, ...]:
    """`mon,wed,fri` as days in week order (none: every day), or BadReminder."""
    if text is None:
        return ()
    given = [part.strip().lower() for part in text.split(",") if part.strip()]
    given = [DAYS[_NAMES.index(part)] if part in _NAMES else part for part in given]
    wrong = [part for part in given if part not in DAYS]
    if wrong or not given:
        raise BadReminder(f"--days takes days like mon,tue,...,sun, got {text!r}")
    return tuple(day for day in DAYS if day in given)


def check_session_id(text: str | None) -> str | None:
    """A session id safe to put in a command line and a unit file (letters, digits, - _ .)."""
    if text is None:
        return None
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", text):
        raise BadReminder(f"SESSION must be a session id such as box or urge-surfing, got {text!r}")
    return text


def load(path: Path | None = None) -> list[Reminder]:
    """The reminders in the file; a missing, damaged or odd file (or entry) gives what it can."""
    path = path or locations.reminders_file()
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return []
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return []
    entries = raw.get("reminders") if isinstance(raw, dict) else None
    found = []
    for entry in entries[:MAX_REMINDERS] if isinstance(entries, list) else []:
        with contextlib.suppress(BadReminder, TypeError, AttributeError, KeyError):
            if not isinstance(entry["id"], str) or not _ID.fullmatch(entry["id"]):
                continue
            hour, minute = parse_time(entry["time"])
            days = parse_days(",".join(entry["days"])) if entry.get("days") else ()
            scheduler = entry.get("scheduler")
            if scheduler not in SCHEDULERS:
                continue
            session = check_session_id(entry.get("session"))
            found.append(Reminder(entry["id"], hour, minute, days, session, scheduler))
    return found


def save(reminders: list[Reminder], path: Path | None = None) -> None:
    """Write the reminders atomically; raises OSError when the file cannot be written."""
    path = path or locations.reminders_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "reminders": [
            {
                "id": r.id,
                "time": r.time,
                "days": list(r.days),
                "session": r.session,
                "scheduler": r.scheduler,
            }
            for r in reminders
        ]
    }
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".reminders-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def next_id(reminders: list[Reminder]) -> str:
    """The next free id: one more than the largest."""
    return str(max((int(r.id) for r in reminders), default=0) + 1)
