"""The shipped sounds, their synthesis, and decoding WAVs for the player."""

from __future__ import annotations

import array
import math
import runpy
import wave
from pathlib import Path

import pytest

from oxybreathe.core import sounds
from oxybreathe.core.model import BUILTIN_SOUNDS, Sound
from tests.conftest import ROOT, write_wav

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
