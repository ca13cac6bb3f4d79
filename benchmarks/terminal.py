"""Programs in a real terminal, watched from outside: pyte for the screen, /proc for the rest.

Each program runs on a pseudo-terminal of its own at WIDTH x HEIGHT, as its session's
controlling terminal, as a shell would start it. What it writes is read the moment it comes,
stamped, and fed to pyte, a terminal emulator, until the awaited text is on its screen; from
then on it is read and dropped, so the program never waits for its terminal.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import threading
import time
from pathlib import Path

import pyte

WIDTH, HEIGHT = 100, 30


class Terminal:
    """`command` running on a terminal of its own at WIDTH x HEIGHT, from `with` to its end."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.command, self.env, self.name = command, env, command[-1]
        self._screen = pyte.Screen(WIDTH, HEIGHT)
        self._stream = pyte.ByteStream(self._screen)
        self.started = 0.0  # when the program was started, on time.monotonic()
        self.pid = 0

    def __enter__(self) -> Terminal:
        self._master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("4H", HEIGHT, WIDTH, 0, 0))
        self.started = time.monotonic()
        try:  # setsid -c: a session of its own, whose controlling terminal this is
            self._process = subprocess.Popen(
                ["setsid", "-c", *self.command],
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=self.env,
            )
        except BaseException:
            os.close(self._master)
            raise
        finally:
            os.close(slave)
        self.pid = self._process.pid
        self._drain = threading.Thread(target=self._drop, daemon=True)
        return self

    def __exit__(self, *exception: object) -> None:
        if self._drain.ident is None:  # so that it never waits on a full terminal to end
            self._drain.start()
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._drain.is_alive():
            self._drain.join(timeout=5)  # its terminal gone, the read ends
        os.close(self._master)

    def screen(self) -> str:
        """What the terminal showed when `wait_for` last read it."""
        return "\n".join(self._screen.display)

    def wait_for(self, texts: list[str], timeout: float = 30.0) -> float:
        """When every one of `texts` was on screen: when the output after which the screen first
        showed them all was read. From then on, the output is dropped as it comes."""
        deadline = read_at = time.monotonic() + timeout
        while not all(text in self.screen() for text in texts):
            if not select.select([self._master], [], [], max(0.0, deadline - time.monotonic()))[0]:
                raise TimeoutError(
                    f"{self.name!r} never showed {texts!r}; it showed:\n{self.screen()}"
                )
            read_at = time.monotonic()
            try:
                data = os.read(self._master, 65536)
            except OSError:  # EIO: every end of the terminal in the program's hands is closed
                data = b""
            if not data:
                raise EOFError(f"{self.name!r} ended; it showed:\n{self.screen()}")
            self._stream.feed(data)
        self._drain.start()
        return read_at

    def _drop(self) -> None:
        with contextlib.suppress(OSError):
            while os.read(self._master, 65536):
                pass


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command's name (state first)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def running(pid: int) -> bool:
    """Whether `pid` is there and not a zombie."""
    try:
        return _stat(pid)[0] != "Z"
    except (OSError, IndexError):
        return False


def family(pid: int) -> list[int]:
    """`pid` and every process descended from it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, IndexError, ValueError):
            if entry.name.isdigit():
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo.extend(children.get(found[-1], []))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` and its descendants (all their threads)."""
    ticks = 0
    for member in family(pid):
        with contextlib.suppress(OSError):
            ticks += sum(int(field) for field in _stat(member)[11:13])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def switches(pid: int) -> tuple[int, int]:
    """Context switches of every thread of `pid` and its descendants: voluntary (wake-ups) and
    involuntary (preemptions, which grow with the machine's other load)."""
    counts = {"voluntary_ctxt_switches": 0, "nonvoluntary_ctxt_switches": 0}
    for member in family(pid):
        for path in Path(f"/proc/{member}/task").glob("*/status"):
            with contextlib.suppress(OSError):  # a thread that ended
                for key, _, value in (line.partition(":") for line in path.read_text().split("\n")):
                    if key in counts:
                        counts[key] += int(value)
    return counts["voluntary_ctxt_switches"], counts["nonvoluntary_ctxt_switches"]


def peak_kib(pid: int) -> int:
    """The peak resident memory of `pid` so far (VmHWM), in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return next((int(line.split()[1]) for line in status.splitlines() if line[:6] == "VmHWM:"), 0)
