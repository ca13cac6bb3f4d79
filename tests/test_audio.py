"""Real sound: the worker plays through ALSA into a capture file, with no sound card needed.

ALSA's `file` plugin writes every sample played to a file. It pipes to `cat >>` (simpleaudio
opens the device anew for each chime, so each appends), or, for miniaudio, whose one device
stays open and is fed by a callback, through tests/alsa_pace.py, which reads at a sound card's
pace (ALSA's `null` device alone would take endless silence as fast as it comes). The capture is
the whole session's sound, in order. Each sound is then found in it byte for byte, scaled by the
volume as the player scales it; sounds that overlap are found by taking the one whose end is
heard alone out of the mix. With no such config and no card, opening the device fails: that is
the no-device test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import wave
from array import array
from pathlib import Path

import pytest

from benchmarks.terminal import switches  # wake-ups: voluntary context switches, all threads
from oxybreathe.audio import Player
from oxybreathe.audio_backends import ENV
from oxybreathe.core import locations, sounds
from oxybreathe.core import memory as memories
from oxybreathe.core.memory import Memory
from oxybreathe.core.model import Sound
from oxybreathe.ui.screens.session import SessionScreen
from oxybreathe.ui.widgets.line import Line
from tests.conftest import SESSIONS, FakeClock, box_app, run_cli, top, write_wav

ALSA_CONF = "/usr/share/alsa/alsa.conf"
PACE = Path(__file__).resolve().parent / "alsa_pace.py"
BACKENDS = ("miniaudio", "simpleaudio")
# Run a test on each backend (the default, when not marked, is miniaudio's).
each_backend = pytest.mark.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture(params=["miniaudio"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The backend the worker is made to use, through the environment variable."""
    name = str(request.param)
    monkeypatch.setenv(ENV, name)
    return name


@pytest.fixture
def capture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str) -> Path:
    """Send all sound played by this test's processes to a raw PCM file; return its path."""
    raw = tmp_path / "capture.raw"
    config = tmp_path / "asound.conf"
    sink = f"{sys.executable} {PACE}" if backend == "miniaudio" else "cat"
    config.write_text(
        f'pcm.!default {{ type file; slave.pcm "null"; file "|{sink} >> {raw}"; format "raw" }}\n'
    )
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"{ALSA_CONF}:{config}")
    # On a desktop, miniaudio would rather use the sound server than ALSA: make it unreachable.
    monkeypatch.setenv("PULSE_SERVER", str(tmp_path / "no-sound-server"))
    return raw


@pytest.fixture
def no_device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ALSA setup whose default device does not exist, as on a machine with no sound card."""
    config = tmp_path / "nodevice.conf"
    config.write_text("pcm.!default { type hw; card 7; device 0 }\n")
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"{ALSA_CONF}:{config}")


def stereo(frames: bytes) -> bytes:
    """Mono 16-bit frames with each sample played on both sides, as the device gets them."""
    mono = array("h", frames)
    both = array("h", bytes(4 * len(mono)))
    both[0::2] = mono
    both[1::2] = mono
    return both.tobytes()


def played(
    sound: Sound | Path,
    volume: int,
    backend: str = "miniaudio",
    *,
    voice_volume: int | None = None,
) -> bytes:
    """The exact bytes the player sends to the device for a sound at a volume (and, for a
    voice, at its share of the volume): mono becomes stereo on miniaudio's device."""
    path = sound if isinstance(sound, Path) else sounds.path_of(sound)
    longest = sounds.MAX_SECONDS if voice_volume is None else sounds.RECORDING_MAX_SECONDS
    decoded = sounds.decode(path, max_seconds=longest)
    frames = sounds.scaled(decoded, volume)
    if voice_volume is not None:
        frames = sounds.scaled(sounds.Decoded(frames, decoded.channels, decoded.rate), voice_volume)
    if backend == "miniaudio":
        assert decoded.rate == 44_100, "the tests' sounds are at the device's rate"
        return stereo(frames) if decoded.channels == 1 else frames
    return frames


def first(folder: Path) -> str:
    """A PYTHONPATH with `folder`'s modules before any others (and the code under test)."""
    return os.pathsep.join([str(folder), *filter(None, [os.environ.get("PYTHONPATH")])])


def wait_for(path: Path, *chunks: bytes, timeout: float = 30.0) -> bytes:
    """The capture, once it holds every chunk in order (or when `timeout` has passed)."""
    deadline = time.monotonic() + timeout
    captured = b""
    while time.monotonic() < deadline:
        captured = path.read_bytes() if path.exists() else b""
        if found_in_order(captured, chunks):
            return captured
        time.sleep(0.1)
    return captured


def found_in_order(captured: bytes, chunks: tuple[bytes, ...] | list[bytes]) -> bool:
    position = 0
    for chunk in chunks:
        found = captured.find(chunk, position)
        if found < 0:
            return False
        position = found + len(chunk)
    return True


