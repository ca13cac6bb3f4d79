"""Check oxybreathe, and its sound, on other Pythons: a real install and a chimed session each.

    python tests/other_pythons.py 3.12 3.13

For each version: a fresh venv, a non-editable `pip install '.[audio]'`, then a plain-mode session
with chimes played through ALSA's file plugin. It must end with status 0 (simpleaudio 1.0.4 ends
with 139, a segfault, on 3.12+) and the capture must hold the chimes. .ci/run runs this; it needs
those interpreters (pyenv here), gcc and libasound2-dev.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SESSION = """\
name: Chimes check
chimes: {start: bell, inhale: rise, exhale: fall, end: tick}
steps:
  - breathe: [inhale: 1, exhale: 1]
    cycles: 2
"""


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
        [str(venv / "bin" / "pip"), "install", "-q", f"{ROOT}[audio]"],
        check=True,
    )
    session = work / "check.yaml"
    session.write_text(SESSION)
    capture = work / f"capture-{version}.raw"
    config = work / "asound.conf"
    config.write_text(
        f'pcm.!default {{ type file; slave.pcm "null"; file "|cat >> {capture}"; format "raw" }}\n'
    )
    env = {
        **os.environ,
        "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{config}",
        "XDG_CONFIG_HOME": str(work / "config"),
        "XDG_DATA_HOME": str(work / "data"),
        "XDG_STATE_HOME": str(work / "state"),
    }
    result = subprocess.run(
        [str(venv / "bin" / "oxybreathe"), "run", str(session), "--plain", "--volume", "100"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise SystemExit(f"FAILED on Python {version}: exit {result.returncode}\n{result.stderr}")
    with wave.open(str(ROOT / "audio" / "bell.wav"), "rb") as bell:
        bell_bytes = bell.readframes(bell.getnframes())
    played = capture.read_bytes() if capture.exists() else b""
    if bell_bytes not in played:
        raise SystemExit(f"FAILED on Python {version}: the start bell was not played")
    print(f"Python {version}: ok (exit 0, {len(played):,} bytes of sound played)")


def main(versions: list[str]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        for version in versions or ["3.12", "3.13"]:
            check(version, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
