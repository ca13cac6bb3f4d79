"""`oxybreathe run SESSION` and the bare `oxybreathe`: a session in the app or as text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from oxybreathe.cli import listing
from oxybreathe.cli.common import no_output, say, settings, terminal_problem
from oxybreathe.core import catalog, collector, locations, paths
from oxybreathe.core.problems import LoadError
from oxybreathe.exits import ExitStatus

if TYPE_CHECKING:
    import argparse  # for annotations only: the bare command never builds a parser

    from oxybreathe.core.plan import Plan  # the bare command reads no session before home


def run(args: argparse.Namespace) -> int:
    from oxybreathe.core.plan import LengthError, lay_out

    if not catalog.looks_like_path(args.session):
        unusable = catalog.user_folder_problem()
        if unusable is not None:
            folder = paths.shown(locations.user_sessions_dir())
            say(f"oxybreathe: your sessions folder {folder}: {unusable}", error=True)
    try:
        session = catalog.find(args.session)
        if args.open_ended and args.minutes is not None:
            say("oxybreathe run: give --minutes or --open-ended, not both", error=True)
            return ExitStatus.USAGE
        session_plan = lay_out(session, args.minutes, open_ended=args.open_ended)
    except catalog.UnknownSession as error:
        say(f"oxybreathe run: {error}", error=True)
        return ExitStatus.USAGE
    except LoadError as error:
        for problem in error.problems:
            say(str(problem), error=True)
        return ExitStatus.USAGE
    except LengthError as error:
        say(f"oxybreathe run: {paths.shown(args.session)}: {error}", error=True)
        return ExitStatus.USAGE
    no_terminal = None if args.plain else terminal_problem()
    if args.plain or no_terminal is not None:
        if no_output():
            return ExitStatus.INVALID
        if no_terminal is not None:
            say(
                f"oxybreathe: the app needs a terminal, but {no_terminal}; using plain text.",
                error=True,
            )
        from oxybreathe import plain  # the text front end

        return plain.play(session_plan, settings(flags(args)).prefs)
    return open_app(flags(args), start=session_plan)


def flags(args: argparse.Namespace) -> dict[str, object]:
    """The settings `oxybreathe run`'s options set, for this run only (None: not set)."""
    return {
        "chimes": False if args.no_chimes else None,
        "voice": args.voice,
        "volume": args.volume,
        "reduce_motion": True if args.reduce_motion else None,
        "checkin": False if args.no_checkin else None,
        "theme": getattr(args, "theme", None),
    }


def home(flags: Mapping[str, object] | None = None) -> int:
    problem = terminal_problem()
    if problem is not None:
        if no_output():
            return ExitStatus.INVALID
        say(
            f"oxybreathe: the app needs a terminal, but {problem}; listing the sessions instead.",
            error=True,
        )
        collector.settle(freeze=False)  # no app to start: the files are read with it on
        return listing.run(None)
    return open_app(flags)


def open_app(
    flags: Mapping[str, object] | None = None, start: Plan | None = None, *, now: bool = False
) -> int:
    """Open the app (on `start`, if given; `now`: as `oxybreathe now` does); the one place
    Textual is imported."""
    collector.hold_off()  # until the app's first screen is painted (core/collector.py)
    from oxybreathe.ui.app import OxybreatheApp  # Textual loads only here

    loaded = settings(flags, warn=False)
    app = OxybreatheApp(
        prefs=loaded.prefs, memory=loaded.memory, start=start, problems=loaded.problems, now=now
    )
    try:
        app.run()
    finally:
        app.wrap_up()  # a session still running (Ctrl+Q) is kept as incomplete
        collector.settle(freeze=False)  # if the app ended before its first paint
    for line in app.farewell:
        say(line, error=True)
    return app.return_code or ExitStatus.OK
