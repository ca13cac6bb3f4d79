"""Run every benchmark and print its figures beside their references and budgets.

    python -m benchmarks                 # the full set: a 10-minute cue timing run, then the TUI
    python -m benchmarks --minutes 1     # a quicker cue timing run

Results for docs/performance.md. Run on an idle machine: these are real-time measurements.
"""

from __future__ import annotations

import argparse
import compileall
import platform
import sys
import time
from pathlib import Path

from benchmarks import chimes, cue_timing, startup, tui
from benchmarks.figures import table


def compile_package() -> None:
    """Byte-compile oxybreathe, as `pip install` does, so start-up is measured as users see it."""
    import oxybreathe

    compileall.compile_dir(Path(oxybreathe.__file__).parent, quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="cue timing session length")
    parser.add_argument("--cpu-seconds", type=float, default=30.0)
    parser.add_argument("--paint-runs", type=int, default=25)
    parser.add_argument("--runs", type=int, default=15, help="CLI start-up runs")
    cue_timing.add_save_option(parser)
    args = parser.parse_args(argv)
    compile_package()
    print(
        f"oxybreathe benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, Python "
        f"{platform.python_version()}, {platform.machine()}, {platform.processor() or ''}"
    )
    print(f"cue timing ({args.minutes:g} min)...", flush=True)
    timings = cue_timing.measure(args.minutes, 1.0)
    print(cue_timing.HEADER)
    for timing in timings:
        print(timing.row(), flush=True)
    if args.save:
        cue_timing.save(timings, args.save)
    figures = cue_timing.figures(timings, args.minutes)
    print("TUI: CPU, first paint, phase change...", flush=True)
    figures += tui.figures(args.cpu_seconds, args.paint_runs)
    print("CLI start-up and peak memory...", flush=True)
    figures += startup.figures(args.runs)
    print("Preparing the largest chime...", flush=True)
    figures += chimes.figures(5)
    print()
    print(table(figures))
    over = [figure.name for figure in figures if figure.within is False]
    if over:
        print(f"\nOver budget (a bug): {'; '.join(over)}")
    note = cue_timing.machine_note(timings)
    if note:
        print(f"\n{note}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
