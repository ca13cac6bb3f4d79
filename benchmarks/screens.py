"""The app in a real terminal (a pty at 100x30), beside bare Textual apps measured the same way.

- First useful screen: launch to every built-in session's name on screen, against a Textual
  hello-world to its text; alternating, pair by pair.
- Energy: CPU and wake-ups per second (context switches of all threads), animated against a
  bare Textual app animating a bar at 30 fps, in reduced motion against an idle Textual app
  (and, for information, one that changes a line once a second); all five side by side in the
  same window. Peak memory: the animated session's, the idle app's.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import homes, oxybreathe, terminal
from benchmarks.figures import Figure, at_most, paired_ratio
from oxybreathe.core import locations
from oxybreathe.core.loader import load_session

# The bare Textual apps: `hello` shows "Hello, world"; `bar` animates a bar at 30 fps; `tick`
# changes one line once a second, the least a countdown can do.
BARE_APP = """\
import sys
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        self.text = Static("Hello, world" if sys.argv[1] != "bar" else "")
        yield self.text

    def on_mount(self):
        self.frame = 0
        if sys.argv[1] != "hello":
            self.set_interval(1 / 30 if sys.argv[1] == "bar" else 1, self.tick)

    def tick(self):
        self.frame += 1
        self.text.update("#" * (self.frame % 80) if sys.argv[1] == "bar" else str(self.frame))

Bare().run()
"""
# Only breathing, so the pacer moves all the time; its name on screen says the session is on.
ENERGY_SESSION = """\
name: Energy benchmark
chimes: {start: none, end: none}
steps:
  - breathe: [inhale: 5, exhale: 5]
"""
SCREEN_RATIO = 1.2
ENERGY_RATIO = 0.5  # CPU and wake-ups, animated, against the 30 fps bar
CALM_RATIO = 1.5  # wake-ups in reduced motion, against an idle Textual app
MEMORY_RATIO = 1.5


def _env(home: Path) -> dict[str, str]:
    """A user's environment, with folders of its own, in a terminal like most."""
    return {**os.environ, **homes(home), "TERM": "xterm-256color"}


def _shown(command: list[str], texts: list[str], env: dict[str, str]) -> float:
    """ms from starting `command` until `texts` were on screen."""
    with terminal.Terminal(command, env) as window:
        return (window.wait_for(texts) - window.started) * 1000


def first_screen(runs: int, folder: Path) -> tuple[list[tuple[float, float]], float]:
    """Each pair of launches (ms: ours, hello-world's), and the very first launch of ours, its
    catalog cache still empty, as after an install or an upgrade."""
    sessions = sorted(locations.builtin_sessions_dir().glob("*.yaml"))
    ours = (oxybreathe(), [load_session(path).name[:30] for path in sessions])  # the list shown
    bare = ([sys.executable, str(folder / "bare.py"), "hello"], ["Hello, world"])
    env = _env(folder / "home")
    cold = _shown(*ours, env)
    _shown(*bare, env)  # warm the disk cache for hello-world too
    pairs = []
    for run in range(runs):
        # Whichever starts a pair may pay for something the other then finds warm: swap.
        if run % 2:
            bare_ms, ours_ms = _shown(*bare, env), _shown(*ours, env)
        else:
            ours_ms, bare_ms = _shown(*ours, env), _shown(*bare, env)
        pairs.append((ours_ms, bare_ms))
    return pairs, cold


@dataclass(frozen=True)
class Use:
    """Over the window: CPU (% of a core), wake-ups and preemptions per second, peak memory."""

    cpu: float
    wakeups: float
    preempted: float
    peak_kib: int

    def wakes(self) -> str:
        return f"{self.wakeups:.1f} /s (+{self.preempted:.0f} /s preempted; CPU {self.cpu:.2f} %)"


