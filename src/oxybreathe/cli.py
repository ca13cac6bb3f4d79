"""The oxybreathe command line.

Only the command that starts the TUI imports Textual, so `--help`, `list`, `validate`, `schema` and
`new` start fast.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from oxybreathe import __version__
from oxybreathe.core.text import clean, duration, strip_controls
from oxybreathe.exits import EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    import argparse

    from oxybreathe.core.plan import Plan
    from oxybreathe.core.settings import Loaded

# Each command imports the parts of the core it needs, so opening the app does not pay for YAML
# before its first paint, and `--help` stays instant.


def _minutes(text: str) -> float:
    from oxybreathe.core.model import SESSION_MAX_SECONDS

    try:
        value = float(text)  # Python's reading: `2.5`, ` 3 `, `1_000`, Unicode digits
    except ValueError:
        raise _bad(f"not a number of minutes: {_quoted(text)}") from None
    if math.isnan(value) or (math.isinf(value) and not _has_digits(text)):
        raise _bad(f"not a finite number of minutes: {_quoted(text)}")
    if value <= 0:
        raise _bad(f"minutes must be above 0, got {_quoted(text)}")
    longest = SESSION_MAX_SECONDS // 60
    if value > longest:  # also `1e309`, too large to be a float
        raise _bad(f"a session lasts at most {longest} minutes (3 hours), got {_quoted(text)}")
    return value


def _volume(text: str) -> int:
    value = _whole(text)
    if value is None or not 0 <= value <= 100:
        raise _bad(f"volume is a whole number 0-100, got {_quoted(text)}")
    return int(value)


def _count(text: str) -> int:
    value = _whole(text)
    if value is None or value < 1:
        raise _bad(f"a whole number above 0, got {_quoted(text)}")
    return int(min(value, sys.maxsize))  # more than there can be: all of them


def _whole(text: str) -> float | None:
    """A whole number as Python reads one (Unicode digits too, never `²`), or None.

    Digits too many for int() (its 4,300-digit limit) come back as infinity: larger than any
    bound, with no ValueError, OverflowError or quadratic conversion.
    """
    try:
        return int(text)
    except ValueError:
        return math.inf if text.strip().lstrip("+").replace("_", "").isdecimal() else None


def _has_digits(text: str) -> bool:
    return any(char.isdecimal() for char in text)


def _quoted(text: str) -> str:
    """The user's text for a one-line message: quoted, escaped, cut to 40 characters."""
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _bad(message: str) -> argparse.ArgumentTypeError:
    import argparse

    return argparse.ArgumentTypeError(message)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser (also used by the docs)."""
    import argparse  # not for the bare `oxybreathe`, which opens the app as fast as it can

    parser = argparse.ArgumentParser(
        prog="oxybreathe",
        description="Guided breathing and mindfulness in the terminal. "
        "With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"oxybreathe {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="run a session (built-in id, user id, or path)")
    run.add_argument("session", metavar="SESSION")
    run.add_argument(
        "--minutes",
        type=_minutes,
        metavar="M",
        help="the length in minutes (decimals allowed, e.g. 2.5)",
    )
    run.add_argument(
        "--plain",
        action="store_true",
        help="print one line per cue instead of opening the app "
        "(for screen readers, logs and pipes)",
    )
    run.add_argument("--no-chimes", action="store_true", help="no sound at all")
    run.add_argument(
        "--no-checkin", action="store_true", help="skip the stress and craving questions this time"
    )
    run.add_argument(
        "--reduce-motion",
        action="store_true",
        help="a calm text countdown instead of the animated pacer",
    )
    run.add_argument("--volume", type=_volume, metavar="0-100", help="chime volume")

    commands.add_parser("list", help="list the built-in and user sessions")

    validate = commands.add_parser("validate", help="check session files; one line per problem")
    validate.add_argument(
        "files", nargs="+", metavar="FILE", help="session files, or folders of them"
    )

    commands.add_parser("schema", help="print the JSON Schema of the session format")

    history = commands.add_parser(
        "history", help="recent sessions and totals, or every session as CSV"
    )
    history.add_argument(
        "--csv", action="store_true", help="write every session as CSV (for a spreadsheet)"
    )
    history.add_argument(
        "--limit", type=_count, default=20, metavar="N", help="how many recent sessions to list"
    )

    commands.add_parser("config", help="show the settings file, its problems and the settings")

    new = commands.add_parser("new", help="write a starter session file into your sessions folder")
    new.add_argument("id", metavar="ID", help="the new session's id (its file name)")
    new.add_argument(
        "--from", dest="source", metavar="SESSION", help="copy this session instead of the starter"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    # A terminal or pipe that cannot show a character gets "?" for it, never a traceback.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        if not argv:  # the bare command opens the app: no parser to build (it costs ~8 ms)
            return _home()
        args = build_parser().parse_args(argv)
        if args.command is None:
            return _home()
        handler = {
            "run": _run,
            "list": _list,
            "validate": _validate,
            "schema": _schema,
            "new": _new,
            "history": _history,
            "config": _config,
        }[args.command]
        return handler(args)
    except KeyboardInterrupt:  # Ctrl+C before a session has begun (loading, a slow file)
        _say("", error=True)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `oxybreathe list | head -1`: the reader has gone
        # Point stdout at /dev/null so that Python's final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _say(line: str, *, error: bool = False) -> None:
    print(strip_controls(line), file=sys.stderr if error else sys.stdout, flush=True)


def _terminal_problem() -> str | None:
    """Why the full-screen app cannot run here, or None when it can."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return "not a terminal"
    if os.environ.get("TERM", "") in ("dumb", "unknown"):
        return f"TERM={os.environ['TERM']}"
    return None


