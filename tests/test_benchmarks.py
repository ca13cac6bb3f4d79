"""The benchmarks' own arithmetic and plumbing: no timing is asserted here, only the sums.

The figures themselves come from `python -m benchmarks` (docs/performance.md).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from benchmarks.cue_timing import TOKEN, Runner, Timings, figures, in_widest_gap, lateness
from benchmarks.figures import (
    Figure,
    at_most,
    exit_status,
    over_budget,
    paired_ratio,
    percentile,
    table,
)
from benchmarks.terminal import (
    HEIGHT,
    WIDTH,
    Terminal,
    cpu_seconds,
    family,
    peak_kib,
    running,
    switches,
)
from tests.conftest import ROOT

# Cue errors (ms) of one real plain-mode run on the shared machine, 2026-12-02: mostly a
# tenth of a millisecond, with the long tail a busy machine gives.
REAL_ERRORS = [
    0.09, 0.07, 0.11, 0.08, 0.10, 0.09, 0.35, 0.08, 0.12, 0.09, 1.51, 0.07, 0.10, 0.08,
    0.09, 0.13, 0.08, 0.09, 0.47, 0.10, 0.08, 0.09, 0.11, 0.07, 0.09, 1.57, 0.10, 0.08,
]  # fmt: skip


def test_a_budget_is_a_ratio_of_the_reference_plus_an_allowance():
    assert at_most(0.60, 0.09, 1.2, 0.5)  # 0.608 allowed
    assert not at_most(0.61, 0.09, 1.2, 0.5)
    assert at_most(2.50, 5.26, 0.5) and not at_most(2.70, 5.26, 0.5)


def test_the_ratio_of_pairs_is_the_median_of_each_pairs_ratio():
    # A machine growing busier halfway: the pairs keep the ratio, the medians would not.
    pairs = [(450.0, 400.0), (460.0, 400.0), (900.0, 800.0), (880.0, 800.0), (950.0, 800.0)]
    assert paired_ratio(pairs) == pytest.approx(1.125)
    assert paired_ratio([(1.0, 0.0)]) == float("inf")


def test_the_exit_status_is_1_only_when_a_figure_is_over_budget():
    within = Figure("a", "1", "2", "≤ 1x", True)
    over = Figure("b", "3", "2", "≤ 1x", False)
    to_come = Figure("sound onset", "to come", "", "", None)
    assert exit_status([within, to_come]) == 0
    assert exit_status([within, over, to_come]) == 1
    assert over_budget([within, over, to_come]) == [over]
    assert table([within, over, to_come]).splitlines()[2:] == [
        "| a | 1 | 2 | ≤ 1x | yes |",
        "| b | 3 | 2 | ≤ 1x | **NO** |",
        "| sound onset | to come |  |  | — |",
    ]


def test_a_late_first_cue_counts_late_rather_than_making_the_others_early():
    arrivals = [100.005, 101.0, 102.0001, 103.0]  # the first line was held up 5 ms
    errors = lateness(arrivals, [0.0, 1.0, 2.0, 3.0])
    assert [round(error, 3) for error in errors] == [5.0, 0.0, 0.1, 0.0]
    naive = lateness([100.0, 101.01, 102.02], [0.0, 1.0, 2.0])  # drifting
    assert [round(error, 3) for error in naive] == [0.0, 10.0, 20.0]


def test_a_runner_that_missed_a_cue_is_refused_rather_than_paired_wrongly():
    with pytest.raises(ValueError, match="^plain runner 2: 2 cues arrived of 3$"):
        lateness([100.0, 101.0], [0.0, 1.0, 2.0], "plain runner 2")


def test_each_runner_is_given_the_middle_of_the_widest_gap_left():
    assert in_widest_gap([0.0, 0.1, 0.4], 0.5, 0.5) == pytest.approx(0.25)
    assert in_widest_gap([0.1, 0.2], 0.5, 0.9) == pytest.approx(0.06)  # across the phase's end
    assert in_widest_gap([0.3], 0.5, 0.5) == pytest.approx(0.05)


def _timings(**runners: list[list[float]]) -> Timings:
    """Runners whose cues come every 0.5 s, with these errors (ms)."""
    count = len(next(iter(runners.values()))[0])
    return Timings([i * 0.5 for i in range(count)], runners)


def test_drift_compares_the_first_minute_with_the_last():
    steady = _timings(plain=[REAL_ERRORS * 10])  # 280 cues: 140 s
    assert steady.minute_median("plain", last=False) == steady.minute_median("plain", last=True)
    drifting = _timings(naive=[[i * 0.1 for i in range(300)]])  # 0.1 ms later every cue
    assert drifting.minute_median("naive", last=False) == pytest.approx(5.95)  # cues 0-119
    assert drifting.minute_median("naive", last=True) == pytest.approx(23.9)  # cues 179-299


def test_pooled_runners_count_every_cue_of_each_and_keep_their_minutes():
    # One runner on time, one late from 50 s on, for two minutes of cues.
    timings = _timings(plain=[[0.1] * 240, [0.1] * 100 + [2.0] * 140])
    assert len(timings.errors("plain")) == 480
    assert percentile(timings.errors("plain"), 99) == 2.0
    assert timings.minute_median("plain", last=False) == 0.1
    assert timings.minute_median("plain", last=True) == pytest.approx((0.1 + 2.0) / 2)


def _verdicts(plain: list[float], bare: list[float]) -> dict[str, bool | None]:
    naive = [i * 0.1 for i in range(len(plain))]
    rows = figures(_timings(plain=[plain], bare=[bare], naive=[naive]), 2)
    return {row.name.split(",")[0]: row.within for row in rows}


def test_a_tail_the_bare_loop_shares_is_within_budget():
    tail = REAL_ERRORS * 10
    tail[::25] = [3.0] * len(tail[::25])  # a 3 ms tail: a busy machine's, on both sides
    assert _verdicts(tail, tail)["cue error"] is True
    assert _verdicts(tail, REAL_ERRORS * 10)["cue error"] is False


def test_cue_error_within_budget_beside_the_bare_loop():
    verdicts = _verdicts(REAL_ERRORS * 10, REAL_ERRORS * 10)
    assert verdicts == {"cue error": True, "latest cue": True, "drift": True}


def test_a_tail_over_the_bare_loops_is_over_budget():
    plain = REAL_ERRORS * 10
    plain[::25] = [3.0] * len(plain[::25])  # 4 % of cues 3 ms late: the 99th percentile
    assert _verdicts(plain, REAL_ERRORS * 10)["cue error"] is False


def test_one_cue_over_20_ms_is_over_budget_whatever_the_bare_loop_did():
    plain, bare = REAL_ERRORS * 10, REAL_ERRORS * 10
    plain[100], bare[50] = 20.5, 40.0
    verdicts = _verdicts(plain, bare)
    assert verdicts["latest cue"] is False and verdicts["cue error"] is True


def test_a_schedule_that_slips_is_over_the_drift_budget():
    slipping = [0.1 + i * 0.01 for i in range(280)]  # 2.8 ms late by the end
    assert _verdicts(slipping, REAL_ERRORS * 10)["drift"] is False


def test_a_runner_stamps_only_its_cue_lines_each_as_it_comes():
    lines = (
        f"import time; print('a header'); print('{TOKEN} 1'); time.sleep(0.2); print('{TOKEN} 2')"
    )
    with Runner([sys.executable, "-c", lines], dict(os.environ), lasts=20) as runner:
        first = runner.first(20)
    assert len(runner.stamps) == 2 and runner.stamps[0] == first
    assert runner.stamps[1] - runner.stamps[0] >= 0.2


def test_a_runner_is_ended_when_the_measurement_fails():
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    began = time.monotonic()
    with pytest.raises(RuntimeError, match="none in 0.3 s"), Runner(sleeper, {}, 60) as runner:
        runner.first(0.3)
    assert runner.process.returncode == -signal.SIGTERM
    assert time.monotonic() - began < 30  # not the sleeper's 60 s


def test_a_runner_that_ends_without_a_cue_says_so():
    ending = [sys.executable, "-c", "raise SystemExit(3)"]
    with pytest.raises(RuntimeError, match=r"it ended \(3\)"), Runner(ending, {}, 20) as runner:
        runner.first(20)


def test_a_runner_that_runs_past_its_length_is_ended_and_said_to():
    sleeper = [sys.executable, "-c", f"print('{TOKEN}', flush=True); import time; time.sleep(60)"]
    with pytest.raises(RuntimeError, match="ran past 0.5 s"), Runner(sleeper, {}, 0.5) as runner:
        runner.first(20)
    assert runner.process.returncode == -signal.SIGTERM


def test_proc_readings_cover_a_process_its_threads_and_its_children():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in family(os.getpid())
        before = switches(os.getpid())
        for _ in range(5):
            time.sleep(0.001)  # each sleep blocks, then wakes: a voluntary switch
        assert switches(os.getpid())[0] >= before[0] + 5
        assert cpu_seconds(os.getpid()) > 0
        assert peak_kib(os.getpid()) > 1024
    finally:
        child.kill()
        child.wait()


def test_a_terminal_is_its_programs_own_at_100x30_and_ends_with_it():
    shell = "stty size; ps -o tty= -p $$; echo Hello from a terminal; sleep 30"
    with Terminal(["sh", "-c", shell], {"TERM": "xterm", "PATH": os.defpath}) as shown:
        seen = shown.wait_for(["Hello from a terminal", f"{HEIGHT} {WIDTH}"])
        assert shown.started < seen < time.monotonic()
        assert "pts/" in shown.screen()  # its controlling terminal, as a shell gives
        assert len(shown.screen().split("\n")) == HEIGHT
        assert running(shown.pid)
    assert not running(shown.pid)


def test_a_terminal_ends_what_its_program_started(tmp_path):
    shell = f"sleep 60 & echo $! > {tmp_path / 'child'}; echo started; wait"
    with Terminal(["sh", "-c", shell], {"PATH": os.defpath}) as shown:
        shown.wait_for(["started"])
        child = int((tmp_path / "child").read_text())
    assert child and not running(child)


def test_a_terminal_reads_on_so_its_program_never_waits_for_it(tmp_path):
    done = tmp_path / "done"
    # A megabyte after the awaited text, far more than a pty holds: it ends only if read.
    shell = f"echo ready; head -c 1000000 /dev/zero | tr '\\0' x; touch {done}; sleep 30"
    with Terminal(["sh", "-c", shell], {"PATH": os.defpath}) as shown:
        shown.wait_for(["ready"])
        waited = time.monotonic() + 20
        while not done.exists() and time.monotonic() < waited:
            time.sleep(0.05)
        assert done.exists()
        assert "xxxx" in shown.screen()  # what came after is kept for the screen


def test_a_program_that_ends_before_showing_the_text_is_said_to_have_ended():
    with (
        Terminal(["sh", "-c", "echo not it"], {"PATH": os.defpath}) as shown,
        pytest.raises(EOFError, match="not it"),
    ):
        shown.wait_for(["Hello"])


def test_a_program_that_never_shows_the_text_times_out_with_its_screen():
    with (
        Terminal(["sh", "-c", "echo not it; sleep 30"], {"PATH": os.defpath}) as shown,
        pytest.raises(TimeoutError, match="(?s)never showed.*not it"),
    ):
        shown.wait_for(["Hello"], timeout=0.5)


def _benchmarks(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=240,
    )


def test_the_command_measures_sound_onset_beside_a_bare_miniaudio_call():
    # A chime and a spoken word (espeak-ng), each played by the real player into ALSA.
    result = _benchmarks("--only", "sound")
    assert result.returncode in (0, 1), result.stderr  # 1: over budget on a busy machine
    rows = [line for line in result.stdout.splitlines() if line.startswith("| sound onset")]
    assert [row.split(":")[0] for row in rows] == [
        "| sound onset (a chime)",
        "| sound onset (speech)",
    ]
    for row in rows:
        assert "not measured" not in row
        assert "**median " in row and "a bare miniaudio device started at the deadline: " in row


def test_the_command_refuses_a_cue_run_too_short_for_drift():
    result = _benchmarks("--minutes", "0.5")
    assert result.returncode == 2 and "at least 1" in result.stderr
