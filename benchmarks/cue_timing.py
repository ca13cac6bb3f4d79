"""Cue timing of plain mode, measured from outside, beside a bare deadline loop in the same run.

Nine runners play the same cues at once, each cue line stamped as it can be read, each on an
instant of its own: two each of plain mode without chimes and its reference, a bare deadline
loop; two each of plain mode with a chime every phase and its reference, the bare loop with a
bare miniaudio device playing the tick; and a naive sleep loop.
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
from benchmarks.sound_onset import DEVICE
from oxybreathe.audio_backends import PERIOD_MS
from oxybreathe.core import sounds
from oxybreathe.core.loader import load_session
from oxybreathe.core.model import Sound
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

# The bare loop with a bare miniaudio device open (benchmarks/sound_onset.py): each cue's line,
# then its tick, as plain mode with a chime does. The reference for that runner.
BARE_CHIMED = (
    DEVICE
    + f"""\
start, offsets = float(sys.argv[2]), json.loads(sys.argv[3])
asked = []
device = open_device(lambda: bool(asked) and asked.pop(), {PERIOD_MS})
for offset in offsets:
    time.sleep(max(0.0, start + offset - time.monotonic()))
    print("{TOKEN}", flush=True)
    asked.append(True)
time.sleep(0.3)
device.close()
"""
)

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
# Two runners of each kind, their cues pooled: a 99th percentile of 600 cues rests on the six
# latest, not on three, so one burst of the machine's other work does not decide it.
KINDS, COPIES = ("chimed", "plain", "bare", "bare chimed"), 2
NAMES = {
    "plain": "oxybreathe --plain",
    "chimed": "oxybreathe --plain, a chime every phase",
    "bare": "bare deadline loop",
    "bare chimed": "bare deadline loop with a bare miniaudio device",
    "naive": "naive sleep loop",
}
REFERENCES = {"plain": "bare", "chimed": "bare chimed"}  # each of ours beside its own


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
        delays.append(first[0] - started if first else 0.0)
    return statistics.median(delays)


def measure(minutes: float, phase: float = PHASE_SECONDS) -> dict[str, Timing]:
    """Play `minutes` of cues in every runner at once; the timings of each kind (NAMES), its
    copies pooled."""
    with tempfile.TemporaryDirectory(prefix="oxybreathe-bench-") as name:
        folder = Path(name)
        quiet, chimed = folder / "quiet.yaml", folder / "chimed.yaml"
        for path, sound in ((quiet, "none"), (chimed, "tick")):
            path.write_text(SESSION.replace("PHASE", f"{phase:g}").replace("SOUND", sound), "utf-8")
        env = {**os.environ, **homes(folder), **alsa_file(folder / "asound.conf", PACE)}
        offsets = [cue.start for cue in lay_out(load_session(quiet), minutes).cues]
        run = [sys.executable, "-m", "oxybreathe", "run"]
        tick = str(sounds.path_of(Sound(builtin="tick")))

        def ours(kind: str, length: float) -> list[str]:
            """The command of oxybreathe's runner of `kind`, playing `length` minutes."""
            path, more = (quiet, ["--no-chimes"]) if kind == "plain" else (chimed, [])
            return [*run, str(path), "--plain", "--no-checkin", "--minutes", f"{length:g}", *more]

        delays = {kind: _delay(ours(kind, 0.05), env) for kind in ("plain", "chimed")}
        lines: dict[str, list[list[float]]] = {kind: [[] for _ in range(COPIES)] for kind in KINDS}
        lines["naive"] = [[]]
        stamper = Stamper()
        stamper.start(ours("chimed", minutes), lines["chimed"][0], env)
        _until_first(lines["chimed"][0], 30)
        if not lines["chimed"][0]:
            stamper.wait(terminate=True)
            raise RuntimeError("`oxybreathe run --plain` printed no cue in 30 s")
        # The first chimed runner's cues fall on zero, every other runner's on an instant of
        # its own, spread over the phase, from a whole phase late enough for all to start.
        zero = lines["chimed"][0][0]
        later = zero + math.ceil((max(delays.values()) + 0.5) / phase) * phase
        runners = [(kind, copy) for copy in range(COPIES) for kind in KINDS][1:]
        starts = []
        for slot, (kind, copy) in enumerate(runners, start=1):
            at = later + slot / (len(runners) + 1) * phase
            if kind in (scripts := {"bare": [BARE], "bare chimed": [BARE_CHIMED, tick]}):
                command = [sys.executable, "-c", *scripts[kind], str(at), json.dumps(offsets)]
                starts.append((0.0, command, lines[kind][copy]))  # it waits for `at` itself
            else:
                starts.append((at - delays[kind], ours(kind, minutes), lines[kind][copy]))
        # The naive loop starts halfway between two runners and falls behind from there
        # (60-110 ms over the default 2.5 minutes).
        naive_at = str(later + phase / (len(runners) + 1) / 2)
        naive = [sys.executable, "-c", NAIVE, naive_at, json.dumps([phase] * len(offsets))]
        starts.append((0.0, naive, lines["naive"][0]))
        for start_at, command, out in sorted(starts, key=lambda start: start[0]):
            time.sleep(max(0.0, start_at - time.monotonic()))
            stamper.start(command, out, env)
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
    """The cue-timing rows of each of oxybreathe's kinds: error beside its reference's, the
    latest cue, and drift beside the naive loop's."""
    naive, rows = timings["naive"], []
    naive_first, naive_last = naive.minute_median(False), naive.minute_median(True)
    for kind, against in REFERENCES.items():
        if kind not in timings:
            continue
        timing, reference = timings[kind], timings[against]
        label = timing.name.removeprefix("oxybreathe ")
        median, p99 = statistics.median(timing.errors), percentile(timing.errors, 99)
        bare_median, bare_p99 = (
            statistics.median(reference.errors),
            percentile(reference.errors, 99),
        )
        first, last = timing.minute_median(last=False), timing.minute_median(last=True)
        rows += [
            Figure(
                f"cue error, {label}, {len(timing.errors)} cues ({COPIES} runners) in "
                f"{minutes:g} min: median / 99th percentile",
                f"**{median:.2f} / {p99:.2f} ms**",
                f"{reference.name}: {bare_median:.2f} / {bare_p99:.2f} ms",
                f"each ≤ {FACTOR:g}x the bare loop's + {PLUS_MS:g} ms",
                at_most(median, bare_median, FACTOR, PLUS_MS)
                and at_most(p99, bare_p99, FACTOR, PLUS_MS),
            ),
            Figure(
                f"latest cue, {label}",
                f"**{max(timing.errors):.2f} ms**",
                f"{reference.name}: {max(reference.errors):.2f} ms; "
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
