"""Sound files: where the built-ins are, whether a file can be played, and decoding it once.

A chime is a WAV file, read in pure Python (the `wave` module). A recorded prompt may also be
FLAC, Ogg Vorbis or MP3, which are decoded by miniaudio (the audio extra) when it is installed.
The player process turns the decoded frames into sound.

The work is bounded before it is done: a file is refused by its type and size (`os.stat`) before
a byte of it is read, and its header before its samples. Converting and scaling samples run at
C speed, on byte slices and big integers, never in a Python loop per sample, so the largest chime
the limits allow is ready in a fraction of a second (figures in docs/performance.md).
"""

from __future__ import annotations

import math
import os
import stat
import struct
import sys
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from oxybreathe.core import locations
from oxybreathe.core.model import Sound
from oxybreathe.core.preferences import VOLUME_MAX, VOLUME_MIN

# A chime, not a soundtrack: these are the limits of format version 1 (docs/session-format.md).
MAX_SECONDS = 60.0
RATES = (8_000, 11_025, 16_000, 22_050, 32_000, 44_100, 48_000)
CHANNELS = (1, 2)
WIDTHS = (1, 2, 3, 4)  # bytes per sample: 8, 16, 24 and 32-bit PCM
# Room for the header and the chunks beside the sound (names, cue points, cover art...).
OTHER_CHUNKS_BYTES = 1024 * 1024
# The largest file the limits allow: the longest, widest sound, and room for the rest.

# A recorded or spoken prompt (`audio:` in a step, or a voice's speech) may last this long.
RECORDING_MAX_SECONDS = 600.0
# ...and a session's recordings this long in all (decoded, 20 minutes are about 210 MB).
RECORDINGS_MAX_TOTAL_SECONDS = 1200.0
# The compressed formats a recording may have besides WAV, decoded by miniaudio.
COMPRESSED = (".flac", ".ogg", ".mp3")
RECORDING_FORMATS = (".wav", *COMPRESSED)
NEEDS_EXTRA = (
    "a {kind} file is decoded by miniaudio, which is not installed: "
    "pip install 'oxybreathe[audio]', or use a .wav file"
)


def max_bytes(max_seconds: float) -> int:
    """The largest file a sound of at most `max_seconds` may be: its longest, widest PCM, and
    room for the rest (a compressed file is always smaller than this)."""
    return int(max_seconds * max(RATES)) * max(CHANNELS) * max(WIDTHS) + OTHER_CHUNKS_BYTES


# Chunks a file may have before its sound (`wave` walks them one by one; a real file has a few).
MAX_CHUNKS = 100
# What `wave` raises on a malformed file (a chunk that points outside the file raises
# RuntimeError, a short one struct.error or EOFError).
_MALFORMED = (wave.Error, EOFError, struct.error, RuntimeError, ValueError)

MAX_BYTES = max_bytes(MAX_SECONDS)

_FLIP_SIGN = bytes(byte ^ 0x80 for byte in range(256))  # signed <-> offset binary, high byte
_UNITY = 1 << 15  # a gain of 1, in the 1/32768ths `scaled` multiplies by
_CHUNK = 1 << 16  # samples scaled per big-integer multiplication (a 256 KiB integer)


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


class Missing(Unplayable):
    """No file by that name (or a link to nothing)."""


def path_of(sound: Sound) -> Path:
    """The file a sound plays from."""
    if sound.path is not None:
        return sound.path
    return locations.builtin_audio_dir() / f"{sound.builtin}.wav"


def check(path: Path, *, max_seconds: float = MAX_SECONDS) -> float:
    """Raise Unplayable unless `path` is a sound the player can play, at most `max_seconds`
    long; return its length in seconds. A WAV's header is all that is read."""
    if path.suffix.lower() in COMPRESSED:
        return _compressed(path, max_seconds).seconds
    try:
        with _opened(path, max_seconds) as file:
            source = _header(file, max_seconds)
            return float(source.getnframes() / source.getframerate())
    except _NotPlain:
        return _through_miniaudio(path, max_seconds).seconds


def decode(path: Path, *, max_seconds: float = MAX_SECONDS) -> Decoded:
    """Read a playable sound as 16-bit PCM (8, 24 and 32-bit WAV samples are converted; FLAC,
    Ogg Vorbis and MP3 are decoded by miniaudio)."""
    if path.suffix.lower() in COMPRESSED:
        return _compressed(path, max_seconds)
    try:
        return _plain_wav(path, max_seconds)
    except _NotPlain:
        return _through_miniaudio(path, max_seconds)


def _plain_wav(path: Path, max_seconds: float) -> Decoded:
    with _opened(path, max_seconds) as file:
        source = _header(file, max_seconds)
        channels, width = source.getnchannels(), source.getsampwidth()
        try:
            raw = source.readframes(source.getnframes())
        except _MALFORMED as error:
            raise Unplayable(f"not a PCM WAV file the player can read ({error})") from None
        except OSError as error:
            raise Unplayable(f"cannot read it: {error.strerror or error}") from None
    whole = len(raw) - len(raw) % (channels * width)  # a file cut short ends mid-frame
    return Decoded(_to_16_bit(raw[:whole], width), channels, source.getframerate())


