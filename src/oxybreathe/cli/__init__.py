"""The oxybreathe command line: a thin layer over the core and the two front ends.

    parser.py     the grammar: every command and option (argparse only: --help is instant)
    numbers.py    --minutes, --volume and --limit, read without any traceback
    common.py     saying a line, where the app can run, the preferences for a command
    <command>.py  one module per command, with a `run(args)` that returns the exit status

Each command's module is imported only when that command runs: that is the lazy boundary, so
`--help`, `list`, `validate`, `schema` and `new` never import Textual (only `run.open_app`
does). To add a command: a sub-parser in parser.py, a module here, and a line in COMMANDS.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Sequence

from oxybreathe import streams
from oxybreathe.core import collector
from oxybreathe.exits import ExitStatus

# Nothing more is imported here: the bare `oxybreathe` holds the garbage collector off before
# it imports the rest (core/collector.py), and each command imports what it needs.

# Each command and the module that runs it.
COMMANDS = {
    "run": "run",
    "list": "listing",
    "validate": "validate",
    "schema": "schema",
    "new": "new",
    "history": "history",
    "config": "config",
    "remind": "remind",
    "completion": "completion",
    "help": "helplines",  # issue 16
    "now": "now",  # issue 16
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    streams.occupy_closed()  # a file opened later must never take the number of a closed stream
    # A terminal or pipe that cannot show a character gets "?" for it, never a traceback.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
    saved = sys.stdout, sys.stderr
    # Every failed write to stdout (closed, /dev/full, read-only, a reader gone) becomes one
    # OutputFailed, wherever it is written; a warning that cannot be written is dropped.
    sys.stdout = streams.Checked(saved[0])
    sys.stderr = streams.Quiet(saved[1])
    try:
        status = _command(sys.argv[1:] if argv is None else list(argv))
        sys.stdout.flush()
        return status
    except KeyboardInterrupt:  # Ctrl+C before a session has begun (loading, a slow file)
        from oxybreathe.cli.common import say

        say("", error=True)
        return ExitStatus.INTERRUPTED
    except streams.OutputFailed as failure:
        streams.discard(saved[0])  # so that Python's own last flush cannot fail again
        if failure.gone:  # e.g. `oxybreathe list | head -1`: the reader has what it wanted
            return ExitStatus.OK
        from oxybreathe.cli.common import say

        say(f"oxybreathe: cannot write to standard output: {failure}", error=True)
        return ExitStatus.INVALID
    finally:
        sys.stdout, sys.stderr = saved
        collector.settle(freeze=False)  # if the app never painted (no terminal, an error)


def _command(argv: list[str]) -> int:
    if not argv:  # the bare command opens the app: no parser to build
        collector.hold_off()  # until home is painted
        return _home()
    from oxybreathe.cli.parser import build_parser

    try:
        args = build_parser(_help_line(argv)).parse_args(argv)
    except SystemExit as done:  # --help, --version, a usage error: argparse has written it
        return (
            done.code if isinstance(done.code, int) else ExitStatus.OK if done.code is None else 1
        )
    if args.command is None:  # `oxybreathe --theme NAME`
        return _home({"theme": args.theme})
    module = importlib.import_module(f"oxybreathe.cli.{COMMANDS[args.command]}")
    status: int = module.run(args)
    return status


def _help_line(argv: list[str]) -> str | None:
    """The help line that ends `--help` (only looked up when `--help` is asked for)."""
    if not {"-h", "--help"} & set(argv):
        return None
    from oxybreathe.cli.helplines import local
    from oxybreathe.core.helplines import one_line

    return one_line(local()) + " More: oxybreathe help"


def _home(flags: dict[str, object] | None = None) -> int:
    from oxybreathe.cli import run

    return run.home(flags)
