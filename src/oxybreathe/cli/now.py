"""`oxybreathe now`: a short session for an urge, at once: no list, no length, no questions.

It opens the app, or prints in plain text when asked (`--plain`) or when there is no terminal.
A help line comes at its start and at its end.
"""

from __future__ import annotations

import argparse

from oxybreathe.cli.common import no_output, settings, terminal_problem
from oxybreathe.core import catalog
from oxybreathe.core.plan import lay_out
from oxybreathe.exits import ExitStatus


def run(args: argparse.Namespace) -> int:
    plan = lay_out(catalog.now_session())
    flags: dict[str, object] = {
        "checkin": False,
        "chimes": False if args.no_chimes else None,
        "voice": args.voice,
    }
    no_terminal = None if args.plain else terminal_problem()
    if args.plain or no_terminal is not None:
        if no_output():
            return ExitStatus.INVALID
        from oxybreathe import plain

        return plain.play(plan, settings(flags).prefs, help_at_start=True)
    from oxybreathe.cli.run import open_app

    return open_app(flags, start=plan, now=True)