def _open_app(args: argparse.Namespace | None, start: Plan | None = None) -> int:
    from oxybreathe.ui.app import OxybreatheApp  # Textual loads only here

    loaded = _settings(args, warn=False)
    app = OxybreatheApp(
        prefs=loaded.prefs, memory=loaded.memory, start=start, problems=loaded.problems
    )
    try:
        app.run()
    finally:
        app.wrap_up()  # a session still running (Ctrl+Q) is kept as incomplete
    for line in app.farewell:
        _say(line, error=True)
    return app.return_code or EXIT_OK


def _settings(args: argparse.Namespace | None, *, warn: bool = True) -> Loaded:
    """The preferences in force for this command, resolved once; each problem in the settings
    file is one line on stderr when `warn` (the app shows them in a notice instead)."""
    from oxybreathe.core import settings

    flags: dict[str, object] = {}
    if args is not None and getattr(args, "command", None) == "run":
        flags = {
            "chimes": False if args.no_chimes else None,
            "volume": args.volume,
            "reduce_motion": True if args.reduce_motion else None,
            "checkin": False if args.no_checkin else None,
        }
    loaded = settings.load(flags)
    if warn:
        for line in loaded.problems:
            _say(line, error=True)
    return loaded


def _home() -> int:
    problem = _terminal_problem()
    if problem is not None:
        _say(
            f"oxybreathe: the app needs a terminal ({problem}); listing sessions instead.",
            error=True,
        )
        return _list(None)
    return _open_app(None)


def _list(_args: argparse.Namespace | None) -> int:
    from oxybreathe.core import catalog, locations
    from oxybreathe.core.plan import bounds

    rows = []
    for entry in catalog.entries():
        if entry.session is None:
            problem = entry.problems[0] if entry.problems else None
            rows.append((entry.id, "BROKEN", clean(str(problem)) if problem else "", entry.source))
            continue
        lengths = bounds(entry.session)
        length = duration(lengths.default) + (" (fixed)" if lengths.fixed else "")
        rows.append((clean(entry.id), clean(entry.session.name), length, entry.source))
    if not rows:
        _say("No sessions found.")
        return EXIT_OK
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    _say(f"{'ID':<{widths[0]}}  {'NAME':<{widths[1]}}  {'LENGTH':<{widths[2]}}  SOURCE")
    for row in rows:
        _say(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}")
    _say(f"User sessions folder: {locations.user_sessions_dir()}")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from oxybreathe.core import catalog
    from oxybreathe.core.loader import LoadError, load_session
    from oxybreathe.core.plan import bounds

    status = EXIT_OK
    for name in args.files:
        target = Path(name)
        files = [target]
        if target.is_dir():
            files = sorted(p for p in target.iterdir() if p.suffix in catalog.SUFFIXES)
            if not files:
                _say(f"{name}: no .yaml or .yml files in this folder")
                status = EXIT_INVALID
        for path in files:
            try:
                session = load_session(path)
            except LoadError as error:
                status = EXIT_INVALID
                for problem in error.problems:
                    _say(str(problem))
                continue
            lengths = bounds(session)
            kind = "fixed length" if lengths.fixed else "default length"
            _say(f"{path}: ok ({session.name}, {kind} {duration(lengths.default)})")
    return status


