"""Programs in a real terminal, watched from outside: pyte for the screen, /proc for the rest.

Each program runs on a pseudo-terminal of its own at WIDTH x HEIGHT, as its session's
controlling terminal, as a shell would start it. A thread reads what it writes the moment it
comes and stamps it, so the program never waits for its terminal; `wait_for` feeds it to pyte, a
terminal emulator, until the awaited text is on its screen.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import queue
import shlex
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pyte

WIDTH, HEIGHT = 100, 30
KEPT = 1 << 18  # bytes of output kept after `wait_for`, for the screen if the program fails


class Terminal:
    """`command` running on a terminal of its own at WIDTH x HEIGHT, from `with` to its end."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.command, self.name = command, shlex.join(Path(part).name for part in command)
        # The size is the terminal's: nothing in the environment may say otherwise.
        self.env = {key: value for key, value in env.items() if key not in ("COLUMNS", "LINES")}
        self._screen = pyte.Screen(WIDTH, HEIGHT)
        self._stream = pyte.ByteStream(self._screen)
        self._chunks: queue.SimpleQueue[tuple[float, bytes]] = queue.SimpleQueue()
        self._since = bytearray()  # what came after `wait_for` had its answer
        self._waited = False
        self._lock = threading.Lock()
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
        self.pid = self._process.pid  # its session's and its process group's too
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def __exit__(self, *exception: object) -> None:
        for kill in (signal.SIGTERM, signal.SIGKILL):  # the program and all it started
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, kill)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=10)
                break
        self._reader.join(timeout=10)  # its terminal gone, the last read ends
        if self._reader.is_alive():  # the fd stays open: a new terminal must not get its number
            raise RuntimeError(f"{self.name!r}: something it started still holds its terminal")
        os.close(self._master)

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._master, 65536)
            except OSError:  # EIO: every end of the terminal in the program's hands is closed
                data = b""
            read_at = time.monotonic()
            with self._lock:
                if not self._waited:
                    self._chunks.put((read_at, data))
                else:
                    self._since += data
                    if len(self._since) > 2 * KEPT:
                        del self._since[:-KEPT]
            if not data:
                return

    def screen(self) -> str:
        """What the terminal shows, as far as its output has been read."""
        with self._lock:
            self._stream.feed(bytes(self._since))
            self._since.clear()
        return "\n".join(line.rstrip() for line in self._screen.display)

    def wait_for(self, texts: list[str], timeout: float = 30.0) -> float:
        """When every one of `texts` was on screen: when the output after which the screen first
        showed them all was read. Called once; the output goes on being read, and kept for
        `screen()`, to the end."""
        if not texts or self._waited:
            raise ValueError("wait_for takes some text to wait for, once")
        deadline = time.monotonic() + timeout
        switching = sys.getswitchinterval()
        sys.setswitchinterval(0.0002)  # a stamp waits for pyte's parsing this long at most
        try:
            while True:
                try:
                    read_at, data = self._chunks.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise TimeoutError(
                        f"{self.name!r} never showed {texts!r}; it showed:\n{self.screen()}"
                    ) from None
                if not data:
                    raise EOFError(f"{self.name!r} ended; it showed:\n{self.screen()}")
                self._stream.feed(data)
                shown = "\n".join(self._screen.display)
                if all(text in shown for text in texts):
                    return read_at
        finally:
            sys.setswitchinterval(switching)
            with self._lock:
                self._waited = True
                while not self._chunks.empty():
                    self._since += self._chunks.get()[1]


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