def without(captured: bytes, sound: bytes, tail: int = 8_192) -> bytes:
    """What else was playing while `sound` played: the capture over `sound`'s span, `sound`
    subtracted sample by sample. Its last `tail` bytes, then silence, must be heard alone."""
    end = captured.find(sound[-tail:] + bytes(16))
    assert end >= 0, "the end of the sound is not in the capture"
    start = end + tail - len(sound)
    assert start >= 0 and start % 4 == 0, "the sound starts on a frame"
    heard = array("h", captured[start : start + len(sound)])
    rest = array("h", [mix - own for mix, own in zip(heard, array("h", sound), strict=True)])
    return rest.tobytes()


@each_backend
def test_a_session_plays_its_start_phase_and_end_sounds(write, capture, backend):
    path = write("""
        name: Chimed
        chimes: {start: tick, inhale: rise, exhale: fall, end: tick}
        steps:
          - breathe: [inhale: 1.5, exhale: 1.5]
            cycles: 2
    """)  # each chime ends before the next: each is heard alone, byte for byte
    result = run_cli("run", str(path), "--plain", "--volume", "100")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # sound works: no notice
    names = ("tick", "fall", "rise", "fall", "tick")  # the start tick replaces cue 1's rise
    expected = [played(Sound(builtin=n), 100, backend) for n in names]
    captured = wait_for(capture, *expected)
    assert found_in_order(captured, expected), "a chime is missing from what was played"


@each_backend
def test_volume_scales_what_is_played(write, capture, backend):
    path = write("name: Soft\nchimes: {start: tick, end: none}\nsteps: [{say: hi, seconds: 0.5}]\n")
    assert run_cli("run", str(path), "--plain", "--volume", "40").returncode == 0
    quiet = played(Sound(builtin="tick"), 40, backend)
    captured = wait_for(capture, quiet)
    assert quiet in captured and played(Sound(builtin="tick"), 100, backend) not in captured


@each_backend
def test_a_users_own_wav_plays(write, capture, tmp_path, backend):
    own = write_wav(tmp_path / "mine.wav", frequency=700.0)
    path = write(
        "name: Mine\nchimes: {start: mine.wav, end: none}\nsteps: [{say: hi, seconds: 1}]\n"
    )
    assert run_cli("run", str(path), "--plain", "--volume", "100").returncode == 0
    assert played(own, 100, backend) in wait_for(capture, played(own, 100, backend))


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
    path = write("name: Quiet\nchimes: {end: none}\nsteps: [{say: hi, seconds: 0.5}]\n")
    result = run_cli("run", str(path), "--plain", "--volume", "100")
    assert result.returncode == 0 and result.stderr == ""
    time.sleep(0.5)
    assert not capture.exists() or capture.stat().st_size == 0
    settings = locations.settings_file()
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("chimes: true\n", encoding="utf-8")  # the file wins over the toggle
    assert run_cli("run", str(path), "--plain", "--volume", "100").returncode == 0
    bell = played(Sound(builtin="bell"), 100)
    assert bell in wait_for(capture, bell)


@each_backend
def test_without_a_device_the_session_runs_silently_with_one_notice(write, no_device, backend):
    path = write("name: Quiet\nsteps:\n  - breathe: [inhale: 0.5, exhale: 0.5]\n    cycles: 1\n")
    result = run_cli("run", str(path), "--plain")
    assert result.returncode == 0
    assert result.stdout.splitlines()[:3] == ["Quiet (1 s)", "Inhale 0.5 s", "Exhale 0.5 s"]
    (notice,) = result.stderr.splitlines()
    assert notice.startswith("Sound is off: no working sound device was found")
    assert "ALSA" not in result.stdout + result.stderr  # libasound's own lines went to the log


@pytest.mark.parametrize("forced", ["", *BACKENDS])
def test_without_a_sound_library_the_session_runs_silently_with_one_notice(write, tmp_path, forced):
    hide = tmp_path / "hide"
    hide.mkdir()
    for name in BACKENDS:
        (hide / f"{name}.py").write_text("raise ImportError('not installed')\n")
    path = write("name: Quiet\nsteps: [{say: hi, seconds: 0.5}]\n")
    result = run_cli("run", str(path), "--plain", env={"PYTHONPATH": first(hide), ENV: forced})
    assert result.returncode == 0
    (notice,) = result.stderr.splitlines()
    if forced:  # the variable named what is missing: it says so, not "install the extra"
        assert notice.startswith("Sound is off: OXYBREATHE_AUDIO_BACKEND asks for a sound")
        return
    assert notice.startswith("Sound is off: no sound library is installed")
    assert "pip install 'oxybreathe[audio]'" in notice and "no compiler" in notice


