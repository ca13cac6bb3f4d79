"""Shared fixtures: every test gets its own config and data folders, never the developer's."""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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


# An ordinary user for permission tests: root reads and writes through any mode bits.
UNPRIVILEGED_UID = 65534  # nobody, on Debian and most Linux systems


def unprivileged(command: list[str]) -> list[str]:
    """`command`, run as an ordinary user: as `nobody` through setpriv when the tests run as
    root (CI), as it is when they already run as an ordinary user."""
    if os.geteuid() != 0:
        return command
    if shutil.which("setpriv") is None:
        pytest.fail("setpriv (util-linux) is needed to run permission tests as an ordinary user")
    uid = str(UNPRIVILEGED_UID)
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *command]


@dataclass(frozen=True)
class UserHome:
    """A home for an ordinary user, outside pytest's root-only tmp folders."""

    root: Path

    @property
    def env(self) -> dict[str, str]:
        """XDG variables pointing at this home (config, data, state, cache)."""
        return {
            "HOME": str(self.root),
            "XDG_CONFIG_HOME": str(self.config),
            "XDG_DATA_HOME": str(self.root / "data"),
            "XDG_STATE_HOME": str(self.root / "state"),
            "XDG_CACHE_HOME": str(self.root / "cache"),
        }

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def data(self) -> Path:
        """The oxybreathe data folder (history, remembered choices)."""
        return self.root / "data" / "oxybreathe"

    def mkdir(self, path: Path, mode: int = 0o755) -> Path:
        """Make `path` (and its parents inside this home), owned by the ordinary user."""
        path.mkdir(parents=True, exist_ok=True)
        folder = self.root
        for part in path.relative_to(self.root).parts:
            folder = folder / part
            self.own(folder)
        path.chmod(mode)
        return path

    def own(self, path: Path) -> None:
        """Give `path` to the ordinary user (as root; a no-op for an ordinary user)."""
        if os.geteuid() == 0:
            os.chown(path, UNPRIVILEGED_UID, UNPRIVILEGED_UID)


@pytest.fixture
def user_home() -> Iterator[UserHome]:
    """A home folder an ordinary user owns, and run_as_user's XDG variables point at.

    pytest's tmp_path is under a folder only root may enter, so this one is made in the
    system's temporary folder, readable by all, and removed afterwards.
    """
    root = Path(tempfile.mkdtemp(prefix="oxybreathe-user-"))
    root.chmod(0o755)
    home = UserHome(root)
    home.own(root)
    try:
        yield home
    finally:
        for folder, _dirs, _files in os.walk(root):  # a test may leave a folder at 0o000
            with contextlib.suppress(OSError):
                os.chmod(folder, 0o755)
        shutil.rmtree(root, ignore_errors=True)


def run_as_user(
    home: UserHome, *args: str, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real `oxybreathe` entry point as an ordinary user, in `home`."""
    return subprocess.run(
        unprivileged([sys.executable, "-m", "oxybreathe", *args]),
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **home.env, **(env or {})},
        stdin=subprocess.DEVNULL,
        cwd=home.root,
    )


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
