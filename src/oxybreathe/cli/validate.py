"""`oxybreathe validate FILE...`: check session files, one line per problem."""

from __future__ import annotations

import argparse
import stat

from oxybreathe.cli.common import say
from oxybreathe.core import advice, catalog, paths
from oxybreathe.core.loader import load_session
from oxybreathe.core.plan import bounds
from oxybreathe.core.problems import LoadError
from oxybreathe.core.wording import duration
from oxybreathe.exits import ExitStatus


def run(args: argparse.Namespace) -> int:
    """Every problem in every file (or folder of files), one located line each."""
    status = ExitStatus.OK
    for name in args.files:
        try:
            if not name:
                raise paths.PathProblem("an empty name is no file")
            target = paths.expand(name)
            info = paths.status(target)
        except paths.PathProblem as why:
            say(f"{paths.shown(name)}: {why}")
            status = ExitStatus.INVALID
            continue
        files = [target]
        if info is not None and stat.S_ISDIR(info.st_mode):
            try:
                files = [p for p in paths.listing(target) if p.suffix in catalog.SUFFIXES]
            except paths.PathProblem as why:
                say(f"{paths.shown(name)}: cannot read this folder: {why}")
                status = ExitStatus.INVALID
                continue
        if not files:
            say(f"{paths.shown(name)}: no .yaml or .yml files in this folder")
            status = ExitStatus.INVALID
        for path in files:  # each is looked at before it is opened: a FIFO never blocks
            try:
                session = load_session(path)
            except LoadError as error:
                status = ExitStatus.INVALID
                for problem in error.problems:
                    say(str(problem))
                continue
            lengths = bounds(session)
            kind = "fixed length" if lengths.fixed else "default length"
            say(f"{paths.shown(path)}: ok ({session.name}, {kind} {duration(lengths.default)})")
            for warning in advice.warnings(session, paths.shown(path)):  # issue 16
                say(warning)
    return status
