"""Spoken guidance through the real speech engine (espeak-ng, Debian's package).

Each prompt is rendered before the session, cached by text, engine and voice, and attached to
its cue; a prompt whose speech outlasts its step is reported with its line. What is played is
tested in tests/test_audio.py, through ALSA.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from oxybreathe.core import sounds, speech
from oxybreathe.core.loader import load_session
from oxybreathe.core.plan import lay_out
from oxybreathe.core.speech import Voice
from tests.conftest import SESSIONS, app_with, run_cli, text_of

ESPEAK = shutil.which("espeak-ng")
LONG = (
    "Let your eyes close, if that feels right, and notice the weight of your body resting "
    "where you are sitting or lying, and the breath moving on its own."
)


@pytest.fixture
def voice() -> Voice:
    assert ESPEAK is not None, "the voice tests need espeak-ng (apt install espeak-ng)"
    found = speech.find_voice()
    assert found is not None and found.engine == "espeak-ng"
    return found


def test_every_prompt_of_the_body_scan_is_spoken_at_its_cue(voice, tmp_path):
    plan = lay_out(load_session(SESSIONS / "body-scan.yaml", builtin=True))
    seen: list[tuple[int, int]] = []
    prepared = speech.prepare(plan, voice, cache=tmp_path, progress=lambda *p: seen.append(p))
    assert prepared.notice is None and prepared.overruns == ()
    prompts = [cue for cue in prepared.plan.cues if cue.kind == "prompt"]
    assert prompts and all(cue.voice is not None for cue in prompts)
    for cue in prompts:  # real speech: a WAV of a plausible length for its words
        assert cue.voice is not None and cue.voice.path is not None
        seconds = sounds.check(cue.voice.path, max_seconds=sounds.RECORDING_MAX_SECONDS)
        assert cue.text is not None
        assert 0.15 * len(cue.text.split()) < seconds < 1.5 * len(cue.text.split()) + 1
    assert seen[-1] == (len(prompts), len(prompts)) and len(seen) == len(prompts)
    assert prepared.plan.voice_sounds == {cue.voice for cue in prompts}
    assert [c.start for c in prepared.plan.cues] == [c.start for c in plan.cues]  # same times


def test_a_second_run_uses_the_cache_and_runs_no_engine(voice, tmp_path):
    plan = lay_out(load_session(SESSIONS / "urge-surfing.yaml", builtin=True), 10)
    first = speech.prepare(plan, voice, cache=tmp_path)
    # The same voice, but its program gone: only the cache can answer.
    gone = Voice(voice.engine, str(tmp_path / "no-such-engine"))
    again = speech.prepare(plan, gone, cache=tmp_path)
    assert again.notice is None
    assert again.plan.voice_sounds == first.plan.voice_sounds != set()


def test_a_corrupt_cached_rendering_is_rendered_again(voice, tmp_path):
    plan = lay_out(load_session(SESSIONS / "box.yaml", builtin=True))
    speech.prepare(plan, voice, cache=tmp_path, phases=True)
    spoken_in = tmp_path / f"{voice.key('in')}.wav"
    assert sounds.check(spoken_in) > 0.1
    spoken_in.write_bytes(b"RIFF garbage")  # a crash mid-write, a full disk, a stray edit...
    prepared = speech.prepare(plan, voice, cache=tmp_path, phases=True)
    assert prepared.notice is None
    assert sounds.check(spoken_in) > 0.1  # whole speech again


def test_the_cache_key_holds_text_engine_and_voice(voice):
    assert voice.key("in") != voice.key("out")
    assert voice.key("in") != Voice("piper", "piper", "/m/a.onnx").key("in")
    assert Voice("piper", "piper", "/m/a.onnx").key("in") != Voice("piper", "p", "/b.onnx").key(
        "in"
    )


def test_a_prompt_whose_speech_outlasts_its_step_is_reported_with_its_line(voice, write):
    path = write(f"""
        name: Voiced
        steps:
          - say: Settle.
            seconds: 5
          - say: {LONG}
            seconds: 2
          - breathe: [inhale: 4, exhale: 6]
            cycles: 2
    """)
    prepared = speech.prepare(lay_out(load_session(path)), voice, cache=path.parent / "c")
    [overrun] = prepared.overruns
    assert (overrun.position.line, overrun.position.col) == (5, 5)
    assert overrun.speech_seconds > 4 and overrun.seconds == 2
    [line] = speech.warnings(prepared)
    assert line.startswith(f"{path}:5:5: the spoken prompt “Let your eyes close")
    # validate --voice says the same, located, and the file is still valid.
    result = run_cli("validate", "--voice", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{path}:5:5: the spoken prompt" in result.stdout
    assert "Traceback" not in result.stderr


def test_phase_words_are_spoken_only_when_asked(voice, tmp_path):
    plan = lay_out(load_session(SESSIONS / "box.yaml", builtin=True))
    quiet = speech.prepare(plan, voice, cache=tmp_path)
    spoken = speech.prepare(plan, voice, cache=tmp_path, phases=True)
    assert all(c.voice is None for c in quiet.plan.cues if c.kind == "phase" and not c.step_text)
    words = {c.phase: c.voice for c in spoken.plan.cues if c.kind == "phase" and c.cycle == 2}
    assert set(words) == {"inhale", "hold", "exhale"} and None not in words.values()
    assert words["inhale"] != words["exhale"]


def test_a_recorded_prompt_is_not_spoken_over(voice, write, tmp_path):
    import subprocess

    subprocess.run(
        ["sox", "-n", "-r", "22050", "-c", "1", str(tmp_path / "mine.wav"), "synth", "1", "sine"],
        check=True,
    )
    path = write("""
        name: Mine
        steps:
          - {say: In my own voice., audio: mine.wav}
          - {say: In the system's voice., seconds: 5}
    """)
    prepared = speech.prepare(lay_out(load_session(path)), voice, cache=tmp_path / "c")
    first, second = prepared.plan.cues
    assert first.voice is not None and first.voice.path == tmp_path / "mine.wav"
    assert second.voice is not None and second.voice.path is not None
    assert second.voice.path.parent == tmp_path / "c"


def test_no_engine_is_one_calm_line_and_the_plan_as_before(tmp_path):
    assert speech.find_voice(which=lambda _name: None) is None
    plan = lay_out(load_session(SESSIONS / "body-scan.yaml", builtin=True))
    prepared = speech.prepare(plan, None, cache=tmp_path)
    assert prepared.plan is plan and prepared.notice == speech.NO_ENGINE
    assert "espeak-ng" in speech.NO_ENGINE and "\n" not in speech.NO_ENGINE


def test_a_failing_engine_is_a_notice_not_a_failure(tmp_path):
    plan = lay_out(load_session(SESSIONS / "body-scan.yaml", builtin=True))
    failing = Voice("espeak-ng", shutil.which("false") or "/bin/false")
    prepared = speech.prepare(plan, failing, cache=tmp_path)
    assert prepared.notice is not None and "could not speak 9 of 9 prompts" in prepared.notice
    assert prepared.plan.voice_sounds == set()
    assert list(tmp_path.iterdir()) == []  # no half-written rendering is left behind


def test_an_unwritable_cache_still_speaks(voice, tmp_path):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    plan = lay_out(load_session(SESSIONS / "grounding.yaml", builtin=True))
    prepared = speech.prepare(plan, voice, cache=blocked / "speech")
    assert prepared.notice is None and prepared.plan.voice_sounds
    assert all(
        s.path is not None and not s.path.is_relative_to(blocked)
        for s in prepared.plan.voice_sounds
    )


SHORT = """
    name: Short
    steps:
      - {say: Settle., seconds: 1}
      - {say: Breathe out slowly., seconds: 1.5}
"""


def session_part(stdout: str) -> str:
    """Plain mode's output up to its closing note (which changes from one run to the next, so
    that the same note is not shown every time)."""
    head, finished, _ = stdout.partition("Finished:")
    assert finished, stdout
    return head


def test_plain_mode_prints_the_same_and_says_why_without_an_engine(write, tmp_path):
    bare = tmp_path / "bin"  # a PATH with Python, and no speech engine
    bare.mkdir()
    env = {"PATH": str(bare)}
    plain = ["run", str(write(SHORT)), "--plain", "--no-checkin", "--no-chimes"]
    without = run_cli(*plain, env=env)
    spoken = run_cli(*plain, "--voice", env=env)
    assert spoken.returncode == without.returncode == 0, spoken.stderr
    assert session_part(spoken.stdout) == session_part(without.stdout)
    assert speech.NO_ENGINE in spoken.stderr and speech.NO_ENGINE not in without.stderr


def test_plain_mode_with_a_voice_prints_exactly_what_it_prints_without(write, voice):
    plain = ["run", str(write(SHORT)), "--plain", "--no-checkin", "--no-chimes"]
    spoken = run_cli(*plain, "--voice")
    assert spoken.returncode == 0, spoken.stderr
    assert session_part(spoken.stdout) == session_part(run_cli(*plain).stdout)
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "oxybreathe" / "speech"
    assert len(list(cache.glob("*.wav"))) == 2  # rendered into the user cache folder


async def test_v_on_home_turns_the_voice_on_and_it_is_remembered(clock):
    app = app_with(clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("v")
        await pilot.pause()
        assert app.prefs.voice is True
        assert "Voice: on  (v)" in text_of(app.screen, "chimes")
    again = app_with(clock)
    async with again.run_test(size=(100, 30)):
        assert again.prefs.voice is True


def test_the_work_is_bounded_before_it_is_done(voice, tmp_path, monkeypatch):
    monkeypatch.setattr(speech, "MAX_PROMPTS", 3)  # the bound, made small enough to reach
    plan = lay_out(load_session(SESSIONS / "body-scan.yaml", builtin=True))
    seen: list[tuple[int, int]] = []
    prepared = speech.prepare(plan, voice, cache=tmp_path, progress=lambda *p: seen.append(p))
    assert seen[-1] == (3, 3) and len(list(tmp_path.glob("*.wav"))) == 3
    assert prepared.notice is not None and "the first 3 of this session's 9" in prepared.notice
    assert len(prepared.plan.voice_sounds) == 3


async def test_the_app_speaks_a_session_rendered_while_the_check_in_is_asked(clock, voice):
    from oxybreathe.ui.screens.checkin import CheckinScreen
    from tests.conftest import session_on_top, top

    plan = lay_out(load_session(SESSIONS / "body-scan.yaml", builtin=True))
    app = app_with(clock, start=plan, voice=True, chimes=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        top(app, CheckinScreen)
        await pilot.press("s", "s")  # skip both questions
        screen = await session_on_top(pilot)
        prompts = [cue for cue in screen.flow.plan.cues if cue.kind == "prompt"]
        assert prompts and all(cue.voice is not None for cue in prompts)
        # Chimes are off, the voice is on: the player is asked for the speech alone (this
        # machine has no sound card, so it then says there is no sound).
        from oxybreathe.audio import PlayerState

        assert screen.player is not None and screen.player.state is not PlayerState.OFF


def test_an_engine_that_hangs_is_asked_once_and_the_session_goes_on(tmp_path, monkeypatch):
    calls = tmp_path / "calls"
    engine = tmp_path / "slow-engine"
    engine.write_text(f"#!/bin/sh\necho called >> {calls}\nexec sleep 30\n")
    engine.chmod(0o755)
    monkeypatch.setattr(speech, "RENDER_TIMEOUT_SECONDS", 0.5)  # instead of 20 s, for the test
    plan = lay_out(load_session(SESSIONS / "body-scan.yaml", builtin=True))
    prepared = speech.prepare(plan, Voice("espeak-ng", str(engine)), cache=tmp_path / "c")
    assert calls.read_text().count("called") == 1  # not once for each of the 9 prompts
    assert prepared.notice is not None and "took more than 0.5 s" in prepared.notice
    assert prepared.plan.voice_sounds == set()


def test_an_engine_that_fails_is_asked_again_for_each_prompt_whatever_it_says(tmp_path):
    # Only a timeout stops the asking; an engine's own words never do, even these.
    calls = tmp_path / "calls"
    engine = tmp_path / "failing-engine"
    engine.write_text(f"#!/bin/sh\necho called >> {calls}\necho 'took more than' >&2\nexit 1\n")
    engine.chmod(0o755)
    plan = lay_out(load_session(SESSIONS / "body-scan.yaml", builtin=True))
    prompts = len({line.text for line in speech.lines(plan)})
    prepared = speech.prepare(plan, Voice("espeak-ng", str(engine)), cache=tmp_path / "c")
    assert calls.read_text().count("called") == prompts > 1
    assert prepared.notice is not None and f"could not speak {prompts} of" in prepared.notice


def test_piper_asked_for_but_missing_is_said(tmp_path, voice):
    model = tmp_path / "calm.onnx"
    model.write_bytes(b"model")
    plan = lay_out(load_session(SESSIONS / "grounding.yaml", builtin=True))
    prepared = speech.prepare_for(plan, piper_model=str(model), phases=False)
    assert prepared.notice is not None and "piper program is not installed" in prepared.notice
    assert prepared.plan.voice_sounds  # and the system's voice speaks instead


async def test_a_warning_with_brackets_is_shown_as_written(clock, voice, write):
    from oxybreathe.ui.screens.checkin import CheckinScreen
    from tests.conftest import session_on_top, top

    path = write("""
        name: "[bold]Marked[/bold]"
        steps:
          - say: >-
              Breathe [/] gently and [bold red]slowly[/bold red], letting the out-breath be
              long and soft.
            seconds: 1
          - {say: Rest., seconds: 5}
    """)
    app = app_with(clock, start=lay_out(load_session(path)), voice=True, chimes=False)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        top(app, CheckinScreen)
        await pilot.press("s", "s")
        await session_on_top(pilot)
        messages = [n.message for n in app._notifications]
        assert any("“Breathe [/] gently and [bold red]slowly" in m for m in messages), messages
