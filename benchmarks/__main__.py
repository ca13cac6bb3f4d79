"""Measure every figure beside its reference, print one table, and exit 1 if any is over budget.

python -m benchmarks                  # everything, in under 5 minutes
python -m benchmarks --minutes 10     # a longer cue timing run
python -m benchmarks --only screens   # one group (docs/performance.md says what each means)
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import oxybreathe
from benchmarks.figures import Figure, exit_status, over_budget, table

try:
    from benchmarks import ROOT, cue_timing, screens, sound, startup
except ModuleNotFoundError as missing:  # pyte, miniaudio: the test and audio extras
    sys.exit(f"python -m benchmarks needs {missing.name}: pip install -e '.[test,audio]'")


def main(argv: list[str] | None = None) -> int:
    groups: dict[str, Callable[[], list[Figure]]] = {
        "cues": lambda: cue_timing.figures(cue_timing.measure(args.minutes), args.minutes),
        "screens": lambda: screens.figures(runs=16, seconds=30),
        "startup": lambda: startup.figures(runs=15),
        "sound": sound.onset_figures,
        "chimes": lambda: sound.chime_figures(runs=5),
        "speech": lambda: sound.speech_figures(runs=3),
    }
    parser = argparse.ArgumentParser("python -m benchmarks", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--minutes", type=float, default=2.0, help="cue timing length")
    parser.add_argument("--only", choices=list(groups), help="one group of figures")
    args = parser.parse_args(argv)
    if args.minutes < 1:
        parser.error("--minutes must be at least 1 (drift compares the first and last minute)")
    # Byte-compiled, as `pip install` does, so start-up is measured as users get it (this
    # machine sets PYTHONDONTWRITEBYTECODE, which would make every start compile again).
    compileall.compile_dir(Path(oxybreathe.__file__).parent, quiet=1)
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    print(
        f"oxybreathe benchmarks, {time.strftime('%Y-%m-%d %H:%M %Z')}, commit {commit or '?'}, "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load {' '.join(f'{load:.2f}' for load in os.getloadavg())}",
        flush=True,
    )
    figures: list[Figure] = []
    for name, measure in groups.items():
        if args.only in (None, name):
            started = time.monotonic()
            print(f"{name}...", end=" ", flush=True)
            figures += measure()
            print(f"{time.monotonic() - started:.0f} s", flush=True)
    print()
    print(table(figures))
    if over := over_budget(figures):
        print(f"\nOver budget: {'; '.join(figure.name for figure in over)}")
    return exit_status(figures)


if __name__ == "__main__":
    sys.exit(main())
