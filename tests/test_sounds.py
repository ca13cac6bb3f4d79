"""The shipped sounds, their synthesis, and decoding WAVs for the player."""

from __future__ import annotations

import array
import math
import os
import random
import runpy
import struct
import wave
from pathlib import Path

import pytest

from benchmarks.sound import largest_chime
from oxybreathe.core import sounds
from oxybreathe.core.model import BUILTIN_SOUNDS, Sound
from tests.conftest import ROOT, run_cli, write_wav

AUDIO = ROOT / "audio"


def samples_of(path: Path) -> list[float]:
    with wave.open(str(path), "rb") as source:
        assert (source.getnchannels(), source.getsampwidth(), source.getframerate()) == (
            1,
            2,
            44100,
        )
        data = array.array("h")
        data.frombytes(source.readframes(source.getnframes()))
    return [s / 32768 for s in data]


def rms(values: list[float]) -> float:
    return math.sqrt(sum(v * v for v in values) / len(values))


def crossings_per_second(values: list[float]) -> float:
    crossings = sum(1 for a, b in zip(values, values[1:], strict=False) if a < 0 <= b)
    return crossings / (len(values) / 44100)


def test_the_synth_script_reproduces_the_shipped_files(tmp_path):
    runpy.run_path(str(AUDIO / "synth.py"))["main"](tmp_path)
    for name in BUILTIN_SOUNDS:
        assert (tmp_path / f"{name}.wav").read_bytes() == (AUDIO / f"{name}.wav").read_bytes(), (
            f"audio/{name}.wav is stale: run python audio/synth.py"
        )


@pytest.mark.parametrize("name", BUILTIN_SOUNDS)
def test_each_sound_is_gentle_and_click_free(name):
    values = samples_of(AUDIO / f"{name}.wav")
    assert values[0] == 0 and values[-1] == 0  # starts and ends in silence
    assert 0.45 < max(abs(v) for v in values) <= 0.5 + 1e-4  # peaks at -6 dBFS
    jumps = max(abs(b - a) for a, b in zip(values, values[1:], strict=False))
    assert jumps < 0.15  # no step a speaker would click on
    assert (AUDIO / f"{name}.wav").stat().st_size < 500_000  # small


@pytest.mark.parametrize("name", ["bell", "bowl", "chime", "tick"])
def test_struck_sounds_decay(name):
    values = samples_of(AUDIO / f"{name}.wav")
    tenth = len(values) // 10
    assert rms(values[tenth : 2 * tenth]) > 3 * rms(values[-2 * tenth : -tenth])


def test_rise_rises_and_fall_falls():
    rise, fall = samples_of(AUDIO / "rise.wav"), samples_of(AUDIO / "fall.wav")
    third = len(rise) // 3
    assert crossings_per_second(rise[2 * third :]) > crossings_per_second(rise[:third]) * 1.15
    assert crossings_per_second(fall[:third]) > crossings_per_second(fall[2 * third :]) * 1.15


def test_every_builtin_sound_is_playable():
    for name in BUILTIN_SOUNDS:
        sounds.check(sounds.path_of(Sound(builtin=name)))


@pytest.mark.parametrize("width", [1, 3, 4])
def test_other_sample_widths_decode_to_16_bit(tmp_path, width):
    reference = sounds.decode(write_wav(tmp_path / "ref.wav"))
    other = sounds.decode(write_wav(tmp_path / "other.wav", width=width))
    assert (other.channels, other.rate, len(other.frames)) == (1, 44100, len(reference.frames))
    a, b = array.array("h"), array.array("h")
    a.frombytes(reference.frames)
    b.frombytes(other.frames)
    assert max(abs(x - y) for x, y in zip(a, b, strict=True)) <= 256  # 8-bit loses the rest


def test_volume_scales_on_a_curve():
    tone = sounds.Decoded(array.array("h", [0, 10000, -10000, 20000]).tobytes(), 1, 44100)
    half = array.array("h")
    half.frombytes(sounds.scaled(tone, 50))
    assert list(half) == [0, 2500, -2500, 5000]
    assert sounds.scaled(tone, 100) == tone.frames
    silent = array.array("h")
    silent.frombytes(sounds.scaled(tone, 0))
    assert not any(silent)


def samples(frames: bytes) -> array.array[int]:
    values = array.array("h")
    values.frombytes(frames)
    return values


