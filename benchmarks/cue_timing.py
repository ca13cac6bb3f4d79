"""Cue timing of plain mode, measured from outside the process, beside two references.

Runs a real `oxybreathe run SESSION --plain` in a subprocess (with and without a chime at every
phase) and timestamps each line as it arrives. The references run the same cues in the same run:
a bare deadline loop (what the machine allows any Python program) and a naive loop of
`print(); time.sleep(duration)`. Each runner is compared with the plan from the moment its
schedule started, as well as that can be seen from outside (`timing_from`). Cues during which
the host took a CPU away (steal time, benchmarks/steal.py) are shown but not counted against
the budget.

    python -m benchmarks.cue_timing --minutes 10 [--save cues.json]
"""

from __future__ import annotations

import argparse
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
from typing import IO

from benchmarks.figures import Figure
from benchmarks.steal import StealClock, with_steal
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

# What this machine allows any Python program: the same deadlines, from the start, in ten lines.
# When it misses by as much as oxybreathe, the machine was not idle.
BARE = """\
import sys, time, json
start = time.monotonic()
for offset in json.loads(sys.argv[1]):
    time.sleep(max(0.0, start + offset - time.monotonic()))
    print("cue", flush=True)
"""


BUDGET_MS = 5.0  # the most a cue may be late on an idle machine (issue 3)


@dataclass(frozen=True)
class Timing:
    """Cue errors in milliseconds."""

    name: str
    errors: list[float]
    first_minute_max: float
    last_minute_max: float
    first_minute_median: float = 0.0
    last_minute_median: float = 0.0
    arrivals: tuple[float, ...] = ()  # when each cue's line arrived (time.monotonic())
    stolen: tuple[float, ...] = ()  # ms of steal recorded while each cue was due (steal.py)
    held: tuple[float, ...] = ()  # ms for which every CPU was held meanwhile (StealClock.held_ms)
    held_one: tuple[float, ...] = ()  # ms for which the most held CPU was held meanwhile

    @property
    def median(self) -> float:
        return statistics.median(self.errors)

    @property
    def worst(self) -> float:
        return max(self.errors)

    @property
    def over_2ms(self) -> int:
        return sum(error > 2.0 for error in self.errors)

    def _steal(self, index: int) -> float:
        return _at(self.stolen, index)

    @property
    def worst_unstolen(self) -> float:
        """The worst cue among those during which the host took no CPU time (no steal)."""
        return max((e for i, e in enumerate(self.errors) if self._steal(i) == 0.0), default=0.0)

    @property
    def in_steal(self) -> int:
        """Cues with steal recorded while they were due."""
        return sum(self._steal(i) > 0.0 for i in range(len(self.errors)))

    def worst_cues(self, zero: float, count: int = 3) -> str:
        """The `count` worst cues, with their times from `zero` and any steal during them."""
        order = sorted(range(len(self.errors)), key=lambda i: -self.errors[i])[:count]
        return ", ".join(
            f"{self.errors[i]:.2f} ms at {self.arrivals[i] - zero:.1f} s" + self._why(i)
            for i in order
        )

    def _why(self, index: int) -> str:
        """What the machine did while a cue was due: steal, and CPUs held (all, or the most)."""
        notes = []
        if self._steal(index):
            notes.append(f"steal {self._steal(index):.0f} ms")
        held, one = _at(self.held, index), _at(self.held_one, index)
        if held >= 1.0:
            notes.append(f"every CPU held {held:.1f} ms")
        elif one >= 1.0:
            notes.append(f"a CPU held {one:.1f} ms")
        return f" ({', '.join(notes)})" if notes else ""

    def row(self) -> str:
        return (
            f"{self.name:<24} {len(self.errors):>6} {self.median:>10.2f} {self.worst:>10.2f}"
            f" {self.over_2ms:>8} {self.first_minute_max:>12.2f} {self.last_minute_max:>12.2f}"
            f" {self.in_steal:>8} {self.worst_unstolen:>12.2f}"
        )


def _at(values: tuple[float, ...], index: int) -> float:
    """A per-cue figure, or 0 where it was not recorded."""
    return values[index] if index < len(values) else 0.0