def scaled(sound: Decoded, volume: int) -> bytes:
    """The frames at `volume` (VOLUME_MIN to VOLUME_MAX), on a curve that sounds even to the ear.

    Each sample becomes sample * gain rounded to the nearest whole number, the gain counted in
    1/32768ths.
    """
    factor = round((max(VOLUME_MIN, min(VOLUME_MAX, volume)) / VOLUME_MAX) ** 2 * _UNITY)
    if factor >= _UNITY:
        return sound.frames
    return _times(sound.frames, factor)


class _NotPlain(Unplayable):
    """A WAV in a form the `wave` module cannot read (WAVE_FORMAT_EXTENSIBLE on Python 3.11)."""


def _through_miniaudio(path: Path, max_seconds: float) -> Decoded:
    """A WAV `wave` cannot read, decoded by miniaudio when it is there."""
    try:
        import miniaudio  # noqa: F401
    except ImportError:
        raise Unplayable(
            "it is an extensible WAV, which needs miniaudio: pip install 'oxybreathe[audio]'"
        ) from None
    return _compressed(path, max_seconds, kind="wav")


def _compressed(path: Path, max_seconds: float, kind: str | None = None) -> Decoded:
    """Decode a FLAC, Ogg Vorbis or MP3 file, once its size, then its header, allow it."""
    kind = kind or path.suffix.lower().lstrip(".")
    try:
        import miniaudio
    except ImportError:
        raise Unplayable(NEEDS_EXTRA.format(kind=kind)) from None
    with _opened(path, max_seconds) as file:
        try:
            data = file.read()
        except OSError as error:
            raise Unplayable(f"cannot read it: {error.strerror or error}") from None
    info_of = {
        "flac": miniaudio.flac_get_info,
        "ogg": miniaudio.vorbis_get_info,
        "wav": miniaudio.wav_get_info,
    }
    try:
        info = info_of.get(kind, miniaudio.mp3_get_info)(data)
    except miniaudio.MiniaudioError:
        raise Unplayable(f"not {_article(kind)} file the player can read") from None
    if info.nchannels < 1 or info.sample_rate < 1 or info.num_frames < 1:
        raise Unplayable("it holds no sound")
    if info.num_frames / info.sample_rate > max_seconds:
        lasts = math.ceil(info.num_frames / info.sample_rate * 1000) / 1000
        raise Unplayable(f"it lasts {lasts:g} s; a recording may last {max_seconds:g} s")
    rate = info.sample_rate if info.sample_rate in RATES else max(RATES)
    channels = min(info.nchannels, max(CHANNELS))
    try:
        sound = miniaudio.decode(
            data,
            output_format=miniaudio.SampleFormat.SIGNED16,
            nchannels=channels,
            sample_rate=rate,
        )
    except miniaudio.MiniaudioError:
        raise Unplayable(f"not {_article(kind)} file the player can read") from None
    frames = sound.samples.tobytes()
    if sys.byteorder == "big":
        swapped = sound.samples
        swapped.byteswap()
        frames = swapped.tobytes()
    if not frames:
        raise Unplayable("it holds no sound")
    return Decoded(frames, channels, rate)


def _opened(path: Path, max_seconds: float = MAX_SECONDS) -> BinaryIO:
    """The file, opened for reading once its type and size allow it; raises Unplayable.

    A FIFO, a device or a folder is refused by `os.stat`, before it is opened (opening a FIFO
    waits for a writer); so is a file larger than MAX_BYTES, sparse or not. What is opened is
    checked again, in case the name was given to something else in between.
    """
    try:
        _refuse_by_stat(os.stat(path), max_seconds)
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise Missing("there is no such file") from None
    except OSError as error:
        raise Unplayable(f"cannot read it: {error.strerror or error}") from None
    file = os.fdopen(handle, "rb")
    try:
        _refuse_by_stat(os.fstat(handle), max_seconds)
    except BaseException:
        file.close()
        raise
    return file


