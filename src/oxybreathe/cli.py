"""The oxybreathe command line.

Only the command that starts the TUI imports Textual, so `--help`, `list`, `validate`, `schema` and
`new` start fast.
"""

from __future__ import annotations

import contextlib
import math
import os
import stat
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from oxybreathe import __version__, streams
from oxybreathe.core import paths
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
    new.add_argument(
        "--force",
        action="store_true",
        help="allow a built-in's id: your file then replaces that built-in",
    )
    return parser


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
        _say("", error=True)
        return EXIT_INTERRUPTED
    except streams.OutputFailed as failure:
        streams.discard(saved[0])  # so that Python's own last flush cannot fail again
        if failure.gone:  # e.g. `oxybreathe list | head -1`: the reader has what it wanted
            return EXIT_OK
        _say(f"oxybreathe: cannot write to standard output: {failure}", error=True)
        return EXIT_INVALID
    finally:
        sys.stdout, sys.stderr = saved


def _command(argv: list[str]) -> int:
    if not argv:  # the bare command opens the app: no parser to build (it costs ~8 ms)
        return _home()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, --version, a usage error: argparse has written it
        return done.code if isinstance(done.code, int) else EXIT_OK if done.code is None else 1
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


def _say(line: str, *, error: bool = False) -> None:
    print(strip_controls(line), file=sys.stderr if error else sys.stdout, flush=True)


def _terminal_problem() -> str | None:
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


def _no_output() -> bool:
    """Say so, and return True, when stdout is closed: there is nowhere to show anything."""
    if getattr(sys.stdout, "missing", False):
        _say(
            "oxybreathe: standard output is closed, so there is nowhere to show anything.",
            error=True,
        )
        return True
    return False


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
        if _no_output():
            return EXIT_INVALID
        _say(
            f"oxybreathe: the app needs a terminal, but {problem}; listing the sessions instead.",
            error=True,
        )
        return _list(None)
    return _open_app(None)


def _list(_args: argparse.Namespace | None) -> int:
    from oxybreathe.core import catalog, locations
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
        _say(f"{'ID':<{widths[0]}}  {'NAME':<{widths[1]}}  {'LENGTH':<{widths[2]}}  SOURCE")
        for row in rows:
            _say(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}")
    elif not broken:
        _say("No sessions found.")
    if broken:  # under the table, a line each: an error never widens the table's columns
        _say("")
        _say(
            f"{_plural(len(broken), 'file', 'files')} with problems, not listed above "
            "(`oxybreathe validate FILE` shows every problem):"
        )
        for entry in broken:
            first = clean(str(entry.problems[0])) if entry.problems else paths.shown(entry.path)
            more = len(entry.problems) - 1
            _say(first + (f" (and {more} more)" if more > 0 else ""))
    folder = paths.shown(locations.user_sessions_dir())
    problem = catalog.user_folder_problem()
    _say(f"User sessions folder: {folder}" + (f" ({problem})" if problem else ""))
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from oxybreathe.core import catalog
    from oxybreathe.core.loader import load_session
    from oxybreathe.core.plan import bounds
    from oxybreathe.core.problems import LoadError

    status = EXIT_OK
    for name in args.files:
        try:
            if not name:
                raise paths.PathProblem("an empty name is no file")
            target = paths.expand(name)
            info = paths.status(target)
        except paths.PathProblem as why:
            _say(f"{paths.shown(name)}: {why}")
            status = EXIT_INVALID
            continue
        files = [target]
        if info is not None and stat.S_ISDIR(info.st_mode):
            try:
                files = [p for p in paths.listing(target) if p.suffix in catalog.SUFFIXES]
            except paths.PathProblem as why:
                _say(f"{paths.shown(name)}: cannot read this folder: {why}")
                status = EXIT_INVALID
                continue
        if not files:
            _say(f"{paths.shown(name)}: no .yaml or .yml files in this folder")
            status = EXIT_INVALID
        for path in files:  # each is looked at before it is opened: a FIFO never blocks
            try:
                session = load_session(path)
            except LoadError as error:
                status = EXIT_INVALID
                for problem in error.problems:
                    _say(str(problem))
                continue
            lengths = bounds(session)
            kind = "fixed length" if lengths.fixed else "default length"
            _say(f"{paths.shown(path)}: ok ({session.name}, {kind} {duration(lengths.default)})")
    return status


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _schema(_args: argparse.Namespace) -> int:
    from oxybreathe.core.schema import schema_json

    sys.stdout.write(schema_json())
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from oxybreathe.core import catalog
    from oxybreathe.core.problems import LoadError

    source = None
    if args.source:
        try:
            source = catalog.find(args.source)
        except (LoadError, catalog.UnknownSession) as error:
            _say(f"oxybreathe new: {error}", error=True)
            return EXIT_USAGE
    try:
        path = catalog.create_user_session(args.id, source, replace_builtin=args.force)
    except catalog.ShadowsBuiltin as error:
        _say(f"oxybreathe new: {error}; add --force to do that, or choose another id", error=True)
        return EXIT_INVALID
    except catalog.CannotCreate as error:
        bad_id = not catalog.ID_PATTERN.match(args.id)
        _say(f"oxybreathe new: {error}", error=True)
        return EXIT_USAGE if bad_id else EXIT_INVALID
    if catalog.is_builtin(args.id):
        _say(
            f"oxybreathe new: your {path.name} replaces the built-in `{args.id}` "
            "(delete the file to have the built-in back)",
            error=True,
        )
    _say(paths.shown(path))
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from oxybreathe.core import catalog, locations
    from oxybreathe.core.plan import LengthError, plan
    from oxybreathe.core.problems import LoadError

    if not catalog.looks_like_path(args.session):
        unusable = catalog.user_folder_problem()
        if unusable is not None:
            folder = paths.shown(locations.user_sessions_dir())
            _say(f"oxybreathe: your sessions folder {folder}: {unusable}", error=True)
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
        _say(f"oxybreathe run: {paths.shown(args.session)}: {error}", error=True)
        return EXIT_USAGE
    no_terminal = None if args.plain else _terminal_problem()
    if args.plain or no_terminal is not None:
        if _no_output():
            return EXIT_INVALID
        if no_terminal is not None:
            _say(
                f"oxybreathe: the app needs a terminal, but {no_terminal}; using plain text.",
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
        asking = prefs.checkin and streams.is_terminal(sys.stdin)
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
    problems = [str(problem) for problem in settings.problems]
    try:
        missing = paths.status(path) is None
    except paths.PathProblem as why:  # a link to nothing, a folder that cannot be entered
        missing = False
        problems = problems or [f"{paths.shown(path)}:1:1: {why}"]
    if missing:
        _say(
            f"No settings file; the defaults apply. To change them, create "
            f"{paths.shown(path)}, e.g.:"
        )
        _say("")
        sys.stdout.write(config.EXAMPLE)
        return EXIT_OK
    _say(f"Settings file: {paths.shown(path)}")
    for problem in problems:
        _say(problem)
    for key in config.KEYS:
        value = settings.values.get(key)
        shown = "default" if value is None else str(value).lower()
        _say(f"  {key}: {shown}")
    return EXIT_INVALID if problems else EXIT_OK


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
