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
from benchmarks.figures import Figure, at_most, versus

STARTUP_RATIO = 0.5
NOW_RATIO = 4.0  # `now`'s first cue (sounds off) against a bare `--version`
HOSTILE_RATIO = 2.0  # refusing a hostile file costs about what validating a normal one does
PLUS_MIB = 16  # peak memory over the reference's

# Runs argv and prints the child's peak RSS in KiB (ru_maxrss, on Linux).
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


def _medians(
    commands: dict[str, tuple[list[str], int]], runs: int, env: dict[str, str]
) -> dict[str, float]:
    """The median ms of each (argv, first lines) command, run in turn, `runs` times over."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (argv, lines) in commands.items():
            times[name].append(_ms(argv, env, lines))
    return {name: statistics.median(values) for name, values in times.items()}


def _peak(argv: list[str], env: dict[str, str], runs: int = 1) -> tuple[float, float]:
    """The peak RSS of `argv` in MiB (the highest of `runs`), and its median wall ms."""
    peaks, times = [], []
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", PEAK, *argv], capture_output=True, env=env)
        times.append((time.perf_counter() - started) * 1000)
        peaks.append(int(out.stdout) / 1024)
    return max(peaks), statistics.median(times)


def hostile_files(folder: Path) -> dict[str, Path]:
    """Billion laughs, deep nesting and a huge file, written to `folder`."""
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 12):  # each level holds ten of the one before: 10^12 items in the end
        laughs.append(f"{chr(97 + n)}: &{chr(97 + n)} [{', '.join([f'*{chr(96 + n)}'] * 10)}]")
    files = {
        "billion laughs": "\n".join(laughs) + "\n",
        "50,000-deep nesting": "name: " + "[" * 50_000 + "]" * 50_000 + "\n",
        "20 MB file": "name: x\nsteps:\n" + "  - say: hi\n" * 1_700_000,
    }
    paths = {label: folder / f"hostile-{number}.yaml" for number, label in enumerate(files)}
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
        _medians(commands, 1, env)  # once first: the disk cache, the catalog cache
        times = _medians(commands, runs, env)
        now = {  # its title, its help line, its first cue
            "now": ([*oxybreathe(), "now", "--plain", "--no-chimes"], 3),
            "--version": ([*oxybreathe(), "--version"], 0),
        }
        now_ms, version_ms = _medians(now, max(3, runs // 3), env).values()
        (folder / "short.yaml").write_text(SHORT, encoding="utf-8")
        run = [*oxybreathe(), "run", str(folder / "short.yaml"), "--plain", "--no-chimes"]
        plain, bare = _peak(run, env)[0], _peak([sys.executable, "-c", "pass"], env)[0]
        validate = [*oxybreathe(), "validate"]
        normal, normal_ms = _peak([*validate, str(ROOT / "sessions" / "box.yaml")], env, 3)
        hostile = {
            label: _peak([*validate, str(path)], env, 3)
            for label, path in hostile_files(folder).items()
        }
    textual = ("`import textual.app`", times["import textual.app"])
    return [
        *(
            versus(
                f"CLI start-up, `oxybreathe {command}` (median of {runs})",
                times[command],
                *textual,
                STARTUP_RATIO,
            )
            for command in ("--help", "list", "validate")
        ),
        versus(
            "`oxybreathe now --plain`: its first cue",
            now_ms,
            "`oxybreathe --version`",
            version_ms,
            NOW_RATIO,
        ),
        Figure(
            "peak memory, a plain-mode session",
            f"**{plain:.0f} MiB**",
            f"bare Python: {bare:.0f} MiB",
            f"≤ +{PLUS_MIB} MiB",
            plain - bare <= PLUS_MIB,
        ),
        *(
            Figure(
                f"hostile file refused: {label}",
                f"**{wall:.0f} ms, {peak:.0f} MiB**",
                f"validating box.yaml: {normal_ms:.0f} ms, {normal:.0f} MiB",
                f"≤ {HOSTILE_RATIO:g}x the time, ≤ +{PLUS_MIB} MiB",
                at_most(wall, normal_ms, HOSTILE_RATIO) and peak - normal <= PLUS_MIB,
            )
            for label, (peak, wall) in hostile.items()
        ),
    ]
