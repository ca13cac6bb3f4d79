"""Shared fixtures: every test gets its own config and data folders, never the developer's."""

from __future__ import annotations

import contextlib
import math
import os
import select as selectors
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:  # Textual loads only in the tests that drive the app
    from textual.pilot import Pilot

    from oxybreathe.core.history import Row, Store
    from oxybreathe.ui.app import OxybreatheApp
    from oxybreathe.ui.screens.session import SessionScreen

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
    monkeypatch.delenv("TEXTUAL_ANIMATIONS", raising=False)  # it means reduced motion here
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


def start_run(args: list[str], **kwargs: Any) -> subprocess.Popen[str]:
    """Start `oxybreathe run ARGS` in a subprocess, its output piped as text."""
    return start_cli(["run", *args], **kwargs)


def start_cli(args: list[str], **kwargs: Any) -> subprocess.Popen[str]:
    """Start `oxybreathe ARGS` in a subprocess, its output piped as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "oxybreathe", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def run_python(code: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh Python (what a module imports, the collector's state...)."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def run_cli(*args: str, timeout: float = 60, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run the real `oxybreathe` entry point in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "oxybreathe", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **kwargs.pop("env", {})},
        stdin=subprocess.DEVNULL,
        **kwargs,
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


# Time ---------------------------------------------------------------------------------------


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# The app -------------------------------------------------------------------------------------


def app_with(clock: FakeClock, *, start: Any = None, **options: Any) -> OxybreatheApp:
    """The app on a fake clock, as the command line opens it: `options` that are settings
    (chimes, checkin...) are flags, resolved with the real settings file and memory; the rest
    are the app's own arguments (user_dir...). The journal line is off unless asked for."""
    from oxybreathe.core import settings
    from oxybreathe.core.preferences import BY_KEY
    from oxybreathe.ui.app import OxybreatheApp

    options.setdefault("journal", False)
    first_run = options.pop("first_run", False)  # else the first run's note was seen before
    loaded = settings.load({key: options.pop(key) for key in list(options) if key in BY_KEY})
    return OxybreatheApp(
        clock=clock,
        start=start,
        prefs=loaded.prefs,
        memory=loaded.memory if first_run else loaded.memory.told_once(),
        problems=loaded.problems,
        **options,
    )


def box_app(clock: FakeClock, **options: Any) -> OxybreatheApp:
    """The app opened straight on box breathing for 3 minutes, silent and with no check-in
    unless asked."""
    from oxybreathe.core.loader import load_session
    from oxybreathe.core.plan import lay_out

    options.setdefault("chimes", False)
    options.setdefault("checkin", False)
    return app_with(clock, start=lay_out(load_session(SESSIONS / "box.yaml"), 3), **options)


def text_of(screen: Any, widget_id: str) -> str:
    """The text a widget shows (home's details pane shows several parts in one widget)."""
    from oxybreathe.ui.screens.home import HomeScreen
    from oxybreathe.ui.widgets.details import PARTS, Details
    from oxybreathe.ui.widgets.line import Line

    if isinstance(screen, HomeScreen) and widget_id in PARTS:
        return screen.query_one(Details).part(widget_id)
    widget = screen.query_one(f"#{widget_id}")
    return widget.text if isinstance(widget, Line) else str(widget.render())


ScreenKind = TypeVar("ScreenKind")


def top(app: Any, kind: type[ScreenKind]) -> ScreenKind:
    """The screen on top of `app`, which must be a `kind`."""
    screen = app.screen
    assert isinstance(screen, kind), f"{type(screen).__name__} is on top, not {kind.__name__}"
    return screen


async def select(pilot: Pilot[Any], session_id: str) -> None:
    """Highlight a session on home."""
    from textual.widgets import OptionList

    from oxybreathe.ui.screens.home import HomeScreen

    home = pilot.app.screen
    assert isinstance(home, HomeScreen)
    ids = [entry.id for entry in home.entries]
    home.query_one("#sessions", OptionList).highlighted = ids.index(session_id)
    await pilot.pause()


async def session_on_top(pilot: Pilot[Any]) -> SessionScreen:
    """The session screen, once the app has settled with it on top and its clock started."""
    from oxybreathe.ui.screens.session import SessionScreen

    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SessionScreen)
    for _ in range(100):  # the first cue waits for the sounds to be ready (on a thread)
        if screen.engine.started:
            break
        await pilot.pause(0.01)
    return screen


