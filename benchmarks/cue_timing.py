"""Cue timing of plain mode, measured from outside, beside a bare deadline loop in the same run.

Seven runners play the same cues at once, each cue line stamped as it can be read, each on an
instant of its own: three of plain mode, three of its reference (a bare deadline loop), and
one naive sleep loop. (Chimes are timed where they are heard, by benchmarks/sound_onset.py.)
"""

from __future__ import annotations

import json
import math
import os
import selectors
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from subprocess import DEVNULL, PIPE

from benchmarks import homes
from benchmarks.figures import Figure, at_most, percentile
from oxybreathe.core.loader import load_session
from oxybreathe.core.plan import lay_out

PHASE_SECONDS = 0.5  # the shortest phase a session may have: the most cues per minute
TOKEN = "bench-cue"  # every cue line holds it, whatever plain mode prints around it

SESSION = """\
name: Benchmark
chimes: {start: none, end: none, phase: none}
steps:
  - breathe:
      - {phase: inhale, seconds: PHASE, cue: TOKEN}
      - {phase: exhale, seconds: PHASE, cue: TOKEN}
""".replace("TOKEN", TOKEN)

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
# Three runners of each kind, their cues pooled: a 99th percentile of 720 cues rests on the seven
# latest, not on two or three, so one burst of the machine's other work decides it less often.
COPIES = 3
NAMES = {"plain": "oxybreathe --plain", "bare": "bare deadline loop", "naive": "naive sleep loop"}


@dataclass(frozen=True)
class Timing:
    """How late each cue of one runner came (ms), and when each was planned (s)."""

    name: str
    errors: tuple[float, ...]
    offsets: tuple[float, ...]

    def minute_median(self, last: bool) -> float:
        """The median error over the first (or the last) minute of cues."""
        end = max(self.offsets)
        chosen = [
            error
            for error, offset in zip(self.errors, self.offsets, strict=True)
            if (offset >= end - 60 if last else offset < 60)
        ]
        return statistics.median(chosen)


def timing_from(name: str, arrivals: list[float], offsets: list[float]) -> Timing:
    """Each cue's lateness: no cue comes early, so the soonest after its offset marks the start
    (aligning on the first cue would make every cue after a late first one look early)."""
    if len(arrivals) != len(offsets) or not offsets:  # a cue missed would pair every later one
        raise ValueError(f"{name}: {len(arrivals)} cues arrived of {len(offsets)}")
    pairs = list(zip(arrivals, offsets, strict=True))
    start = min(arrival - offset for arrival, offset in pairs)
    errors = tuple((arrival - start - offset) * 1000 for arrival, offset in pairs)
    return Timing(name, errors, tuple(offsets))


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


def _delay(command: list[str], env: dict[str, str]) -> float:
    """From starting `command` to its first cue line: the median of three starts."""
    delays = []
    for _ in range(3):
        first: list[float] = []
        stamper = Stamper()
        started = time.monotonic()
        stamper.start(command, first, env)
        _until_first(first, 20)
        stamper.wait(terminate=True)
        if not first:
            raise RuntimeError(f"no cue in 20 s from {shlex.join(command)}")
        delays.append(first[0] - started)
    return statistics.median(delays)


def in_widest_gap(instants: list[float], phase: float, share: float) -> float:
    """An instant `share` of the way into the widest gap between `instants` (within a phase)."""
    ordered = sorted(instants)
    gaps = [(b - a, a) for a, b in zip(ordered, [*ordered[1:], ordered[0] + phase], strict=True)]
    width, after = max(gaps)
    return (after + share * width) % phase


