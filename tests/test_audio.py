"""Real sound: the worker plays through ALSA into a capture file, with no sound card needed.

ALSA's `file` plugin writes every sample played to a file. Each chime opens the device anew, so
the plugin pipes to `cat >>`, which appends raw 16-bit PCM: the whole session's sound, in order.
Each sound is then found in the capture byte for byte, scaled by the volume as the player scales
it. With no such config and no card, opening the device fails: that is the no-device test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oxybreathe.core import locations, sounds
from oxybreathe.core import memory as memories
from oxybreathe.core.memory import Memory
from oxybreathe.core.model import Sound
from oxybreathe.ui.screens.session import SessionScreen
from oxybreathe.ui.widgets.line import Line
from tests.conftest import FakeClock, box_app, run_cli, top, write_wav

ALSA_CONF = "/usr/share/alsa/alsa.conf"


@pytest.fixture
def capture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Send all sound played by this test's processes to a raw PCM file; return its path."""
    raw = tmp_path / "capture.raw"
    config = tmp_path / "asound.conf"
    config.write_text(
        f'pcm.!default {{ type file; slave.pcm "null"; file "|cat >> {raw}"; format "raw" }}\n'
    )
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"{ALSA_CONF}:{config}")
    return raw


@pytest.fixture
def no_device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ALSA setup whose default device does not exist, as on a machine with no sound card."""
    config = tmp_path / "nodevice.conf"
    config.write_text("pcm.!default { type hw; card 7; device 0 }\n")
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"{ALSA_CONF}:{config}")


def played(sound: Sound | Path, volume: int) -> bytes:
    """The exact bytes the player sends to the device for a sound at a volume."""
    path = sound if isinstance(sound, Path) else sounds.path_of(sound)
    return sounds.scaled(sounds.decode(path), volume)


def wait_for(path: Path, size: int, timeout: float = 15.0) -> bytes:
    """The capture, once it holds at least `size` bytes (the worker may still be writing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size >= size:
            time.sleep(0.2)
            return path.read_bytes()
        time.sleep(0.05)
    return path.read_bytes() if path.exists() else b""


def test_a_session_plays_its_start_phase_and_end_sounds(write, capture):
    path = write("""
        name: Chimed
        chimes: {start: bell, inhale: rise, exhale: fall, end: tick}
        steps:
          - breathe: [inhale: 1, exhale: 1]
            cycles: 2
    """)
    result = run_cli("run", str(path), "--plain", "--volume", "100")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # sound works: no notice
    expected = [played(Sound(builtin=n), 100) for n in ("bell", "fall", "rise", "fall", "tick")]
    captured = wait_for(capture, sum(map(len, expected)))
    position = 0
    for chunk in expected:  # each sound, whole and in order (the start bell replaces cue 1's)
        found = captured.find(chunk, position)
        assert found >= 0, "a chime is missing from what was played"
        position = found + len(chunk)


def test_volume_scales_what_is_played(write, capture):
    path = write("name: Soft\nchimes: {start: tick, end: none}\nsteps: [{say: hi, seconds: 0.5}]\n")
    assert run_cli("run", str(path), "--plain", "--volume", "40").returncode == 0
    quiet = played(Sound(builtin="tick"), 40)
    captured = wait_for(capture, len(quiet))
    assert quiet in captured and played(Sound(builtin="tick"), 100) not in captured


def test_a_users_own_wav_plays(write, capture, tmp_path):
    own = write_wav(tmp_path / "mine.wav", frequency=700.0)
    path = write(
        "name: Mine\nchimes: {start: mine.wav, end: none}\nsteps: [{say: hi, seconds: 1}]\n"
    )
    assert run_cli("run", str(path), "--plain", "--volume", "100").returncode == 0
    assert played(own, 100) in wait_for(capture, len(played(own, 100)))


def test_no_chimes_plays_nothing(write, capture):
    path = write("name: Quiet\nsteps: [{say: hi, seconds: 0.5}]\n")
    result = run_cli("run", str(path), "--plain", "--no-chimes")
    assert result.returncode == 0 and result.stderr == ""
    time.sleep(0.5)
    assert not capture.exists() or capture.stat().st_size == 0


def test_plain_mode_keeps_the_apps_chimes_toggle_unless_the_settings_file_says(write, capture):
    memories.save(
        Memory(preferences={"chimes": False})
    )  # `c` on the app's home screen turned them off
    path = write("name: Quiet\nsteps: [{say: hi, seconds: 0.5}]\n")
    result = run_cli("run", str(path), "--plain", "--volume", "100")
    assert result.returncode == 0 and result.stderr == ""
    time.sleep(0.5)
    assert not capture.exists() or capture.stat().st_size == 0
    settings = locations.settings_file()
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("chimes: true\n", encoding="utf-8")  # the file wins over the toggle
    assert run_cli("run", str(path), "--plain", "--volume", "100").returncode == 0
    bell = played(Sound(builtin="bell"), 100)
    assert bell in wait_for(capture, len(bell))


def test_without_a_device_the_session_runs_silently_with_one_notice(write, no_device):
    path = write("name: Quiet\nsteps:\n  - breathe: [inhale: 0.5, exhale: 0.5]\n    cycles: 1\n")
    result = run_cli("run", str(path), "--plain")
    assert result.returncode == 0
    assert result.stdout.splitlines()[:3] == ["Quiet (1 s)", "Inhale 0.5 s", "Exhale 0.5 s"]
    (notice,) = result.stderr.splitlines()
    assert notice.startswith("Sound is off: no working sound device was found")
    assert "ALSA" not in result.stdout + result.stderr  # libasound's own lines went to the log


def test_without_simpleaudio_the_session_runs_silently_with_one_notice(write, tmp_path):
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "simpleaudio.py").write_text("raise ImportError('not installed')\n")
    path = write("name: Quiet\nsteps: [{say: hi, seconds: 0.5}]\n")
    result = run_cli("run", str(path), "--plain", env={"PYTHONPATH": str(hide)})
    assert result.returncode == 0
    (notice,) = result.stderr.splitlines()
    assert "simpleaudio is not installed" in notice and "oxybreathe[audio]" in notice


