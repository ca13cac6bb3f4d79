"""Signals to the full-screen app, on a real pseudo-terminal: the terminal is always restored."""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

from tests.conftest import LEAVE_ALTERNATE_SCREEN, SHOW_CURSOR, read_until, run_cli


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_mid_session_restores_the_terminal_and_keeps_the_session(signum):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    before = termios.tcgetattr(slave)
    process = subprocess.Popen(
        [sys.executable, "-m", "oxybreathe", "run", "box", "--no-chimes"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    try:
        assert b"Stress now?" in read_until(master, b"Stress now?", timeout=30)
        os.write(master, b"7")
        assert b"Craving now?" in read_until(master, b"Craving now?", timeout=10)
        os.write(master, b"6")
        drawn = read_until(master, b"Sit comfortably", timeout=10)
        assert b"Sit comfortably" in drawn, "the app never drew the session"
        read_until(master, b"\xff-never-", timeout=1.5)  # breathe a little
        process.send_signal(signum)
        rest = read_until(master, b"\xff-never-", timeout=10, process=process)
        assert process.wait(timeout=10) == 128 + signum
        assert LEAVE_ALTERNATE_SCREEN in rest and SHOW_CURSOR in rest
        assert termios.tcgetattr(slave)[3] == before[3]  # echo and line mode are back
        rows = run_cli("history", "--csv").stdout.splitlines()
        assert len(rows) == 2
        started, session, planned, actual, completed, *ratings, _journal, _during = rows[1].split(
            ","
        )
        assert (session, completed, ratings) == ("box", "0", ["7", "", "6", ""])
        assert 1 <= int(actual) < int(planned)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
        os.close(slave)


F_SETPIPE_SZ = 1031  # Linux: set a pipe's capacity


def test_sigterm_ends_plain_mode_at_once_while_its_reader_has_stopped_reading(tmp_path):
    # A pipe that nobody reads fills, and each write then waits: SIGTERM must still end the
    # session at once (the "Stopped after" line cannot wait either), kept as stopped.
    cue = "x" * 1009  # each cue's line is 1024 bytes: four fill the 4096-byte pipe exactly
    path = tmp_path / "wordy.yaml"
    phase = "{phase: %s, seconds: 0.5, cue: " + cue + "}"
    path.write_text(
        f"name: Wordy\nsteps:\n  - breathe: [{phase % 'inhale'}, {phase % 'exhale'}]\n"
        "    cycles: 100\n"
    )
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, F_SETPIPE_SZ, 4096)
    process = subprocess.Popen(
        [sys.executable, "-m", "oxybreathe", "run", str(path), "--plain", "--no-chimes"],
        stdin=subprocess.DEVNULL,
        stdout=write_end,
        stderr=subprocess.PIPE,
    )
    os.close(write_end)
    try:
        time.sleep(4)  # a few cues fill the pipe; the next write waits
        os.set_blocking(read_end, False)
        assert os.read(read_end, 65536).startswith(b"Wordy")
        time.sleep(2.5)  # the pipe is full again, to the byte: even a short line would wait
        process.send_signal(signal.SIGTERM)
        began = time.monotonic()
        assert process.wait(timeout=10) == 128 + signal.SIGTERM
        assert time.monotonic() - began < 2
    finally:
        if process.poll() is None:
            process.kill()
        os.close(read_end)
    assert process.stderr is not None and b"Traceback" not in process.stderr.read()
    [row] = run_cli("history", "--csv").stdout.splitlines()[1:]
    assert row.split(",")[4] == "0"
