"""CLI start-up and peak memory, each beside its reference in the same run.

- Start-up: wall time of `oxybreathe --help`, `list` and `validate sessions/`, alternating run
  by run with `python -c "import textual.app"`, which those commands must never pay for.
- `oxybreathe now --plain`: from the spawn to its first cue on stdout, alternating with
  `oxybreathe --version` run to its end (issue 16: the first cue within a second).
- Peak memory (the peak RSS of a process that runs and exits): a plain-mode session beside bare
  Python, and hostile files (billion laughs, 50,000-deep nesting, a 20 MB file) refused beside
  a normal file validated.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure, at_most
from benchmarks.screens import oxybreathe

ROOT = Path(__file__).resolve().parents[1]
STARTUP_RATIO = 0.5
NOW_RATIO = 4.0  # `now`'s first cue (sounds off) against a bare `--version`
HOSTILE_RATIO = 2.0  # refusing a hostile file costs about what validating a normal one does
MIB = 1024  # ru_maxrss is in KiB on Linux

# Runs argv and prints the child's peak RSS in KiB.
PEAK = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, "
    "stdin=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)

SHORT = "name: Short\nsteps:\n  - breathe: [inhale: 1, exhale: 1]\n    cycles: 1\n"  # 2 s


def _wall_ms(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return (time.perf_counter() - started) * 1000


def startup(runs: int, env: dict[str, str]) -> dict[str, float]:
    """The median ms of each command, run in turn, `runs` times over."""
    commands = {
        "import textual.app": [sys.executable, "-c", "import textual.app"],
        "--help": [*oxybreathe(), "--help"],
        "list": [*oxybreathe(), "list"],
        "validate": [*oxybreathe(), "validate", str(ROOT / "sessions")],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # once first: the disk cache, the catalog cache
        _wall_ms(argv, env)
    for _ in range(runs):
        for name, argv in commands.items():
            times[name].append(_wall_ms(argv, env))
    return {name: statistics.median(values) for name, values in times.items()}


def _first_cue_ms(env: dict[str, str]) -> float:
    """Wall ms from spawning `oxybreathe now --plain` to its first cue (the third line)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [*oxybreathe(), "now", "--plain", "--no-chimes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert process.stdout is not None
    for _ in range(3):  # the title, the help line, the first cue
        process.stdout.readline()
    elapsed = (time.perf_counter() - started) * 1000
    process.terminate()
    process.communicate(timeout=30)
    return elapsed


def now_first_cue(runs: int, env: dict[str, str]) -> tuple[float, float]:
    """The medians of `now`'s first cue and of `--version`, run alternately."""
    now, version = [], []
    for _ in range(runs):
        now.append(_first_cue_ms(env))
        version.append(_wall_ms([*oxybreathe(), "--version"], env))
    return statistics.median(now), statistics.median(version)


def peak_kib(argv: list[str], env: dict[str, str]) -> tuple[int, float]:
    """The peak RSS of `argv` in KiB, and its wall time in ms."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", PEAK, *argv], capture_output=True, text=True, env=env, check=True
    )
    return int(out.stdout.strip()), (time.perf_counter() - started) * 1000


def _validated(path: Path, env: dict[str, str], runs: int = 3) -> tuple[int, float]:
    """`oxybreathe validate PATH`: its peak KiB and its median ms over a few runs."""
    results = [peak_kib([*oxybreathe(), "validate", str(path)], env) for _ in range(runs)]
    return max(peak for peak, _ in results), statistics.median(ms for _, ms in results)


def hostile_files(folder: Path) -> dict[str, Path]:
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 12):  # each level holds ten of the one before: 10^12 items in the end
        name, before = chr(97 + n), chr(96 + n)
        laughs.append(f"{name}: &{name} [{', '.join([f'*{before}'] * 10)}]")
    files = {
        "billion laughs": "\n".join(laughs) + "\n",
        "50,000-deep nesting": "name: " + "[" * 50_000 + "]" * 50_000 + "\n",
        "20 MB file": "name: x\nsteps:\n" + "  - say: hi\n" * 1_700_000,
    }
    paths = {}
    for label, text in files.items():
        paths[label] = folder / f"{label.split()[0].strip(',')}.yaml"
        paths[label].write_text(text, encoding="utf-8")
    return paths


def figures(runs: int) -> list[Figure]:
    """CLI start-up, a plain-mode session's memory, and the hostile files."""
    with tempfile.TemporaryDirectory(prefix="oxybreathe-bench-") as name:
        folder = Path(name)
        env = {
            **os.environ,
            **{f"XDG_{kind}_HOME": str(folder / kind) for kind in ("CONFIG", "DATA", "STATE")},
            "XDG_CACHE_HOME": str(folder / "cache"),
        }
        times = startup(runs, env)
        now_ms, version_ms = now_first_cue(max(3, runs // 3), env)
        short = folder / "short.yaml"
        short.write_text(SHORT, encoding="utf-8")
        plain, _ = peak_kib([*oxybreathe(), "run", str(short), "--plain", "--no-chimes"], env)
        bare, _ = peak_kib([sys.executable, "-c", "pass"], env)
        normal, normal_ms = _validated(ROOT / "sessions" / "box.yaml", env)
        hostile = {label: _validated(path, env) for label, path in hostile_files(folder).items()}
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
    rows.append(
        Figure(
            "`oxybreathe now --plain`: its first cue",
            f"**{now_ms:.0f} ms** ({now_ms / version_ms:.2f}x)",
            f"`oxybreathe --version`: {version_ms:.0f} ms",
            f"≤ {NOW_RATIO:g}x",
            at_most(now_ms, version_ms, NOW_RATIO),
        )
    )
    rows.append(
        Figure(
            "peak memory, a plain-mode session",
            f"**{plain / MIB:.0f} MiB**",
            f"bare Python: {bare / MIB:.0f} MiB",
            "≤ +16 MiB",
            plain - bare <= 16 * MIB,
        )
    )
    for label, (peak, wall) in hostile.items():
        rows.append(
            Figure(
                f"hostile file refused: {label}",
                f"**{wall:.0f} ms, {peak / MIB:.0f} MiB**",
                f"validating box.yaml: {normal_ms:.0f} ms, {normal / MIB:.0f} MiB",
                f"≤ {HOSTILE_RATIO:g}x the time, ≤ +16 MiB",
                at_most(wall, normal_ms, HOSTILE_RATIO) and peak - normal <= 16 * MIB,
            )
        )
    return rows
