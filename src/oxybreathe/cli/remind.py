"""`oxybreathe remind add|list|remove`: reminders kept by us, run by the system's scheduler."""

from __future__ import annotations

import argparse

from oxybreathe.cli.common import say
from oxybreathe.core import reminders, schedulers
from oxybreathe.core.reminders import BadReminder, Reminder
from oxybreathe.core.safe_text import clean
from oxybreathe.exits import ExitStatus


def run(
    args: argparse.Namespace,
    *,
    scheduler: schedulers.Scheduler | None = None,
    runner: schedulers.Runner = schedulers.run_tool,
) -> int:
    """One action; `scheduler` and `runner` are the system's (tests give their own)."""
    if args.action == "add":
        return _add(args, scheduler or schedulers.choose(run=runner))
    if args.action == "list":
        return _list(runner)
    return _remove(args.id, runner)


def _add(args: argparse.Namespace, scheduler: schedulers.Scheduler | None) -> int:
    try:
        hour, minute = reminders.parse_time(args.time)
        days = reminders.parse_days(args.days)
        session = reminders.check_session_id(args.session)
    except BadReminder as error:
        say(f"oxybreathe remind add: {error}", error=True)
        return ExitStatus.USAGE
    name = _session_name(session)
    if session is not None and name is None:
        say(
            f"oxybreathe remind add: no session {session!r} (`oxybreathe list` shows them)",
            error=True,
        )
        return ExitStatus.USAGE
    notify = schedulers.notifier()
    missing = [
        line
        for line, absent in (
            (schedulers.NO_SCHEDULER, scheduler is None),
            (schedulers.NO_NOTIFIER, notify is None),
        )
        if absent
    ]
    if missing or scheduler is None or notify is None:
        say(" ".join(missing), error=True)
        return ExitStatus.INVALID
    kept = reminders.load()
    if len(kept) >= reminders.MAX_REMINDERS:
        say(f"oxybreathe remind add: at most {reminders.MAX_REMINDERS} reminders", error=True)
        return ExitStatus.INVALID
    reminder = Reminder(reminders.next_id(kept), hour, minute, days, session, scheduler.name)
    problem = scheduler.install(reminder, notify(reminder.message(name)))
    if problem is not None:
        say(f"oxybreathe remind add: {problem}", error=True)
        return ExitStatus.INVALID
    try:
        reminders.save([*kept, reminder])
    except OSError as error:
        scheduler.uninstall(reminder)  # never an entry we do not list
        say(f"oxybreathe remind add: cannot keep it: {error.strerror or error}", error=True)
        return ExitStatus.INVALID
    what = f" for {clean(name)}" if name else ""
    say(f"Reminder {reminder.id}: {reminder.time}, {reminder.days_text}{what} ({scheduler.name}).")
    return ExitStatus.OK


def _session_name(session: str | None) -> str | None:
    if session is None:
        return None
    from oxybreathe.core import catalog
    from oxybreathe.core.problems import LoadError

    try:
        return catalog.find(session).name
    except (catalog.UnknownSession, LoadError):  # `oxybreathe run` says which, in full
        return None


def _list(runner: schedulers.Runner) -> int:
    kept = reminders.load()
    if not kept:
        say("No reminders. Add one with: oxybreathe remind add 07:30 [SESSION] [--days mon,tue]")
        return ExitStatus.OK
    for reminder in kept:
        what = f"  {reminder.session}" if reminder.session else ""
        line = f"{reminder.id}  {reminder.time}  {reminder.days_text}{what}  ({reminder.scheduler})"
        if not schedulers.by_name(reminder.scheduler, runner).present(reminder):
            line += "  not in the scheduler any more: `remind remove` tidies it up"
        say(line)
    return ExitStatus.OK


def _remove(wanted: str, runner: schedulers.Runner) -> int:
    kept = reminders.load()
    reminder = next((r for r in kept if r.id == wanted), None)
    if reminder is None:
        say(
            f"oxybreathe remind remove: no reminder {clean(wanted)!r} "
            "(see `oxybreathe remind list`)",
            error=True,
        )
        return ExitStatus.USAGE
    problem = schedulers.by_name(reminder.scheduler, runner).uninstall(reminder)
    if problem is not None:
        say(f"oxybreathe remind remove: {problem}", error=True)
        return ExitStatus.INVALID
    try:
        reminders.save([r for r in kept if r.id != wanted])
    except OSError as error:
        say(
            f"oxybreathe remind remove: cannot update the list: {error.strerror or error}",
            error=True,
        )
        return ExitStatus.INVALID
    say(f"Reminder {reminder.id} removed.")
    return ExitStatus.OK
