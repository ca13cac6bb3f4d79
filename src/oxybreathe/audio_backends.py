"""The sound worker's backends: the library that turns decoded frames into sound.

Only the worker process (`audio_worker.py`) imports this module. Two backends:

- **miniaudio** (the `audio` extra; wheels for Linux, macOS and Windows, no compiler). One
  playback device is opened for the whole session, 16-bit stereo at 44.1 kHz with a short
  period, and a generator callback mixes every sound that is playing. A lone sound passes
  through untouched, so it reaches the device byte for byte; two or more are summed and clipped
  to 16 bits, so a chime and speech that overlap are both heard and neither cuts the other.
  Sounds at another rate or channel count are converted once, when they load. While it runs,
  the device's thread wakes every period, so between sounds it rests: stopped once it has been
  quiet for REST_AFTER_SECONDS, started again by the next sound (docs/performance.md).
- **simpleaudio** (the `simpleaudio` extra; builds against ALSA, so it needs a C compiler):
  each sound opens the device anew, in its own format.

`OXYBREATHE_AUDIO_BACKEND=miniaudio|simpleaudio` forces one; otherwise miniaudio is used when it
can be imported, else simpleaudio.
"""

from __future__ import annotations

import collections
import contextlib
import importlib
import os
import sys
import time
from array import array
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Protocol

from oxybreathe.core.sounds import Decoded

ENV = "OXYBREATHE_AUDIO_BACKEND"
NAMES = ("miniaudio", "simpleaudio")  # in the order they are tried

# The miniaudio device: what every sound is converted to, once, when it loads.
RATE = 44_100
CHANNELS = 2
FRAME_BYTES = 2 * CHANNELS
PERIOD_MS = 10  # the device asks for this much sound at a time: the onset's granularity
# After the last sound has been handed over, the device still holds a few periods of it.
DRAIN_SECONDS = 0.2
# A device quiet this long after its last sound's end is stopped until the next one: a running
# device wakes its process every period (about 100 times a second), sound or silence.
REST_AFTER_SECONDS = 0.25

_LOW, _HIGH = -(1 << 15), (1 << 15) - 1


class NoDevice(Exception):
    """The library is there, but no sound device could be opened; the message says why."""


class Backend(Protocol):
    """What the worker needs of a backend."""

    name: str

    def prepare(self, sound: Decoded) -> Decoded:
        """The sound in the form this backend plays (done once, when it loads)."""
        ...

    def play(self, sound: Decoded) -> None:
        """Start playing a prepared sound now, beside any that are playing; never waits."""
        ...

    def playing(self) -> bool:
        """True while any sound is still being played."""
        ...

    def rest(self) -> float | None:
        """Stop the device if it has been quiet long enough: the seconds until it should be
        asked again, or None when nothing is running (the next `play` starts it)."""
        ...

    def close(self) -> None:
        """Stop, once what was handed to the device has had time to reach it."""
        ...


def forced() -> str | None:
    """The backend the environment variable asks for, or None (unset, or not a backend's
    name)."""
    asked = os.environ.get(ENV, "").strip().lower()
    return asked if asked in NAMES else None


def chosen() -> str | None:
    """The name of the backend to use, or None when no backend's library can be imported.

    The environment variable forces one (even one that is missing: then there is none); an
    unknown value is said in the log and ignored.
    """
    asked = os.environ.get(ENV, "").strip().lower()
    if asked and asked not in NAMES:
        print(f"{ENV}={asked!r} is not one of {', '.join(NAMES)}; ignored", file=sys.stderr)
    wanted = forced()
    for name in (wanted,) if wanted else NAMES:
        try:
            importlib.import_module(name)
        except ImportError as error:
            print(f"{name} cannot be imported: {error}", file=sys.stderr)
            continue
        except Exception as error:  # a broken install raises anything on import
            print(f"{name} failed to import: {error!r}", file=sys.stderr)
            continue
        return name
    return None


def open_backend(name: str) -> Backend:
    """Open the named backend's device; raises NoDevice when there is no working one."""
    if name == "miniaudio":
        return Miniaudio()
    return Simpleaudio()


# miniaudio ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Voice:
    """One sound being played: its frames and how far the device has got."""

    frames: bytes
    position: int = 0


