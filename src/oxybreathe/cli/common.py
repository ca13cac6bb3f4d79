"""What every command shares: one way to say a line, and where the app can run."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from oxybreathe import streams
from oxybreathe.core.safe_text import strip_controls
from oxybreathe.core.settings import Loaded, load


def say(line: str, *, error: bool = False) -> None:
    """Print one line on stdout (or stderr), with every control character removed."""
    print(strip_controls(line), file=sys.stderr if error else sys.stdout, flush=True)


def terminal_problem() -> str | None:
    """Why the full-screen app cannot run here, in plain words, or None when it can.

    It reads keys from stdin and draws on stderr (Textual's choice); output meant for stdout
    (a pipe, a file) asks for plain text.
    """
    for fd, stream in enumerate((sys.stdin, sys.stdout, sys.stderr)):
        problem = streams.not_a_terminal(stream, fd)
        if problem is not None:
            return problem
    term = os.environ.get("TERM", "")
    if term in ("dumb", "unknown"):
        return f"TERM={term} says this terminal cannot draw it"
    return None


def no_output() -> bool:
    """Say so, and return True, when stdout is closed: there is nowhere to show anything."""
    if getattr(sys.stdout, "missing", False):
        say(
            "oxybreathe: standard output is closed, so there is nowhere to show anything.",
            error=True,
        )
        return True
    return False


def settings(flags: Mapping[str, object] | None = None, *, warn: bool = True) -> Loaded:
    """The preferences in force for this command (`flags` are its options that set one),
    resolved once; each problem in the settings file is one line on stderr when `warn` (the app
    shows them in a notice instead)."""
    loaded = load(flags)
    if warn:
        for line in loaded.problems:
            say(line, error=True)
    return loaded
