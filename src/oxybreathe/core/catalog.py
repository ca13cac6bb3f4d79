"""Find sessions: the built-in library, the user's folder, or a path."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from oxybreathe.core import catalog_cache, locations, paths
from oxybreathe.core.catalog_cache import Shown
from oxybreathe.core.limits import FILE_MAX_BYTES
from oxybreathe.core.problems import LoadError, Problem
from oxybreathe.core.safe_text import clean, shorten

# The loader (and PyYAML with it) is imported only when a file must be read, and the model only
# when a session is: listing from a warm cache (core/catalog_cache.py) needs neither.
if TYPE_CHECKING:
    from oxybreathe.core.model import Session

SUFFIXES = (".yaml", ".yml")


class _Later:
    """A session got when first asked for (from the catalog cache, else its file), then kept."""

    __slots__ = ("_get", "_session")

    def __init__(self, get: Callable[[], Session | None]) -> None:
        self._get: Callable[[], Session | None] | None = get
        self._session: Session | None = None

    def session(self) -> Session | None:
        if self._get is not None:
            self._session, self._get = self._get(), None
        return self._session


@dataclass(frozen=True, slots=True)
class Entry:
    """A session file found in a library: loaded (`shown` says what the list shows of it), or
    broken with its problems."""

    id: str
    path: Path
    builtin: bool
    shown: Shown | None = None
    problems: tuple[Problem, ...] = ()
    later: _Later | None = field(default=None, compare=False, repr=False)

    @property
    def session(self) -> Session | None:
        """The session (None for a broken file), read from the cache when first asked for."""
        return None if self.later is None else self.later.session()

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
    """Every session file in `folder`, whatever it is: a FIFO or a folder named `x.yaml` is
    listed too, so that it shows as broken with the reason, never hangs, never vanishes."""
    try:
        return [path for path in paths.listing(folder) if path.suffix in SUFFIXES]
    except paths.PathProblem:
        return []  # user_folder_problem() says why


def load_file(path: Path, *, builtin: bool = False) -> Session:
    """Load and validate one session file; raises LoadError.

    The one place the YAML reader is imported: listing from a warm cache never needs it.
    """
    from oxybreathe.core.loader import load_session

    return load_session(path, builtin=builtin)


def _load(path: Path, builtin: bool) -> Entry:
    session_id = paths.shown(path.stem)
    cache = catalog_cache.default()
    shown = cache.shown(path, builtin)
    if shown is not None:  # the session itself is decoded only when asked for
        return Entry(session_id, path, builtin, shown, later=_Later(lambda: _again(path, builtin)))
    try:
        session = load_file(path, builtin=builtin)
    except LoadError as error:
        return Entry(session_id, path, builtin, problems=tuple(error.problems))
    cache.put(path, builtin, session)
    return Entry(session_id, path, builtin, Shown.of(session), later=_Later(lambda: session))


def _again(path: Path, builtin: bool) -> Session | None:
    """The session listed from the cache: from the cache, else from its file (which mends the
    cache), or None if the file is broken now (the next listing shows its problems)."""
    cache = catalog_cache.default()
    cached = cache.get(path, builtin)
    if cached is not None:
        return cached
    try:
        session = load_file(path, builtin=builtin)
    except LoadError:
        return None
    cache.put(path, builtin, session)
    return session


NOW_SESSION = "sober"  # what `oxybreathe now` and u on home start: short, for an urge


def _acute(entry: Entry) -> bool:
    return entry.shown is not None and entry.shown.acute is not None


def _shown_name(entry: Entry) -> str:
    return clean(entry.shown.name if entry.shown is not None else entry.id).casefold()


def entries(user_dir: Path | None = None) -> list[Entry]:
    """Every session: those for acute moments (`acute:`) first, then built-ins first, each
    group in the order of the names shown.

    A user file with a built-in's id replaces that built-in.
    """
    builtins = {path.stem: _load(path, True) for path in _files(locations.builtin_sessions_dir())}
    users = {
        path.stem: _load(path, False) for path in _files(user_dir or locations.user_sessions_dir())
    }
    merged = {**builtins, **users}
    return sorted(
        merged.values(),
        key=lambda entry: (not _acute(entry), not entry.builtin, _shown_name(entry), entry.id),
    )


def ids(user_dir: Path | None = None) -> list[str]:
    """Every session's id, built-in and the user's, from the file names alone (no file is read:
    shell completion asks for them on every <TAB>)."""
    found = {
        path.stem
        for folder in (locations.builtin_sessions_dir(), user_dir or locations.user_sessions_dir())
        for path in _files(folder)
    }
    return sorted(found)


def user_folder_problem(user_dir: Path | None = None) -> str | None:
    """Why the user's sessions folder cannot be used, in a few words, or None (a folder not
    made yet is fine)."""
    return paths.folder_problem(user_dir or locations.user_sessions_dir())


def looks_like_path(wanted: str) -> bool:
    """True if `wanted` names a file (`x.yaml`, `./x`, `~/x`) rather than a session id."""
    return Path(wanted).suffix in SUFFIXES or "/" in wanted or wanted.startswith((".", "~"))


def now_session(user_dir: Path | None = None) -> Session:
    """What `oxybreathe now` runs: the user's own NOW_SESSION if it loads, else the built-in
    (a broken file of theirs must never stand between someone and the practice)."""
    try:
        return find(NOW_SESSION, user_dir)
    except (LoadError, UnknownSession):
        return load_file(locations.builtin_sessions_dir() / f"{NOW_SESSION}.yaml", builtin=True)


def find(wanted: str, user_dir: Path | None = None) -> Session:
    """Load a session by id (user first, then built-in) or by path.

    Raises LoadError for a broken file or path and UnknownSession when nothing matches.
    """
    if looks_like_path(wanted):
        try:
            return load_file(paths.expand(wanted))
        except paths.PathProblem as problem:
            raise LoadError([Problem(paths.shown(wanted), 1, 1, str(problem))]) from None
    folders = (user_dir or locations.user_sessions_dir(), locations.builtin_sessions_dir())
    for folder, builtin in zip(folders, (False, True), strict=True):
        for suffix in SUFFIXES:
            candidate = folder / f"{wanted}{suffix}"
            try:
                found = paths.status(candidate) is not None
            except paths.PathProblem:  # too long a name, or a folder that cannot be read
                found = False
            if found:  # whatever it is: a FIFO or a folder gets its reason from the loader
                return load_file(candidate, builtin=builtin)
    import difflib  # only for a name not found: not at start-up

    known = sorted({paths.shown(path.stem) for folder in folders for path in _files(folder)})
    raise UnknownSession(
        shorten(paths.shown(wanted), 60),
        difflib.get_close_matches(wanted, known, n=3, cutoff=0.5),
    )


ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")

# Where a user with only a pip install can read the format (the project's Source URL).
FORMAT_URL = "https://github.com/oxybreathe/oxybreathe/blob/main/docs/session-format.md"

# A template for str.format: {schema}, {path}, {name} and {id} are filled in.
STARTER = f"""\
# yaml-language-server: $schema=./{{schema}}
# A session for oxybreathe. Check it with:  oxybreathe validate {{path}}
# The format, with examples and every limit: {FORMAT_URL}
# (`oxybreathe schema` prints it as a JSON Schema.)
name: {{name}}
description: What this session is for, in a sentence or two.
minutes: 5                      # default length; `oxybreathe run {{id}} --minutes 8` changes it
chimes:
  start: bell                   # bell, bowl, tick, rise, fall, chime, a .wav path, or none
  step: chime                   # at each new step, for eyes closed
  end: bowl
