"""TUI figures, measured in a real terminal (tmux), each beside its reference in the same run.

- CPU while a session runs at 100x30, beside a bare Textual app animating one bar at 30 fps.
- Time to first paint of the home screen, beside a bare Textual hello-world.
- Phase changes on screen: how long after the engine's cue the new phase word is visible.

    python -m benchmarks.tui [--cpu-seconds 30] [--paint-runs 25]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure, table
from benchmarks.steal import StealClock, with_steal

BAR_APP = """
from textual.app import App
from textual.widgets import Static

class Bar(App):
    def compose(self):
        self.bar = Static("")
        yield self.bar
    def on_mount(self):
        self.frame = 0
        self.set_interval(1 / 30, self.tick)
    def tick(self):
        self.frame += 1
        self.bar.update("#" * (self.frame % 80))

Bar().run()
"""

FRAME_MS = 1000 / 60

PHASES = """\
name: Phase benchmark
chimes: {start: none, end: none}
steps:
  - breathe: [inhale: 1, hold: 1, exhale: 1, hold: 1]
"""


class Tmux:
    """A private tmux server, so nothing here touches the user's sessions."""

    _count = 0

    def __init__(self, width: int = 100, height: int = 30) -> None:
        Tmux._count += 1  # a fresh server each time: a dying one may still hold the old socket
        self.socket = f"oxybench-{os.getpid()}-{Tmux._count}"
        self.width, self.height = width, height

    def _run(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False
        ).stdout

    def start(self, command: str, env: dict[str, str]) -> int:
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        self._run(
            "new-session",
            "-d",
            "-s",
            "b",
            "-x",
            str(self.width),
            "-y",
            str(self.height),
            f"exec env {exports} {command}",
        )
        return int(self._run("display-message", "-p", "-t", "b", "#{pane_pid}").strip())

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", "b")

    def stop(self) -> None:
        self._run("kill-server")


