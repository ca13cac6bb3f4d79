"""Check what would be published: build the sdist and the wheel, check their metadata, install
each into a fresh venv and run a session from each.

    python tests/release.py

.ci/run runs this (a few minutes: two builds, three venvs, three installs from the index), which
is why it is not a pytest test; tests/test_packaging.py checks the wheel's contents offline.
For each artefact, installed the way a user's `pipx` or `uv tool` would install it:
`oxybreathe --version` is the package's one version, every shipped session validates, the ids
list, a completion script is written, and a short session runs in plain mode to its end.

Then sound as a user gets it: the wheel with its audio extra, every dependency from a wheel
(`pip install --only-binary=:all:`, so nothing is compiled), plays a chimed session through
ALSA's file plugin, and the bell must be in what was played.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
import wave
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SESSION = """\
name: Release check
steps:
  - say: Breathe as you are.
    seconds: 1
  - breathe: [inhale: 1, exhale: 1]
    cycles: 2
"""


def run(command: list[str], **kwargs: object) -> str:
    print("+", " ".join(command), flush=True)
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        sys.exit(
            f"release check: {command[0]} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return str(result.stdout)


def version() -> str:
    text = (ROOT / "src" / "oxybreathe" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
    assert found, "src/oxybreathe/__init__.py sets __version__"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in project["project"]["dynamic"], "the version has one source"
    assert project["tool"]["hatch"]["version"]["path"] == "src/oxybreathe/__init__.py"
    return found.group(1)


def check_installed(artefact: Path, work: Path, expected: str) -> None:
    venv = work / f"venv-{artefact.suffix.strip('.')}"
    run([sys.executable, "-m", "venv", str(venv)])
    run([str(venv / "bin" / "pip"), "install", "-q", str(artefact)])
    home = work / f"home-{artefact.suffix.strip('.')}"
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    app = str(venv / "bin" / "oxybreathe")
    shown = run([app, "--version"], env=env, cwd=work).strip()
    assert shown == f"oxybreathe {expected}", shown
    shipped = run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "from oxybreathe.core import locations; print(locations.builtin_sessions_dir())",
        ],
        env=env,
        cwd=work,
    ).strip()
    assert shipped.startswith(str(venv)), f"sessions from {shipped}, not the install"
    run([app, "validate", shipped], env=env, cwd=work)
    ids = run([app, "list", "--ids"], env=env, cwd=work).split()
    assert "box" in ids, ids
    assert "-F _shtab_oxybreathe oxybreathe" in run([app, "completion", "bash"], env=env, cwd=work)
    session = work / "release-check.yaml"
    session.write_text(SESSION, encoding="utf-8")
    out = run(
        [app, "run", str(session), "--plain", "--no-checkin", "--no-chimes"],
        env=env,
        cwd=work,
        stdin=subprocess.DEVNULL,
    )
    assert "Breathe as you are." in out, out
    print(f"ok: {artefact.name} installs and runs a session", flush=True)


CHIMED = """\
name: Sound check
chimes: {start: bell, end: none}
steps:
  - say: Listen.
    seconds: 1
"""


def check_sound_from_wheels(wheel: Path, work: Path) -> None:
    """Install the wheel's audio extra from wheels only, and hear its start bell."""
    venv = work / "venv-wheels-only"
    run([sys.executable, "-m", "venv", str(venv)])
    run([str(venv / "bin" / "pip"), "install", "-q", "--only-binary=:all:", f"{wheel}[audio]"])
    capture = work / "capture.raw"
    config = work / "asound.conf"
    pace = f"{venv / 'bin' / 'python'} {ROOT / 'tests' / 'alsa_pace.py'}"
    config.write_text(
        f'pcm.!default {{ type file; slave.pcm "null"; file "|{pace} >> {capture}"; '
        'format "raw" }\n',
        encoding="utf-8",
    )
    home = work / "home-sound"
    env = {
        **os.environ,
        "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{config}",
        "PULSE_SERVER": str(work / "no-sound-server"),  # ALSA's default, even on a desktop
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    env.pop("OXYBREATHE_AUDIO_BACKEND", None)  # the backend a user gets
    session = work / "sound-check.yaml"
    session.write_text(CHIMED, encoding="utf-8")
    app = str(venv / "bin" / "oxybreathe")
    command = [app, "run", str(session), "--plain", "--no-checkin", "--volume", "100"]
    print("+", " ".join(command), flush=True)
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=work,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0 or result.stderr:
        sys.exit(
            f"release check: the chimed session failed ({result.returncode}):\n{result.stderr}"
        )
    with wave.open(str(ROOT / "audio" / "bell.wav"), "rb") as bell:
        assert (bell.getnchannels(), bell.getsampwidth()) == (1, 2)
        mono = array("h", bell.readframes(bell.getnframes()))
    both = array("h", bytes(4 * len(mono)))  # the device is stereo: each sample on both sides
    both[0::2] = mono
    both[1::2] = mono
    played, deadline = b"", time.monotonic() + 15  # the pipe may still be writing
    while both.tobytes() not in played and time.monotonic() < deadline:
        time.sleep(0.1)
        played = capture.read_bytes() if capture.exists() else b""
    if both.tobytes() not in played:
        sys.exit(f"release check: the bell was not played ({len(played):,} bytes captured)")
    print(f"ok: {wheel.name}[audio] installs from wheels only and plays its chimes", flush=True)


def main() -> None:
    expected = version()
    with tempfile.TemporaryDirectory(prefix="oxybreathe-release-") as folder:
        work = Path(folder)
        tools = work / "tools"
        run([sys.executable, "-m", "venv", str(tools)])
        run([str(tools / "bin" / "pip"), "install", "-q", "build", "twine"])
        dist = work / "dist"
        run(
            [
                str(tools / "bin" / "python"),
                "-m",
                "build",
                "--sdist",
                "--wheel",
                "--outdir",
                str(dist),
                str(ROOT),
            ]
        )
        sdist = next(dist.glob("oxybreathe-*.tar.gz"))
        wheel = next(dist.glob("oxybreathe-*.whl"))
        for built in (sdist, wheel):
            assert expected in built.name, f"{built.name} is not version {expected}"
        run([str(tools / "bin" / "twine"), "check", "--strict", str(sdist), str(wheel)])
        for artefact in (wheel, sdist):
            check_installed(artefact, work, expected)
        check_sound_from_wheels(wheel, work)


if __name__ == "__main__":
    main()