class Miniaudio:
    """One playback device for the session, mixing every sound that is playing."""

    name = "miniaudio"

    def __init__(self) -> None:
        import miniaudio

        self._miniaudio = miniaudio
        self._incoming: collections.deque[_Voice] = collections.deque()
        self._busy = False  # set by the device's thread: a sound is still being played
        try:
            device = miniaudio.PlaybackDevice(
                output_format=miniaudio.SampleFormat.SIGNED16,
                nchannels=CHANNELS,
                sample_rate=RATE,
                buffersize_msec=PERIOD_MS,
                app_name="oxybreathe",
            )
        except miniaudio.MiniaudioError as error:
            raise NoDevice(f"miniaudio: {error}") from None
        if device.backend.lower() == "null":  # miniaudio's silent stand-in for "no device"
            device.close()
            raise NoDevice("miniaudio found no sound device (only its null backend)")
        self._device: Any = device
        self._running = False
        self._restful = True  # False once stopping it has failed: then it never rests
        self._quiet_at = time.monotonic()  # when the last sound handed over ends
        try:  # started once now, so a device that cannot play is known before the session
            self._start()
        except miniaudio.MiniaudioError as error:
            device.close()
            raise NoDevice(f"miniaudio: {error}") from None
        print(f"miniaudio: playing through {device.backend}", file=sys.stderr)

    def prepare(self, sound: Decoded) -> Decoded:
        return to_device(sound)

    def play(self, sound: Decoded) -> None:
        self._busy = True
        self._incoming.append(_Voice(sound.frames))
        ends = time.monotonic() + len(sound.frames) / (FRAME_BYTES * RATE)
        self._quiet_at = max(self._quiet_at, ends)
        if not self._running:
            try:
                self._start()
            except self._miniaudio.MiniaudioError:
                self._incoming.clear()  # not to be played late, by the next start
                self._busy = False
                with contextlib.suppress(self._miniaudio.MiniaudioError):
                    self._device.stop()  # pyminiaudio keeps a failed start's callback: let go
                raise

    def playing(self) -> bool:
        return self._busy or bool(self._incoming)

    def rest(self) -> float | None:
        if not (self._running and self._restful):
            return None
        left = self._quiet_at + REST_AFTER_SECONDS - time.monotonic()
        if left > 0:
            return left
        if self.playing():  # the device is behind the clock: rest once it has caught up
            self._quiet_at = time.monotonic()
            return REST_AFTER_SECONDS
        try:
            self._device.stop()
        except self._miniaudio.MiniaudioError as error:  # it plays on, as before resting was
            print(f"miniaudio: the device cannot rest: {error}", file=sys.stderr)
            self._restful = False
            return None
        self._running = False
        return None

    def close(self) -> None:
        if self._running:
            time.sleep(DRAIN_SECONDS)
        self._device.close()

    def _start(self) -> None:
        """Start the device with a fresh callback (a stopped device cannot take its old one)."""
        stream = self._stream()
        next(stream)
        self._device.start(stream)
        self._running = True

    def _stream(self) -> Generator[bytes, int, None]:
        """The device's callback: asked for a number of frames, it gives that many."""
        active: list[_Voice] = []
        count = yield b""
        while True:
            size = count * FRAME_BYTES
            while self._incoming:
                active.append(self._incoming.popleft())
            if not active:
                out = bytes(size)
            elif len(active) == 1:  # a lone sound goes through as it is
                voice = active[0]
                out = voice.frames[voice.position : voice.position + size]
                voice.position += size
                if len(out) < size:
                    out += bytes(size - len(out))
            else:
                out = _mix(active, size)
            active = [voice for voice in active if voice.position < len(voice.frames)]
            self._busy = bool(active)
            count = yield out


def _mix(active: list[_Voice], size: int) -> bytes:
    """The next `size` bytes of every sound, summed and clipped to 16 bits."""
    pieces = []
    for voice in active:
        piece = voice.frames[voice.position : voice.position + size]
        voice.position += size
        pieces.append(array("h", piece + bytes(size - len(piece))))
    if sys.byteorder == "big":
        for piece_array in pieces:
            piece_array.byteswap()
    sums = (sum(samples) for samples in zip(*pieces, strict=True))
    mixed = array("h", [max(_LOW, min(_HIGH, total)) for total in sums])
    if sys.byteorder == "big":
        mixed.byteswap()
    return mixed.tobytes()


def to_device(sound: Decoded) -> Decoded:
    """`sound` as the miniaudio device plays it: 16-bit stereo at RATE.

    Mono at RATE becomes stereo by duplicating each sample exactly; any other rate is
    resampled by miniaudio.
    """
    if sound.rate == RATE and sound.channels == CHANNELS:
        return sound
    if sound.rate == RATE and sound.channels == 1:
        frames = sound.frames
        out = bytearray(2 * len(frames))
        for start in (0, 2):  # left, then right: each the mono sample's two bytes
            out[start::4] = frames[0::2]
            out[start + 1 :: 4] = frames[1::2]
        return Decoded(bytes(out), CHANNELS, RATE)
    import miniaudio

    s16 = miniaudio.SampleFormat.SIGNED16
    converted = miniaudio.convert_frames(
        s16, sound.channels, sound.rate, sound.frames, s16, CHANNELS, RATE
    )
    return Decoded(bytes(converted), CHANNELS, RATE)


# simpleaudio ----------------------------------------------------------------------------------


class Simpleaudio:
    """Each sound opens the device anew, in the sound's own format."""

    name = "simpleaudio"

    def __init__(self) -> None:
        import simpleaudio

        self._simpleaudio = simpleaudio
        self._playing: list[Any] = []
        try:  # open the device once now, so a missing one is known before the start
            simpleaudio.play_buffer(b"\0\0" * 441, 1, 2, 44_100).wait_done()
        except Exception as error:  # simpleaudio raises its own error type, or OSError
            raise NoDevice(f"simpleaudio: {error}") from None

    def prepare(self, sound: Decoded) -> Decoded:
        return sound

    def play(self, sound: Decoded) -> None:
        self._playing = [p for p in self._playing if p.is_playing()]
        self._playing.append(
            self._simpleaudio.play_buffer(sound.frames, sound.channels, 2, sound.rate)
        )

    def playing(self) -> bool:
        return any(p.is_playing() for p in self._playing)

    def rest(self) -> float | None:
        return None  # each sound opened the device, and closes it when it ends

    def close(self) -> None:
        pass
