"""The standard streams as the shell left them: closed, /dev/full, read-only, or a pipe whose
reader has gone.

The command line wraps standard output so that every failed write, wherever it comes from
(a listing, argparse's help, the CSV export, a cue in plain mode), is one OutputFailed, and
standard error so that a failed warning never stops anything. Nothing here imports Textual.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import select
import stat
import time
from collections.abc import Callable
from typing import TextIO

from oxybreathe.core import paths

NAMES = ("standard input", "standard output", "standard error")
SLEPT_SECONDS = 0.005  # a reader watch's last stretch before a deadline, slept exactly


class OutputFailed(Exception):
    """Writing to an output failed. `gone` is True when its reader has gone (a closed pipe)."""

    def __init__(self, why: str, *, gone: bool = False) -> None:
        super().__init__(why)
        self.gone = gone

    @classmethod
    def from_error(cls, error: OSError) -> OutputFailed:
        """The failure an OSError from a write stands for."""
        if error.errno in (errno.EPIPE, errno.ECONNRESET):
            return cls("its reader has gone", gone=True)
        if error.errno == errno.EBADF:  # e.g. `1</dev/null`: open, but only for reading
            return cls("it is not open for writing")
        return cls(paths.reason(error))


def occupy_closed() -> None:
    """Point each closed standard descriptor (0, 1, 2) at /dev/null.

    Otherwise the next file opened takes its number, and a stray write meant for the terminal
    lands in it (in the history database, say). Python has already set the matching
    `sys.stdin`, `sys.stdout` or `sys.stderr` to None, which is how the rest knows it is closed.
    """
    for fd in range(3):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                null = os.open(os.devnull, os.O_RDWR)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)


class Checked(io.TextIOBase):
    """An output whose every failed write or flush raises OutputFailed, in one line's words.

    Wraps `stream`, or stands for a closed one (None): then the first write fails.
    """

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self.stream = stream

    @property
    def missing(self) -> bool:
        """True when the stream was closed before we started."""
        return self.stream is None

    def write(self, text: str) -> int:
        if self.stream is None:
            raise OutputFailed("it is closed")
        try:
            return self.stream.write(text)
        except OSError as error:
            raise OutputFailed.from_error(error) from None

    def flush(self) -> None:
        if self.stream is None:
            return
        try:
            self.stream.flush()
        except OSError as error:
            raise OutputFailed.from_error(error) from None

    def close(self) -> None:
        """Nothing: the wrapped stream is not ours to close (and a flush here could fail)."""

    def isatty(self) -> bool:
        return self.stream is not None and self.stream.isatty()

    def fileno(self) -> int:
        if self.stream is None:
            raise io.UnsupportedOperation("the stream is closed")
        return self.stream.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.stream, "errors", None)


class Quiet(Checked):
    """An output for warnings: a write that fails (or has nowhere to go) is dropped."""

    def write(self, text: str) -> int:
        with contextlib.suppress(OutputFailed):
            super().write(text)
        return len(text)

    def flush(self) -> None:
        with contextlib.suppress(OutputFailed):
            super().flush()


def discard(stream: object) -> None:
    """Point a failed output's descriptor at /dev/null, so that nothing written later, nor
    Python's last flush at exit, can fail on it or wait for it."""
    with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
        fd = stream.fileno()  # type: ignore[attr-defined]
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)


def not_a_terminal(stream: object, fd: int) -> str | None:
    """Why standard stream `fd` is no terminal, in plain words ("standard input is /dev/null",
    "standard output is closed"), or None when it is one."""
    name = NAMES[fd]
    if stream is None or getattr(stream, "missing", False):
        return f"{name} is closed"
    with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
        if stream.isatty():  # type: ignore[attr-defined]
            return None
        return f"{name} is {_what(stream.fileno())}"  # type: ignore[attr-defined]
    return f"{name} is not a terminal"


def _what(fd: int) -> str:
    mode = os.fstat(fd).st_mode
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    try:
        target = paths.shown(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return "not a terminal"
    return f"the file {target}" if stat.S_ISREG(mode) else target


def is_terminal(stream: object) -> bool:
    """True if `stream` is open and a terminal."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        return bool(stream is not None and stream.isatty())  # type: ignore[attr-defined]
    return False


def writable_now(stream: object) -> bool:
    """True if a short line written to `stream` now would not wait (a full pipe, or a terminal
    stopped with Ctrl+S, would make it wait)."""
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return True  # not a file (a test's StringIO): writing never waits
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    try:
        return any(mask & select.POLLOUT for _fd, mask in poller.poll(0))
    except OSError:
        return False


def reader_watch(stream: object) -> Callable[[float], None] | None:
    """A sleep that ends at once, raising OutputFailed (gone), if the reader of `stream` goes
    away: for a pipe or socket; None for anything else (a terminal gets SIGHUP instead).

    It may return a little early, so its caller waits again for the rest: poll() may end up to
    a thousandth of its timeout late (the kernel's timer slack: half a millisecond in a 0.5 s
    phase), so it ends that much and a millisecond before the end, and the last few
    milliseconds are a plain sleep, which is exact. The early wake-up helps too: the caller's
    code runs once before the deadline, and again, fast, at it.
    """
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
        mode = os.fstat(fd).st_mode
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        return None
    poller = select.poll()
    poller.register(fd, 0)  # only POLLERR and POLLHUP: the reader has closed its end

    def wait(seconds: float) -> None:
        if seconds < SLEPT_SECONDS:
            time.sleep(max(0.0, seconds))
        elif poller.poll(int(seconds * 1000 - seconds) - 1):  # ms, less its slack and one
            raise OutputFailed("its reader has gone", gone=True)

    return wait
