"""Find sessions: the built-in library, the user's folder, or a path."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from oxybreathe.core import locations
from oxybreathe.core.loader import LoadError, Problem, load_session
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
    try:
        return Entry(path.stem, path, builtin, load_session(path, builtin=builtin))
    except LoadError as error:
        return Entry(path.stem, path, builtin, problems=tuple(error.problems))


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
