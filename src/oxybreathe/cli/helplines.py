"""`oxybreathe help`: the help lines for the user's country, and the note after a lapse."""

from __future__ import annotations

import argparse
import os

from oxybreathe.cli.common import say, settings
from oxybreathe.core import helplines
from oxybreathe.exits import ExitStatus


def local() -> helplines.Helplines:
    """The help lines for this run: the settings file's `country:`, else the locale's."""
    return helplines.lookup(settings(warn=False).prefs.country, os.environ)


def run(args: argparse.Namespace) -> int:
    loaded = settings()  # a wrong `country:` is one located line on stderr
    lines = helplines.lookup(loaded.prefs.country, os.environ)
    for line in helplines.full_text(lines):
        say(line)
    say("")
    if args.lapse:
        from oxybreathe.core import lapse

        for line in lapse.lines():
            say(line)
        say("")
    else:
        say("After a lapse: oxybreathe help --lapse")
    say(helplines.NOT_FOR_EMERGENCIES)
    say(helplines.WHERE_TO_CHANGE)
    return ExitStatus.OK
