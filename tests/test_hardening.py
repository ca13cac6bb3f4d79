"""Hostile text, a stopped process, odd terminals and an unwritable home, on real subprocesses."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from oxybreathe.core import locations
from tests.conftest import (
    LEAVE_ALTERNATE_SCREEN,
    SHOW_CURSOR,
    read_until,
    run_as_user,
    run_cli,
    start_run,
    write_protected,
)

# A title change, a screen clear and an OSC 52 clipboard write, as YAML escapes.
HOSTILE_NAME = r'"Calm \e]0;pwned\a\e[2J \e]52;c;ZXZpbA==\a"'
HOSTILE_SAY = r'"Breathe \e[31mred\e[0m \x9b6n \u202eevil"'
NEVER = (b"\x1b]0;", b"\x1b]52;", b"\x9b", b"\xc2\x9b", b"pwned\x07", "\u202e".encode())


def hostile_session(write) -> Path:
    return write(
        f"name: {HOSTILE_NAME}\n"
        f"description: {HOSTILE_SAY}\n"
        "steps:\n"
        f"  - say: {HOSTILE_SAY}\n"
        "    seconds: 30\n"
    )


def steps_session(write, count: int = 60) -> Path:
    """A session of one-second prompts `Step 1`, `Step 2`...: each line says where it is."""
    steps = "".join(f"  - say: Step {n}\n    seconds: 1\n" for n in range(1, count + 1))
    return write(f"name: Steps\nsteps:\n{steps}")


class Terminal:
    """The app on a real pseudo-terminal, 80x24."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.master, self.slave = os.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.modes = termios.tcgetattr(self.slave)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "oxybreathe", *args],
            stdin=self.slave,
            stdout=self.slave,
            stderr=self.slave,
            start_new_session=True,
            env={**os.environ, "TERM": "xterm-256color", **(env or {})},
        )
        self.seen = b""

    def read(self, wanted: bytes, timeout: float) -> bytes:
        chunk = read_until(self.master, wanted, timeout, self.process)
        self.seen += chunk
        return chunk

    def close(self, signum: int = signal.SIGTERM) -> int:
        self.process.send_signal(signum)
        self.read(b"\xff-never-", timeout=10)
        status = self.process.wait(timeout=10)
        assert LEAVE_ALTERNATE_SCREEN in self.seen and SHOW_CURSOR in self.seen
        assert termios.tcgetattr(self.slave)[3] == self.modes[3]
        return status

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)
        os.close(self.slave)


def test_escape_sequences_in_a_session_never_reach_the_terminal(write):
    path = hostile_session(write)
    with Terminal(["run", str(path), "--no-chimes", "--no-checkin"]) as terminal:
        assert b"pwned" in terminal.read(b"pwned", timeout=30)  # the text itself shows...
        terminal.read(b"Breathe", timeout=10)
        terminal.close()
    for never in NEVER:  # ...but never as a control sequence
        assert never not in terminal.seen, never


