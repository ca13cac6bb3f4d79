"""Steal time: when the hypervisor ran something else on this virtual machine's CPUs.

On a shared VM a process can miss a deadline by 10-20 ms because the host did not run the
virtual CPU at all, whatever the process does; the bare deadline loop shows it too. The kernel
counts that time as "steal" in /proc/stat (in clock ticks, 10 ms). `StealClock` samples the
count on a thread per CPU, in a process of its own, while a benchmark runs, so a late cue can be
checked against it: a cue over budget with steal recorded during it is the machine's; one
without counts as ours.

    with StealClock() as steal:
        ...                       # run the thing measured
    steal.stolen_ms(due, seen)    # steal recorded while that cue was due
"""

from __future__ import annotations

import bisect
import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO

# Steal is added to /proc/stat when the stolen CPU next runs its tick (StealClock wakes every CPU
# every 10 ms for that); a cue's window reaches a little past the moment it was seen so that the
# count has arrived by then.
BEFORE_SECONDS = 0.010
AFTER_SECONDS = 0.030
HELD_SECONDS = 0.001  # a sampler wake later than this is kept, for StealClock.held_ms


def with_steal(count: int, worst: float, unstolen: float, digits: int = 2) -> str:
    """What the events in steal time add to a maximum, when they add anything."""
    if worst <= unstolen:
        return ""
    return f" (max {worst:.{digits}f} ms with the {count} during steal time)"


def read_steal(source: Path = Path("/proc/stat")) -> int | None:
    """The machine's steal time so far, in clock ticks; None where the kernel does not say."""
    try:
        with source.open(encoding="ascii") as lines:
            fields = lines.readline().split()
    except OSError:
        return None
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    try:
        return int(fields[8])  # cpu user nice system idle iowait irq softirq steal ...
    except ValueError:
        return None


def _cpus() -> list[int | None]:
    """The CPUs a thread can be pinned to, or [None] where threads cannot be pinned."""
    try:
        cpus: list[int | None] = [*sorted(os.sched_getaffinity(0))]
    except (AttributeError, OSError):
        return [None]
    return cpus