def _cpu_ticks(pid: int) -> int:
    """User + system clock ticks of `pid` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        todo.extend(children.get(current, []))
    return total


def _env(home: Path) -> dict[str, str]:
    return {
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
    }


def _wait_for(tmux: Tmux, text: str, timeout: float = 20.0, poll: float = 0.002) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in tmux.screen():
            return time.monotonic()
        time.sleep(poll)
    raise TimeoutError(f"{text!r} never appeared")


def cpu_percent(
    commands: dict[str, tuple[str, str]], seconds: float, home: Path
) -> dict[str, float]:
    """Percent of one core used by each command over the same `seconds`, run side by side.

    `commands` maps a label to (command, text that shows it has painted). Measuring both in one
    window means both see the same machine: a noisy neighbour cannot favour either.
    """
    running: dict[str, tuple[Tmux, int]] = {}
    try:
        for label, (command, _marker) in commands.items():
            tmux = Tmux()
            running[label] = (tmux, tmux.start(command, _env(home)))
        for label, (_command, marker) in commands.items():
            _wait_for(running[label][0], marker)
        time.sleep(2)  # settle
        before = {label: _cpu_ticks(pid) for label, (_tmux, pid) in running.items()}
        started = time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - started
        ticks = os.sysconf("SC_CLK_TCK")
        return {
            label: 100 * (_cpu_ticks(pid) - before[label]) / ticks / elapsed
            for label, (_tmux, pid) in running.items()
        }
    finally:
        for tmux, _pid in running.values():
            tmux.stop()


def _paint_once(which: str, home: Path, result: Path) -> None:
    lines = len(result.read_text().splitlines()) if result.exists() else 0
    tmux = Tmux()
    try:
        tmux.start(
            f"{sys.executable} -m benchmarks.paint_probe {which} {result}",
            {**_env(home), "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if result.exists() and len(result.read_text().splitlines()) > lines:
                return
            time.sleep(0.05)
    finally:
        tmux.stop()


def first_paint(home: Path, runs: int) -> dict[str, dict[str, float]]:
    """Median ms to first paint for oxybreathe and hello-world, started in alternation."""
    results = {which: home / f"paint-{which}.txt" for which in ("oxybreathe", "hello")}
    for result in results.values():
        result.unlink(missing_ok=True)
    order = list(results.items())
    for run in range(runs):
        # Swap who goes first every run: whichever app starts a round is ~10 ms slower (measured
        # 2026-11-21 with the same code in both places), so a fixed order is biased.
        for which, result in order if run % 2 == 0 else order[::-1]:
            _paint_once(which, home, result)
    figures = {}
    for which, result in results.items():
        rows = [
            dict(item.split("=") for item in line.split())
            for line in result.read_text().splitlines()
        ]
        figures[which] = {
            key: statistics.median(float(row[key]) for row in rows) for key in rows[0]
        }
        figures[which]["best"] = min(float(row["paint"]) for row in rows)
    return figures


def phase_latency(home: Path, seconds: float = 20) -> list[tuple[float, float]]:
    """Each phase change's ms from its deadline to the frame showing it, and the steal time
    recorded meanwhile (benchmarks/phase_probe.py, benchmarks/steal.py)."""
    session = home / "phases.yaml"
    session.write_text(PHASES, encoding="utf-8")
    result = home / "phases.json"
    result.unlink(missing_ok=True)
    tmux = Tmux()
    with StealClock() as steal:
        try:
            tmux.start(
                f"{sys.executable} -m benchmarks.phase_probe {session} {seconds} {result}",
                {**_env(home), "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
            )
            deadline = time.monotonic() + seconds + 30
            while time.monotonic() < deadline and not (result.exists() and result.read_text()):
                time.sleep(0.1)
        finally:
            tmux.stop()
    changes: list[list[float]] = json.loads(result.read_text())
    return [(ms, steal.stolen_ms(due, due + ms / 1000)) for due, ms in changes]


def figures(cpu_seconds: float, paint_runs: int) -> list[Figure]:
    """The TUI rows of the benchmark table: CPU, first paint, phase change on screen."""
    python = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        bar = home / "bar.py"
        bar.write_text(BAR_APP)
        cpu = cpu_percent(
            {
                "oxybreathe": (
                    f"{python} -m oxybreathe run resonant --minutes 10 --no-chimes --no-checkin",
                    "left",
                ),
                "bar": (f"{python} {bar}", "#"),
            },
            cpu_seconds,
            home,
        )
        paints = first_paint(home, paint_runs)
        changes = phase_latency(home)
    ours, hello = paints["oxybreathe"], paints["hello"]
    latencies = [ms for ms, _steal in changes]
    worst = max((ms for ms, steal in changes if not steal), default=0.0)
    stolen = sum(1 for _ms, steal in changes if steal)
    ratio = ours["paint"] / hello["paint"]
    best = ours["best"] / hello["best"]
    return [
        Figure(
            f"CPU while a session runs at 100x30 ({cpu_seconds:g} s, orb always moving)",
            f"**{cpu['oxybreathe']:.2f} %** of a core",
            f"bare Textual app animating a bar at 30 fps: {cpu['bar']:.2f} %",
            "≤ 3 %",
            cpu["oxybreathe"] <= 3.0,
        ),
        Figure(
            f"first paint of the home screen ({paint_runs} alternating runs): median / best",
            f"**{ours['paint']:.0f} / {ours['best']:.0f} ms** ({ratio:.2f}x / {best:.2f}x)",
            f"Textual hello-world: {hello['paint']:.0f} / {hello['best']:.0f} ms",
            "≤ 1.2x (medians)",
            ratio <= 1.2,
        ),
        Figure(
            "sessions listed on the home screen",
            f"{ours['listed']:.0f} ms",
            "",
            "—",
            None,
        ),
        Figure(
            f"phase change, from its deadline to the frame written to the terminal "
            f"({len(changes)} changes): median / max without steal",
            f"**{statistics.median(latencies):.1f} / {worst:.1f} ms**"
            + with_steal(stolen, max(latencies), worst, digits=1),
            f"one frame at 60 fps: {FRAME_MS:.1f} ms",
            "max ≤ one frame (changes in steal time: shown, not counted)",
            worst <= FRAME_MS,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cpu-seconds", type=float, default=30)
    parser.add_argument("--paint-runs", type=int, default=25)
    args = parser.parse_args(argv)
    print(table(figures(args.cpu_seconds, args.paint_runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
