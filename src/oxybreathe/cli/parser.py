"""The command line's grammar: every command and option it takes.

Building it imports nothing but argparse and the format's limits, so `--help` and `--version`
answer at once. What each command does lives in a module of its own (see __init__.py).
"""

from __future__ import annotations

import argparse
import textwrap

from oxybreathe import __version__
from oxybreathe.cli import numbers
from oxybreathe.core import themes
from oxybreathe.core.preferences import VOLUME_MAX, VOLUME_MIN


def theme(value: str) -> str:
    """`--theme NAME`: one of the themes, or a usage error that names them."""
    why = themes.problem(value)
    if why is not None:
        raise argparse.ArgumentTypeError(why)
    return value


def add_voice(parser: argparse.ArgumentParser) -> None:
    """--voice and --no-voice: speak the prompts this run, or not (the settings' `voice`)."""
    voice = parser.add_mutually_exclusive_group()
    voice.add_argument(
        "--voice",
        action="store_true",
        default=None,
        help="speak each prompt aloud (espeak-ng, macOS say, or Piper)",
    )
    voice.add_argument("--no-voice", dest="voice", action="store_false", help="no speech")


def add_theme(parser: argparse.ArgumentParser, default: object = None) -> None:
    parser.add_argument(
        "--theme",
        type=theme,  # a wrong name is our message, which names the themes; choices complete
        choices=themes.NAMES,
        metavar="NAME",
        default=default,
        help=f"the colour theme for this run ({themes.LOW_LIGHT} is amber on black)",
    )


EXAMPLES = (
    ("oxybreathe", "open the app"),
    ("oxybreathe run box --minutes 3", "three minutes of box breathing"),
    ("oxybreathe run sigh --plain", "cyclic sighing as text, one line per cue"),
    ("oxybreathe --theme oxybreathe-night", "the app in amber on black"),
    ("oxybreathe new evening", "a session file of your own, to edit"),
    ("oxybreathe validate my-session.yaml", "check a file: path:line:col: what is wrong"),
    ("oxybreathe completion bash", "tab completion (see the README)"),
)


def epilog_parts() -> list[str]:
    """The paragraphs under `--help`'s options, in order. To add one (a help line, say), append
    it here: each is printed as written, with a blank line between."""
    width = max(len(command) for command, _ in EXAMPLES) + 2
    examples = "examples:\n" + "\n".join(
        f"  {command:<{width}}{what}" for command, what in EXAMPLES
    )
    names = textwrap.fill(
        ", ".join(themes.NAMES),
        width=78,
        initial_indent="  ",
        subsequent_indent="  ",
        break_on_hyphens=False,
    )
    theme_list = f"themes (--theme, or theme: in the settings file):\n{names}"
    return [examples, theme_list]


def build_parser(help_line: str | None = None) -> argparse.ArgumentParser:
    """Return the argument parser (also used by the docs); `help_line` ends `--help` (issue 16,
    see core.helplines)."""
    parser = argparse.ArgumentParser(
        prog="oxybreathe",
        description="Guided breathing and mindfulness in the terminal. "
        "With no command, opens the app.",
        epilog="\n\n".join([*epilog_parts(), *([help_line] if help_line else [])]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"oxybreathe {__version__}")
    add_theme(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    run = commands.add_parser("run", help="run a session (built-in id, user id, or path)")
    run.add_argument("session", metavar="SESSION")
    run.add_argument(
        "--minutes",
        type=numbers.minutes,
        metavar="M",
        help="the length in minutes (decimals allowed, e.g. 2.5)",
    )
    run.add_argument(
        "--open-ended",
        action="store_true",
        help="no set length: the session's filling step runs until you stop it",
    )
    run.add_argument(
        "--plain",
        action="store_true",
        help="print one line per cue instead of opening the app "
        "(for screen readers, logs and pipes)",
    )
    run.add_argument("--no-chimes", action="store_true", help="no sound at all")
    add_voice(run)
    run.add_argument(
        "--no-checkin", action="store_true", help="skip the stress and craving questions this time"
    )
    run.add_argument(
        "--reduce-motion",
        action="store_true",
        help="a calm text countdown instead of the animated pacer",
    )
    run.add_argument(
        "--volume", type=numbers.volume, metavar=f"{VOLUME_MIN}-{VOLUME_MAX}", help="chime volume"
    )
    add_theme(run, default=argparse.SUPPRESS)  # `run --theme` or `--theme ... run`: one value

    listing = commands.add_parser("list", help="list the built-in and user sessions")
    listing.add_argument(
        "--ids", action="store_true", help="only the session ids, one a line (for scripts)"
    )

    validate = commands.add_parser("validate", help="check session files; one line per problem")
    validate.add_argument(
        "files", nargs="+", metavar="FILE", help="session files, or folders of them"
    )
    validate.add_argument(
        "--voice",
        action="store_true",
        help="also render the spoken prompts, and report any that outlast their step",
    )

    commands.add_parser("schema", help="print the JSON Schema of the session format")

    history = commands.add_parser(
        "history", help="recent sessions and totals, or every session as CSV"
    )
    history.add_argument(
        "--csv", action="store_true", help="write every session as CSV (for a spreadsheet)"
    )
    history.add_argument(
        "--limit",
        type=numbers.count,
        default=20,
        metavar="N",
        help="how many recent sessions to list",
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

    remind = commands.add_parser(
        "remind", help="daily or weekly reminders, run by the system's own scheduler"
    )
    reminding = remind.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = reminding.add_parser("add", help="a reminder at TIME (HH:MM), for SESSION if given")
    add.add_argument("time", metavar="TIME", help="when, on the 24-hour clock (e.g. 07:30)")
    add.add_argument("session", nargs="?", metavar="SESSION", help="the session to suggest")
    add.add_argument("--days", metavar="DAYS", help="only these days, e.g. mon,wed,fri")
    reminding.add_parser("list", help="your reminders, as oxybreathe keeps them")
    remove = reminding.add_parser("remove", help="remove a reminder, here and in the scheduler")
    remove.add_argument("id", metavar="ID", help="its number, as `remind list` shows it")
    completion = commands.add_parser(
        "completion", help="print a shell completion script (bash, zsh or fish)"
    )
    completion.add_argument("shell", choices=("bash", "zsh", "fish"), metavar="SHELL")
    # Issue 16: help at the moment of need.
    now = commands.add_parser(
        "now", help="a short session for an urge, at once: no list, no length, no questions"
    )
    now.add_argument("--plain", action="store_true", help="print one line per cue")
    now.add_argument("--no-chimes", action="store_true", help="no sound at all")
    add_voice(now)
    help_lines = commands.add_parser(
        "help", help="help lines for your country (crisis lines, then treatment lines)"
    )
    help_lines.add_argument(
        "--lapse", action="store_true", help="also show the note for after a lapse"
    )
    return parser
