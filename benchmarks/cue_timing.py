"""Cue timing of plain mode, measured from outside, beside a bare deadline loop in the same run.

Seven runners play the same cues at once, each on an instant of its own, each cue line stamped
the moment it can be read: three of plain mode, three bare deadline loops and a naive sleep
loop. (A chime's timing is sound onset's: benchmarks/sound.py.)
"""

from __future__ import annotations

import contextlib
import json
import math
import os
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
# The references, from the start they are given on time.monotonic(): the bare loop sleeps
# until each deadline; the naive loop sums its sleeps.
BARE = f"""\
import json, sys, time
start, offsets = float(sys.argv[1]), json.loads(sys.argv[2])
for offset in offsets:
    time.sleep(max(0.0, start + offset - time.monotonic()))
    print("{TOKEN}", flush=True)
"""
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


@dataclass(frozen=True)
class Timings:
    """How late each cue came (ms), runner by runner of each kind, and when each was due (s)."""

    offsets: list[float]
    runners: dict[str, list[list[float]]]  # "plain", "bare", "naive"

    def errors(self, kind: str) -> list[float]:
        return [error for runner in self.runners[kind] for error in runner]

    def minute_median(self, kind: str, last: bool) -> float:
        """The median error of its runners' cues in the first (or the last) minute."""
        end = max(self.offsets)
        due = [(offset >= end - 60) if last else (offset < 60) for offset in self.offsets]
        pairs = (zip(run, due, strict=True) for run in self.runners[kind])
        return statistics.median(error for run in pairs for error, chosen in run if chosen)


def lateness(arrivals: list[float], offsets: list[float], runner: str = "") -> list[float]:
    """Each cue's lateness (ms). No cue comes early, so the soonest after its offset marks the
    start (aligning on the first would make every cue after a late first one look early)."""
    if len(arrivals) != len(offsets) or not offsets:  # a cue missed would pair every later one
        raise ValueError(f"{runner or 'a runner'}: {len(arrivals)} cues arrived of {len(offsets)}")
    pairs = list(zip(arrivals, offsets, strict=True))
    start = min(arrival - offset for arrival, offset in pairs)
    return [(arrival - start - offset) * 1000 for arrival, offset in pairs]