def energy(seconds: float, folder: Path) -> dict[str, Use]:
    """What the five apps used over the same `seconds`, side by side."""
    session = folder / "energy.yaml"
    session.write_text(ENERGY_SESSION, encoding="utf-8")
    run = [*oxybreathe(), "run", str(session), "--minutes", "10", "--no-chimes", "--no-checkin"]
    bare = [sys.executable, str(folder / "bare.py")]
    apps = {
        "animated": (run, "Energy benchmark"),
        "calm": ([*run, "--reduce-motion"], "Energy benchmark"),
        "bar": ([*bare, "bar"], "#"),
        "idle": ([*bare, "hello"], "Hello, world"),
        "tick": ([*bare, "tick"], "Hello, world"),
    }
    with contextlib.ExitStack() as stack:
        windows = {
            label: stack.enter_context(terminal.Terminal(command, _env(folder / label)))
            for label, (command, _marker) in apps.items()
        }
        for label, (_command, marker) in apps.items():
            windows[label].wait_for([marker])
        time.sleep(2)  # past start-up

        def reading() -> dict[str, tuple[float, int, int]]:
            return {
                label: (terminal.cpu_seconds(window.pid), *terminal.switches(window.pid))
                for label, window in windows.items()
            }

        before, started = reading(), time.monotonic()
        time.sleep(seconds)
        after, elapsed = reading(), time.monotonic() - started
        used = {}
        for label, window in windows.items():
            if not terminal.running(window.pid):
                raise RuntimeError(f"{label}: it ended during the window:\n{window.screen()}")
            cpu, woken, preempted = (
                b - a for b, a in zip(after[label], before[label], strict=True)
            )
            peak = terminal.peak_kib(window.pid)
            used[label] = Use(100 * cpu / elapsed, woken / elapsed, preempted / elapsed, peak)
        return used


def figures(runs: int, seconds: float) -> list[Figure]:
    """The first useful screen, energy and the app's peak memory."""
    with tempfile.TemporaryDirectory(prefix="oxybreathe-bench-") as name:
        (Path(name) / "bare.py").write_text(BARE_APP, encoding="utf-8")
        pairs, cold = first_screen(runs, Path(name))
        used = energy(seconds, Path(name))
    ours, hello = (statistics.median(column) for column in zip(*pairs, strict=True))
    screen = paired_ratio(pairs)
    animated, calm, bar, idle, tick = (used[k] for k in ("animated", "calm", "bar", "idle", "tick"))
    size, bar_app = f"{terminal.WIDTH}x{terminal.HEIGHT}", "bare Textual app animating at 30 fps"
    return [
        Figure(
            f"first useful screen: launch to the session list visible ({size}, {runs} pairs)",
            f"**{ours:.0f} ms** (median; {screen:.2f}x, the median of the pairs' ratios)",
            f"Textual hello-world's text visible: {hello:.0f} ms",
            f"≤ {SCREEN_RATIO:g}x",
            screen <= SCREEN_RATIO,
        ),
        Figure(
            "first useful screen, first launch (no catalog cache yet)",
            f"{cold:.0f} ms ({cold / hello:.2f}x)",
            f"hello-world: {hello:.0f} ms",
            "—",
            None,
        ),
        Figure(
            f"CPU during a session, animated ({size}, {seconds:g} s)",
            f"**{animated.cpu:.2f} %** of a core",
            f"{bar_app}: {bar.cpu:.2f} %",
            f"≤ {ENERGY_RATIO:g}x",
            at_most(animated.cpu, bar.cpu, ENERGY_RATIO),
        ),
        Figure(
            "wake-ups during a session, animated (all threads)",
            f"**{animated.wakes()}**",
            f"{bar_app}: {bar.wakes()}",
            f"≤ {ENERGY_RATIO:g}x",
            at_most(animated.wakeups, bar.wakeups, ENERGY_RATIO),
        ),
        Figure(
            "wake-ups during a session, reduced motion (all threads)",
            f"**{calm.wakes()}**",
            f"idle Textual app: {idle.wakes()}; one changing a line once a second (what any "
            f"countdown costs): {tick.wakeups:.1f} /s",
            f"≤ {CALM_RATIO:g}x",
            at_most(calm.wakeups, idle.wakeups, CALM_RATIO),
        ),
        Figure(
            "peak memory, a session in the app",
            f"**{animated.peak_kib / 1024:.0f} MiB**",
            f"idle Textual app: {idle.peak_kib / 1024:.0f} MiB",
            f"≤ {MEMORY_RATIO:g}x",
            at_most(animated.peak_kib, idle.peak_kib, MEMORY_RATIO),
        ),
    ]
