"""Programs in a real terminal, watched from outside: tmux for the screen, /proc for the rest.

Each program gets a tmux server of its own on a private socket, killed afterwards, and one
control-mode client (`tmux -C`) that starts it, stamps its output and captures its screen.
tmux 3.3a's traps, which shaped this, are in docs/development.md.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import select
import shlex
import signal
import subprocess
import time
from pathlib import Path
from subprocess import DEVNULL, PIPE

WIDTH, HEIGHT = 100, 30
_servers = itertools.count(1)


class Terminal:
    """`command` running in a fresh tmux server at WIDTH x HEIGHT, from `with` to its end."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        # A new socket each time: a server being killed may still hold the old one.
        self.socket = f"oxybreathe-bench-{os.getpid()}-{next(_servers)}"
        exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
        self.line, self.name = f"exec env {exports} {shlex.join(command)}", command[-1]
        if "\n" in self.line:
            raise ValueError("a control client's command is one line: run a script instead")
        self.pid = self.server = self._outputs = 0  # _outputs: %output lines read so far
        self.socket_path, self.pane, self._buffer = "", "", b""
        self.started = 0.0  # when the command was sent, on time.monotonic()
        self.output_at = 0.0  # when the latest %output was read
        self._read_at = 0.0  # when the buffer's latest bytes were read: each read ends a line

    def __enter__(self) -> Terminal:
        # A placeholder first, so that the server's own start-up is not counted as the program's.
        tmux = ["tmux", "-L", self.socket, "-f", "/dev/null", "-C", "new-session", "-s", "b"]
        shape = ["-x", str(WIDTH), "-y", str(HEIGHT), "sleep 3600"]
        self._client = subprocess.Popen([*tmux, *shape], stdin=PIPE, stdout=PIPE, stderr=DEVNULL)
        try:
            self._reply(time.monotonic() + 10)  # new-session's
            (found,) = self.command_lines("display -p '#{pid} #{socket_path}'")
            server, self.socket_path = found.split(" ", 1)
            self.server = int(server)
            # `default-size`, not `window-size manual`: a new window after it crashes tmux 3.3a.
            self.command_lines(f"set -g default-size {WIDTH}x{HEIGHT}")
            self.command_lines("set -g remain-on-exit on")  # a crash stays on screen
            self.started = time.monotonic()
            # A window of its own, not a respawned pane (tmux issue 5499): its pane, pid, size.
            shown = "#{pane_id} #{pane_pid} #{window_width}x#{window_height}"
            command = f"new-window -P -F '{shown}' -t b: {shlex.quote(self.line)}"
            self.pane, pid, size = self.command_lines(command)[0].split()
            self.pid = int(pid)
            if size != f"{WIDTH}x{HEIGHT}":
                raise RuntimeError(f"tmux made the window {size}, not {WIDTH}x{HEIGHT}")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exception: object) -> None:
        # SIGTERM, as kill-server does, without a command in flight on the control client.
        with contextlib.suppress(OSError, EOFError):  # ProcessLookupError, BrokenPipeError: ended
            if self.server:
                os.kill(self.server, signal.SIGTERM)
            else:  # it never said who it is
                self.command_lines("kill-server")
        try:
            self._client.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self._client.kill()
            self._client.communicate()
        ends = time.monotonic() + 10  # the program too (it has its SIGHUP): nothing lingers
        while running(self.pid) and time.monotonic() < ends:
            time.sleep(0.005)
        if self.socket_path:  # tmux leaves its socket file behind
            Path(self.socket_path).unlink(missing_ok=True)

    def _line(self, deadline: float) -> bytes:
        """The next line from the control client; stamps the %output ones on arrival."""
        assert self._client.stdout is not None
        fd = self._client.stdout.fileno()
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError(f"tmux did not answer about {self.name!r}")
            if not (data := os.read(fd, 65536)):
                raise EOFError(f"tmux ended while running {self.name!r}")
            self._read_at, self._buffer = time.monotonic(), self._buffer + data
        line, _, self._buffer = self._buffer.partition(b"\n")
        if line.startswith(b"%output "):
            self.output_at, self._outputs = self._read_at, self._outputs + 1
        return line

    def _reply(self, deadline: float) -> list[str]:
        """The lines of the next command's reply (notifications before it are read too)."""
        while not (begin := self._line(deadline)).startswith(b"%begin "):
            pass
        lines = []
        while not ((line := self._line(deadline)).startswith((b"%end ", b"%error "))):
            lines.append(line.decode(errors="replace"))
        if line.split()[1:3] != begin.split()[1:3] or line.startswith(b"%error "):
            raise RuntimeError(f"tmux refused a command: {' '.join(lines)}")
        return lines

    def command_lines(self, command: str, timeout: float = 10.0) -> list[str]:
        """Run a tmux command through the control client: its output's lines."""
        assert self._client.stdin is not None
        self._client.stdin.write(command.encode() + b"\n")
        self._client.stdin.flush()
        return self._reply(time.monotonic() + timeout)

    def screen(self) -> str:
        """What the terminal shows now, through a tmux command of its own: the control client
        has gone once `wait_for` has returned, and may have gone with the program."""
        tmux = ["tmux", "-L", self.socket, "capture-pane", "-p", "-t", self.pane or "b"]
        found = subprocess.run(tmux, capture_output=True, text=True, check=False)
        return found.stdout or f"(no screen: tmux said {found.stderr.strip() or 'nothing'})"

    def wait_for(self, texts: list[str], timeout: float = 30.0) -> float:
        """When every one of `texts` was on screen: the reading of the output after which a
        capture first showed them all. The control client then detaches, whatever happened."""
        deadline, screen = time.monotonic() + timeout, ""
        try:
            while True:
                outputs = self._outputs  # the capture shows every output read so far, at least
                screen = "\n".join(self.command_lines(f"capture-pane -p -t {self.pane}"))
                if all(text in screen for text in texts):
                    return self.output_at or time.monotonic()
                while self._outputs == outputs:
                    self._line(deadline)
        except TimeoutError:
            raise TimeoutError(
                f"{self.name!r} never showed {texts!r}; it showed:\n{screen}"
            ) from None
        finally:
            self._detach()

    def _detach(self) -> None:
        """Let the control client go: no output to read while nobody waits (the energy window).
        Not the pane's output turned off, nor `-f no-output`: both broke tmux 3.3a."""
        assert self._client.stdin is not None
        with contextlib.suppress(OSError):
            self._client.stdin.write(b"detach-client\n")
            self._client.stdin.flush()
        ends = time.monotonic() + 10
        try:
            while True:
                self._line(ends)
        except EOFError:
            return  # gone
        except TimeoutError:
            raise RuntimeError("tmux's control client did not detach in 10 s") from None


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


def run_ms(pid: int) -> float:
    """Time the threads of `pid` and its descendants have run on a CPU so far (schedstat, ns:
    finer than cpu_seconds' ticks, but threads that have ended are left out)."""
    total = 0
    for member in family(pid):
        for path in Path(f"/proc/{member}/task").glob("*/schedstat"):
            with contextlib.suppress(OSError):  # a thread that ended
                total += int(path.read_text().split()[0])
    return total / 1e6


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
