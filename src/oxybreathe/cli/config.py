"""`oxybreathe config`: the settings file, its problems, and what it sets."""

from __future__ import annotations

import argparse
import sys

from oxybreathe.cli.common import say
from oxybreathe.core import config, locations, paths
from oxybreathe.exits import ExitStatus


def run(_args: argparse.Namespace) -> int:
    """The settings file and each problem in it, or an example when there is none."""
    path = locations.settings_file()
    settings = config.load()
    problems = [str(problem) for problem in settings.problems]
    try:
        missing = paths.status(path) is None
    except paths.PathProblem as why:  # a link to nothing, a folder that cannot be entered
        missing = False
        problems = problems or [f"{paths.shown(path)}:1:1: {why}"]
    if missing:
        say(
            f"No settings file; the defaults apply. To change them, create "
            f"{paths.shown(path)}, e.g.:"
        )
        say("")
        sys.stdout.write(config.EXAMPLE)
        return ExitStatus.OK
    say(f"Settings file: {paths.shown(path)}")
    for problem in problems:
        say(problem)
    for key in config.KEYS:
        value = settings.values.get(key)
        if value is None:
            shown = "default"
        elif isinstance(value, tuple):  # keys: (id, keys) pairs
            shown = ", ".join(f"{action} = {keys}" for action, keys in value) or "none"
        elif isinstance(value, str):
            shown = value
        else:
            shown = str(value).lower()
        say(f"  {key}: {shown}")
    return ExitStatus.INVALID if problems else ExitStatus.OK