@pytest.mark.parametrize("width", [1, 3, 4])
@pytest.mark.parametrize("channels", [1, 2])
def test_other_widths_keep_exactly_the_top_16_bits(tmp_path, width, channels):
    path = write_wav(tmp_path / "w.wav", width=width, channels=channels, frames=999)
    with wave.open(str(path), "rb") as source:
        raw = source.readframes(source.getnframes())
    if width == 1:  # unsigned 8-bit: (byte - 128) * 256
        expected = [(byte - 128) << 8 for byte in raw]
    else:
        expected = [
            int.from_bytes(raw[i : i + width], "little", signed=True) >> (8 * (width - 2))
            for i in range(0, len(raw), width)
        ]
    decoded = sounds.decode(path)
    assert (decoded.channels, decoded.rate) == (channels, 44_100)
    assert list(samples(decoded.frames)) == expected


def test_scaling_is_each_sample_times_the_gain_to_the_nearest():
    generator = random.Random(14)
    values = [-32768, -32767, -1, 0, 1, 32766, 32767]
    values += [generator.randint(-32768, 32767) for _ in range(200_000)]
    tone = sounds.Decoded(array.array("h", values).tobytes(), 1, 44_100)
    for volume in range(0, 100):
        factor = round((volume / 100) ** 2 * 32768)
        expected = [math.floor(v * factor / 32768 + 0.5) for v in values]
        assert list(samples(sounds.scaled(tone, volume))) == expected, volume


def test_the_largest_chime_the_format_allows_decodes_and_scales(tmp_path):
    path = largest_chime(tmp_path)
    assert path.stat().st_size <= sounds.MAX_BYTES
    decoded = sounds.decode(path)
    assert (decoded.channels, decoded.rate, decoded.seconds) == (2, 48_000, sounds.MAX_SECONDS)
    with wave.open(str(path), "rb") as source:
        raw = source.readframes(4096)  # the first 1,024 stereo frames, 32-bit
    top = [int.from_bytes(raw[i + 2 : i + 4], "little", signed=True) for i in range(0, 4096, 4)]
    assert list(samples(decoded.frames[:2048])) == top
    quiet = sounds.scaled(decoded, 50)
    assert len(quiet) == len(decoded.frames)
    assert list(samples(quiet[:2048])) == [math.floor(v / 4 + 0.5) for v in top]
    # The same file one frame longer is past the limit.
    with wave.open(str(path), "rb") as source:
        params = source.getparams()
    longer = tmp_path / "longer.wav"
    with wave.open(str(longer), "wb") as out:
        out.setparams(params)
        out.writeframes(bytes(8 * (params.nframes + 1)))
    with pytest.raises(sounds.Unplayable, match="it lasts 60.001 s; a chime may last 60 s"):
        sounds.check(longer)


def riff(*chunks: bytes, declared: int | None = None) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body) if declared is None else declared) + body


def chunk(name: bytes, data: bytes) -> bytes:
    return name + struct.pack("<I", len(data)) + data + b"\0" * (len(data) % 2)


FMT = chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16))


def sparse_100_gb(path: Path) -> None:
    """A sparse file of 100 GiB: it uses no disk."""
    path.touch()
    os.truncate(path, 100 * 1024**3)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: os.mkfifo(p), "it is a pipe (FIFO), not a sound file"),
        (lambda p: p.symlink_to("/dev/zero"), "it is a device, not a sound file"),
        (lambda p: p.mkdir(), "it is a folder, not a sound file"),
        (
            sparse_100_gb,
            "it is 107,374 MB; a chime file may be at most 24 MB",
        ),
        (
            lambda p: p.write_bytes(
                riff(FMT, *[chunk(b"junk", b"")] * 5000, chunk(b"data", b"\0\0"))
            ),
            "it has more than 100 chunks before its sound",
        ),
        (  # the RIFF chunk says it ends before its last chunk does: `wave` raised RuntimeError
            lambda p: p.write_bytes(riff(FMT, chunk(b"LIST", bytes(40)), declared=40)),
            "not a PCM WAV file the player can read (a chunk's size does not match the file)",
        ),
        (lambda p: write_wav(p, rate=96_000), "its sample rate is 96000 Hz; use one of 8000"),
    ],
    ids=["fifo", "device", "folder", "sparse-100-GB", "many-chunks", "broken-chunk", "96-kHz"],
)
def test_a_chime_that_is_not_a_small_regular_wav_is_refused_at_once(tmp_path, make, message):
    make(tmp_path / "bad.wav")
    session = tmp_path / "s.yaml"
    session.write_text("name: x\nchimes: {end: bad.wav}\nsteps: [{say: hi, seconds: 1}]\n")
    result = run_cli("validate", str(session), timeout=30)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.startswith(f"{session}:2:15: `chimes.end` cannot be played: ")
    assert message in result.stdout