class Stamper:
    """Stamps every line of several subprocesses on one thread, the moment it can be read.

    One thread waiting on all the pipes at once: with a thread per pipe, lines arriving together
    could make the readers queue for the interpreter lock, and that wait counted as cue error.
    """

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.processes: list[subprocess.Popen[bytes]] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.lock = threading.Lock()
        self.started = False

    def start(self, command: list[str], out: list[float], env: dict[str, str]) -> float:
        """Start `command`; stamp each of its lines into `out`. Returns when it was started."""
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        started = time.monotonic()
        assert process.stdout is not None
        os.set_blocking(process.stdout.fileno(), False)
        with self.lock:
            self.selector.register(process.stdout, selectors.EVENT_READ, out)
            self.processes.append(process)
        if not self.started:
            self.started = True
            self.thread.start()
        return started

    def _read(self) -> None:
        pending: dict[int, bytes] = {}
        while True:
            with self.lock:
                if not self.selector.get_map():
                    return
            for key, _events in self.selector.select(timeout=0.05):
                stamp = time.monotonic()
                stream = key.fileobj
                assert not isinstance(stream, int)
                data = os.read(stream.fileno(), 65536)
                if not data:
                    with self.lock:
                        self.selector.unregister(stream)
                    continue
                text = pending.get(key.fd, b"") + data
                lines = text.split(b"\n")
                pending[key.fd] = lines.pop()
                key.data.extend([stamp] * len(lines))

    def wait(self) -> None:
        for process in self.processes:
            process.wait()
        self.thread.join(timeout=5)


def timing_from(
    name: str, arrivals: list[float], offsets: list[float], steal: StealClock | None = None
) -> Timing:
    """Each cue's lateness: its arrival against its planned offset from the schedule's start.

    The start itself happens inside the runner, unseen. No cue can come before its deadline, so
    the cue that arrived soonest after its offset marks the start best, and every error is then
    how much later than that cue a cue came. (Aligning on the first cue instead, as until
    2026-11-21, turned a first cue held up by a busy machine into every other cue looking early
    by as much: a 5.3 ms error on all 600 cues of one runner.)
    """
    count = min(len(arrivals), len(offsets))
    base = min(arrivals[i] - offsets[i] for i in range(count))
    errors = [((arrivals[i] - base) - offsets[i]) * 1000 for i in range(count)]
    windows = [(base + offsets[i], arrivals[i]) for i in range(count)]
    stolen = tuple(steal.stolen_ms(*window) if steal else 0.0 for window in windows)
    held_pairs = [steal.held_ms(*window) if steal else (0.0, 0.0) for window in windows]
    first = [e for e, o in zip(errors, offsets, strict=False) if o < 60] or [0.0]
    last_start = offsets[count - 1] - 60
    last = [e for e, o in zip(errors, offsets, strict=False) if o >= last_start] or [0.0]
    return Timing(
        name,
        errors,
        max(first),
        max(last),
        statistics.median(first),
        statistics.median(last),
        tuple(arrivals[:count]),
        stolen,
        tuple(every for every, _ in held_pairs),
        tuple(one for _, one in held_pairs),
    )


def _first_cue_delay(
    command: list[str], env: dict[str, str], header: int = 1, runs: int = 3
) -> float:
    """Seconds from starting `command` to its first cue line, after `header` lines (median of a
    few short runs)."""
    delays = []
    for _ in range(runs):
        stamper = Stamper()
        lines: list[float] = []
        started = stamper.start(command, lines, env)
        deadline = time.monotonic() + 10
        while len(lines) <= header and time.monotonic() < deadline:
            time.sleep(0.001)
        for process in stamper.processes:
            process.terminate()
        stamper.wait()
        if len(lines) > header:
            delays.append(lines[header] - started)
    return statistics.median(delays) if delays else 0.0


def _start_at(
    stamper: Stamper, at: float, command: list[str], out: list[float], env: dict[str, str]
) -> None:
    """Start `command` at `at` on time.monotonic()."""
    time.sleep(max(0.0, at - time.monotonic()))
    stamper.start(command, out, env)


def measure(minutes: float, phase: float) -> list[Timing]:
    """Run plain mode without chimes, with a chime at every phase, the bare deadline loop and
    the naive loop in one run; return the four timings.

    The runners that keep deadlines play a quarter of a phase apart (chimed, bare, plain), so
    that their cues (and the chime worker's playback) never fall on the same instant: on two
    cores, processes waking at once measure each other's scheduling rather than themselves.
    """
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
            "XDG_DATA_HOME": folder,
        }
        base = [sys.executable, "-m", "oxybreathe", "run"]
        tail = ["--plain", "--no-checkin", "--minutes"]
        quiet_command = [*base, str(quiet), *tail, str(minutes), "--no-chimes"]
        bare_command = [sys.executable, "-c", BARE, json.dumps(offsets)]
        quiet_delay = _first_cue_delay([*base, str(quiet), *tail, "0.1", "--no-chimes"], env)
        bare_delay = _first_cue_delay([sys.executable, "-c", BARE, "[0, 60]"], env, header=0)
        quiet_lines: list[float] = []
        chimed_lines: list[float] = []
        bare_lines: list[float] = []
        naive_lines: list[float] = []
        with StealClock() as steal:
            stamper = Stamper()
            stamper.start([*base, str(chimed), *tail, str(minutes)], chimed_lines, env)
            while len(chimed_lines) < 2:  # its header, then its first cue
                time.sleep(0.001)
            zero = chimed_lines[1]
            later = zero + math.ceil(max(quiet_delay, bare_delay) / phase + 0.5) * phase
            _start_at(stamper, later + phase / 4 - bare_delay, bare_command, bare_lines, env)
            _start_at(stamper, later + phase / 2 - quiet_delay, quiet_command, quiet_lines, env)
            stamper.start(
                [sys.executable, "-c", NAIVE, json.dumps([c.duration for c in laid.cues])],
                naive_lines,
                env,
            )
            stamper.wait()
    quiet_timing = timing_from("oxybreathe --plain", quiet_lines[1:], offsets, steal)  # no header
    chimed_timing = timing_from("  with a chime every phase", chimed_lines[1:], offsets, steal)
    bare_timing = timing_from("bare deadline loop", bare_lines, offsets, steal)
    timings = [
        quiet_timing,
        chimed_timing,
        bare_timing,
        timing_from("naive sleep loop", naive_lines, offsets, steal),
    ]

    def apart(timing: Timing) -> float:
        return ((timing.arrivals[0] - zero) % phase) / phase

    print(
        f"(first cues at {apart(chimed_timing):.2f}, {apart(bare_timing):.2f} and "
        f"{apart(quiet_timing):.2f} of a phase) (chimed, bare, plain)"
    )
    for timing in timings[:3]:
        print(f"  worst cues of {timing.name.strip()}: {timing.worst_cues(zero)}")
    print(steal_line(steal))
    return timings


