"""Find sessions: the built-in library, the user's folder, or a path."""

from __future__ import annotations

import contextlib
import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from oxybreathe.core import locations
from oxybreathe.core.schema import SCHEMA_FILENAME, schema_json

# The loader (and PyYAML with it) is imported only when a file must be read: listing from a
# warm cache (core/catalog_cache.py) reads no YAML at all.
if TYPE_CHECKING:
    from oxybreathe.core.loader import Problem
    from oxybreathe.core.model import Session

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Entry:
    """A session file found in a library: loaded, or broken with its problems."""

    id: str
    path: Path
    builtin: bool
    session: Session | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def source(self) -> str:
        """`built-in` or `user`."""
        return "built-in" if self.builtin else "user"


class UnknownSession(LookupError):
    """No session has that id; `matches` holds close ids."""

    def __init__(self, wanted: str, matches: list[str]) -> None:
        hint = f"; did you mean {', '.join(matches)}?" if matches else ""
        super().__init__(f"no session called `{wanted}`{hint} (see `oxybreathe list`)")
        self.matches = matches


def _files(folder: Path) -> list[Path]:
    try:
        return sorted(
            path for path in folder.iterdir() if path.suffix in SUFFIXES and path.is_file()
        )
    except OSError:
        return []


def _load(path: Path, builtin: bool) -> Entry:
    from oxybreathe.core import catalog_cache

    cache = catalog_cache.default()
    cached = cache.get(path, builtin)
    if cached is not None:
        return Entry(path.stem, path, builtin, cached)
    from oxybreathe.core.loader import LoadError, load_session

    try:
        session = load_session(path, builtin=builtin)
    except LoadError as error:
        return Entry(path.stem, path, builtin, problems=tuple(error.problems))
    cache.put(path, builtin, session)
    return Entry(path.stem, path, builtin, session)


def entries(user_dir: Path | None = None) -> list[Entry]:
    """Every session, built-ins first; a user file with a built-in's id replaces it."""
    builtins = {path.stem: _load(path, True) for path in _files(locations.builtin_sessions_dir())}
    users = {
        path.stem: _load(path, False) for path in _files(user_dir or locations.user_sessions_dir())
    }
    merged = {**builtins, **users}
    return sorted(merged.values(), key=lambda entry: (not entry.builtin, entry.id))


def find(wanted: str, user_dir: Path | None = None) -> Session:
    """Load a session by id (user first, then built-in) or by path.

    Raises LoadError for a broken file and UnknownSession when nothing matches.
    """
    from oxybreathe.core.loader import load_session

    as_path = Path(wanted).expanduser()
    looks_like_path = as_path.suffix in SUFFIXES or "/" in wanted or wanted.startswith(".")
    if looks_like_path:
        return load_session(as_path)
    for folder, builtin in (
        (user_dir or locations.user_sessions_dir(), False),
        (locations.builtin_sessions_dir(), True),
    ):
        for suffix in SUFFIXES:
            candidate = folder / f"{wanted}{suffix}"
            if candidate.is_file():
                return load_session(candidate, builtin=builtin)
    folders = (user_dir or locations.user_sessions_dir(), locations.builtin_sessions_dir())
    known = sorted({path.stem for folder in folders for path in _files(folder)})
    raise UnknownSession(wanted, difflib.get_close_matches(wanted, known, n=3, cutoff=0.5))


ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")

STARTER = """\
# yaml-language-server: $schema=./{schema}
# A session for oxybreathe. Check it with:  oxybreathe validate {path}
# The format is explained in docs/session-format.md (or run `oxybreathe schema`).
name: {name}
description: What this session is for, in a sentence or two.
minutes: 5                      # the default length; `oxybreathe run {id} --minutes 8` overrides it
chimes:
  start: bell                   # bell, bowl, tick, rise, fall, chime, a .wav path, or none
  end: bowl
closing: stress                 # stress, hpa or cravings, or write your own note as a sentence
steps:
  - say: Sit comfortably and let your shoulders drop.
    seconds: 8
  - breathe:                    # one cycle; it repeats to fill the chosen length
      - inhale: 4
      - exhale: 6
    say: Breathe gently. Stop if you feel dizzy.
  - say: Notice how you feel now.
    seconds: 8
"""


class CannotCreate(Exception):
    """A new user session could not be written; the message says why."""


def create_user_session(
    session_id: str, source: Session | None = None, user_dir: Path | None = None
) -> Path:
    """Write a starter file (or a copy of `source`) as a new user session; return its path.

    Never overwrites. Raises CannotCreate with a one-line reason.
    """
    if not ID_PATTERN.match(session_id):
        raise CannotCreate(
            f"the id {session_id!r} must be letters, digits, - or _ (up to 64), "
            "starting with a letter or digit"
        )
    folder = user_dir or locations.user_sessions_dir()
    target = folder / f"{session_id}.yaml"
    if source is not None and source.path is not None:
        content = source.path.read_text(encoding="utf-8")
    else:
        name = session_id.replace("-", " ").replace("_", " ").capitalize()
        content = STARTER.format(schema=SCHEMA_FILENAME, path=target, name=name, id=session_id)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as handle:
            handle.write(content)
    except FileExistsError:
        raise CannotCreate(f"{target} already exists; it was not changed") from None
    except OSError as error:
        raise CannotCreate(f"cannot write {target}: {error.strerror or error}") from None
    with contextlib.suppress(OSError):  # the editor's schema sits beside the user's files
        (folder / SCHEMA_FILENAME).write_text(schema_json(), encoding="utf-8")
    return target


def free_id(base: str, user_dir: Path | None = None) -> str:
    """Return `base`, or `base-2`, `base-3`... whichever has no user file yet."""
    folder = user_dir or locations.user_sessions_dir()
    candidate, number = base, 1
    while any((folder / f"{candidate}{suffix}").exists() for suffix in SUFFIXES):
        number += 1
        candidate = f"{base}-{number}"
    return candidate
