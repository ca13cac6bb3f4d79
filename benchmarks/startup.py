"""CLI start-up and peak memory, each beside its reference in the same run.

Start-up: `oxybreathe --help`, `list` and `validate sessions/` in turn with `import textual.app`;
`oxybreathe now --plain` to its first cue in turn with `oxybreathe --version`. Peak RSS: a
plain-mode session beside bare Python, hostile files refused beside a normal file validated.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from subprocess import DEVNULL, PIPE

from benchmarks import ROOT, homes, oxybreathe
from benchmarks.figures import Figure, at_most

STARTUP_RATIO = 0.5
NOW_RATIO = 4.0  # `now`'s first cue (sounds off) against a bare `--version`
HOSTILE_RATIO = 2.0  # refusing a hostile file costs about what validating a normal one does
MIB = 1024  # ru_maxrss is in KiB on Linux

# Runs argv and prints the child's peak RSS in KiB.
PEAK = """\
import resource, sys
from subprocess import DEVNULL, run
run(sys.argv[1:], stdout=DEVNULL, stderr=DEVNULL, stdin=DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""

SHORT = "name: Short\nsteps:\n  - breathe: [inhale: 1, exhale: 1]\n    cycles: 1\n"  # 2 s


def _ms(argv: list[str], env: dict[str, str], lines: int = 0) -> float:
    """Wall ms from spawning `argv` to its end, or to its first `lines` lines on stdout."""
    started = time.perf_counter()
    out = PIPE if lines else DEVNULL
    with subprocess.Popen(argv, stdout=out, stderr=DEVNULL, stdin=DEVNULL, env=env) as process:
        # No timeout: with one, Popen.wait polls with sleeps of up to 50 ms, not waitpid().
        if not lines and process.wait():
            raise subprocess.CalledProcessError(process.returncode, argv)
        for _ in range(lines):
            assert process.stdout is not None
            process.stdout.readline()
        elapsed = time.perf_counter() - started
        process.terminate()  # only if it runs on
    return elapsed * 1000


def _median_ms(
    commands: dict[str, tuple[list[str], int]], runs: int, env: dict[str, str]
) -> dict[str, float]:
    """The median ms of each (argv, first lines) command, run in turn, `runs` times over."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (argv, lines) in commands.items():
            times[name].append(_ms(argv, env, lines))
    return {name: statistics.median(values) for name, values in times.items()}


def _peak(argv: list[str], env: dict[str, str], runs: int = 1) -> tuple[int, float]:
    """The peak RSS of `argv` in KiB (the highest of `runs`), and its median wall ms."""
    peaks, times = [], []
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", PEAK, *argv], capture_output=True, env=env)
        times.append((time.perf_counter() - started) * 1000)
        peaks.append(int(out.stdout.strip()))
    return max(peaks), statistics.median(times)


def hostile_files(folder: Path) -> dict[str, Path]:
    """Billion laughs, deep nesting and a huge file, written to `folder`."""
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 12):  # each level holds ten of the one before: 10^12 items in the end
        name, before = chr(97 + n), chr(96 + n)
        laughs.append(f"{name}: &{name} [{', '.join([f'*{before}'] * 10)}]")
    files = {
        "billion laughs": "\n".join(laughs) + "\n",
        "50,000-deep nesting": "name: " + "[" * 50_000 + "]" * 50_000 + "\n",
        "20 MB file": "name: x\nsteps:\n" + "  - say: hi\n" * 1_700_000,
    }
    paths = {label: folder / f"{label.split()[0].strip(',')}.yaml" for label in files}
    for label, text in files.items():
        paths[label].write_text(text, encoding="utf-8")
    return paths


def figures(runs: int) -> list[Figure]:
    """CLI start-up, a plain-mode session's memory, and the hostile files."""
    with tempfile.TemporaryDirectory(prefix="oxybreathe-bench-") as name:
        folder = Path(name)
        env = {**os.environ, **homes(folder)}
        commands = {
            "import textual.app": ([sys.executable, "-c", "import textual.app"], 0),
            "--help": ([*oxybreathe(), "--help"], 0),
            "list": ([*oxybreathe(), "list"], 0),
            "validate": ([*oxybreathe(), "validate", str(ROOT / "sessions")], 0),
        }
        _median_ms(commands, 1, env)  # once first: the disk cache, the catalog cache
        times = _median_ms(commands, runs, env)
        now = {  # its title, its help line, its first cue
            "now": ([*oxybreathe(), "now", "--plain", "--no-chimes"], 3),
            "--version": ([*oxybreathe(), "--version"], 0),
        }
        now_ms, version_ms = _median_ms(now, max(3, runs // 3), env).values()
        short = folder / "short.yaml"
        short.write_text(SHORT, encoding="utf-8")
        plain, _ = _peak([*oxybreathe(), "run", str(short), "--plain", "--no-chimes"], env)
        bare, _ = _peak([sys.executable, "-c", "pass"], env)
        validate = [*oxybreathe(), "validate"]
        normal, normal_ms = _peak([*validate, str(ROOT / "sessions" / "box.yaml")], env, 3)
        hostile = {
            label: _peak([*validate, str(path)], env, 3)
            for label, path in hostile_files(folder).items()
        }
    textual = times["import textual.app"]
    rows = [
        Figure(
            f"CLI start-up, `oxybreathe {command}` (median of {runs})",
            f"**{times[command]:.0f} ms** ({times[command] / textual:.2f}x)",
            f"`import textual.app`: {textual:.0f} ms",
            f"≤ {STARTUP_RATIO:g}x",
            at_most(times[command], textual, STARTUP_RATIO),
        )
        for command in ("--help", "list", "validate")
    ]
    rows += [
        Figure(
            "`oxybreathe now --plain`: its first cue",
            f"**{now_ms:.0f} ms** ({now_ms / version_ms:.2f}x)",
            f"`oxybreathe --version`: {version_ms:.0f} ms",
            f"≤ {NOW_RATIO:g}x",
            at_most(now_ms, version_ms, NOW_RATIO),
        ),
        Figure(
            "peak memory, a plain-mode session",
            f"**{plain / MIB:.0f} MiB**",
            f"bare Python: {bare / MIB:.0f} MiB",
            "≤ +16 MiB",
            plain - bare <= 16 * MIB,
        ),
    ]
    rows += [
        Figure(
            f"hostile file refused: {label}",
            f"**{wall:.0f} ms, {peak / MIB:.0f} MiB**",
            f"validating box.yaml: {normal_ms:.0f} ms, {normal / MIB:.0f} MiB",
            f"≤ {HOSTILE_RATIO:g}x the time, ≤ +16 MiB",
            at_most(wall, normal_ms, HOSTILE_RATIO) and peak - normal <= 16 * MIB,
        )
        for label, (peak, wall) in hostile.items()
    ]
    return rows
