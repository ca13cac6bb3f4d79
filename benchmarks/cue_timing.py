"""Cue timing of plain mode, measured from outside the process, beside a naive sleep loop.

Runs a real `oxybreathe run SESSION --plain` in a subprocess and timestamps each line as it
arrives. The reference runs the same cues as a loop of `print(); time.sleep(duration)` in the
same run. Both are aligned on their first cue and compared with the plan.

    python -m benchmarks.cue_timing --minutes 10
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.figures import Figure
from oxybreathe.core.loader import load_session
from oxybreathe.core.plan import plan

SESSION = """\
name: Benchmark
chimes: {{start: none, end: none, phase: {sound}}}
steps:
  - breathe: [inhale: {phase}, exhale: {phase}]
"""

# Chimes go to ALSA's file plugin writing to /dev/null: real playback work, nothing heard.
SILENT_ALSA = """pcm.!default { type file; slave.pcm "null"; file "/dev/null"; format "raw" }"""

NAIVE = """\
import sys, time, json
for seconds in json.loads(sys.argv[1]):
    print("cue", flush=True)
    time.sleep(seconds)
"""


@dataclass(frozen=True)
class Timing:
    """Cue errors in milliseconds."""

    name: str
    errors: list[float]
    first_minute_max: float
    last_minute_max: float
    first_minute_median: float = 0.0
    last_minute_median: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.errors)

    @property
    def worst(self) -> float:
        return max(self.errors)

    def row(self) -> str:
        return (
            f"{self.name:<24} {len(self.errors):>6} {self.median:>10.2f} {self.worst:>10.2f}"
            f" {self.first_minute_max:>12.2f} {self.last_minute_max:>12.2f}"
        )


def _arrivals(
    command: list[str], out: list[float], skip: int, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        stderr=subprocess.DEVNULL,
    )

    def read() -> None:
        assert process.stdout is not None
        for index, _line in enumerate(iter(process.stdout.readline, b"")):
            stamp = time.monotonic()
            if index >= skip:
                out.append(stamp)

    threading.Thread(target=read, daemon=True).start()
    return process


def _timing(name: str, arrivals: list[float], offsets: list[float]) -> Timing:
    count = min(len(arrivals), len(offsets))
    base = arrivals[0]
    errors = [abs((arrivals[i] - base) - offsets[i]) * 1000 for i in range(count)]
    first = [e for e, o in zip(errors, offsets, strict=False) if o < 60] or [0.0]
    last_start = offsets[count - 1] - 60
    last = [e for e, o in zip(errors, offsets, strict=False) if o >= last_start] or [0.0]
    return Timing(
        name, errors, max(first), max(last), statistics.median(first), statistics.median(last)
    )


def measure(minutes: float, phase: float) -> list[Timing]:
    """Run plain mode without chimes, with a chime at every phase, and the naive loop, side by
    side in one run; return the three timings."""
    with tempfile.TemporaryDirectory() as folder:
        quiet, chimed = Path(folder) / "quiet.yaml", Path(folder) / "chimed.yaml"
        quiet.write_text(SESSION.format(phase=phase, sound="none"), encoding="utf-8")
        chimed.write_text(SESSION.format(phase=phase, sound="tick"), encoding="utf-8")
        alsa = Path(folder) / "asound.conf"
        alsa.write_text(SILENT_ALSA, encoding="utf-8")
        laid = plan(load_session(quiet), minutes)
        offsets = [cue.start for cue in laid.cues]
        env = {
            **os.environ,
            "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{alsa}",
            "XDG_STATE_HOME": folder,
        }
        runs: dict[str, list[float]] = {
            "oxybreathe --plain": [],
            "  with a chime every phase": [],
            "naive sleep loop": [],
        }
        base = [sys.executable, "-m", "oxybreathe", "run"]
        tail = ["--plain", "--no-checkin", "--minutes", str(minutes)]
        processes = [
            _arrivals(
                [*base, str(quiet), *tail, "--no-chimes"],
                runs["oxybreathe --plain"],
                skip=1,
                env=env,
            ),  # skip the header line
            _arrivals(
                [*base, str(chimed), *tail], runs["  with a chime every phase"], skip=1, env=env
            ),
            _arrivals(
                [sys.executable, "-c", NAIVE, json.dumps([c.duration for c in laid.cues])],
                runs["naive sleep loop"],
                skip=0,
                env=env,
            ),
        ]
        for process in processes:
            process.wait()
        time.sleep(0.2)  # let the reader threads take the last lines
    return [_timing(name, stamps, offsets) for name, stamps in runs.items()]


HEADER = (
    f"{'runner':<24} {'cues':>6} {'median ms':>10} {'max ms':>10} "
    f"{'1st min max':>12} {'last min max':>12}"
)


def figures(timings: list[Timing], minutes: float) -> list[Figure]:
    """The cue-timing rows of the benchmark table."""
    plain, chimed, naive = timings
    result = []
    for label, timing in (("plain mode", plain), ("plain mode, a chime every phase", chimed)):
        result.append(
            Figure(
                f"cue error, {minutes:g}-min session, {label}: median / max",
                f"**{timing.median:.2f} / {timing.worst:.2f} ms**",
                f"naive sleep loop: {naive.median:.0f} / {naive.worst:.0f} ms",
                "max ≤ 5 ms",
                timing.worst <= 5.0,
            )
        )
        result.append(
            Figure(
                f"drift: cue error in the first vs the last minute (median), {label}",
                f"{timing.first_minute_median:.2f} vs {timing.last_minute_median:.2f} ms",
                f"naive: {naive.first_minute_median:.1f} vs {naive.last_minute_median:.1f} ms",
                "no drift (last ≤ first + 1 ms)",
                timing.last_minute_median <= timing.first_minute_median + 1.0,
            )
        )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--phase", type=float, default=1.0, help="seconds per phase")
    args = parser.parse_args(argv)
    print(f"Cue timing over {args.minutes:g} min, {args.phase:g} s phases")
    print(HEADER)
    for timing in measure(args.minutes, args.phase):
        print(timing.row(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