closing: stress                 # stress, hpa or cravings, or write your own note as a sentence
# With a hold in a pattern, say when to stop, before the first hold (validate warns without one):
# caution: Breathe gently. If you feel dizzy or tingly, stop. Never in or near water, or driving.
steps:
  - say: Sit comfortably and let your shoulders drop.
    seconds: 8
    # audio: guidance/settle.ogg  # your own recording (wav, flac, ogg, mp3), beside this file;
    #                             # without `seconds`, the step lasts as long as it does
  - breathe:                    # one cycle; it repeats to fill the chosen length
      - inhale: 4
      - exhale: 6
    say: Breathe gently. Stop if you feel dizzy.
  - say: Notice how you feel now.
    seconds: 8
"""


class CannotCreate(Exception):
    """A new user session could not be written; the message says why."""


class ShadowsBuiltin(CannotCreate):
    """The new id is a built-in's: the user's file would replace that built-in."""


def is_builtin(session_id: str) -> bool:
    """True if a built-in session has this id."""
    folder = locations.builtin_sessions_dir()
    return any((folder / f"{session_id}{suffix}").is_file() for suffix in SUFFIXES)


def create_user_session(
    session_id: str,
    source: Session | None = None,
    user_dir: Path | None = None,
    *,
    replace_builtin: bool = False,
) -> Path:
    """Write a starter file (or a copy of `source`) as a new user session; return its path.

    Never overwrites. A built-in's id is refused (ShadowsBuiltin) unless `replace_builtin`.
    Raises CannotCreate with a one-line reason.
    """
    if not ID_PATTERN.match(session_id):
        raise CannotCreate(
            f"the id {shorten(paths.shown(session_id), 70)!r} must be letters, digits, - or _ "
            "(up to 64), starting with a letter or digit"
        )
    if not replace_builtin and is_builtin(session_id):
        raise ShadowsBuiltin(
            f"`{session_id}` is a built-in session; a file of yours with that id would "
            "replace it in the list"
        )
    from oxybreathe.core.schema import SCHEMA_FILENAME  # the schema module reads the model

    folder = user_dir or locations.user_sessions_dir()
    target = folder / f"{session_id}.yaml"
    shown = paths.shown(target)
    if source is not None and source.path is not None:
        try:
            content = paths.read_file(source.path, FILE_MAX_BYTES)
        except paths.PathProblem as problem:
            raise CannotCreate(f"cannot read {paths.shown(source.path)}: {problem}") from None
    else:
        name = session_id.replace("-", " ").replace("_", " ").capitalize()
        content = STARTER.format(
            schema=SCHEMA_FILENAME, path=shown, name=name, id=session_id
        ).encode("utf-8")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file, or a link to nothing, where the folder should be
        why = paths.folder_problem(folder) or "this is not a folder"
        raise CannotCreate(f"cannot write into {paths.shown(folder)}: {why}") from None
    except OSError as error:
        raise CannotCreate(
            f"cannot write into {paths.shown(folder)}: {paths.reason(error)}"
        ) from None
    try:
        with target.open("xb") as handle:
            handle.write(content)
    except FileExistsError:
        raise CannotCreate(f"{shown} already exists; it was not changed") from None
    except OSError as error:
        raise CannotCreate(f"cannot write {shown}: {paths.reason(error)}") from None
    _write_schema(folder / SCHEMA_FILENAME)
    return target


def _write_schema(path: Path) -> None:
    """The editor's schema, beside the user's files; never over anything but a regular file."""
    from oxybreathe.core.schema import schema_json

    with contextlib.suppress(paths.PathProblem, OSError):
        info = paths.status(path)
        if info is None or paths.kind_of(info.st_mode) is None:  # a FIFO would block
            path.write_text(schema_json(), encoding="utf-8")


def free_id(base: str, user_dir: Path | None = None) -> str:
    """Return `base`, or `base-2`, `base-3`... whichever has no user file yet."""
    folder = user_dir or locations.user_sessions_dir()
    candidate, number = base, 1
    while any(_taken(folder / f"{candidate}{suffix}") for suffix in SUFFIXES):
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _taken(path: Path) -> bool:
    try:
        return paths.status(path) is not None
    except paths.PathProblem:  # a link to nothing is taken; a folder we cannot look in is not
        return os.path.lexists(path)  # (creating the file will say why)