def test_a_forced_backend_that_is_missing_is_not_replaced_by_the_other(write, tmp_path, capture):
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "simpleaudio.py").write_text("raise ImportError('not installed')\n")
    path = write("name: Quiet\nsteps: [{say: hi, seconds: 0.5}]\n")
    env = {"PYTHONPATH": first(hide), ENV: "simpleaudio"}  # miniaudio is there, but not asked for
    result = run_cli("run", str(path), "--plain", env=env)
    assert result.returncode == 0
    assert "OXYBREATHE_AUDIO_BACKEND asks for a sound library that is not installed" in (
        result.stderr
    )


@each_backend
def test_a_crashing_player_never_takes_the_session_down(write, tmp_path, backend):
    crash = tmp_path / "crash"
    crash.mkdir()
    (crash / f"{backend}.py").write_text(  # like a segfault in the C code, at the first call
        "import os\ndef __getattr__(name):\n    os.abort()\n"
    )
    path = write("name: Quiet\nsteps: [{say: hi, seconds: 0.5}]\n")
    result = run_cli("run", str(path), "--plain", env={"PYTHONPATH": first(crash)})
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
    captured = wait_for(capture, bell[-8_192:] + bytes(16))
    assert rise in without(captured, bell)  # the rise rang while the bell did: both are heard
    assert app.prefs.volume == 80 and memories.load().preferences == {"volume": 80}


def box_player(**options: object) -> Player:
    from oxybreathe.core.loader import load_session
    from oxybreathe.core.plan import lay_out

    return Player(lay_out(load_session(SESSIONS / "box.yaml"), 3), **options)  # type: ignore[arg-type]


def test_a_crash_in_the_worker_process_is_contained(tmp_path):
    """The worker is its own process: killing it mid-session leaves the app running."""
    chimes = box_player()
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


@each_backend
def test_closing_the_player_is_not_reported_as_a_failure(capture, backend):
    chimes = box_player()
    chimes.wait_ready()
    assert chimes.state == "on"  # sound works (into the capture)
    assert chimes.backend == backend
    chimes.close(linger=5)
    time.sleep(0.3)  # let the listener see the worker's end
    assert chimes.notice is None


