"""Sound files: where the built-ins are, whether a WAV can be played, and decoding it once.

Pure Python (the `wave` module); the player process turns the decoded frames into sound.
"""

from __future__ import annotations

import array
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

from oxybreathe.core import locations
from oxybreathe.core.model import Sound

MAX_SECONDS = 60.0  # a chime, not a soundtrack: longer files are refused by `validate`
RATES = (8_000, 11_025, 16_000, 22_050, 32_000, 44_100, 48_000, 88_200, 96_000)


@dataclass(frozen=True, slots=True)
class Decoded:
    """16-bit signed little-endian PCM, ready for the device."""

    frames: bytes
    channels: int
    rate: int

    @property
    def seconds(self) -> float:
        """The length of the sound."""
        return len(self.frames) / (2 * self.channels * self.rate)


class Unplayable(ValueError):
    """A WAV the player cannot play; the message says why, for a person."""


def path_of(sound: Sound) -> Path:
    """The file a sound plays from."""
    if sound.path is not None:
        return sound.path
    return locations.builtin_audio_dir() / f"{sound.builtin}.wav"


def check(path: Path) -> None:
    """Raise Unplayable unless `path` is a WAV the player can play."""
    try:
        with wave.open(str(path), "rb") as source:
            channels, width, rate = (
                source.getnchannels(),
                source.getsampwidth(),
                source.getframerate(),
            )
            frames = source.getnframes()
    except (wave.Error, EOFError) as error:
        raise Unplayable(f"not a PCM WAV file the player can read ({error})") from None
    except OSError as error:
        raise Unplayable(f"cannot read it: {error.strerror or error}") from None
    if channels not in (1, 2):
        raise Unplayable(f"it has {channels} channels; use mono or stereo")
    if width not in (1, 2, 3, 4):
        raise Unplayable(f"it has {8 * width}-bit samples; use 8, 16, 24 or 32-bit PCM")
    if rate not in RATES:
        allowed = ", ".join(str(r) for r in RATES)
        raise Unplayable(f"its sample rate is {rate} Hz; use one of {allowed}")
    if frames == 0:
        raise Unplayable("it holds no sound")
    if frames / rate > MAX_SECONDS:
        raise Unplayable(f"it lasts {frames / rate:.0f} s; a chime may last {MAX_SECONDS:.0f} s")


def decode(path: Path) -> Decoded:
    """Read a playable WAV as 16-bit PCM (8, 24 and 32-bit samples are converted)."""
    check(path)
    with wave.open(str(path), "rb") as source:
        channels, width, rate = source.getnchannels(), source.getsampwidth(), source.getframerate()
        raw = source.readframes(source.getnframes())
    if width == 2:
        return Decoded(raw, channels, rate)
    if width == 1:  # unsigned 8-bit
        samples = array.array("h", ((byte - 128) << 8 for byte in raw))
    else:  # keep the top two bytes of each little-endian sample
        samples = array.array("h")
        samples.frombytes(
            b"".join(raw[i + width - 2 : i + width] for i in range(0, len(raw), width))
        )
        if sys.byteorder == "big":
            samples.byteswap()
    return Decoded(_little_endian(samples), channels, rate)


def scaled(sound: Decoded, volume: int) -> bytes:
    """The frames at `volume` (0-100), on a curve that sounds even to the ear."""
    gain = (max(0, min(100, volume)) / 100) ** 2
    if gain >= 1.0:
        return sound.frames
    samples = array.array("h")
    samples.frombytes(sound.frames)
    if sys.byteorder == "big":
        samples.byteswap()
    return _little_endian(array.array("h", (int(s * gain) for s in samples)))


def _little_endian(samples: array.array[int]) -> bytes:
    if sys.byteorder == "big":
        samples = array.array("h", samples)
        samples.byteswap()
    return samples.tobytes()
