"""`oxybreathe list`: every session, built-in and yours."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oxybreathe.cli.common import say
from oxybreathe.core import catalog, locations, paths
from oxybreathe.core.safe_text import clean
from oxybreathe.core.wording import count, duration
from oxybreathe.exits import ExitStatus

if TYPE_CHECKING:
    import argparse  # for annotations only: the bare command never builds a parser


def run(args: argparse.Namespace | None) -> int:
    """Each session's id, name, length and source; broken files on lines of their own."""
    if args is not None and getattr(args, "ids", False):
        for session_id in catalog.ids():  # for scripts and shell completion: no file is read
            say(clean(session_id))
        return ExitStatus.OK
    from oxybreathe.core.plan import bounds

    rows, broken = [], []
    for entry in catalog.entries():
        if entry.session is None:
            broken.append(entry)
            continue
        lengths = bounds(entry.session)
        length = duration(lengths.default) + (" (fixed)" if lengths.fixed else "")
        rows.append((clean(entry.id), clean(entry.session.name), length, entry.source))
    if rows:
        widths = [max(len(row[i]) for row in [("ID", "NAME", "LENGTH"), *rows]) for i in range(3)]
        say(f"{'ID':<{widths[0]}}  {'NAME':<{widths[1]}}  {'LENGTH':<{widths[2]}}  SOURCE")
        for row in rows:
            say(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}")
    elif not broken:
        say("No sessions found.")
    if broken:  # under the table, a line each: an error never widens the table's columns
        say("")
        say(
            f"{count(len(broken), 'file')} with problems, not listed above "
            "(`oxybreathe validate FILE` shows every problem):"
        )
        for entry in broken:
            first = clean(str(entry.problems[0])) if entry.problems else paths.shown(entry.path)
            more = len(entry.problems) - 1
            say(first + (f" (and {more} more)" if more > 0 else ""))
    folder = paths.shown(locations.user_sessions_dir())
    problem = catalog.user_folder_problem()
    say(f"User sessions folder: {folder}" + (f" ({problem})" if problem else ""))
    return ExitStatus.OK