def _refuse_by_stat(info: os.stat_result, max_seconds: float = MAX_SECONDS) -> None:
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise Unplayable("it is a folder, not a sound file")
    if stat.S_ISFIFO(mode):
        raise Unplayable("it is a pipe (FIFO), not a sound file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise Unplayable("it is a device, not a sound file")
    if not stat.S_ISREG(mode):
        raise Unplayable("it is not a regular file")
    largest = max_bytes(max_seconds)
    if info.st_size > largest:
        what = "a chime file" if max_seconds <= MAX_SECONDS else "a recording"
        raise Unplayable(
            f"it is {info.st_size / 1e6:,.0f} MB; {what} may be at most "
            f"{largest / 1e6:.0f} MB ({max_seconds:.0f} s of 48 kHz stereo sound)"
        )


def _header(file: BinaryIO, max_seconds: float = MAX_SECONDS) -> wave.Wave_read:
    """The WAV reader, once its header is one the player can play; raises Unplayable."""
    try:
        _count_chunks(file)
        source = wave.open(file, "rb")  # noqa: SIM115 - the caller closes the file it reads
        channels, width = source.getnchannels(), source.getsampwidth()
        rate, frames = source.getframerate(), source.getnframes()
    except Unplayable:
        raise
    except _MALFORMED as error:
        why = str(error) or "a chunk's size does not match the file"
        if why.startswith("unknown format"):  # WAVE_FORMAT_EXTENSIBLE, which 3.11 cannot read
            raise _NotPlain(f"not a PCM WAV file the player can read ({why})") from None
        raise Unplayable(f"not a PCM WAV file the player can read ({why})") from None
    except OSError as error:
        raise Unplayable(f"cannot read it: {error.strerror or error}") from None
    if channels not in CHANNELS:
        raise Unplayable(f"it has {channels} channels; use mono or stereo")
    if width not in WIDTHS:
        raise Unplayable(f"it has {8 * width}-bit samples; use 8, 16, 24 or 32-bit PCM")
    if rate not in RATES:
        allowed = ", ".join(str(r) for r in RATES)
        raise Unplayable(f"its sample rate is {rate} Hz; use one of {allowed}")
    if frames == 0:
        raise Unplayable("it holds no sound")
    if frames / rate > max_seconds:
        lasts = math.ceil(frames / rate * 1000) / 1000  # never "60 s" for one frame too many
        what = "a chime" if max_seconds <= MAX_SECONDS else "a recording"
        raise Unplayable(f"it lasts {lasts:g} s; {what} may last {max_seconds:g} s")
    return source


def _count_chunks(file: BinaryIO) -> None:
    """Refuse more than MAX_CHUNKS chunks before the sound, reading 8 bytes of each.

    Whatever else is wrong with the file is left for `wave` to say.
    """
    riff = file.read(12)
    if riff[:4] == b"RIFF" and riff[8:12] == b"WAVE":
        for _ in range(MAX_CHUNKS):
            header = file.read(8)
            if len(header) < 8 or header[:4] == b"data":
                break
            size = int.from_bytes(header[4:], "little")
            file.seek(size + size % 2, os.SEEK_CUR)  # chunks are padded to an even length
        else:
            raise Unplayable(f"it has more than {MAX_CHUNKS} chunks before its sound")
    file.seek(0)


def _to_16_bit(raw: bytes, width: int) -> bytes:
    """Samples of `width` bytes, in the order `wave` gives them, as 16-bit little-endian."""
    if width == 1:  # unsigned 8-bit: the sample, its sign bit flipped, becomes the high byte
        out = bytearray(2 * len(raw))
        out[1::2] = raw.translate(_FLIP_SIGN)
        return bytes(out)
    # Keep each sample's two most significant bytes. `wave` gives samples in the machine's
    # byte order (little-endian files are swapped on a big-endian machine).
    high, low = (0, 1) if sys.byteorder == "big" else (width - 1, width - 2)
    if width == 2 and sys.byteorder == "little":
        return raw
    out = bytearray(2 * (len(raw) // width))
    out[0::2] = raw[low::width]
    out[1::2] = raw[high::width]
    return bytes(out)


def _times(frames: bytes, factor: int) -> bytes:
    """Every 16-bit sample times `factor`/32768 (below 1), to the nearest, with no loop per sample.

    A chunk of samples is laid into 4-byte lanes of one big integer, each sample `s` offset to
    `u = s + 32768` (its high byte's sign bit flipped). One multiplication and one addition then
    scale every lane at once: `2*factor*u + 65536*(32768 - factor) + 32768` is
    `2*factor*s + 2**31 + 2**15`, always within [0, 2**32), so no lane carries into the next,
    and its top two bytes are `floor(s*factor/32768 + 1/2) + 32768`: the scaled sample, offset.
    """
    out = bytearray(len(frames))
    offset = ((_UNITY - factor) << 16) + (1 << 15)
    lanes = bytearray(4 * _CHUNK)
    constant = int.from_bytes(offset.to_bytes(4, "little") * _CHUNK, "little")
    for start in range(0, len(frames), 2 * _CHUNK):
        piece = frames[start : start + 2 * _CHUNK]
        count = len(piece) // 2
        if count < _CHUNK:  # the last, shorter chunk
            lanes = bytearray(4 * count)
            constant = int.from_bytes(offset.to_bytes(4, "little") * count, "little")
        lanes[0::4] = piece[0::2]
        lanes[1::4] = piece[1::2].translate(_FLIP_SIGN)
        product = int.from_bytes(lanes, "little") * (2 * factor) + constant
        result = product.to_bytes(4 * count, "little")
        out[start : start + 2 * count : 2] = result[2::4]
        out[start + 1 : start + 2 * count : 2] = result[3::4].translate(_FLIP_SIGN)
    return bytes(out)


def _article(kind: str) -> str:
    """ "an OGG", "a FLAC", "an MP3": the name as it is said."""
    return f"{'an' if kind[0] in 'aefhilmnorsx' else 'a'} {kind.upper()}"
