"""Shared fixtures: every test gets its own config and data folders, never the developer's."""

from __future__ import annotations

import contextlib
import math
import os
import subprocess
import sys
import textwrap
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SESSIONS = ROOT / "sessions"


@contextlib.contextmanager
def write_protected(path: Path) -> Iterator[None]:
    """`path` cannot be changed, even by root: a file's bytes, or a folder's entries (nothing
    can be created, removed or renamed in it, as in a read-only home)."""
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.fail("chattr +i is needed to make a file or folder read-only for root")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point XDG config and data at a tmp folder for this test and its subprocesses."""
    home = tmp_path / "home"
    for name, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.setenv("NO_COLOR", "1")
    return home


@pytest.fixture
def user_sessions(isolated_home: Path) -> Path:
    """The user sessions folder under the isolated home (not created)."""
    return isolated_home / "config" / "oxybreathe" / "sessions"


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a dedented session file and return its path."""

    def write_file(text: str, name: str = "session.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write_file


def start_run(args: list[str], **kwargs: object) -> subprocess.Popen[str]:
    """Start `oxybreathe run ARGS` in a subprocess, its output piped as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "oxybreathe", "run", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def run_cli(*args: str, timeout: float = 60, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run the real `oxybreathe` entry point in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "oxybreathe", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **kwargs.pop("env", {})},  # type: ignore[dict-item]
        stdin=subprocess.DEVNULL,
        **kwargs,  # type: ignore[arg-type]
    )


def write_wav(
    path: Path,
    *,
    channels: int = 1,
    rate: int = 44_100,
    frames: int | None = None,
    frequency: float = 523.25,
    width: int = 2,
) -> Path:
    """Write a real PCM WAV: a short sine tone (a user's own chime in the tests)."""
    count = rate // 4 if frames is None else frames
    peak = 2 ** (8 * width - 1) - 1
    data = bytearray()
    for n in range(count):
        value = round(0.4 * peak * math.sin(2 * math.pi * frequency * n / rate))
        sample = (
            (value + 128).to_bytes(1, "little")
            if width == 1
            else value.to_bytes(width, "little", signed=True)
        )
        data += sample * channels
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(bytes(data))
    return path
