"""Check oxybreathe, and its sound, on other Pythons: a real install and a chimed session each.

    python tests/other_pythons.py 3.12 3.13

For each version: a fresh venv, a non-editable `pip install '.[audio,simpleaudio]'`, then a
plain-mode session with chimes played through ALSA's file plugin on each backend (miniaudio, then
simpleaudio, forced by OXYBREATHE_AUDIO_BACKEND). It must end with status 0 (simpleaudio 1.0.4
ends with 139, a segfault, on 3.12+) and the capture must hold the chimes. .ci/run runs this; it
needs those interpreters (pyenv here), gcc and libasound2-dev.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SESSION = """\
name: Chimes check
chimes: {start: bell, end: tick}
steps:
  - breathe: [inhale: 1, exhale: 1]
    cycles: 2
"""
# The bell (2.5 s) ends before the closing tick (at 4 s): each is heard alone, byte for byte.
BACKENDS = ("miniaudio", "simpleaudio")


def interpreter(version: str) -> str:
    """The newest installed Python `version` (pyenv's, or one on PATH)."""
    pyenv = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    found = sorted(glob.glob(f"{pyenv}/versions/{version}.*/bin/python{version}"))
    if found:
        return found[-1]
    on_path = shutil.which(f"python{version}")
    if on_path:
        return on_path
    raise SystemExit(f"FAILED: no Python {version} found (pyenv or PATH)")


def check(version: str, work: Path) -> None:
    venv = work / f"venv-{version}"
    subprocess.run([interpreter(version), "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", f"{ROOT}[audio,simpleaudio]"],
        check=True,
    )
    session = work / "check.yaml"
    session.write_text(SESSION)
    for backend in BACKENDS:
        played = play(venv, session, work / f"{version}-{backend}", backend)
        bell, tick = (as_played(ROOT / "audio" / f"{n}.wav", backend) for n in ("bell", "tick"))
        if bell not in played or tick not in played[played.find(bell) + len(bell) :]:
            raise SystemExit(f"FAILED on Python {version}, {backend}: the chimes were not played")
        print(f"Python {version}, {backend}: ok (exit 0, {len(played):,} bytes of sound played)")


def play(venv: Path, session: Path, folder: Path, backend: str) -> bytes:
    """Run the session on `backend`, sound captured; return what was played."""
    folder.mkdir()
    capture = folder / "capture.raw"
    config = folder / "asound.conf"
    # miniaudio's device stays open and asks for more: read it at a sound card's pace
    sink = f"{venv / 'bin' / 'python'} {ROOT / 'tests' / 'alsa_pace.py'}"
    if backend == "simpleaudio":
        sink = "cat"
    config.write_text(
        f'pcm.!default {{ type file; slave.pcm "null"; file "|{sink} >> {capture}"; '
        'format "raw" }\n'
    )
    env = {
        **os.environ,
        "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{config}",
        "PULSE_SERVER": str(folder / "no-sound-server"),  # ALSA's default, even on a desktop
        "OXYBREATHE_AUDIO_BACKEND": backend,
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_STATE_HOME": str(folder / "state"),
    }
    result = subprocess.run(
        [str(venv / "bin" / "oxybreathe"), "run", str(session), "--plain", "--volume", "100"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0 or result.stderr:
        raise SystemExit(
            f"FAILED on {venv.name}, {backend}: exit {result.returncode}\n{result.stderr}"
        )
    time.sleep(0.5)  # the pipe may still be writing the last period
    return capture.read_bytes() if capture.exists() else b""


def as_played(path: Path, backend: str) -> bytes:
    """A mono 16-bit WAV's frames as the backend sends them: doubled to stereo on miniaudio."""
    with wave.open(str(path), "rb") as sound:
        assert (sound.getnchannels(), sound.getsampwidth()) == (1, 2)
        frames = sound.readframes(sound.getnframes())
    if backend == "simpleaudio":
        return frames
    mono = array("h", frames)
    both = array("h", bytes(4 * len(mono)))
    both[0::2] = mono
    both[1::2] = mono
    return both.tobytes()


def main(versions: list[str]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        for version in versions or ["3.12", "3.13"]:
            check(version, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
