"""Chimes and speech for a session: a sound worker process behind a small, never-blocking
interface.

`Player.play()` writes one short line to the worker's pipe and returns; if the pipe is full or
the worker has gone, the sound is dropped rather than delaying a cue. Without a sound library
(miniaudio, or simpleaudio), or without a working sound device, the session runs silently and
`notice` says why, in one line.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from enum import StrEnum
from typing import IO, Any

from oxybreathe.audio_worker import DEFAULT_VOICE_VOLUME
from oxybreathe.core import locations, sounds
from oxybreathe.core.flow import FrontEnd
from oxybreathe.core.model import Sound
from oxybreathe.core.plan import Plan
from oxybreathe.core.preferences import DEFAULTS, VOLUME_MAX, VOLUME_MIN, Preferences

DEFAULT_VOLUME = DEFAULTS.volume
READY_TIMEOUT = 3.0  # how long the start may wait for the sounds to be loaded
# ...and how much longer with a voice: recordings (up to 20 minutes in all) take a few seconds
# to decode, and a prompt that is not loaded yet would go unheard.
READY_TIMEOUT_VOICE = 15.0

NOTICES = {
    "missing": "Sound is off: no sound library is installed. For chimes, install the audio "
    "extra: pip install 'oxybreathe[audio]' (miniaudio, from wheels: no compiler needed).",
    "device": "Sound is off: no working sound device was found (details in {log}). "
    "Check your audio settings, or {turn_off}.",
    "worker": "Sound is off: the sound player stopped (details in {log}).",
    "forced": "Sound is off: OXYBREATHE_AUDIO_BACKEND asks for a sound library that is not "
    "installed (details in {log}). Install it, or unset the variable.",
}
# How to stop trying, in the words of each front end.
TURN_OFF = {
    "plain": "use --no-chimes",
    "app": "turn chimes off with c on the home screen",
}


def _key(sound: Sound) -> str:
    return sound.describe()


def _clamped(volume: int) -> int:
    return max(VOLUME_MIN, min(VOLUME_MAX, volume))


class PlayerState(StrEnum):
    """Where the sound player is: off (asked for none), starting (loading the sounds), on, or
    unavailable (no library, no device, or the worker stopped: `notice` says which)."""

    OFF = "off"
    STARTING = "starting"
    ON = "on"
    UNAVAILABLE = "unavailable"


class Player:
    """Plays a plan's sounds in a worker process. Silent when disabled or unavailable."""

    def __init__(
        self,
        plan: Plan,
        *,
        enabled: bool = True,
        volume: int = DEFAULT_VOLUME,
        voice_sounds: frozenset[Sound] = frozenset(),
        voice_volume: int = DEFAULT_VOICE_VOLUME,
        chimes: bool = True,
    ) -> None:
        """`voice_sounds` are speech or recordings to load beside the plan's chimes: they may be
        as long as a recording, and play at `voice_volume` percent of the volume. With
        `chimes` False only the voice is loaded (chimes turned off, the voice asked for)."""
        self.muted = False
        self.volume = volume
        self.voice_volume = _clamped(voice_volume)
        self.backend: str | None = None  # the worker's, once it is ready: "miniaudio"...
        wanted = (set(plan.sounds) if chimes else set()) | voice_sounds
        self._voice = bool(voice_sounds)
        self.state = PlayerState.OFF if not enabled or not wanted else PlayerState.STARTING
        self._reason: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._changed = threading.Event()
        self._closing = False
        if self.state is PlayerState.STARTING:
            paths = {_key(s): str(sounds.path_of(s)) for s in sorted(wanted, key=_key)}
            self._start(paths, sorted(_key(s) for s in voice_sounds))

    # Starting -------------------------------------------------------------------------------

    def _start(self, paths: dict[str, str], voice: list[str]) -> None:
        log = self._open_log()
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "oxybreathe.audio_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log if log is not None else subprocess.DEVNULL,
                start_new_session=True,  # a terminal's Ctrl+C and SIGHUP are for the app
            )
        except OSError:
            self._fail("worker")
            return
        finally:
            if log is not None:
                log.close()
        assert self._process.stdin is not None
        os.set_blocking(self._process.stdin.fileno(), False)
        threading.Thread(target=self._listen, daemon=True).start()
        self._send(
            {
                "load": paths,
                "voice": voice,
                "volume": self.volume,
                "voice_volume": self.voice_volume,
            }
        )

    @staticmethod
    def _open_log() -> IO[bytes] | None:
        try:
            path = locations.audio_log()
            path.parent.mkdir(parents=True, exist_ok=True)
            return path.open("ab")
        except OSError:
            return None

    def _listen(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if message.get("ready"):
                backend = message.get("backend")
                self.backend = backend if isinstance(backend, str) else None
                self.state = PlayerState.ON
            elif "unavailable" in message:
                self._fail(str(message["unavailable"]))
            self._changed.set()
        if (
            self.state in (PlayerState.STARTING, PlayerState.ON) and not self._closing
        ):  # it ended on its own
            self._fail("worker")
        self._changed.set()

    def _fail(self, reason: str) -> None:
        self.state = PlayerState.UNAVAILABLE
        self._reason = reason

    def wait_ready(self, timeout: float | None = None) -> None:
        """Wait (bounded) until the worker has loaded the sounds, or said why it cannot."""
        if timeout is None:
            timeout = READY_TIMEOUT_VOICE if self._voice else READY_TIMEOUT
        deadline = time.monotonic() + timeout
        while self.state is PlayerState.STARTING and time.monotonic() < deadline:
            self._changed.wait(max(0.0, deadline - time.monotonic()))
            self._changed.clear()

    # Using ----------------------------------------------------------------------------------

    @property
    def notice(self) -> str | None:
        """One calm line saying why there is no sound (in plain mode's words), or None."""
        return self.notice_for("plain")

    def notice_for(self, front_end: FrontEnd) -> str | None:
        """One calm line saying why there is no sound, or None; `front_end` is "plain" or
        "app", whose ways of turning chimes off differ."""
        if self._reason is None:
            return None
        template = NOTICES.get(self._reason, NOTICES["worker"])
        return template.format(log=locations.audio_log(), turn_off=TURN_OFF[front_end])

    def describe(self) -> str:
        """A few words for the screen: whether sound is on, and how loud."""
        if self.state is PlayerState.OFF:
            return "chimes off"
        if self.state is PlayerState.UNAVAILABLE:
            return "no sound"
        return "muted" if self.muted else f"sound {self.volume}%"

    @classmethod
    def for_plan(cls, plan: Plan, prefs: Preferences) -> Player:
        """The player the preferences ask for: the chimes (`chimes`), and the plan's voice
        (recordings always; speech once `core.speech` has rendered it), at their volumes."""
        voice = frozenset(plan.voice_sounds)
        return cls(
            plan,
            enabled=prefs.chimes or bool(voice),
            volume=prefs.volume,
            voice_sounds=voice,
            voice_volume=prefs.voice_volume,
            chimes=prefs.chimes,
        )

    @property
    def unavailable(self) -> bool:
        """True when sound was asked for but cannot be played (no library, device or worker)."""
        return self.state is PlayerState.UNAVAILABLE

    @property
    def working(self) -> bool:
        """True while the player is loading its sounds or ready to play them."""
        return self.state in (PlayerState.STARTING, PlayerState.ON)

    @property
    def audible(self) -> bool:
        """True when chimes would be heard now."""
        return (
            self.state in (PlayerState.STARTING, PlayerState.ON)
            and not self.muted
            and self.volume > 0
        )

    def play(self, sound: Sound | None) -> None:
        """Ask for `sound`; never waits."""
        if sound is not None and self.audible:
            self._send({"play": _key(sound), "at": time.monotonic()})

    def set_volume(self, volume: int) -> None:
        """Change the volume (VOLUME_MIN to VOLUME_MAX)."""
        self.volume = _clamped(volume)
        self._send({"volume": self.volume})

    def set_voice_volume(self, percent: int) -> None:
        """Change how loud speech and recordings are, in percent of the volume (0 to 100)."""
        self.voice_volume = _clamped(percent)
        self._send({"voice_volume": self.voice_volume})

    def toggle_mute(self) -> None:
        """Silence everything, or bring it back."""
        self.muted = not self.muted

    def close(self, linger: float | None = 0.0) -> None:
        """Stop the worker after letting its last chime ring for up to `linger` seconds.

        With `linger=None`, return at once and let the worker end by itself once its last
        chime has finished (it never lingers more than a few seconds).
        """
        process = self._process
        if process is None:
            return
        self._closing = True
        self._process = None
        self._send_to(process, {"quit": True})
        with contextlib.suppress(OSError):
            assert process.stdin is not None
            process.stdin.close()
        if linger is None:
            return
        try:
            process.wait(timeout=linger)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _send(self, message: dict[str, Any]) -> None:
        if self._process is not None:
            self._send_to(self._process, message)

    @staticmethod
    def _send_to(process: subprocess.Popen[bytes], message: dict[str, Any]) -> None:
        if process.stdin is None or process.stdin.closed:
            return
        with contextlib.suppress(BlockingIOError, BrokenPipeError, OSError, ValueError):
            os.write(process.stdin.fileno(), (json.dumps(message) + "\n").encode())