def test_escape_sequences_never_reach_plain_output_or_the_history(write):
    path = hostile_session(write)
    process = subprocess.Popen(
        [sys.executable, "-m", "oxybreathe", "run", str(path), "--plain", "--no-chimes"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    first = process.stdout.readline() + process.stdout.readline()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    everything = first + out + err + run_cli("history").stdout.encode()
    everything += run_cli("history", "--csv").stdout.encode()
    assert b"Calm ]0;pwned[2J ]52;c;ZXZpbA==" in first
    for never in (*NEVER, b"\x1b", b"\x07"):
        assert never not in everything, never


def _lines_with_times(process: subprocess.Popen[str], into: list[tuple[float, str]]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        into.append((time.monotonic(), line.strip()))


def test_sigstop_then_sigcont_resumes_at_the_right_cue_with_no_burst(write):
    path = steps_session(write)
    process = start_run([str(path), "--plain", "--no-chimes"], stdin=subprocess.DEVNULL)
    lines: list[tuple[float, str]] = []
    reader = threading.Thread(target=_lines_with_times, args=(process, lines), daemon=True)
    reader.start()
    try:
        while not any(text == "Step 3" for _, text in lines):
            assert process.poll() is None
            time.sleep(0.01)
        started = next(when for when, text in lines if text == "Step 1")
        process.send_signal(signal.SIGSTOP)
        stopped = time.monotonic()
        time.sleep(5)
        process.send_signal(signal.SIGCONT)
        resumed = time.monotonic()
        time.sleep(2.5)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
        reader.join(timeout=10)
    before = [text for when, text in lines if when < stopped]
    after = [(when, text) for when, text in lines if when >= resumed and text.startswith("Step")]
    assert len(after) >= 2
    first_when, first_text = after[0]
    due = int(first_when - started) + 1  # the step the schedule says is current
    assert abs(int(first_text.split()[1]) - due) <= 1, (first_text, due)
    # One line for the present cue, not one per missed cue.
    burst = [text for when, text in after if when - first_when < 0.5]
    assert len(burst) == 1, burst
    assert int(first_text.split()[1]) >= int(before[-1].split()[1]) + 4  # five seconds went by
    numbers = [int(text.split()[1]) for _, text in after]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # on schedule again


def test_sigstop_then_sigcont_in_the_app(write):
    path = steps_session(write)
    with Terminal(["run", str(path), "--no-chimes", "--no-checkin"]) as terminal:
        assert b"Step 2" in terminal.read(b"Step 2", timeout=30)
        started = time.monotonic() - 1.5
        terminal.process.send_signal(signal.SIGSTOP)
        time.sleep(5)
        terminal.process.send_signal(signal.SIGCONT)
        shown = terminal.read(b"\xff-never-", timeout=1.5)
        due = int(time.monotonic() - started) + 1
        steps = [int(n) for n in re.findall(rb"Step (\d+)", shown)]
        assert steps and abs(steps[-1] - due) <= 1, (steps, due)
        assert len(set(steps)) <= 3  # it jumped to the present: no replay of the missed steps
        assert terminal.close() == 128 + signal.SIGTERM
    [row] = run_cli("history", "--csv").stdout.splitlines()[1:]
    assert row.split(",")[4] == "0"  # kept, as stopped early


def test_term_dumb_falls_back_to_plain_text_with_one_note(write):
    path = steps_session(write, count=2)
    with Terminal(["run", str(path), "--no-chimes", "--no-checkin"], env={"TERM": "dumb"}) as t:
        t.read(b"Finished", timeout=30)
        assert t.process.wait(timeout=10) == 0
    text = t.seen.decode()
    assert "the app needs a terminal, but TERM=dumb says this terminal cannot draw it; " in text
    assert "using plain text." in text
    assert "Step 1" in text and "Step 2" in text and "\x1b" not in text


@pytest.fixture
def unwritable_home(tmp_path, monkeypatch) -> Path:
    """Every XDG folder under a regular file: nothing can be created there, even by root."""
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(blocker / name.lower()))
    return blocker


def test_an_unwritable_home_runs_plain_sessions_with_history_off(write, unwritable_home):
    path = steps_session(write, count=1)
    result = run_cli("run", str(path), "--plain", "--no-chimes")
    assert result.returncode == 0, result.stderr
    assert "Finished: 1 s." in result.stdout
    assert result.stderr.startswith("History is off this time: cannot create")
    assert "Traceback" not in result.stderr
    assert "No sessions recorded yet" in run_cli("history").stdout
    created = run_cli("new", "mine")
    assert created.returncode == 1 and "Traceback" not in created.stderr


def test_a_read_only_home_keeps_its_history_as_it_is_and_still_shows_it(write):
    path = steps_session(write, count=1)
    assert run_cli("run", str(path), "--plain", "--no-chimes").returncode == 0
    data = locations.data_dir()
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    with write_protected(data):
        result = run_cli("run", str(path), "--plain", "--no-chimes")
        shown = run_cli("history")
    assert result.returncode == 0 and "Finished: 1 s." in result.stdout
    assert result.stderr == (
        f"History is off this time: cannot write {data / 'history.sqlite3'}: "
        "operation not permitted.\n"
    )
    assert shown.returncode == 0, shown.stderr
    assert "Steps" in shown.stdout and "1 session under a minute is listed" in shown.stdout
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before


def test_an_unwritable_home_runs_the_app_with_one_notice(write, unwritable_home):
    path = steps_session(write)
    with Terminal(["run", str(path), "--no-checkin"]) as terminal:
        screen = terminal.read(b"History is off", timeout=30)
        assert b"History is off" in screen
        assert b"Step" in terminal.seen
        assert terminal.close() == 128 + signal.SIGTERM
    assert b"Traceback" not in terminal.seen


# Standard streams: closed, odd, or a reader that goes away ----------------------------------

QUICK = "name: Quick\nsteps:\n  - say: hello\n    seconds: 0.5\n"


def commands(write) -> list[tuple[str, ...]]:
    """Every command, the bare one too; each would write to stdout."""
    quick = str(write(QUICK, "quick.yaml"))
    return [
        ("--help",),
        ("list",),
        ("validate", quick),
        ("schema",),
        ("new", "mine"),
        ("history",),
        ("config",),
        ("run", quick, "--plain", "--no-chimes"),
        (),
    ]


def run_redirected(args: tuple[str, ...], redirect: str) -> subprocess.CompletedProcess[str]:
    """`oxybreathe ARGS` with the shell redirection `redirect` (e.g. `>&-`, `>/dev/full`)."""
    return subprocess.run(
        ["sh", "-c", f'exec "$@" {redirect}', "sh", sys.executable, "-m", "oxybreathe", *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("redirect", "why"),
    [
        (">&-", "closed"),
        (">/dev/full", "the disk is full"),
        ("1</dev/null", "not open for writing"),  # open, but for reading only
    ],
)
def test_every_command_with_an_unwritable_stdout_fails_in_one_line(write, redirect, why):
    for args in commands(write):
        result = run_redirected(args, redirect)
        lines = result.stderr.splitlines()
        assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
        assert result.returncode == 1, (args, result.stderr)
        if args or redirect == ">&-":  # the bare command first says it cannot open the app
            assert len(lines) == 1, (args, lines)
        assert lines[-1].startswith("oxybreathe: ") and why in lines[-1], (args, lines)
    # Only `new` did its work before the failure; no session was played, so none was kept.
    assert "No sessions recorded yet" in run_cli("history").stdout


@pytest.mark.parametrize("redirect", ["2>&-", "<&-", "2>/dev/full"])
def test_every_command_runs_with_stdin_or_stderr_closed_or_full(write, redirect):
    for args in commands(write):
        result = run_redirected(args, redirect)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout
        assert result.stdout, args
        if args[:1] == ("new",):
            (locations.user_sessions_dir() / "mine.yaml").unlink()
    [row] = run_cli("history", "--csv").stdout.splitlines()[1:]
    assert row.split(",")[4] == "1"  # the plain session ran, and was kept, as finished


def test_a_reader_that_goes_away_stops_the_session_at_once_and_keeps_it_as_stopped(write):
    path = steps_session(write, count=60)
    process = start_run([str(path), "--plain", "--no-chimes"], stdin=subprocess.DEVNULL)
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(3)]  # the title, Step 1 and Step 2
    assert lines[2] == "Step 2\n"
    began = time.monotonic()
    process.stdout.close()  # the reader goes away, as `| head -3` does
    status = process.wait(timeout=10)
    assert time.monotonic() - began < 0.9  # at once, not at the next cue's write
    assert status == 128 + signal.SIGPIPE
    err = process.stderr.read() if process.stderr else ""
    assert (
        err == "oxybreathe: the session stopped after 1 s: the output was closed by its reader.\n"
    )
    [row] = run_cli("history", "--csv").stdout.splitlines()[1:]
    assert row.split(",")[3:5] == ["1", "0"]  # the time breathed, and stopped, not finished


def test_the_reader_watch_sleeps_until_the_reader_goes_then_raises_at_once(tmp_path):
    from oxybreathe import streams

    reading, writing = os.pipe()
    with open(writing, "w") as out:
        wait = streams.reader_watch(out)
        assert wait is not None
        wait(0.05)  # the reader is there: it sleeps
        os.close(reading)  # the reader goes away, as `| head` does
        began = time.monotonic()
        with pytest.raises(streams.OutputFailed) as failed:
            wait(30)
        assert failed.value.gone and time.monotonic() - began < 5
    with open(tmp_path / "log", "w") as file:
        assert streams.reader_watch(file) is None  # a file's reader cannot go away


def test_head_gets_its_lines_and_the_session_ends_honestly(write):
    path = steps_session(write, count=60)
    result = subprocess.run(
        f"{sys.executable} -m oxybreathe run {path} --plain --no-chimes | head -3;"
        " echo status ${PIPESTATUS[0]}",
        shell=True,
        executable="bash",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.stdout.splitlines() == ["Steps (1 min)", "Step 1", "Step 2", "status 141"]
    assert "Traceback" not in result.stderr
    [row] = run_cli("history", "--csv").stdout.splitlines()[1:]
    assert row.split(",")[4] == "0"


# Unreadable folders and files, as an ordinary user (root reads through any mode bits) -------


def test_an_unreadable_sessions_folder_is_one_line_and_the_built_ins_still_run(user_home):
    sessions = user_home.mkdir(user_home.config / "oxybreathe" / "sessions")
    (sessions / "mine.yaml").write_text("name: Mine\nsteps: [{say: hi}]\n")
    sessions.chmod(0o000)
    listed = run_as_user(user_home, "list")
    assert listed.returncode == 0, listed.stderr
    assert "box " in listed.stdout and "Traceback" not in listed.stderr
    assert listed.stdout.splitlines()[-1] == (
        f"User sessions folder: {sessions} (cannot be read: permission denied)"
    )
    run = run_as_user(user_home, "run", "grounding", "--plain", "--minutes", "9")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.splitlines()[0] == (
        f"oxybreathe: your sessions folder {sessions}: cannot be read: permission denied"
    )
    checked = run_as_user(user_home, "validate", str(sessions))
    assert checked.stdout == f"{sessions}: cannot read this folder: permission denied\n"
    created = run_as_user(user_home, "new", "evening")
    assert created.returncode == 1
    assert created.stderr == (
        f"oxybreathe new: cannot write {sessions / 'evening.yaml'}: permission denied\n"
    )


def test_an_unreadable_session_file_and_a_read_only_folder_get_one_line_each(user_home):
    sessions = user_home.mkdir(user_home.config / "oxybreathe" / "sessions")
    secret = sessions / "secret.yaml"
    secret.write_text("name: Secret\nsteps: [{say: hi}]\n")
    user_home.own(secret)
    secret.chmod(0o000)
    sessions.chmod(0o555)
    listed = run_as_user(user_home, "list")
    assert f"{secret}:1:1: permission denied" in listed.stdout.splitlines()
    run = run_as_user(user_home, "run", "secret", "--plain")
    assert run.returncode == 2 and run.stderr == f"{secret}:1:1: permission denied\n"
    created = run_as_user(user_home, "new", "evening")
    assert created.returncode == 1
    assert created.stderr == (
        f"oxybreathe new: cannot write {sessions / 'evening.yaml'}: permission denied\n"
    )


def test_an_unreadable_settings_file_is_one_line_and_the_session_runs(user_home, write):
    folder = user_home.mkdir(user_home.config / "oxybreathe")
    settings = folder / "config.yaml"
    settings.write_text("volume: 10\n")
    user_home.own(settings)
    settings.chmod(0o000)
    quick = user_home.root / "quick.yaml"
    quick.write_text(QUICK)
    user_home.own(quick)
    shown = run_as_user(user_home, "config")
    assert shown.returncode == 1
    assert shown.stdout.splitlines()[:2] == [
        f"Settings file: {settings}",
        f"{settings}:1:1: permission denied",
    ]
    run = run_as_user(user_home, "run", str(quick), "--plain", "--no-chimes")
    assert run.returncode == 0
    assert run.stderr == f"{settings}:1:1: permission denied (using the default)\n"
