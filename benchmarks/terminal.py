"""Programs in a real terminal, watched from outside: tmux for the screen, /proc for the rest.

Each program gets a tmux server of its own on a private socket (`oxybreathe-bench-PID-N`,
never the user's), which is killed afterwards. Nothing here reaches into the program.
"""

from __future__ import annotations

import itertools
import os
import shlex
import subprocess
import time
from pathlib import Path
from types import TracebackType

WIDTH, HEIGHT = 100, 30
_servers = itertools.count(1)


class Terminal:
    """`command` running in a fresh tmux server at WIDTH x HEIGHT, from `with` to its end."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        # A new socket each time: a server being killed may still hold the old one.
        self.socket = f"oxybreathe-bench-{os.getpid()}-{next(_servers)}"
        self.command = command
        self.env = env
        self.pid = 0
        self.socket_path = ""
        self.started = 0.0

    def _tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    def __enter__(self) -> Terminal:
        exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in self.env.items())
        line = f"exec env {exports} {shlex.join(self.command)}"
        self.started = time.monotonic()
        self._tmux("new-session", "-d", "-s", "b", "-x", str(WIDTH), "-y", str(HEIGHT), line)
        found = self._tmux("display-message", "-p", "-t", "b", "#{pane_pid} #{socket_path}")
        pid, _, self.socket_path = found.strip().partition(" ")
        self.pid = int(pid or 0)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._tmux("kill-server")
        if self.socket_path:  # tmux leaves its socket file behind
            Path(self.socket_path).unlink(missing_ok=True)

    def screen(self) -> str:
        """What the terminal shows now."""
        return self._tmux("capture-pane", "-p", "-t", "b")

    def wait_for(self, texts: list[str], timeout: float = 30.0, poll: float = 0.005) -> float:
        """The time.monotonic() at which every one of `texts` was first seen on the screen."""
        deadline, screen = time.monotonic() + timeout, ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(text in screen for text in texts):
                return time.monotonic()
            time.sleep(poll)
        raise TimeoutError(f"{self.command[-1]!r}: never showed {texts!r}; it showed:\n{screen}")


def family(pid: int) -> list[int]:
    """`pid` and every process descended from it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` and its descendants (all their threads)."""
    ticks = 0
    for member in family(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def run_ms(pid: int) -> float:
    """Time the threads of `pid` and its descendants have run on a CPU so far (schedstat, in
    ns): unlike wall time, it hardly moves when the machine is busy with other work."""
    total = 0
    for member in family(pid):
        for stat_file in Path(f"/proc/{member}/task").glob("*/schedstat"):
            try:
                total += int(stat_file.read_text().split()[0])
            except (OSError, IndexError, ValueError):
                continue
    return total / 1e6


def switches(pid: int) -> tuple[int, int]:
    """Context switches of every thread of `pid` and its descendants: voluntary (a thread
    blocked and was woken again: a wake-up) and involuntary (a running thread preempted, which
    grows with the machine's other load)."""
    voluntary = involuntary = 0
    for member in family(pid):
        for status in Path(f"/proc/{member}/task").glob("*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue  # a thread that ended
            for line in text.splitlines():
                if line.startswith("voluntary_ctxt_switches"):
                    voluntary += int(line.split()[1])
                elif line.startswith("nonvoluntary_ctxt_switches"):
                    involuntary += int(line.split()[1])
    return voluntary, involuntary


def peak_kib(pid: int) -> int:
    """The peak resident memory of `pid` so far (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0