def _schema(_args: argparse.Namespace) -> int:
    from oxybreathe.core.schema import schema_json

    sys.stdout.write(schema_json())
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from oxybreathe.core import catalog
    from oxybreathe.core.loader import LoadError

    source = None
    if args.source:
        try:
            source = catalog.find(args.source)
        except (LoadError, catalog.UnknownSession) as error:
            _say(f"oxybreathe new: {error}", error=True)
            return EXIT_USAGE
    try:
        print(catalog.create_user_session(args.id, source))
    except catalog.CannotCreate as error:
        bad_id = not catalog.ID_PATTERN.match(args.id)
        _say(f"oxybreathe new: {error}", error=True)
        return EXIT_USAGE if bad_id else EXIT_INVALID
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from oxybreathe.core import catalog
    from oxybreathe.core.loader import LoadError
    from oxybreathe.core.plan import LengthError, plan

    try:
        session = catalog.find(args.session)
        session_plan = plan(session, args.minutes)
    except catalog.UnknownSession as error:
        _say(f"oxybreathe run: {error}", error=True)
        return EXIT_USAGE
    except LoadError as error:
        for problem in error.problems:
            _say(str(problem), error=True)
        return EXIT_USAGE
    except LengthError as error:
        _say(f"oxybreathe run: {args.session}: {error}", error=True)
        return EXIT_USAGE
    no_terminal = None if args.plain else _terminal_problem()
    if args.plain or no_terminal is not None:
        if no_terminal is not None:
            _say(
                f"oxybreathe: the app needs a terminal ({no_terminal}); using plain text.",
                error=True,
            )
        from oxybreathe.audio import Player
        from oxybreathe.core.flow import SessionFlow
        from oxybreathe.core.history import Recorder
        from oxybreathe.plain import ask_terminal, run_plain

        prefs = _settings(args).prefs
        recorder = Recorder(on_notice=lambda line: _say(line, error=True))
        player = Player(session_plan, enabled=prefs.chimes, volume=prefs.volume)
        flow = SessionFlow(session_plan, player=player, recorder=recorder)
        asking = prefs.checkin and sys.stdin.isatty()
        status = run_plain(flow, ask=ask_terminal if asking else None)
        recorder.close()
        if recorder.late_notice:
            _say(recorder.late_notice, error=True)
        return status
    return _open_app(args, start=session_plan)


def _config(_args: argparse.Namespace) -> int:
    from oxybreathe.core import config, locations

    path = locations.settings_file()
    settings = config.load()
    if not path.exists():
        _say(f"No settings file; the defaults apply. To change them, create {path}, e.g.:")
        _say("")
        sys.stdout.write(config.EXAMPLE)
        return EXIT_OK
    _say(f"Settings file: {path}")
    for problem in settings.problems:
        _say(str(problem))
    for key in config.KEYS:
        value = settings.values.get(key)
        shown = "default" if value is None else str(value).lower()
        _say(f"  {key}: {shown}")
    return EXIT_INVALID if settings.problems else EXIT_OK


def _history(args: argparse.Namespace) -> int:
    from oxybreathe.core import history, report

    path = history.history_path()
    try:
        present = path.exists()
    except OSError:  # a data folder that cannot be entered: opening says why, in one line
        present = True
    if not present:
        if args.csv:
            report.write_csv([], sys.stdout)
        else:
            _say(f"No sessions recorded yet. They will be kept in {path}")
        return EXIT_OK
    opened = history.open_store()
    if opened.notice:
        _say(opened.notice, error=True)
    if opened.store is None:
        return EXIT_INVALID
    try:
        read = opened.store.read()
    finally:
        opened.store.close()
    for line in read.notices():  # a row left out is said, never hidden
        _say(line, error=True)
    if read.problem is not None:
        return EXIT_INVALID
    if args.csv:
        report.write_csv(read.rows, sys.stdout)
        return EXIT_OK
    streak = _settings(args).prefs.streak
    if read.rows or not read.unreadable:  # else the line above said what there is
        for line in report.report(read.rows, limit=args.limit, show_streak=streak):
            _say(line)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