def test_a_crashing_player_never_takes_the_session_down(write, tmp_path):
    crash = tmp_path / "crash"
    crash.mkdir()
    (crash / "simpleaudio.py").write_text(
        "import os\ndef play_buffer(*a):\n    os.abort()\n"  # like a segfault in the C code
    )
    path = write("name: Quiet\nsteps: [{say: hi, seconds: 0.5}]\n")
    result = run_cli("run", str(path), "--plain", env={"PYTHONPATH": str(crash)})
    assert result.returncode == 0
    assert result.stdout.splitlines()[1] == "hi"
    assert "Sound is off" in result.stderr


async def test_the_app_plays_mutes_and_changes_volume(capture):

    clock = FakeClock()
    app = box_app(clock, chimes=True, volume=100)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(100):  # the worker loads the sounds before the first cue
            await pilot.pause(0.05)
            if top(app, SessionScreen).engine.started:
                break
        screen = top(app, SessionScreen)
        assert screen.query_one("#sound", Line).text == "sound 100%"
        await pilot.press("minus", "minus")
        assert screen.query_one("#sound", Line).text == "sound 80%"
        await pilot.press("c")
        assert screen.query_one("#sound", Line).text == "muted"
        await pilot.press("c")
        deadline = screen.engine.next_deadline()
        assert deadline is not None
        clock.now = deadline
        screen.sync()  # the first inhale: box breathes in to a rising tone
        await pilot.pause(0.3)
    bell, rise = played(Sound(builtin="bell"), 100), played(Sound(builtin="rise"), 80)
    captured = wait_for(capture, len(bell) + len(rise))
    assert bell in captured and rise in captured
    assert app.prefs.volume == 80 and memories.load().preferences == {"volume": 80}


def test_a_crash_in_the_worker_process_is_contained(tmp_path):
    """The worker is its own process: killing it mid-session leaves the app running."""
    from oxybreathe.audio import Player
    from oxybreathe.core.loader import load_session
    from oxybreathe.core.plan import lay_out
    from tests.conftest import SESSIONS

    chimes = Player(lay_out(load_session(SESSIONS / "box.yaml"), 3))
    chimes.wait_ready()
    assert chimes._process is not None
    os.kill(chimes._process.pid, 9)
    chimes._process.wait()
    deadline = time.monotonic() + 5
    while chimes.state != "unavailable" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert chimes.state == "unavailable"
    chimes.play(Sound(builtin="bell"))  # no error, no wait
    chimes.close()


def test_the_worker_never_writes_to_the_terminal(write, no_device, tmp_path):
    path = write("name: Quiet\nsteps: [{say: hi, seconds: 0.3}]\n")
    process = subprocess.run(
        [sys.executable, "-m", "oxybreathe", "run", str(path), "--plain"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    log = Path(os.environ["XDG_STATE_HOME"]) / "oxybreathe" / "audio.log"
    assert "ALSA" in log.read_text() or "sound device" in log.read_text()
    assert "ALSA lib" not in process.stderr


def test_closing_the_player_is_not_reported_as_a_failure(capture):
    from oxybreathe.audio import Player
    from oxybreathe.core.loader import load_session
    from oxybreathe.core.plan import lay_out
    from tests.conftest import SESSIONS

    chimes = Player(lay_out(load_session(SESSIONS / "box.yaml"), 3))
    chimes.wait_ready()
    assert chimes.state == "on"  # sound works (into the capture)
    chimes.close(linger=5)
    time.sleep(0.3)  # let the listener see the worker's end
    assert chimes.notice is None


def test_the_worker_drops_a_chime_asked_for_too_late_and_plays_a_timely_one(capture):
    """A chime that waited (behind a slow load, say) past the lateness limit is not played."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "oxybreathe.audio_worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdin is not None and worker.stdout is not None
    paths = {name: str(sounds.path_of(Sound(builtin=name))) for name in ("tick", "bell")}

    def send(message: dict[str, object]) -> None:
        assert worker.stdin is not None
        worker.stdin.write(json.dumps(message) + "\n")
        worker.stdin.flush()

    send({"load": paths, "volume": 100})
    assert json.loads(worker.stdout.readline()) == {"ready": True}
    send({"play": "tick", "at": time.monotonic() - 5})  # asked for 5 s ago
    for volume in (10, 90, 30, 60):  # a run of volume keys, then a chime on time
        send({"volume": volume})
    send({"play": "bell", "at": time.monotonic()})
    send({"quit": True})
    worker.stdin.close()
    assert worker.wait(timeout=30) == 0
    bell = played(Sound(builtin="bell"), 60)
    captured = wait_for(capture, len(bell))
    assert bell in captured
    for volume in (100, 10, 90, 30, 60):
        assert played(Sound(builtin="tick"), volume) not in captured
