"""Plain mode: in-process with a fake clock, and as a real subprocess for signals and pipes."""

from __future__ import annotations

import gc
import io
import os
import signal
import subprocess
import sys
import time

import pytest

from oxybreathe.core.flow import SessionFlow
from oxybreathe.core.helplines import GENERAL, lookup, one_line
from oxybreathe.core.history import FILENAME, Recorder, Store
from oxybreathe.core.loader import load_session, parse_session
from oxybreathe.core.plan import lay_out
from oxybreathe.plain import run_plain
from tests.conftest import SESSIONS, FakeClock, run_cli, start_run


class StampedOutput(io.StringIO):
    """Records the fake clock's time at each flush, as a listener would see lines arrive."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self.stamps: list[tuple[float, str]] = []

    def flush(self) -> None:
        lines = self.getvalue().splitlines()
        if len(lines) > len(self.stamps):
            self.stamps.append((self.clock(), lines[-1]))


def play(session_plan, clock=None):
    clock = clock or FakeClock()
    out = StampedOutput(clock)

    def sleep(seconds: float) -> None:
        clock.advance(seconds)

    status = run_plain(SessionFlow(session_plan, clock=clock), out=out, sleep=sleep)
    return status, out


def test_no_full_garbage_collection_walks_the_startup_heap_during_a_session():
    # Everything alive at the first cue is frozen (collected once first), so a collection in
    # the middle of a session walks only what the session allocates; the end hands it back.
    session_plan = lay_out(load_session(SESSIONS / "sigh.yaml"), minutes=1)
    clock = FakeClock()
    frozen_while_playing: list[int] = []

    def sleep(seconds: float) -> None:
        frozen_while_playing.append(gc.get_freeze_count())
        clock.advance(seconds)

    assert gc.get_freeze_count() == 0
    assert run_plain(SessionFlow(session_plan, clock=clock), out=io.StringIO(), sleep=sleep) == 0
    assert frozen_while_playing and min(frozen_while_playing) > 1000
    assert gc.get_freeze_count() == 0

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    flow = SessionFlow(session_plan, clock=clock)
    assert run_plain(flow, out=io.StringIO(), sleep=interrupt) == 130
    assert gc.get_freeze_count() == 0  # stopped early: handed back too


def test_one_line_per_cue_at_the_moment_it_starts():
    session_plan = lay_out(load_session(SESSIONS / "sigh.yaml"), minutes=1)
    start = 1000.0
    status, out = play(session_plan, FakeClock(start))
    assert status == 0
    lines = [line for _, line in out.stamps]
    assert lines[0] == "Cyclic sighing (1 min 3 s)"
    assert lines[1].startswith("Caution: Keep it gentle")  # before the first cue
    cue_lines = lines[2 : 2 + len(session_plan.cues)]
    assert cue_lines[0] == "Sit or lie comfortably. Let your face and shoulders soften."
    assert cue_lines[1] == "Inhale 2 s. In through the nose"
    assert cue_lines[2] == "Inhale 1 s. Sip in a little more"
    assert cue_lines[3] == "Exhale 6 s. Long, slow sigh out through the mouth"
    for (stamp, _), cue in zip(out.stamps[2:], session_plan.cues, strict=False):
        assert stamp == pytest.approx(start + cue.start)
    assert lines[2 + len(session_plan.cues)] == "Finished: 1 min 3 s."
    assert lines[-1] == f"Not medical care. {one_line(GENERAL)}"
    assert any(line.startswith("Source: ") for line in lines)


def test_the_step_text_comes_with_the_first_phase_only():
    session_plan = lay_out(load_session(SESSIONS / "box.yaml"), minutes=1)
    _, out = play(session_plan)
    lines = out.getvalue().splitlines()
    assert lines[3] == "Inhale 4 s. Follow the square, side by side."
    assert lines[4] == "Hold 4 s"
    assert lines[7] == "Inhale 4 s"


def test_control_characters_and_markup_are_printed_safely():
    session = parse_session(
        'name: "\\e]0;owned\\aEvil\\e[2J"\n'
        "steps:\n"
        '  - say: "[red]x[/red] and [/] \\e]52;c;ZXZpbA==\\a copy"\n'
        "    seconds: 2\n"
        '  - breathe: [{phase: inhale, seconds: 1, cue: "\\x9b31mred"}, exhale: 1]\n'
        "    cycles: 1\n"
    )
    _, out = play(lay_out(session))
    text = out.getvalue()
    assert not any(ch in text for ch in "\x1b\x07\x9b")
    lines = text.splitlines()
    assert lines[0] == "]0;ownedEvil[2J (4 s)"
    assert lines[1] == "[red]x[/red] and [/] ]52;c;ZXZpbA== copy"
    assert lines[2] == "Inhale 1 s. 31mred"


def test_closing_uses_the_sessions_own_text():
    session = parse_session(
        "name: x\nclosing: You showed up today.\nsteps: [{say: hi, seconds: 1}]\n"
    )
    _, out = play(lay_out(session))
    lines = out.getvalue().splitlines()
    assert "You showed up today." in lines and not any(x.startswith("Source") for x in lines)


def _wait_for_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    return process.stdout.readline()


@pytest.mark.parametrize(
    ("signum", "status"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGHUP, 129)],
)
def test_a_signal_stops_cleanly_with_one_line(signum, status):
    process = start_run(
        ["box", "--plain", "--minutes", "5", "--no-chimes"], stdin=subprocess.DEVNULL
    )
    assert _wait_for_line(process).startswith("Box breathing")
    assert _wait_for_line(process).startswith("Caution: ")
    assert _wait_for_line(process).startswith("Sit comfortably")
    process.send_signal(signum)
    out, err = process.communicate(timeout=30)
    assert process.returncode == status, err
    *_, stopped, help_line = out.strip().splitlines()
    assert stopped.startswith("Stopped after ")
    assert help_line == one_line(
        lookup(None, os.environ)
    )  # stopped early: the help line, whatever stopped it
    assert "Traceback" not in err and err == ""
    [header, row] = run_cli("history", "--csv").stdout.splitlines()
    assert row.split(",")[1:] == ["box", "306", row.split(",")[3], "0", "", "", "", "", "", ""]


def test_check_ins_on_a_terminal_are_asked_recorded_and_shown(write):
    path = write("name: Quick\nsteps:\n  - breathe: [inhale: 0.5, exhale: 0.5]\n    cycles: 1\n")
    master, slave = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "oxybreathe", "run", str(path), "--plain", "--no-chimes"],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # A wrong answer is asked again; then the journal line, with a control character.
        for answer in ("7", "eleven", "6", "4", "", "slept badly,\x1b[2J then better"):
            os.write(master, answer.encode() + b"\n")
        out, err = process.communicate(timeout=30)
    finally:
        os.close(master)
        os.close(slave)
    assert process.returncode == 0, err
    assert "Please type a whole number from 0 to 10, or press Enter to skip." in out
    assert "Stress 7 to 4." in out and "Craving 6 to" not in out  # craving after was skipped
    [row] = run_cli("history", "--csv").stdout.splitlines()[1:]
    assert row.split(",")[1:] == [
        "session",
        "1",
        "1",
        "1",
        "7",
        "4",
        "6",
        "",
        '"slept badly',
        '[2J then better"',
        "",
    ]


def test_a_pipe_gets_no_escape_sequences_and_stdin_is_never_read():
    # stdin is a pipe that is never written or closed: plain mode must not wait on it.
    read_end, write_end = os.pipe()
    try:
        process = start_run(["grounding", "--plain", "--no-chimes"], stdin=read_end)
        assert _wait_for_line(process).startswith("Grounding 5-4-3-2-1 (2 min 25 s)")
        line = _wait_for_line(process)
        assert line.startswith("Let's come back to this room")
        assert "\x1b" not in line
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
        assert process.returncode == 130
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_short_real_session_runs_to_the_end_on_time(write):
    path = write("name: Quick\nsteps:\n  - breathe: [inhale: 0.5, exhale: 0.5]\n    cycles: 2\n")
    started = time.monotonic()
    process = start_run([str(path), "--plain", "--no-chimes"], stdin=subprocess.DEVNULL)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    lines = out.splitlines()
    assert lines[:5] == [
        "Quick (2 s)",
        "Inhale 0.5 s",
        "Exhale 0.5 s",
        "Inhale 0.5 s",
        "Exhale 0.5 s",
    ]
    assert lines[5] == "Finished: 2 s."
    assert time.monotonic() - started >= 2.0


def test_interval_bells_are_printed_when_they_ring():
    session = parse_session(
        "name: Sit\nchimes: {interval: chime, every: 60}\nsteps:\n  - say: Sit quietly.\n"
        "    seconds: 150\n"
    )
    session_plan = lay_out(session)
    start = 50.0
    status, out = play(session_plan, FakeClock(start))
    assert status == 0
    stamped = [(when - start, line) for when, line in out.stamps]
    assert stamped[1:4] == [
        (0.0, "Sit quietly."),
        (60.0, "Bell (1 min in)"),
        (120.0, "Bell (2 min in)"),
    ]
    assert stamped[4][1] == "Finished: 2 min 30 s."


class FailingOutput(io.StringIO):
    """An output that fails from its `fail_at`th line on, as a full disk or a closed pipe does."""

    def __init__(self, fail_at: int, error: OSError) -> None:
        super().__init__()
        self.fail_at = fail_at
        self.error = error

    def write(self, text: str) -> int:
        if self.getvalue().count("\n") + 1 >= self.fail_at:
            raise self.error
        return super().write(text)


@pytest.mark.parametrize(
    ("error", "status"),
    [(BrokenPipeError(32, "Broken pipe"), 141), (OSError(28, "No space left on device"), 1)],
)
def test_an_output_that_fails_mid_session_stops_it_and_keeps_the_time_breathed(
    error, status, tmp_path, capsys
):
    session_plan = lay_out(load_session(SESSIONS / "box.yaml"), minutes=1)
    clock = FakeClock(100.0)
    out = FailingOutput(fail_at=6, error=error)  # title, caution, prompt, inhale, hold: then not

    recorder = Recorder(tmp_path)
    result = run_plain(
        SessionFlow(session_plan, recorder=recorder, clock=clock), out=out, sleep=clock.advance
    )
    assert result == status
    recorder.close()  # its writes done before the file is read (else a race with its thread)
    assert out.getvalue().splitlines()[-1] == "Hold 4 s"
    why = "was closed by its reader" if status == 141 else "failed (the disk is full)"
    assert capsys.readouterr().err == (
        f"oxybreathe: the session stopped after 16 s: the output {why}.\n"
    )
    [row] = Store(tmp_path / FILENAME).rows()
    assert (row.completed, row.actual_seconds) == (False, 16)


def test_an_output_that_fails_before_the_first_cue_records_no_session(tmp_path, capsys):
    session_plan = lay_out(load_session(SESSIONS / "box.yaml"), minutes=1)
    clock = FakeClock()
    out = FailingOutput(fail_at=1, error=OSError(28, "No space left on device"))
    recorder = Recorder(tmp_path)
    assert (
        run_plain(
            SessionFlow(session_plan, recorder=recorder, clock=clock), out=out, sleep=clock.advance
        )
        == 1
    )
    recorder.close()
    assert "cannot write the session" in capsys.readouterr().err
    assert not (tmp_path / FILENAME).exists() or Store(tmp_path / FILENAME).rows() == []
