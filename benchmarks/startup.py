"""CLI start-up time and peak memory, each beside its reference in the same run.

    python -m benchmarks.startup --runs 15

- Start-up: wall time of `oxybreathe --version`, `oxybreathe list` and `oxybreathe validate
  sessions/`, alternating run by run with bare Python (`python -c pass`) and with Python importing
  Textual (what the quick commands must not pay for). Budget: each quick command starts faster than
  `import textual.app` alone.
- Peak memory (max RSS of the process): a session in the app (headless Textual, 3 s) beside a
  Textual hello-world (3 s); a plain-mode session beside bare Python; the hostile files (billion
  laughs, 50,000-deep nesting, a 20 MB file) beside validating a normal session. Budgets: the app
  at most 1.5x hello-world; hostile files at most 16 MiB above a normal file, each refused within
  a second.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from benchmarks.figures import Figure, table

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

# Runs `argv` and prints the child's peak RSS in KiB (Linux reports ru_maxrss in KiB).
RSS = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, "
    "stdin=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)

APP = textwrap.dedent(
    """
    import sys
    from textual.app import App
    from textual.widgets import Static

    class Hello(App):
        def compose(self):
            yield Static("Hello, world")

        def on_mount(self):
            self.set_timer(3, self.exit)

    if sys.argv[1] == "oxybreathe":
        from oxybreathe.core.loader import load_session
        from oxybreathe.core.plan import plan
        from oxybreathe.ui.app import OxybreatheApp

        class Probe(OxybreatheApp):
            def on_ready(self):
                self.set_timer(3, self.exit)

        session = load_session(__import__("pathlib").Path(sys.argv[2]))
        Probe(start=plan(session, 10), chimes=False, checkin=False).run(
            headless=True, size=(100, 30)
        )
    else:
        Hello().run(headless=True, size=(100, 30))
    """
)


def _wall(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - started) * 1000


def startup(runs: int) -> dict[str, float]:
    """Median milliseconds of each command, alternating run by run."""
    commands = {
        "python": [PYTHON, "-c", "pass"],
        "import textual": [PYTHON, "-c", "import textual.app"],
        "--version": [PYTHON, "-m", "oxybreathe", "--version"],
        "list": [PYTHON, "-m", "oxybreathe", "list"],
        "validate": [PYTHON, "-m", "oxybreathe", "validate", str(ROOT / "sessions")],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # warm the disk cache once
        _wall(argv)
    for _ in range(runs):
        for name, argv in commands.items():
            times[name].append(_wall(argv))
    return {name: statistics.median(values) for name, values in times.items()}


def peak_kib(argv: list[str]) -> tuple[int, float]:
    """The peak RSS of `argv` in KiB, and its wall time in ms."""
    started = time.perf_counter()
    out = subprocess.run([PYTHON, "-c", RSS, *argv], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()), (time.perf_counter() - started) * 1000


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
    for name, text in files.items():
        path = folder / (name.split()[0].strip(",") + ".yaml")
        path.write_text(text)
        paths[name] = path
    return paths


def figures(runs: int = 15) -> list[Figure]:
    result = []
    times = startup(runs)
    textual_ms = times["import textual"]
    for name in ("--version", "list", "validate"):
        result.append(
            Figure(
                f"CLI start-up, `oxybreathe {name}` (median of {runs})",
                f"**{times[name]:.0f} ms**",
                f"bare Python {times['python']:.0f} ms; `import textual.app` {textual_ms:.0f} ms",
                "< `import textual.app`",
                times[name] < textual_ms,
            )
        )
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        probe = folder / "app_probe.py"
        probe.write_text(APP)
        box = ROOT / "sessions" / "box.yaml"
        ours, _ = peak_kib([PYTHON, str(probe), "oxybreathe", str(box)])
        hello, _ = peak_kib([PYTHON, str(probe), "hello"])
        result.append(
            Figure(
                "peak memory, a session in the app (headless, 3 s)",
                f"**{ours / 1024:.0f} MiB**",
                f"Textual hello-world: {hello / 1024:.0f} MiB",
                "≤ 1.5x",
                ours <= 1.5 * hello,
            )
        )
        short = folder / "short.yaml"
        short.write_text(
            "name: Short\nsteps:\n  - breathe: [inhale: 1, exhale: 1]\n    cycles: 1\n"
        )
        plain, _ = peak_kib(
            [PYTHON, "-m", "oxybreathe", "run", str(short), "--plain", "--no-chimes"]
        )
        bare, _ = peak_kib([PYTHON, "-c", "pass"])
        result.append(
            Figure(
                "peak memory, a plain-mode session",
                f"**{plain / 1024:.0f} MiB**",
                f"bare Python: {bare / 1024:.0f} MiB",
                "≤ +16 MiB",
                plain - bare <= 16 * 1024,
            )
        )
        normal, _ = peak_kib([PYTHON, "-m", "oxybreathe", "validate", str(box)])
        for label, path in hostile_files(folder).items():
            peak, wall = peak_kib([PYTHON, "-m", "oxybreathe", "validate", str(path)])
            result.append(
                Figure(
                    f"hostile file refused: {label}",
                    f"**{wall:.0f} ms, {peak / 1024:.0f} MiB**",
                    f"validating box.yaml: {normal / 1024:.0f} MiB",
                    "≤ 1 s, ≤ +16 MiB",
                    wall <= 1000 and peak - normal <= 16 * 1024,
                )
            )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    print(table(figures(args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
