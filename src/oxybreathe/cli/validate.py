"""`oxybreathe validate FILE...`: check session files, one line per problem."""

from __future__ import annotations

import argparse
import stat

from oxybreathe.cli.common import say, settings
from oxybreathe.core import advice, catalog, paths
from oxybreathe.core.loader import load_session
from oxybreathe.core.model import Session
from oxybreathe.core.plan import bounds, lay_out
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
            if args.voice:
                status = max(status, _voice(session, paths.shown(path)))
    return status


def _voice(session: Session, shown: str) -> ExitStatus:
    """--voice: render what the session says (at its default length) and report, located, each
    prompt whose speech outlasts its step: a warning, as a prompt that is cut off is none. No
    speech engine, or a prompt it cannot speak, is an error."""
    from oxybreathe.core import speech

    prefs = settings(warn=False).prefs
    voice = speech.find_voice(prefs.piper_model)
    if voice is None:
        say(f"{shown}: {speech.NO_ENGINE}")
        return ExitStatus.INVALID
    prepared = speech.prepare(lay_out(session), voice, phases=prefs.voice_phases)
    for overrun in prepared.overruns:
        say(overrun.located(shown))
    if prepared.notice:
        say(f"{shown}: {prepared.notice}")
        return ExitStatus.INVALID
    return ExitStatus.OK