async def to_next_deadline(pilot: Pilot[Any], clock: FakeClock, screen: SessionScreen) -> None:
    """Move the clock to the session's next deadline and let the screen catch up."""
    deadline = screen.flow.next_deadline()
    assert deadline is not None
    clock.now = deadline
    screen.sync()
    await pilot.pause()


def history_store() -> Store:
    """The real history file in the test's own data folder, open (it must open)."""
    from oxybreathe.core import history

    opened = history.open_store()
    assert opened.store is not None, opened.notice
    return opened.store


def history_rows() -> list[Row]:
    """Every row of the real history file in the test's own data folder."""
    from oxybreathe.core import history

    opened = history.open_store()
    assert opened.store is not None and opened.notice is None
    try:
        return opened.store.rows()
    finally:
        opened.store.close()


# A real terminal -----------------------------------------------------------------------------

LEAVE_ALTERNATE_SCREEN = b"\x1b[?1049l"
SHOW_CURSOR = b"\x1b[?25h"


def read_until(
    master: int, wanted: bytes, timeout: float, process: subprocess.Popen[bytes] | None = None
) -> bytes:
    """Read the terminal's output until `wanted` appears, `process` has exited, or timeout."""
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and wanted not in seen:
        if process is not None and process.poll() is not None:
            ready, _, _ = selectors.select([master], [], [], 0)
            if not ready:  # exited, and everything it wrote has been read
                break
        ready, _, _ = selectors.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other side has closed: the app is gone
                break
            if not chunk:
                break
            seen += chunk
    return seen


# A practice across days ---------------------------------------------------------------------

# Twenty sessions of five kinds over five weeks, as (day, session, name, seconds, stress before,
# after, craving before, after): urge surfing eases craving most, box breathing stress; the body
# scan is never rated; cyclic sighing is rated once; two are under a minute (not counted).
MIXED_SESSIONS = (
    (0, "urge-surfing", "Urge surfing", 600, 7, 5, 8, 4),
    (1, "box", "Box breathing", 306, 8, 5, None, None),
    (2, "urge-surfing", "Urge surfing", 600, 6, 5, 9, 4),
    (3, "body-scan", "Body scan", 900, None, None, None, None),
    (5, "box", "Box breathing", 306, 7, 4, 3, 3),
    (7, "4-7-8", "4-7-8 breathing", 300, 6, 5, 4, 4),
    (8, "urge-surfing", "Urge surfing", 0, 9, None, 9, None),  # a 0-second stop
    (9, "urge-surfing", "Urge surfing", 420, 7, 6, 8, 3),
    (11, "box", "Box breathing", 306, 6, 4, None, None),
    (13, "sigh", "Cyclic sighing", 300, 8, 4, None, None),
    (14, "4-7-8", "4-7-8 breathing", 40, 7, 1, None, None),  # under a minute
    (15, "body-scan", "Body scan", 900, None, None, None, None),
    (16, "urge-surfing", "Urge surfing", 600, 6, 4, 7, 3),
    (18, "box", "Box breathing", 306, 7, 5, 4, 3),
    (20, "4-7-8", "4-7-8 breathing", 300, 5, 4, None, None),
    (22, "urge-surfing", "Urge surfing", 600, 5, 4, 6, 2),
    (25, "box", "Box breathing", 306, 6, 4, None, None),
    (28, "4-7-8", "4-7-8 breathing", 300, 6, 5, 3, 3),
    (31, "urge-surfing", "Urge surfing", 600, 6, 3, 7, 2),
    (33, "box", "Box breathing", 306, 5, 4, None, None),
)


def record_mixed_sessions(store: Store, first_day: Any) -> None:
    """MIXED_SESSIONS into the real store, the first on `first_day` (a datetime) at 07:30."""
    from datetime import timedelta

    for day, session, name, seconds, sb, sa, cb, ca in MIXED_SESSIONS:
        row = store.begin(
            session,
            name,
            max(seconds, 300),
            started_at=first_day + timedelta(days=day),
            stress_before=sb,
            craving_before=cb,
        )
        store.finish(row, seconds, completed=seconds >= 300)
        store.rate_after(row, sa, ca)