def measure(minutes: float, phase: float = PHASE_SECONDS) -> dict[str, Timing]:
    """Play `minutes` of cues in every runner at once; the timings of each kind (NAMES), its
    copies pooled."""
    with tempfile.TemporaryDirectory(prefix="oxybreathe-bench-") as name:
        folder = Path(name)
        session = folder / "cues.yaml"
        session.write_text(SESSION.replace("PHASE", f"{phase:g}"), "utf-8")
        env = {**os.environ, **homes(folder)}
        offsets = [cue.start for cue in lay_out(load_session(session), minutes).cues]

        def ours(length: float) -> list[str]:
            """oxybreathe's runner, playing `length` minutes."""
            run = [sys.executable, "-m", "oxybreathe", "run", str(session), "--plain"]
            return [*run, "--no-checkin", "--no-chimes", "--minutes", f"{length:g}"]

        delay = _delay(ours(0.05), env)
        lines: dict[str, list[list[float]]] = {
            kind: [[] for _ in range(COPIES)] for kind in ("plain", "bare")
        }
        lines["naive"] = [[]]
        stamper, zero = Stamper(), 0.0
        instants: list[float] = []  # where each runner's cues fall within a phase, after zero
        # oxybreathe's runners first, one at a time, each aimed at its share of the phase by its
        # start-up's length, measured above; where it landed is read from its first cue.
        for copy, out in enumerate(lines["plain"]):
            if instants:
                aim = zero + copy * phase / COPIES
                aim += math.ceil((time.monotonic() + delay + 0.1 - aim) / phase) * phase
                time.sleep(max(0.0, aim - delay - time.monotonic()))
            stamper.start(ours(minutes), out, env)
            _until_first(out, 30)
            if not out:
                stamper.wait(terminate=True)
                raise RuntimeError(f"no cue in 30 s from {shlex.join(ours(minutes))}")
            zero = zero or out[0]
            instants.append((out[0] - zero) % phase)
        # The scripts keep the instant they are given: the naive loop first, near the start of
        # the widest gap, which it has to itself (it falls behind from there, 50-90 ms over
        # the default 2 minutes), then each bare loop in the middle of the widest gap left.
        later = zero + math.ceil((time.monotonic() + 1.0 - zero) / phase) * phase
        naive_path = [in_widest_gap(instants, phase, share) for share in (0.9, 0.5, 0.1)]
        for script, schedule, out in [
            (NAIVE, [phase] * len(offsets), lines["naive"][0]),
            *[(BARE, offsets, bare) for bare in lines["bare"]],
        ]:
            instants += naive_path if script == NAIVE else [in_widest_gap(instants, phase, 0.5)]
            command = ["-c", script, str(later + instants[-1]), json.dumps(schedule)]
            stamper.start([sys.executable, *command], out, env)
        stamper.wait()
    return {
        kind: pooled(name, [timing_from(name, stamps, offsets) for stamps in lines[kind]])
        for kind, name in NAMES.items()
    }


def pooled(name: str, timings: list[Timing]) -> Timing:
    """Several runners' cues as one runner's."""
    errors = tuple(error for timing in timings for error in timing.errors)
    return Timing(name, errors, tuple(offset for timing in timings for offset in timing.offsets))


def figures(timings: dict[str, Timing], minutes: float) -> list[Figure]:
    """Cue error beside the bare loop's, the latest cue, and drift beside the naive loop's."""
    timing, reference, naive = timings["plain"], timings["bare"], timings["naive"]
    median, p99 = statistics.median(timing.errors), percentile(timing.errors, 99)
    bare_median, bare_p99 = statistics.median(reference.errors), percentile(reference.errors, 99)
    first, last = timing.minute_median(last=False), timing.minute_median(last=True)
    return [
        Figure(
            f"cue error, {timing.name}, {len(timing.errors)} cues ({COPIES} runners) in "
            f"{minutes:g} min: median / 99th percentile",
            f"**{median:.2f} / {p99:.2f} ms**",
            f"{reference.name}: {bare_median:.2f} / {bare_p99:.2f} ms",
            f"each ≤ {FACTOR:g}x the bare loop's + {PLUS_MS:g} ms",
            at_most(median, bare_median, FACTOR, PLUS_MS)
            and at_most(p99, bare_p99, FACTOR, PLUS_MS),
        ),
        Figure(
            f"latest cue, {timing.name}",
            f"**{max(timing.errors):.2f} ms**",
            f"{reference.name}: {max(reference.errors):.2f} ms; "
            f"{naive.name}: {max(naive.errors):.0f} ms",
            f"≤ {LATEST_MS:g} ms",
            max(timing.errors) <= LATEST_MS,
        ),
        Figure(
            f"drift, {timing.name}: median error in the first vs the last minute",
            f"**{first:.2f} vs {last:.2f} ms**",
            f"{naive.name}: {naive.minute_median(False):.0f} vs {naive.minute_median(True):.0f} ms",
            f"last ≤ {FACTOR:g}x first + {PLUS_MS:g} ms",
            at_most(last, first, FACTOR, PLUS_MS),
        ),
    ]
