"""Paths people give us: expanded, looked at and read with a bound, each fault in one line.

Every place that takes a path (`run PATH`, `validate FILE|FOLDER`, `new`, a chime, the sessions
folder, the settings file) comes through here, so that a name too long for the system,
`~nosuchuser`, a name in another encoding, a FIFO or an unreadable folder each get one sentence,
never a traceback, and nothing ever waits on a pipe that nobody writes to.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_REASONS = {
    errno.ENOENT: "no such file",
    errno.ENAMETOOLONG: "the name is too long for this system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.ELOOP: "too many symbolic links",
    errno.EISDIR: "this is a directory",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EIO: "an input/output error",
}


class PathProblem(Exception):
    """A path that cannot be used; `str()` is the reason in one line, without the path."""


class NotAFile(PathProblem):
    """The path is there, but it is not a regular file; `kind` says what it is."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"this is {kind}, not a file")
        self.kind = kind


def shown(path: str | os.PathLike[str]) -> str:
    """`path` as people can read it: bytes that are not UTF-8 (a Latin-1 name) become `�`.

    Python keeps such bytes as lone surrogates, which no terminal, log or database can take.
    """
    return os.fsencode(path).decode("utf-8", "replace")


def reason(error: OSError) -> str:
    """What went wrong, in a few lower-case words."""
    if error.errno in _REASONS:
        return _REASONS[error.errno]
    words = error.strerror or str(error)
    return words[:1].lower() + words[1:]


def expand(text: str | os.PathLike[str]) -> Path:
    """`text` as a Path, with `~` and `~user` expanded."""
    path = Path(text)
    try:
        return path.expanduser()
    except RuntimeError:  # `~nosuchuser`, or `~` with no home known
        first = shown(path.parts[0]) if path.parts else "~"
        if first == "~":
            raise PathProblem("cannot expand `~`: no home folder is known (set HOME)") from None
        raise PathProblem(f"cannot expand `{first}`: there is no such user") from None


def kind_of(mode: int) -> str | None:
    """What a file of this mode is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"  # pragma: no cover - no other kinds on Linux


def status(path: Path) -> os.stat_result | None:
    """The file's status (links followed), or None when nothing is there.

    Raises PathProblem when the path cannot be looked at (too long, permission denied...) or is
    a link to nothing.
    """
    try:
        return path.stat()
    except FileNotFoundError:
        if _is_link(path):
            raise PathProblem("a link to something that does not exist") from None
        return None
    except NotADirectoryError:  # a file where a folder on the way should be: nothing is there
        return None
    except ValueError:  # a NUL, or a character the file system cannot encode
        raise PathProblem("the name holds a character no file name can have") from None
    except OSError as error:
        raise PathProblem(reason(error)) from None


def _is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(path.lstat().st_mode)
    except (OSError, ValueError):
        return False


def read_file(path: Path, limit: int) -> bytes:
    """Up to `limit + 1` bytes of the regular file at `path` (so a caller can tell "too big").

    A FIFO, device, socket or directory is refused by its type before it is opened, and the file
    is opened without blocking, so a FIFO swapped in meanwhile cannot hold it up either.
    Raises PathProblem (NotAFile for the wrong kind of file).
    """
    info = status(path)
    if info is None:
        raise PathProblem("no such file")
    _regular(info)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise PathProblem(reason(error)) from None
    try:
        with os.fdopen(fd, "rb") as handle:
            _regular(os.fstat(handle.fileno()))
            return handle.read(limit + 1)
    except OSError as error:
        raise PathProblem(reason(error)) from None


def _regular(info: os.stat_result) -> None:
    kind = kind_of(info.st_mode)
    if kind is not None:
        raise NotAFile(kind)


def listing(folder: Path) -> list[Path]:
    """Everything in `folder`, sorted; raises PathProblem when it cannot be listed."""
    try:
        return sorted(folder.iterdir())
    except ValueError:
        raise PathProblem("the name holds a character no file name can have") from None
    except OSError as error:
        raise PathProblem(reason(error)) from None


def folder_problem(folder: Path) -> str | None:
    """Why `folder` cannot be used as a folder of files, or None (a missing folder is fine)."""
    try:
        info = status(folder)
    except PathProblem as problem:
        return str(problem)
    if info is None:
        return None
    if not stat.S_ISDIR(info.st_mode):
        return f"this is {kind_of(info.st_mode) or 'a file'}, not a folder"
    try:
        listing(folder)
    except PathProblem as problem:
        return f"cannot be read: {problem}"
    return None