def steal_line(steal: StealClock) -> str:
    """How much CPU time the host took from this VM during the run."""
    if not steal.available:
        return "(steal time: not reported by this kernel; every cue counts)"
    return (
        f"(steal time, CPU the host gave to others: {steal.total_ms() / 1000:.1f} s in "
        f"{steal.ended - steal.started:.0f} s, {steal.share():.2%} of each CPU)"
    )


HEADER = (
    f"{'runner':<24} {'cues':>6} {'median ms':>10} {'max ms':>10} {'> 2 ms':>8} "
    f"{'1st min max':>12} {'last min max':>12} {'in steal':>8} {'max no steal':>12}"
)


def figures(timings: list[Timing], minutes: float) -> list[Figure]:
    """The cue-timing rows of the benchmark table."""
    plain, chimed, bare, naive = timings
    result = []
    for label, timing in (("plain mode", plain), ("plain mode, a chime every phase", chimed)):
        result.append(
            Figure(
                f"cue error, {minutes:g}-min session, {label}: median / max without steal",
                f"**{timing.median:.2f} / {timing.worst_unstolen:.2f} ms**"
                + with_steal(timing.in_steal, timing.worst, timing.worst_unstolen),
                f"bare deadline loop: {bare.median:.2f} / {bare.worst_unstolen:.2f} ms"
                + with_steal(bare.in_steal, bare.worst, bare.worst_unstolen)
                + f"; naive sleep loop: {naive.median:.0f} / {naive.worst:.0f} ms",
                f"max ≤ {BUDGET_MS:g} ms, idle machine (cues in steal time: shown, not counted)",
                timing.worst_unstolen <= BUDGET_MS,
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


def machine_note(timings: list[Timing]) -> str | None:
    """A line saying the machine was not idle, when the bare deadline loop missed too."""
    bare = timings[2]
    if bare.worst_unstolen <= BUDGET_MS:
        return None
    return (
        f"The bare deadline loop, ten lines of Python in the same run, missed a cue by "
        f"{bare.worst_unstolen:.2f} ms with no steal time recorded ({bare.over_2ms} cues over "
        "2 ms): something else was running on this machine. Re-run on an idle machine before "
        "calling a cue figure over budget a regression."
    )


def add_save_option(parser: argparse.ArgumentParser) -> None:
    """`--save FILE`, opened when the arguments are read: a path that cannot be written is
    refused in one line before the run, not after ten minutes of it."""
    parser.add_argument(
        "--save",
        type=argparse.FileType("w", encoding="utf-8"),
        metavar="FILE",
        help="write every cue of every runner to this JSON file",
    )


def save(timings: list[Timing], out: IO[str]) -> None:
    """Every cue of every runner: when its line arrived (time.monotonic()), its error, the
    steal during it and how long every CPU, and the most held CPU, were held then, for a closer
    look than the table gives."""
    runners = {
        timing.name.strip(): {
            "arrivals": timing.arrivals,
            "errors_ms": timing.errors,
            "steal_ms": timing.stolen,
            "every_cpu_held_ms": timing.held,
            "most_held_cpu_ms": timing.held_one,
        }
        for timing in timings
    }
    with out:
        json.dump(runners, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--phase", type=float, default=1.0, help="seconds per phase")
    add_save_option(parser)
    args = parser.parse_args(argv)
    print(f"Cue timing over {args.minutes:g} min, {args.phase:g} s phases")
    timings = measure(args.minutes, args.phase)
    print(HEADER)
    for timing in timings:
        print(timing.row(), flush=True)
    if args.save:
        save(timings, args.save)
    note = machine_note(timings)
    if note:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
