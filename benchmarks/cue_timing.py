"""Cue timing of plain mode, measured from outside, beside a bare deadline loop in the same run.

Four runners play the same cues at once, each cue line stamped as it can be read: plain mode
without chimes and with a chime every phase, a bare deadline loop, and a naive sleep loop.
"""

from __future__ import annotations

import json
import math
import os
import selectors
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from subprocess import DEVNULL, PIPE

from benchmarks import ROOT, alsa_file, homes
from benchmarks.figures import Figure, at_most, percentile
from oxybreathe.core.loader import load_session
from oxybreathe.core.plan import lay_out

PHASE_SECONDS = 0.5  # the shortest phase a session may have: the most cues per minute
TOKEN = "bench-cue"  # every cue line holds it, whatever plain mode prints around it

SESSION = """\
name: Benchmark
chimes: {start: none, end: none, phase: SOUND}
steps:
  - breathe:
      - {phase: inhale, seconds: PHASE, cue: TOKEN}
      - {phase: exhale, seconds: PHASE, cue: TOKEN}
""".replace("TOKEN", TOKEN)

# Chimes go to ALSA's file plugin, then to /dev/null: the sound path's full work, unheard. The
# pipe is read at a sound card's pace (tests/alsa_pace.py): miniaudio's device stays open, and
# ALSA's null device alone would take endless silence as fast as it could be made.
PACE = f"{sys.executable} {ROOT / 'tests' / 'alsa_pace.py'} > /dev/null"

# The same deadlines from a given start on time.monotonic(), in a few lines of Python.
BARE = f"""\
import json, sys, time
start, offsets = float(sys.argv[1]), json.loads(sys.argv[2])
for offset in offsets:
    time.sleep(max(0.0, start + offset - time.monotonic()))
    print("{TOKEN}", flush=True)
"""

# The naive loop starts at a given moment, then sums its sleeps.
NAIVE = f"""\
import json, sys, time
time.sleep(max(0.0, float(sys.argv[1]) - time.monotonic()))
for seconds in json.loads(sys.argv[2]):
    print("{TOKEN}", flush=True)
    time.sleep(seconds)
"""

FACTOR, PLUS_MS = 1.2, 0.5  # median and 99th percentile: ≤ 1.2x the bare loop's + 0.5 ms
LATEST_MS = 20.0  # no cue later than this


@dataclass(frozen=True)
class Timing:
    """How late each cue of one runner came (ms), and when each was planned (s)."""

    name: str
    errors: tuple[float, ...]
    offsets: tuple[float, ...]

    def minute_median(self, last: bool) -> float:
        """The median error over the first (or the last) minute of cues."""
        end = self.offsets[-1]
        chosen = [
            error
            for error, offset in zip(self.errors, self.offsets, strict=True)
            if (offset >= end - 60 if last else offset < 60)
        ]
        return statistics.median(chosen)


def timing_from(name: str, arrivals: list[float], offsets: list[float]) -> Timing:
    """Each cue's lateness: no cue comes early, so the soonest after its offset marks the start
    (aligning on the first cue would make every cue after a late first one look early)."""
    count = min(len(arrivals), len(offsets))
    if count == 0:
        raise ValueError(f"{name}: no cues arrived")
    start = min(arrivals[i] - offsets[i] for i in range(count))
    errors = tuple((arrivals[i] - start - offsets[i]) * 1000 for i in range(count))
    return Timing(name, errors, tuple(offsets[:count]))


class Stamper:
    """Stamps the cue lines of several subprocesses on one thread (with a thread per pipe, lines
    arriving together could queue for the interpreter lock), the moment each can be read."""

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.processes: list[subprocess.Popen[bytes]] = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)

    def start(self, command: list[str], out: list[float], env: dict[str, str]) -> None:
        """Start `command`; append the time each of its cue lines arrives to `out`."""
        process = subprocess.Popen(command, stdin=DEVNULL, stdout=PIPE, stderr=DEVNULL, env=env)
        assert process.stdout is not None
        os.set_blocking(process.stdout.fileno(), False)
        with self.lock:
            self.selector.register(process.stdout, selectors.EVENT_READ, (out, [b""]))
            self.processes.append(process)
        if not self.thread.is_alive():
            self.thread.start()

    def _read(self) -> None:
        while True:
            with self.lock:
                if not self.selector.get_map():
                    return
            for key, _events in self.selector.select(timeout=0.05):
                stamp = time.monotonic()
                out, pending = key.data
                data = os.read(key.fd, 65536)
                if not data:
                    with self.lock:
                        self.selector.unregister(key.fileobj)
                    continue
                *lines, pending[0] = (pending[0] + data).split(b"\n")
                out.extend(stamp for line in lines if TOKEN.encode() in line)

    def wait(self, terminate: bool = False) -> None:
        for process in self.processes:
            if terminate:
                process.terminate()
        for process in self.processes:
            process.wait()
        self.thread.join(timeout=5)


def _until_first(lines: list[float], seconds: float) -> None:
    """Wait until `lines` has a stamp, or `seconds` have passed."""
    waited = time.monotonic() + seconds
    while not lines and time.monotonic() < waited:
        time.sleep(0.001)