class StealClock:
    """Samples the steal count every `interval` seconds, keeping each change.

    The sampling runs in a process of its own (`_Sampler`, this file run as a script), so that
    its threads never hold the interpreter lock that the benchmark's own timestamps need: a
    sampler thread holding it while the host or another process took its CPU would hold up the
    stamping of a cue, and that wait would count as the cue's error.
    """

    def __init__(self, interval: float = 0.010, source: Path = Path("/proc/stat")) -> None:
        self.interval = interval
        self.source = source
        self.tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
        self.times: list[float] = []
        self.counts: list[int] = []
        # Per CPU, each sampler wake that came more than HELD_SECONDS late: (due, seconds late).
        self.held: dict[int, list[tuple[float, float]]] = {}
        self.started = self.ended = 0.0
        self._process: subprocess.Popen[str] | None = None
        self.available = read_steal(source) is not None

    def __enter__(self) -> StealClock:
        self.started = time.monotonic()
        if self.available:
            self._keep(time.monotonic(), read_steal(self.source))
            self._process = subprocess.Popen(
                [sys.executable, __file__, repr(self.interval), str(self.source)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._process is not None:
            samples, _ = self._process.communicate()  # closing its input stops it
            for line in samples.splitlines():
                what, *fields = line.split()
                if what == "count":
                    self._keep(float(fields[0]), int(fields[1]))
                elif what == "cpu":
                    self.held.setdefault(int(fields[0]), [])
                elif what == "held":
                    due, late = float(fields[1]), float(fields[2])
                    self.held.setdefault(int(fields[0]), []).append((due, late))
        if self.available:
            self._keep(time.monotonic(), read_steal(self.source))
        self.ended = time.monotonic()

    def _keep(self, at: float, count: int | None) -> None:
        """Keep a sample if the count moved on (times stay in order; each change is kept once)."""
        if count is not None and (not self.counts or count > self.counts[-1]):
            self.times.append(at)
            self.counts.append(count)

    def stolen_ms(self, start: float, end: float) -> float:
        """Steal recorded from `start` to `end` (time.monotonic()), widened by the margins above."""
        if not self.times:
            return 0.0
        first = bisect.bisect_right(self.times, start - BEFORE_SECONDS)
        last = bisect.bisect_right(self.times, end + AFTER_SECONDS)
        if last == 0 or first >= last:
            return 0.0
        before = self.counts[first - 1] if first > 0 else self.counts[0]
        return (self.counts[last - 1] - before) * self.tick_ms

    def held_ms(self, start: float, end: float) -> tuple[float, float]:
        """How long every CPU at once, and the most held CPU, were kept from running a sampler
        near `start`-`end` (ms).

        Each CPU's sampler thread wakes every `interval`; a wake that comes late means that CPU
        ran nothing of ours in the meantime (the host took it, or other work held it). For each
        CPU, take how late its most delayed wake was among those due from `interval` before
        `start` to `end` (a wake delayed before the window opened still counts: this is a rough
        guide). The least of these, over the CPUs, is a few milliseconds when no CPU of the
        machine was free; the most is how long the most held CPU was. A diagnostic for the
        printout; the budget never leaves out a cue for it.
        """
        if not self.held:
            return 0.0, 0.0
        per_cpu = []
        for wakes in self.held.values():
            dues = [due for due, _ in wakes]
            first = bisect.bisect_left(dues, start - self.interval)
            last = bisect.bisect_right(dues, end)
            per_cpu.append(max((late for _, late in wakes[first:last]), default=0.0) * 1000)
        return min(per_cpu), max(per_cpu)

    def total_ms(self) -> float:
        """All the steal recorded while the clock ran."""
        return (self.counts[-1] - self.counts[0]) * self.tick_ms if self.counts else 0.0

    def share(self) -> float:
        """Steal as a share of the time the clock ran, per CPU (0.01 is 1 %)."""
        seconds = self.ended - self.started
        cpus = os.cpu_count() or 1
        return self.total_ms() / 1000 / seconds / cpus if seconds > 0 else 0.0


class _Sampler:
    """The sampling process: one thread per CPU, each pinned to its CPU.

    The kernel adds a CPU's steal at that CPU's next tick, and an idle CPU has none (NO_HZ)
    until something wakes it, which could be long after the theft. Waking each CPU every
    `interval` keeps its count at most that late.
    """

    def __init__(self, interval: float, source: Path) -> None:
        self.interval = interval
        self.source = source
        self.samples: list[tuple[float, int]] = []
        self.held: list[tuple[int, float, float]] = []  # (cpu, due, seconds late)
        self.cpus = _cpus()
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def run_until_input_ends(self, stream: IO[str]) -> None:
        """Sample until `stream` ends (the benchmark closes it when the run is over)."""
        threads = [threading.Thread(target=self._sample, args=(cpu,)) for cpu in self.cpus]
        for thread in threads:
            thread.start()
        stream.read()
        self._stop.set()
        for thread in threads:
            thread.join()

    def _sample(self, cpu: int | None) -> None:
        if cpu is not None:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(0, {cpu})  # on Linux, 0 is the calling thread
        next_at = time.monotonic()
        while not self._stop.is_set():
            late = time.monotonic() - next_at
            with self._lock:  # samples stay in time order across the threads
                if late > HELD_SECONDS:
                    self.held.append((-1 if cpu is None else cpu, next_at, late))
                count = read_steal(self.source)
                if count is not None and (not self.samples or count > self.samples[-1][1]):
                    self.samples.append((time.monotonic(), count))
            next_at += self.interval
            self._stop.wait(max(0.0, next_at - time.monotonic()))


if __name__ == "__main__":
    sampler = _Sampler(float(sys.argv[1]), Path(sys.argv[2]))
    sampler.run_until_input_ends(sys.stdin)
    lines = [f"cpu {-1 if cpu is None else cpu}\n" for cpu in sampler.cpus]
    lines += [f"count {at!r} {count}\n" for at, count in sampler.samples]
    lines += [f"held {cpu} {due!r} {late!r}\n" for cpu, due, late in sampler.held]
    sys.stdout.write("".join(lines))