class Worker:
    """The sound worker, driven through its JSON lines as the Player drives it."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "oxybreathe.audio_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def send(self, message: dict[str, object]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def answer(self) -> object:
        assert self.process.stdout is not None
        return json.loads(self.process.stdout.readline())

    def quit(self) -> int:
        self.send({"quit": True})
        assert self.process.stdin is not None
        self.process.stdin.close()
        return self.process.wait(timeout=30)


@each_backend
def test_the_worker_drops_a_chime_asked_for_too_late_and_plays_a_timely_one(capture, backend):
    """A chime that waited (behind a slow load, say) past the lateness limit is not played."""
    worker = Worker()
    paths = {name: str(sounds.path_of(Sound(builtin=name))) for name in ("tick", "bell")}
    worker.send({"load": paths, "volume": 100})
    assert worker.answer() == {"ready": True, "backend": backend}
    worker.send({"play": "tick", "at": time.monotonic() - 5})  # asked for 5 s ago
    for volume in (10, 90, 30, 60):  # a run of volume keys, then a chime on time
        worker.send({"volume": volume})
    worker.send({"play": "bell", "at": time.monotonic()})
    assert worker.quit() == 0
    bell = played(Sound(builtin="bell"), 60, backend)
    captured = wait_for(capture, bell)
    assert bell in captured
    for volume in (100, 10, 90, 30, 60):
        assert played(Sound(builtin="tick"), volume, backend) not in captured


def test_between_sounds_the_device_rests_and_the_next_sound_wakes_it(capture):
    """A running device wakes the worker every period; once quiet, it is stopped, and the next
    chime starts it again, played whole."""
    worker = Worker()
    paths = {name: str(sounds.path_of(Sound(builtin=name))) for name in ("tick", "bell")}
    worker.send({"load": paths, "volume": 100})
    assert worker.answer() == {"ready": True, "backend": "miniaudio"}
    worker.send({"play": "tick", "at": time.monotonic()})
    tick = played(Sound(builtin="tick"), 100)
    assert tick in wait_for(capture, tick)
    time.sleep(1.0)  # the tick has ended, and the rest after it (REST_AFTER_SECONDS) has passed
    before = switches(worker.process.pid)[0]
    time.sleep(1.0)
    resting = switches(worker.process.pid)[0] - before
    worker.send({"play": "bell", "at": time.monotonic()})
    before = switches(worker.process.pid)[0]
    time.sleep(1.0)  # the bell rings on: the device runs, its thread woken every period
    running = switches(worker.process.pid)[0] - before
    assert worker.quit() == 0
    bell = played(Sound(builtin="bell"), 100)
    assert found_in_order(wait_for(capture, tick, bell), [tick, bell])
    assert resting <= 3 < 10 <= running, (resting, running)


def test_a_chime_and_a_voice_that_overlap_are_both_heard(capture, tmp_path):
    voice = write_wav(tmp_path / "voice.wav", frequency=300.0, frames=88_200)  # 2 s
    player = box_player(volume=90, voice_sounds=frozenset({Sound(path=voice)}), voice_volume=60)
    player.wait_ready()
    assert player.state == "on" and player.backend == "miniaudio"
    player.play(Sound(path=voice))
    player.play(Sound(builtin="tick"))  # one of the plan's chimes, while the voice speaks
    player.close(linger=10)
    spoken = played(voice, 90, voice_volume=60)
    captured = wait_for(capture, spoken[-8_192:] + bytes(16))
    assert spoken not in captured  # the voice was not heard alone...
    assert played(Sound(builtin="tick"), 90) in without(captured, spoken)  # ...but with the tick


def test_voice_volume_scales_voice_sounds_only(capture, tmp_path):
    voice = write_wav(tmp_path / "voice.wav", frequency=300.0)
    player = box_player(volume=90, voice_sounds=frozenset({Sound(path=voice)}), voice_volume=40)
    player.wait_ready()
    player.play(Sound(path=voice))
    first = played(voice, 90, voice_volume=40)
    wait_for(capture, first)
    player.set_voice_volume(100)  # the voice at the volume itself, like a chime
    time.sleep(0.2)  # the worker rescales while no message waits; the next play may wait for it
    player.play(Sound(path=voice))
    second = played(voice, 90, voice_volume=100)
    wait_for(capture, first, second)
    player.play(Sound(builtin="bell"))
    bell = played(Sound(builtin="bell"), 90)  # a chime: never scaled by the voice volume
    player.close(linger=10)
    captured = wait_for(capture, first, second, bell)
    assert found_in_order(captured, [first, second, bell])
    assert played(Sound(builtin="bell"), 90, voice_volume=40) not in captured
    assert played(voice, 90, voice_volume=70) not in captured  # not the default share


@pytest.mark.parametrize("kind", ["flac", "ogg", "mp3"])
def test_a_compressed_recording_plays_decoded(capture, tmp_path, kind):
    path = tmp_path / f"prompt.{kind}"
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "44100",
            "-c",
            "1",
            str(path),
            "synth",
            "0.5",
            "sine",
            "440",
            "vol",
            "0.5",
        ],
        check=True,
    )
    player = box_player(volume=100, voice_sounds=frozenset({Sound(path=path)}), voice_volume=100)
    player.wait_ready()
    assert player.state == "on"
    player.play(Sound(path=path))
    player.close(linger=10)
    expected = played(path, 100, voice_volume=100)
    assert len(expected) > 4 * 44_100 * 0.4  # it decoded to about half a second of sound
    assert expected in wait_for(capture, expected)


def test_sounds_that_overlap_loudly_are_clipped_not_wrapped(capture, tmp_path):
    def level(path: Path, value: int, frames: int) -> Path:
        with wave.open(str(path), "wb") as out:  # a steady level: loud, and easy to find
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(44_100)
            out.writeframes(array("h", [value] * frames).tobytes())
        return path

    voice = level(tmp_path / "voice.wav", 30_000, 44_100)  # 1 s
    chime = level(tmp_path / "chime.wav", 20_000, 4_410)  # 0.1 s, while the voice plays
    sounds_ = {Sound(path=voice), Sound(path=chime)}
    player = box_player(volume=100, voice_sounds=frozenset(sounds_), voice_volume=100)
    player.wait_ready()
    player.play(Sound(path=voice))
    player.play(Sound(path=chime))
    player.close(linger=10)
    captured = wait_for(capture, array("h", [30_000] * 2 * 4_410).tobytes() + bytes(16))
    clipped = array("h", [32_767] * 2 * 4_000).tobytes()  # most of the chime, both sides
    assert clipped in captured
    wrapped = array("h", [30_000 + 20_000 - 65_536] * 2 * 100).tobytes()
    assert wrapped not in captured


def test_the_worker_ignores_volumes_that_are_not_numbers(capture):
    worker = Worker()
    worker.send({"load": {"tick": str(sounds.path_of(Sound(builtin="tick")))}, "volume": 50})
    assert worker.answer() == {"ready": True, "backend": "miniaudio"}
    worker.process.stdin.write('{"volume": Infinity}\n{"voice_volume": NaN}\n')  # type: ignore[union-attr]
    for volume in ("loud", None, True, [30]):
        worker.send({"volume": volume, "voice_volume": volume})
    worker.send({"play": "tick", "at": time.monotonic()})
    assert worker.quit() == 0  # it did not stop on any of them
    tick = played(Sound(builtin="tick"), 50)  # the volume it had
    assert tick in wait_for(capture, tick)
