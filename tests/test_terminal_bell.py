"""The terminal's bell stands in for the chimes when there is no sound, if the user asks.

Plain mode runs in a real pseudo-terminal, with an ALSA setup whose device does not exist.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oxybreathe.core import locations
from oxybreathe.core.flow import SessionFlow
from oxybreathe.core.loader import load_session
from oxybreathe.core.plan import lay_out

SESSION = """\
name: Rung
chimes: {start: bell, inhale: rise, exhale: fall, end: bowl}
steps:
  - breathe: [inhale: 0.5, exhale: 0.5]
    cycles: 2
"""
ALSA_CONF = "/usr/share/alsa/alsa.conf"


def run_in_terminal(args: list[str], env: dict[str, str], timeout: float = 60) -> bytes:
    """Run oxybreathe with its stdout on a pseudo-terminal; return what it wrote there."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "oxybreathe", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
    )
    os.close(follower)
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the other end closed: the process has gone
                break
            if not chunk:
                break
            out += chunk
        elif process.poll() is not None:
            break
    os.close(leader)
    process.wait(timeout=10)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    return out


@pytest.fixture
def silent_machine(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "nodevice.conf"
    config.write_text("pcm.!default { type hw; card 7; device 0 }\n")
    return {"ALSA_CONFIG_PATH": f"{ALSA_CONF}:{config}"}


def test_with_no_device_the_bell_rings_at_each_chime_when_asked(write, silent_machine):
    path = write(SESSION)
    settings = locations.settings_file()
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("terminal_bell: true\n")
    out = run_in_terminal(["run", str(path), "--plain"], silent_machine)
    # start (on the first inhale), fall, rise, fall, and the end bowl.
    assert out.count(b"\a") == 5, out
    assert b"Inhale 0.5 s" in out


def test_without_asking_no_bell_rings(write, silent_machine):
    out = run_in_terminal(["run", str(write(SESSION)), "--plain"], silent_machine)
    assert b"\a" not in out and b"Inhale 0.5 s" in out


def test_chimes_turned_off_are_not_filled_with_bells(write, silent_machine):
    settings = locations.settings_file()
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("terminal_bell: true\n")
    out = run_in_terminal(["run", str(write(SESSION)), "--plain", "--no-chimes"], silent_machine)
    assert b"\a" not in out


def test_the_flow_rings_only_for_events_with_a_chime(write, clock):
    rung: list[float] = []
    plan = lay_out(load_session(write(SESSION)))
    flow = SessionFlow(plan, clock=clock, bell=lambda: rung.append(clock()))
    flow.begin(flow.before)
    flow.start()
    while (deadline := flow.next_deadline()) is not None:
        clock.now = deadline
        flow.poll()
    began = 1000.0  # the fake clock starts here
    assert [round(t - began, 3) for t in rung] == [0.0, 0.5, 1.0, 1.5, 2.0]