class Runner:
    """A subprocess, from `with` to its end, whose cue lines are stamped the moment each can be
    read, on a thread of its own (the runners' cues fall apart in time, so no two stamps wait
    for each other). It must end within `lasts` seconds."""

    def __init__(self, command: list[str], env: dict[str, str], lasts: float) -> None:
        self.command, self.env, self.lasts = command, env, lasts
        self.stamps: list[float] = []
        self._first = threading.Event()  # set at the first cue line, or at the end of output

    def __enter__(self) -> Runner:
        self.process = subprocess.Popen(
            self.command, stdin=DEVNULL, stdout=PIPE, stderr=DEVNULL, env=self.env
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:  # each line as soon as it has come
            if TOKEN.encode() in line:
                self.stamps.append(time.monotonic())
                self._first.set()
        self._first.set()

    def first(self, seconds: float) -> float:
        """Its first stamp, waited for up to `seconds`."""
        self._first.wait(seconds)
        if self.stamps:
            return self.stamps[0]
        status = self.process.poll()
        ended = f"it ended ({status})" if status is not None else f"none in {seconds:g} s"
        raise RuntimeError(f"no cue from {self.command!r}: {ended}")

    def __exit__(self, failed: object, *exception: object) -> None:
        """Wait for its end and its last line; it is ended if the measurement failed, or if it
        runs past `lasts`."""
        if failed:
            self.process.terminate()
        try:
            self.process.wait(timeout=None if failed else self.lasts)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait()
            raise RuntimeError(f"{self.command!r} ran past {self.lasts:g} s") from None
        finally:
            self._reader.join(timeout=5)
            assert self.process.stdout is not None
            self.process.stdout.close()


def in_widest_gap(instants: list[float], phase: float, share: float) -> float:
    """An instant `share` of the way into the widest gap between `instants` (within a phase)."""
    ordered = sorted(instants)
    gaps = [(b - a, a) for a, b in zip(ordered, [*ordered[1:], ordered[0] + phase], strict=True)]
    width, after = max(gaps)
    return (after + share * width) % phase


def measure(minutes: float, phase: float = PHASE_SECONDS) -> Timings:
    """Play `minutes` of cues in every runner at once."""
    with tempfile.TemporaryDirectory(prefix="oxybreathe-bench-") as name:
        session = Path(name) / "cues.yaml"
        session.write_text(SESSION.replace("PHASE", f"{phase:g}"), "utf-8")
        env = {**os.environ, **homes(Path(name))}
        offsets = [cue.start for cue in lay_out(load_session(session), minutes).cues]
        run = [sys.executable, "-m", "oxybreathe", "run", str(session), "--plain"]
        ours = [*run, "--no-checkin", "--no-chimes", "--minutes", f"{minutes:g}"]
        runners: dict[str, list[Runner]] = {"plain": [], "bare": [], "naive": []}
        lasts = minutes * 60 + 60  # each runner's cues, and time to start and end
        with contextlib.ExitStack() as ends:
            zero = delay = 0.0
            instants: list[float] = []  # where each runner's cues fall within a phase, after zero
            # oxybreathe's runners first, one at a time, each aimed at its share of the phase by
            # the first one's start-up; where it landed is read from its first cue.
            for copy in range(COPIES):
                if copy:
                    aim = zero + copy * phase / COPIES
                    aim += math.ceil((time.monotonic() + delay + 0.1 - aim) / phase) * phase
                    time.sleep(max(0.0, aim - delay - time.monotonic()))
                started, runner = time.monotonic(), ends.enter_context(Runner(ours, env, lasts))
                runners["plain"].append(runner)
                landed = runner.first(30)
                zero, delay = (zero, delay) if copy else (landed, landed - started)
                instants.append((landed - zero) % phase)
            # The scripts keep the instant they are given: the naive loop first, near the start of
            # the widest gap, which it has to itself (it falls behind from there, 50-90 ms over
            # 2 minutes), then each bare loop in the middle of the widest gap left.
            later = zero + math.ceil((time.monotonic() + 1.0 - zero) / phase) * phase
            naive_path = [in_widest_gap(instants, phase, share) for share in (0.9, 0.5, 0.1)]
            instants += naive_path
            scripts = [(NAIVE, naive_path[-1], [phase] * len(offsets), "naive")]
            for _ in range(COPIES):
                instants.append(in_widest_gap(instants, phase, 0.5))
                scripts.append((BARE, instants[-1], offsets, "bare"))
            for script, instant, times, kind in scripts:
                command = [sys.executable, "-c", script, str(later + instant), json.dumps(times)]
                runners[kind].append(ends.enter_context(Runner(command, env, lasts)))
    return Timings(
        offsets,
        {
            kind: [
                lateness(runner.stamps, offsets, f"{kind} runner {n + 1}")
                for n, runner in enumerate(rs)
            ]
            for kind, rs in runners.items()
        },
    )


def figures(timings: Timings, minutes: float) -> list[Figure]:
    """Cue error beside the bare loop's, the latest cue, and drift beside the naive loop's."""
    ours, bare, naive = (timings.errors(kind) for kind in ("plain", "bare", "naive"))
    median, p99 = statistics.median(ours), percentile(ours, 99)
    bare_median, bare_p99 = statistics.median(bare), percentile(bare, 99)
    first, last = (timings.minute_median("plain", last) for last in (False, True))
    naive_first, naive_last = (timings.minute_median("naive", last) for last in (False, True))
    return [
        Figure(
            f"cue error, oxybreathe --plain, {len(ours)} cues ({COPIES} runners) in "
            f"{minutes:g} min: median / 99th percentile",
            f"**{median:.2f} / {p99:.2f} ms**",
            f"bare deadline loop: {bare_median:.2f} / {bare_p99:.2f} ms",
            f"each ≤ {FACTOR:g}x the bare loop's + {PLUS_MS:g} ms",
            at_most(median, bare_median, FACTOR, PLUS_MS)
            and at_most(p99, bare_p99, FACTOR, PLUS_MS),
        ),
        Figure(
            "latest cue, oxybreathe --plain",
            f"**{max(ours):.2f} ms**",
            f"bare deadline loop: {max(bare):.2f} ms; naive sleep loop: {max(naive):.0f} ms",
            f"≤ {LATEST_MS:g} ms",
            max(ours) <= LATEST_MS,
        ),
        Figure(
            "drift, oxybreathe --plain: median error in the first vs the last minute",
            f"**{first:.2f} vs {last:.2f} ms**",
            f"naive sleep loop: {naive_first:.0f} vs {naive_last:.0f} ms",
            f"last ≤ {FACTOR:g}x first + {PLUS_MS:g} ms",
            at_most(last, first, FACTOR, PLUS_MS),
        ),
    ]
