"""`oxybreathe completion bash|zsh|fish`: a completion script, generated from the parser.

shtab writes it from the real argparse parser, so every command and option is completed as the
parser has it, and a new option completes without anyone touching this file. Session ids come
from `oxybreathe list --ids` at each <TAB>, which reads no file (only the folders' names), so
a session of the user's own completes as soon as its file exists.
"""

from __future__ import annotations

import argparse
import sys

from oxybreathe.exits import ExitStatus

SHELLS = ("bash", "zsh", "fish")

# Each shell's function that lists the session ids (the `run` and `new --from` arguments).
SESSION_IDS = {
    "bash": "_oxybreathe_session_ids",
    "zsh": "_oxybreathe_session_ids",
    "fish": "(oxybreathe list --ids 2>/dev/null)",
}

PREAMBLE = {
    "bash": """
# Session ids, built-in and your own, listed by oxybreathe itself at each <TAB>.
# A word that looks like a path completes as a file: `run` takes a path too.
_oxybreathe_session_ids() {
  case "$1" in
    */*|.*|~*) compgen -f -- "$1" ;;
    *) compgen -W "$(oxybreathe list --ids 2>/dev/null)" -- "$1" ;;
  esac
}
""",
    "zsh": """
# Session ids, built-in and your own, listed by oxybreathe itself at each <TAB>.
_oxybreathe_session_ids() {
  local -a ids
  ids=(${(f)"$(oxybreathe list --ids 2>/dev/null)"})
  _describe 'session' ids
}
""",
    "fish": "",
}


def script(shell: str) -> str:
    """The completion script for `shell`, from the real parser."""
    import shtab  # only here: no other command pays for it

    from oxybreathe.cli.parser import build_parser

    parser = build_parser()
    sessions, files = _arguments(parser)
    for action in sessions:
        action.complete = dict(SESSION_IDS)  # type: ignore[attr-defined]  # shtab reads it
    for action in files:
        action.complete = shtab.FILE  # type: ignore[attr-defined]
    text: str = shtab.complete(parser, shell=shell, preamble=PREAMBLE[shell])
    return text


def _arguments(
    parser: argparse.ArgumentParser,
) -> tuple[list[argparse.Action], list[argparse.Action]]:
    """The arguments that name a session (`run SESSION`, `new --from SESSION`) and those that
    name files (`validate FILE...`)."""
    sessions, files = [], []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                for inner in sub._actions:
                    if (name, inner.dest) in (("run", "session"), ("new", "source")):
                        sessions.append(inner)
                    elif (name, inner.dest) == ("validate", "files"):
                        files.append(inner)
    return sessions, files


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(script(args.shell))
    return ExitStatus.OK
