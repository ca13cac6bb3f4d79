"""`oxybreathe history`: your recent sessions and totals, or every session as CSV."""

from __future__ import annotations

import argparse
import sys

from oxybreathe.cli.common import say, settings
from oxybreathe.core import history, report, stats
from oxybreathe.exits import ExitStatus


def run(args: argparse.Namespace) -> int:
    """The recent sessions and the totals, or every session as CSV."""
    path = history.history_path()
    try:
        present = path.exists()
    except OSError:  # a data folder that cannot be entered: opening says why, in one line
        present = True
    if not present:
        if args.csv:
            report.write_csv([], sys.stdout)
        else:
            say(f"No sessions recorded yet. They will be kept in {path}")
        return ExitStatus.OK
    opened = history.open_store()
    if opened.notice:
        say(opened.notice, error=True)
    if opened.store is None:
        return ExitStatus.INVALID
    try:
        read = opened.store.read()
    finally:
        opened.store.close()
    for line in read.notices():  # a row left out is said, never hidden
        say(line, error=True)
    if read.problem is not None:
        return ExitStatus.INVALID
    if args.csv:
        report.write_csv(read.rows, sys.stdout)
        return ExitStatus.OK
    streak = settings().prefs.streak
    if read.rows or not read.unreadable:  # else the line above said what there is
        for line in report.report(read.rows, limit=args.limit, show_streak=streak):
            say(line)
        kinds = stats.kinds_table(read.rows)
        for line in ["", stats.KINDS_TITLE, *kinds] if kinds else []:
            say(line)
    return ExitStatus.OK
