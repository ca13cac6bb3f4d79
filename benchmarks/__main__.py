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

from benchmarks import cue_timing, tui


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
    parser.add_argument("--paint-runs", type=int, default=15)
    args = parser.parse_args(argv)
    compile_package()
    print(
        f"oxybreathe benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, Python "
        f"{platform.python_version()}, {platform.machine()}, {platform.processor() or ''}"
    )
    cue_timing.main(["--minutes", str(args.minutes)])
    tui.main(["--cpu-seconds", str(args.cpu_seconds), "--paint-runs", str(args.paint_runs)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