def measure(minutes: float, phase: float = PHASE_SECONDS) -> list[Timing]:
    """Play `minutes` of cues in all four runners at once; their timings, oxybreathe first."""
    with tempfile.TemporaryDirectory(prefix="oxybreathe-bench-") as name:
        folder = Path(name)
        quiet, chimed = folder / "quiet.yaml", folder / "chimed.yaml"
        for path, sound in ((quiet, "none"), (chimed, "tick")):
            path.write_text(SESSION.replace("PHASE", f"{phase:g}").replace("SOUND", sound), "utf-8")
        env = {**os.environ, **homes(folder), **alsa_file(folder / "asound.conf", PACE)}
        offsets = [cue.start for cue in lay_out(load_session(quiet), minutes).cues]
        run = [sys.executable, "-m", "oxybreathe", "run"]
        plain = ["--plain", "--no-checkin", "--minutes"]
        delays = []  # from starting plain mode to its first cue: the median of three starts
        for _ in range(3):
            first: list[float] = []
            stamper = Stamper()
            started = time.monotonic()
            stamper.start([*run, str(quiet), *plain, "0.05", "--no-chimes"], first, env)
            _until_first(first, 20)
            stamper.wait(terminate=True)
            delays.append(first[0] - started if first else 0.0)
        delay = statistics.median(delays)
        lines: dict[str, list[float]] = {key: [] for key in ("plain", "chimed", "bare", "naive")}
        stamper = Stamper()
        stamper.start([*run, str(chimed), *plain, f"{minutes:g}"], lines["chimed"], env)
        _until_first(lines["chimed"], 30)
        if not lines["chimed"]:
            stamper.wait(terminate=True)
            raise RuntimeError("`oxybreathe run --plain` printed no cue in 30 s")
        # The chimed runner's cues fall on zero; the bare loop's a quarter of a phase after
        # them, plain mode's half a phase after, from a whole phase late enough to start. The
        # naive loop starts at five eighths and falls behind from there (60-110 ms over the
        # default 2.5 minutes), so that it never wakes with another runner: started with plain
        # mode, it drifted across the bare loop's and plain mode's instants, and their tails.
        zero = lines["chimed"][0]
        later = zero + math.ceil((delay + 0.5) / phase) * phase
        bare = [sys.executable, "-c", BARE, str(later + phase / 4), json.dumps(offsets)]
        stamper.start(bare, lines["bare"], env)
        time.sleep(max(0.0, later + phase / 2 - delay - time.monotonic()))
        quiet_run = [*run, str(quiet), *plain, f"{minutes:g}", "--no-chimes"]
        stamper.start(quiet_run, lines["plain"], env)
        naive_start = str(later + phase * 5 / 8)
        naive = [sys.executable, "-c", NAIVE, naive_start, json.dumps([phase] * len(offsets))]
        stamper.start(naive, lines["naive"], env)
        stamper.wait()
    return [
        timing_from("oxybreathe --plain", lines["plain"], offsets),
        timing_from("oxybreathe --plain, a chime every phase", lines["chimed"], offsets),
        timing_from("bare deadline loop", lines["bare"], offsets),
        timing_from("naive sleep loop", lines["naive"], offsets),
    ]


def figures(timings: list[Timing], minutes: float) -> list[Figure]:
    """The cue-timing rows: error beside the bare loop's, the latest cue, and drift."""
    *ours, bare, naive = timings
    rows = []
    bare_median, bare_p99 = statistics.median(bare.errors), percentile(bare.errors, 99)
    for timing in ours:
        label = timing.name.removeprefix("oxybreathe ")
        median, p99 = statistics.median(timing.errors), percentile(timing.errors, 99)
        first, last = timing.minute_median(last=False), timing.minute_median(last=True)
        naive_first, naive_last = naive.minute_median(False), naive.minute_median(True)
        rows += [
            Figure(
                f"cue error, {label}, {len(timing.errors)} cues in {minutes:g} min: "
                "median / 99th percentile",
                f"**{median:.2f} / {p99:.2f} ms**",
                f"bare deadline loop: {bare_median:.2f} / {bare_p99:.2f} ms",
                f"each ≤ {FACTOR:g}x the bare loop's + {PLUS_MS:g} ms",
                at_most(median, bare_median, FACTOR, PLUS_MS)
                and at_most(p99, bare_p99, FACTOR, PLUS_MS),
            ),
            Figure(
                f"latest cue, {label}",
                f"**{max(timing.errors):.2f} ms**",
                f"bare deadline loop: {max(bare.errors):.2f} ms; "
                f"naive sleep loop: {max(naive.errors):.0f} ms",
                f"≤ {LATEST_MS:g} ms",
                max(timing.errors) <= LATEST_MS,
            ),
            Figure(
                f"drift, {label}: median error in the first vs the last minute",
                f"**{first:.2f} vs {last:.2f} ms**",
                f"naive sleep loop: {naive_first:.0f} vs {naive_last:.0f} ms",
                f"last ≤ {FACTOR:g}x first + {PLUS_MS:g} ms",
                at_most(last, first, FACTOR, PLUS_MS),
            ),
        ]
    return rows
