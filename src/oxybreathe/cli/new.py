"""`oxybreathe new ID`: a commented starter session in your sessions folder."""

from __future__ import annotations

import argparse

from oxybreathe.cli.common import say
from oxybreathe.core import catalog, paths
from oxybreathe.core.problems import LoadError
from oxybreathe.exits import ExitStatus


def run(args: argparse.Namespace) -> int:
    """Write a starter (or a copy of a session) into the sessions folder; print its path."""
    source = None
    if args.source:
        try:
            source = catalog.find(args.source)
        except (LoadError, catalog.UnknownSession) as error:
            say(f"oxybreathe new: {error}", error=True)
            return ExitStatus.USAGE
    try:
        path = catalog.create_user_session(args.id, source, replace_builtin=args.force)
    except catalog.ShadowsBuiltin as error:
        say(f"oxybreathe new: {error}; add --force to do that, or choose another id", error=True)
        return ExitStatus.INVALID
    except catalog.CannotCreate as error:
        bad_id = not catalog.ID_PATTERN.match(args.id)
        say(f"oxybreathe new: {error}", error=True)
        return ExitStatus.USAGE if bad_id else ExitStatus.INVALID
    if catalog.is_builtin(args.id):
        say(
            f"oxybreathe new: your {path.name} replaces the built-in `{args.id}` "
            "(delete the file to have the built-in back)",
            error=True,
        )
    say(paths.shown(path))
    return ExitStatus.OK
