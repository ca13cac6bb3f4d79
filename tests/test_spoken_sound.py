"""Eyes closed, by ear alone: real speech (espeak-ng) and real recordings, captured through ALSA.

A session is run in plain mode with its sound going to ALSA's file plugin (tests/test_audio.py
sets that up). Each spoken prompt and each recording is then found in the capture, byte for
byte as the device got it, and its place in the capture gives the moment it was heard: each
must be heard at its cue's offset from the session's first sound.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from oxybreathe.audio_backends import to_device
from oxybreathe.core import locations, sounds, speech
from oxybreathe.core.loader import load_session
from oxybreathe.core.plan import lay_out
from tests.conftest import run_cli
from tests.test_audio import backend, capture, wait_for  # noqa: F401 - fixtures

BYTES_PER_SECOND = 44_100 * 2 * 2  # the device: 16-bit stereo at 44.1 kHz
# How far from its cue a sound may be found: the device's period, the pacing pipe's buffer,
# and a busy machine's scheduling, with room to spare (the figure is in docs/performance.md).
TOLERANCE_SECONDS = 0.15


def heard(path: Path, *, voice: bool) -> bytes:
    """A sound as the device gets it at full volume: converted, and its silent start left out
    (so that it is found where it becomes audible, not in the silence before it)."""
    longest = sounds.RECORDING_MAX_SECONDS if voice else sounds.MAX_SECONDS
    frames = to_device(sounds.decode(path, max_seconds=longest)).frames
    start = next(i for i in range(0, len(frames), 4) if frames[i : i + 4] != bytes(4))
    return frames[start : start + BYTES_PER_SECOND // 4]  # a quarter second is unmistakable


def offset_of(captured: bytes, sound: bytes, after: int = 0) -> float:
    found = captured.find(sound, after)
    assert found >= 0, "the sound is not in the capture"
    return found / BYTES_PER_SECOND


def loud_settings() -> None:
    """Full volume for chimes and voice, so the capture holds each sound unscaled."""
    settings = locations.settings_file()
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("volume: 100\nvoice_volume: 100\n")


def test_a_spoken_session_speaks_each_prompt_at_its_offset(write, capture, tmp_path):  # noqa: F811
    path = write("""
        name: Spoken
        chimes: {start: none, end: none}
        steps:
          - {say: Let your eyes close., seconds: 3}
          - {say: Breathe out slowly., seconds: 3}
          - {say: Come back when you are ready., seconds: 3}
    """)
    loud_settings()
    result = run_cli("run", str(path), "--plain", "--voice", "--no-checkin")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # speech and sound both work: no notice
    voice = speech.find_voice()
    assert voice is not None
    plan = lay_out(load_session(path))
    rendered, failed = speech.render(voice, [cue.text or "" for cue in plan.cues])
    assert not failed
    spoken = [heard(rendered[cue.text or ""][0], voice=True) for cue in plan.cues]
    captured = wait_for(capture, *spoken)
    starts = [offset_of(captured, sound) for sound in spoken]
    leads = [  # each prompt's silent start, which the engine puts before its first word
        _lead(rendered[cue.text or ""][0]) for cue in plan.cues
    ]
    heard_at = [start - lead for start, lead in zip(starts, leads, strict=True)]
    for cue, at in zip(plan.cues, heard_at, strict=True):
        assert abs((at - heard_at[0]) - cue.start) <= TOLERANCE_SECONDS, (cue.start, heard_at)


def _lead(path: Path) -> float:
    frames = to_device(sounds.decode(path, max_seconds=sounds.RECORDING_MAX_SECONDS)).frames
    start = next(i for i in range(0, len(frames), 4) if frames[i : i + 4] != bytes(4))
    return start / BYTES_PER_SECOND


@pytest.mark.parametrize("kind", ["wav", "flac", "ogg", "mp3"])
def test_a_recorded_prompt_plays_decoded_at_its_cue(write, capture, tmp_path, kind):  # noqa: F811
    recording = tmp_path / f"settle.{kind}"
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "1", str(recording), "synth", "1", "sine", "330"],
        check=True,
        capture_output=True,
    )
    path = write(f"""
        name: Recorded
        chimes: {{start: tick, end: none}}
        steps:
          - {{say: Settle., seconds: 2}}
          - {{say: In my own voice., audio: settle.{kind}}}
    """)
    loud_settings()
    result = run_cli("run", str(path), "--plain", "--no-checkin")
    assert result.returncode == 0, result.stderr
    tick = heard(sounds.path_of(load_session(path).chimes.start), voice=False)  # type: ignore[arg-type]
    own = heard(recording, voice=True)
    captured = wait_for(capture, tick, own)
    lead = _lead(recording)
    at = offset_of(captured, own) - lead - offset_of(captured, tick)
    assert abs(at - 2.0) <= TOLERANCE_SECONDS, at
