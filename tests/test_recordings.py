"""Your own recordings (`audio:` on a say step) and the step chime, through real files.

The recordings are made with sox (Debian's sox and libsox-fmt-all, which .ci/run installs) in
every format a step may name, then loaded, laid out and validated as a user's would be.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from oxybreathe.core.loader import load_session
from oxybreathe.core.model import RECORDING_PAUSE_SECONDS, SayStep, Sound
from oxybreathe.core.plan import lay_out
from oxybreathe.core.problems import LoadError
from tests.conftest import SESSIONS, run_cli

FORMATS = ("wav", "flac", "ogg", "mp3")


def record(path: Path, seconds: float) -> Path:
    """A real recording: a tone of `seconds`, in the format the name's suffix says."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "1", str(path), "synth", str(seconds), "sine", "330"],
        check=True,
        capture_output=True,
    )
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(LoadError) as caught:
        load_session(path)
    return [f"{p.line}:{p.col}: {p.message}" for p in caught.value.problems]


@pytest.mark.parametrize("kind", FORMATS)
def test_a_recorded_prompt_without_seconds_lasts_its_recording_and_a_pause(write, tmp_path, kind):
    record(tmp_path / "guidance" / f"settle.{kind}", 3.0)
    session = load_session(
        write(f"""
            name: Mine
            steps:
              - say: Let your eyes close.
                audio: guidance/settle.{kind}
              - breathe: [inhale: 4, exhale: 6]
        """)
    )
    [step, _] = session.steps
    assert isinstance(step, SayStep)
    assert step.audio == Sound(path=tmp_path / "guidance" / f"settle.{kind}")
    assert step.audio_seconds == pytest.approx(3.0, abs=0.06)  # an MP3 frame pads its end
    assert not step.fills  # the breathing fills, the recorded prompt does not
    plan = lay_out(session, 2)
    first = plan.cues[0]
    assert first.voice == step.audio
    assert first.duration == pytest.approx((step.audio_seconds or 0) + RECORDING_PAUSE_SECONDS)
    assert plan.voice_sounds == {step.audio}
    assert step.audio not in plan.sounds  # a recording plays at the voice's volume, not a chime's


def test_seconds_beside_a_recording_still_set_the_length(write, tmp_path):
    record(tmp_path / "a.ogg", 2.0)
    session = load_session(
        write("""
            name: Mine
            steps:
              - {say: Rest., audio: a.ogg, seconds: 9}
        """)
    )
    assert lay_out(session).total == 9


@pytest.mark.parametrize(
    ("audio", "make", "expected"),
    [
        ("gone.ogg", None, "4:12: recording not found for `audio`: "),
        ("notes.txt", "text", "4:12: `audio` must be a recording (.wav, .flac, .ogg, .mp3)"),
        ("broken.ogg", "garbage", "4:12: `audio` cannot be played: "),
        ("long.flac", "long", "it lasts 601 s; a recording may last 600 s"),
        ("folder.mp3", "folder", "it is a folder, not a sound file"),
    ],
)
def test_a_recording_that_cannot_play_is_a_located_problem(write, tmp_path, audio, make, expected):
    target = tmp_path / audio
    if make == "text" or make == "garbage":
        target.write_bytes(b"not a sound " * 100)
    elif make == "long":
        record(target, 601)
    elif make == "folder":
        target.mkdir()
    path = write(f"""
        name: Mine
        steps:
          - say: Rest.
            audio: {audio}
    """)
    [problem] = problems_of(path)
    assert expected in problem
    result = run_cli("validate", str(path))  # the same, from the command line: no traceback
    assert result.returncode == 1
    assert f"{path}:{problem}" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_the_step_chime_marks_each_new_step_after_the_first(write):
    session = load_session(
        write("""
            name: Guided
            chimes: {start: bell, step: chime, inhale: rise}
            steps:
              - {say: One., seconds: 5}
              - {say: Two., seconds: 5}
              - breathe: [inhale: 2, exhale: 2]
                cycles: 2
        """)
    )
    plan = lay_out(session)
    assert [cue.sound for cue in plan.cues] == [
        Sound(builtin="bell"),  # the first step: the start bell
        Sound(builtin="chime"),  # a new prompt
        Sound(builtin="chime"),  # a new step, instead of its first phase sound
        None,
        Sound(builtin="rise"),
        None,
    ]


@pytest.mark.parametrize(
    "name", ["body-scan", "urge-surfing", "grounding", "breathing-space", "connection", "sober"]
)
def test_the_guided_sessions_sound_at_each_new_prompt(name):
    plan = lay_out(load_session(SESSIONS / f"{name}.yaml", builtin=True))
    starts = set(plan.step_starts[1:])
    marked = {cue.start for cue in plan.cues if cue.sound == Sound(builtin="chime")}
    assert starts and starts <= marked


def test_a_sessions_recordings_are_bounded_in_all(write, tmp_path):
    long = record(tmp_path / "long.flac", 590)
    again = "\n".join(f"  - {{say: Part {n}., audio: long.flac}}" for n in range(3))
    assert load_session(write(f"name: Same\nsteps:\n{again}\n"))  # one file, held once
    for n in range(3):
        (tmp_path / f"part{n}.flac").symlink_to(long)
    parts = "\n".join(f"  - {{say: Part {n}., audio: part{n}.flac}}" for n in range(3))
    [problem] = problems_of(write(f"name: Many\nsteps:\n{parts}\n", "many.yaml"))
    assert problem.startswith("5:27: with this one, the session's recordings last 29.5 minutes")
    assert "at most 20 minutes" in problem


def test_a_recording_longer_than_its_step_is_a_located_warning(write, tmp_path):
    record(tmp_path / "b.wav", 1.5)
    path = write("""
        name: Tight
        steps:
          - {say: Rest., seconds: 5}
          - {say: Mine., audio: b.wav, seconds: 1}
    """)
    result = run_cli("validate", str(path))
    assert result.returncode == 0, result.stdout
    assert f"{path}:4:5: warning: its recording lasts 1.5 s, longer than the step's 1 s" in (
        result.stdout
    )
