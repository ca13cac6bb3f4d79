"""The benchmark's own arithmetic: steal time, and which late cues count against the budget."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from benchmarks.cue_timing import Timing, figures, machine_note, save, timing_from
from benchmarks.steal import StealClock, _Sampler, read_steal

STAT = "cpu  388973 50 65675 4471926 3739 0 1029 {steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n"


def _stat(folder: Path, steal: int) -> Path:
    path = folder / "stat"
    path.write_text(STAT.format(steal=steal), encoding="ascii")
    return path


def test_read_steal_reads_the_eighth_figure_of_the_cpu_line(tmp_path: Path) -> None:
    assert read_steal(_stat(tmp_path, 5178)) == 5178


def test_read_steal_is_none_where_the_kernel_does_not_say(tmp_path: Path) -> None:
    assert read_steal(tmp_path / "missing") is None
    short = tmp_path / "short"
    short.write_text("cpu  1 2 3 4\n", encoding="ascii")
    assert read_steal(short) is None
    other = tmp_path / "other"
    other.write_text("intr 1 2 3 4 5 6 7 8 9\n", encoding="ascii")
    assert read_steal(other) is None


def test_steal_clock_notes_the_count_at_start_and_end(tmp_path: Path) -> None:
    source = _stat(tmp_path, 100)
    clock = StealClock(interval=60.0, source=source)  # the threads sample once, at the start
    with clock:
        _stat(tmp_path, 103)
    assert clock.counts[0] == 100 and clock.counts[-1] == 103
    assert clock.total_ms() == 3 * clock.tick_ms
    assert set(clock.held) == set(os.sched_getaffinity(0))  # the sampler said which CPUs


def test_held_ms_is_how_long_every_cpu_and_the_most_held_cpu_ran_none_of_our_samplers() -> None:
    clock = StealClock(interval=0.010)
    clock.held = {0: [(10.000, 0.004), (10.500, 0.002)], 1: [(10.002, 0.006)]}
    assert clock.held_ms(10.005, 10.010) == (4.0, 6.0)  # CPU 0 held 4 ms, CPU 1 6 ms
    assert clock.held_ms(10.495, 10.500) == (0.0, 2.0)  # only CPU 0 was held then
    assert clock.held_ms(20.0, 20.1) == (0.0, 0.0)


def test_stolen_ms_counts_only_steal_that_arrived_near_the_window(tmp_path: Path) -> None:
    clock = StealClock(source=_stat(tmp_path, 0))
    clock.times = [10.0, 20.0, 20.5, 30.0]
    clock.counts = [0, 1, 3, 4]
    tick = clock.tick_ms
    assert clock.stolen_ms(19.9, 20.0) == 1 * tick  # seen at the moment the cue was
    assert clock.stolen_ms(20.0, 20.5) == 3 * tick  # both changes in the window
    assert clock.stolen_ms(20.49, 20.49) == 2 * tick  # within the margin after it
    assert clock.stolen_ms(25.0, 26.0) == 0.0
    assert clock.stolen_ms(1.0, 2.0) == 0.0  # before the first sample
    assert clock.stolen_ms(40.0, 41.0) == 0.0  # after the last


def test_the_sampler_process_keeps_each_change_until_its_input_ends(tmp_path: Path) -> None:
    sampler = _Sampler(0.001, _stat(tmp_path, 99))
    read_end, write_end = os.pipe()
    with os.fdopen(read_end) as stream:
        thread = threading.Thread(target=sampler.run_until_input_ends, args=(stream,))
        thread.start()
        for count in (100, 105, 107):
            _stat(tmp_path, count)
            deadline = time.monotonic() + 30  # waits for the sampler thread, never for a figure
            while count not in [c for _, c in sampler.samples] and time.monotonic() < deadline:
                time.sleep(0.001)
        os.close(write_end)
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert [count for _, count in sampler.samples if count >= 100] == [100, 105, 107]
    times = [at for at, _ in sampler.samples]
    assert times == sorted(times)


def test_a_late_first_cue_is_counted_late_rather_than_making_the_others_early() -> None:
    # The runner's first line was held up 5 ms; every later cue came on time.
    arrivals = [100.005, 101.0, 102.0001, 103.0]
    timing = timing_from("plain", arrivals, [0.0, 1.0, 2.0, 3.0])
    assert [round(error, 3) for error in timing.errors] == [5.0, 0.0, 0.1, 0.0]
    naive = timing_from("naive", [100.0, 101.01, 102.02], [0.0, 1.0, 2.0])  # drifting
    assert [round(error, 3) for error in naive.errors] == [0.0, 10.0, 20.0]


def _timing(name: str, errors: list[float], stolen: list[float]) -> Timing:
    return Timing(name, errors, max(errors), max(errors), stolen=tuple(stolen))


def test_a_late_cue_during_steal_is_shown_but_not_counted() -> None:
    plain = _timing("plain", [0.2, 9.0, 0.3], [0.0, 10.0, 0.0])
    bare = _timing("bare", [0.1, 0.1, 0.1], [0.0, 0.0, 0.0])
    naive = _timing("naive", [1.0, 2.0, 3.0], [0.0, 0.0, 0.0])
    assert plain.worst == 9.0 and plain.worst_unstolen == 0.3
    assert plain.in_steal == 1
    cue = figures([plain, plain, bare, naive], 10)[0]
    assert cue.within is True
    assert "9.00 ms with the 1 during steal time" in cue.ours


def test_a_late_cue_without_steal_is_over_budget() -> None:
    plain = _timing("plain", [0.2, 9.0, 0.3], [10.0, 0.0, 0.0])  # steal, but at another cue
    bare = _timing("bare", [0.1, 0.1, 0.1], [0.0, 0.0, 0.0])
    naive = _timing("naive", [1.0, 2.0, 3.0], [0.0, 0.0, 0.0])
    cue = figures([plain, plain, bare, naive], 10)[0]
    assert cue.within is False
    assert cue.ours == "**0.30 / 9.00 ms**"


def test_the_machine_note_speaks_only_of_misses_without_steal() -> None:
    naive = _timing("naive", [1.0], [0.0])
    stolen = _timing("bare", [0.1, 8.0], [0.0, 20.0])
    assert machine_note([naive, naive, stolen, naive]) is None
    busy = _timing("bare", [0.1, 8.0], [0.0, 0.0])
    note = machine_note([naive, naive, busy, naive])
    assert note is not None and "8.00 ms with no steal time" in note


def test_save_writes_every_cue_of_every_runner(tmp_path: Path) -> None:
    plain = Timing(
        "oxybreathe --plain",
        [0.2, 9.0],
        9.0,
        9.0,
        arrivals=(1.0, 2.0),
        stolen=(0, 10),
        held=(0.0, 7.5),
        held_one=(3.0, 9.0),
    )
    bare = Timing("bare deadline loop", [0.1, 0.3], 0.3, 0.3, arrivals=(1.25, 2.25))
    path = tmp_path / "cues.json"
    save([plain, bare], path.open("w", encoding="utf-8"))
    runners = json.loads(path.read_text(encoding="utf-8"))
    assert runners["oxybreathe --plain"] == {
        "arrivals": [1.0, 2.0],
        "errors_ms": [0.2, 9.0],
        "steal_ms": [0, 10],
        "every_cpu_held_ms": [0.0, 7.5],
        "most_held_cpu_ms": [3.0, 9.0],
    }
    assert (
        plain.worst_cues(zero=0.0, count=2)
        == "9.00 ms at 2.0 s (steal 10 ms, every CPU held 7.5 ms), "
        "0.20 ms at 1.0 s (a CPU held 3.0 ms)"
    )
    assert runners["bare deadline loop"]["steal_ms"] == []
