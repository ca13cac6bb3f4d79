"""Spoken guidance: each prompt rendered to audio by the system's own speech engine.

Everything is rendered before the session starts, so that a spoken prompt plays on its cue
exactly as a chime does:

    voice = find_voice(prefs.piper_model)          # espeak-ng, macOS `say`, or Piper; or None
    prepared = prepare(plan, voice, phases=..., progress=...)
    prepared.plan                                  # the plan, each spoken cue's `voice` set
    prepared.overruns                              # prompts whose speech outlasts their step

Renderings are kept in the user cache folder, keyed by the text, the engine and the voice, so a
second run starts at once. The speech runs in the engine's own process, with a time limit; a
prompt it cannot speak is shown as always, and the reason goes to the notice.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from oxybreathe.core import locations, sounds
from oxybreathe.core.model import BreatheStep, PhaseName, Position, Sound
from oxybreathe.core.plan import Plan
from oxybreathe.core.wording import duration

# A new version here renders every prompt again (when the way of rendering changes).
CACHE_VERSION = 1
# The most one prompt may take to render (a prompt is at most 2,000 characters, which
# espeak-ng speaks into a file in a second or two), and the most a whole session's rendering
# may take before the session starts without the rest. An engine that times out once is not
# asked again.
RENDER_TIMEOUT_SECONDS = 20.0
RENDER_BUDGET_SECONDS = 45.0
# The most distinct prompts one session renders (a 3-hour session of 10-second prompts has
# about a thousand); any beyond are shown, not spoken, and the notice says so.
MAX_PROMPTS = 1200
# The words spoken for the phases, when the user asks for them.
PHASE_WORDS: dict[PhaseName, str] = {"inhale": "in", "hold": "hold", "exhale": "out"}

# A calm voice: slower than conversation (espeak-ng's default is 175 words a minute, macOS
# about 180), and a little lower. The volume is the player's (voice_volume).
ESPEAK_WORDS_PER_MINUTE = 130
ESPEAK_PITCH = 40
SAY_WORDS_PER_MINUTE = 140
PIPER_LENGTH_SCALE = 1.25  # Piper's speech, a quarter slower

NO_ENGINE = (
    "Voice is off: no speech engine was found. Install espeak-ng (Debian and Ubuntu: "
    "sudo apt install espeak-ng; Fedora: sudo dnf install espeak-ng), or point `piper_model` "
    "in the settings at a Piper voice. The session runs as before."
)


@dataclass(frozen=True, slots=True)
class Voice:
    """A speech engine on this system, and how it is asked to speak."""

    engine: str  # "espeak-ng", "say" or "piper"
    program: str
    model: str | None = None  # Piper's voice model

    def describe(self) -> str:
        """The engine, as a person would name it."""
        return f"Piper ({Path(self.model).name})" if self.model else self.engine

    def key(self, text: str) -> str:
        """The cache key of `text` spoken by this voice."""
        settings = [CACHE_VERSION, self.engine, self.model, self._rate(), text]
        return hashlib.sha256(json.dumps(settings).encode()).hexdigest()

    def _rate(self) -> object:
        if self.engine == "espeak-ng":
            return [ESPEAK_WORDS_PER_MINUTE, ESPEAK_PITCH]
        return SAY_WORDS_PER_MINUTE if self.engine == "say" else PIPER_LENGTH_SCALE

    def command(self, out: Path) -> list[str]:
        """The command that reads the text on its stdin and writes a WAV to `out`."""
        if self.engine == "espeak-ng":
            speed, pitch = str(ESPEAK_WORDS_PER_MINUTE), str(ESPEAK_PITCH)
            return [self.program, "-s", speed, "-p", pitch, "-w", str(out), "--stdin"]
        if self.engine == "say":
            return [
                *(self.program, "-r", str(SAY_WORDS_PER_MINUTE), "-o", str(out)),
                *("--file-format=WAVE", "--data-format=LEI16@22050", "-f", "-"),
            ]
        assert self.model is not None
        return [
            *(self.program, "--model", self.model, "--output_file", str(out)),
            *("--length_scale", str(PIPER_LENGTH_SCALE)),
        ]


def find_voice(
    piper_model: str | None = None, which: Callable[[str], str | None] = shutil.which
) -> Voice | None:
    """The voice to speak with: Piper when a model is set and Piper is installed, else the
    system's own (espeak-ng on Linux, `say` on macOS); None when there is none."""
    if piper_model is not None:
        piper = which("piper")
        if piper is not None:
            return Voice("piper", piper, piper_model)
    if sys.platform == "darwin" and (say := which("say")) is not None:
        return Voice("say", say)
    for name in ("espeak-ng", "espeak"):
        program = which(name)
        if program is not None:
            return Voice("espeak-ng", program)
    return None


@dataclass(frozen=True, slots=True)
class Line:
    """One thing to say: its text, the cue it starts at, the time it has, and its step's place
    in the file."""

    text: str
    cue: int
    seconds: float
    position: Position


def lines(plan: Plan, *, phases: bool = False) -> list[Line]:
    """What a voice would say in `plan`: each prompt, each breathing step's own text at the
    step's start, and (`phases`) a word for each phase. A prompt with a recording is not
    spoken: the recording is its voice."""
    found: list[Line] = []
    steps = plan.session.steps
    step_ends = [*plan.step_starts[1:], plan.total]
    for cue in plan.cues:
        step = steps[cue.step]
        if cue.voice is not None:
            continue
        if cue.kind == "prompt" and cue.text:
            found.append(Line(cue.text, cue.index, cue.duration, step.position))
        elif isinstance(step, BreatheStep) and cue.step_text and _first_of_step(plan, cue.index):
            room = step_ends[cue.step] - cue.start
            found.append(Line(cue.step_text, cue.index, room, step.position))
        elif phases and cue.phase is not None:
            found.append(Line(PHASE_WORDS[cue.phase], cue.index, cue.duration, step.position))
    return found


def _first_of_step(plan: Plan, index: int) -> bool:
    return index == 0 or plan.cues[index - 1].step != plan.cues[index].step


@dataclass(frozen=True, slots=True)
class Overrun:
    """A prompt whose speech lasts longer than the time it has."""

    position: Position
    text: str
    speech_seconds: float
    seconds: float

    def located(self, shown: str | None) -> str:
        """`file:line:col: what is wrong`, the file as the user named it (without a file, a
        built-in's, just what is wrong)."""
        where = f"{shown}:{self.position.line}:{self.position.col}: " if shown else ""
        return where + self.describe()

    def describe(self) -> str:
        """What is wrong, for `file:line:col: ...`."""
        words = " ".join(self.text.split())
        shown = words if len(words) <= 40 else words[:39] + "…"
        return (
            f"the spoken prompt “{shown}” lasts {duration(self.speech_seconds)}, longer than "
            f"the {duration(self.seconds)} it has; it plays to its end over what follows"
        )


@dataclass(frozen=True, slots=True)
class Prepared:
    """A plan with its speech, and what to tell the user before it starts."""

    plan: Plan
    overruns: tuple[Overrun, ...] = ()
    notice: str | None = None  # why some or all of it will not be spoken


Progress = Callable[[int, int], None]


def prepare(
    plan: Plan,
    voice: Voice | None,
    *,
    phases: bool = False,
    progress: Progress | None = None,
    cache: Path | None = None,
) -> Prepared:
    """Render what `plan` says (from the cache where it can) and attach it to the cues.

    `progress(done, total)` is called after each prompt is ready. Never raises for a missing or
    failing engine or an unwritable cache: the plan is returned as it was, with a notice.
    """
    said = lines(plan, phases=phases)
    if not said:
        return Prepared(plan)
    if voice is None:
        return Prepared(plan, notice=NO_ENGINE)
    texts = list(dict.fromkeys(line.text for line in said))
    rendered, failures = render(voice, texts[:MAX_PROMPTS], cache, progress)
    cues = list(plan.cues)
    overruns = []
    for line in said:
        speech = rendered.get(line.text)
        if speech is None:
            continue
        path, seconds = speech
        cues[line.cue] = dataclasses.replace(cues[line.cue], voice=Sound(path=path))
        if seconds > line.seconds + 0.05:
            overruns.append(Overrun(line.position, line.text, seconds, line.seconds))
    notice = None
    if len(texts) > MAX_PROMPTS:
        notice = (
            f"The voice speaks the first {MAX_PROMPTS:,} of this session's {len(texts):,} "
            "different prompts; the rest are shown as usual."
        )
    elif failures:
        first = next(iter(failures.values()))
        notice = (
            f"The voice ({voice.describe()}) could not speak {len(failures)} of "
            f"{len(texts)} prompts ({first}); they are shown as usual."
        )
    return Prepared(dataclasses.replace(plan, cues=tuple(cues)), tuple(overruns), notice)


def render(
    voice: Voice,
    texts: Iterable[str],
    cache: Path | None = None,
    progress: Progress | None = None,
) -> tuple[dict[str, tuple[Path, float]], dict[str, str]]:
    """Each distinct text as a WAV file and its length; and the texts that failed, with why.

    A rendering is kept under `cache` (the user cache folder by default) as it is finished, and
    used again while it plays; where the cache cannot be written, a folder of its own in the
    system's temporary folder serves for this run.
    """
    wanted = list(dict.fromkeys(texts))
    folder = _writable(cache if cache is not None else locations.cache_dir() / "speech")
    done: dict[str, tuple[Path, float]] = {}
    failed: dict[str, str] = {}
    deadline = time.monotonic() + RENDER_BUDGET_SECONDS
    stuck: _Stuck | None = None  # why the engine is not asked again
    for number, text in enumerate(wanted, start=1):
        path = folder / f"{voice.key(text)}.wav"
        try:
            done[text] = (path, _length(path))
        except sounds.Unplayable:
            if stuck is None and time.monotonic() > deadline:
                stuck = _Stuck(f"rendering took more than {RENDER_BUDGET_SECONDS:g} s")
            why = stuck or _speak(voice, text, path, min(RENDER_TIMEOUT_SECONDS, _left(deadline)))
            if isinstance(why, _Stuck):
                stuck = why
            if why is None:
                try:
                    done[text] = (path, _length(path))
                except sounds.Unplayable as unplayable:
                    why = f"its speech cannot be played: {unplayable}"
            if why is not None:
                failed[text] = why
        if progress is not None:
            progress(number, len(wanted))
    return done, failed


class _Stuck(str):
    """Why a rendering failed, when the engine is not to be asked again (it timed out)."""


def _left(deadline: float) -> float:
    return max(1.0, deadline - time.monotonic())


def _length(path: Path) -> float:
    return sounds.check(path, max_seconds=sounds.RECORDING_MAX_SECONDS)


def _writable(folder: Path) -> Path:
    """`folder`, created if need be, or a temporary folder when it cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-")  # noqa: SIM115
        probe.close()
        return folder
    except OSError:
        temporary = Path(tempfile.mkdtemp(prefix="oxybreathe-speech-"))
        # The player has read every file by the time the program ends.
        atexit.register(shutil.rmtree, temporary, ignore_errors=True)
        return temporary


def _speak(voice: Voice, text: str, path: Path, timeout: float) -> str | None:
    """Render `text` to `path` (whole, or not at all); None, or why it failed."""
    fd, part = tempfile.mkstemp(dir=path.parent, prefix=".speaking-", suffix=".wav")
    os.close(fd)
    try:
        result = subprocess.run(
            voice.command(Path(part)),
            input=" ".join(text.split()).encode(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            said = result.stderr.decode(errors="replace").strip().splitlines()
            return f"{voice.engine} failed" + (f": {said[-1][:200]}" if said else "")
        os.replace(part, path)
        return None
    except subprocess.TimeoutExpired:
        return _Stuck(f"{voice.engine} took more than {timeout:g} s for one prompt")
    except OSError as error:
        return f"{voice.engine} could not run: {error.strerror or error}"
    finally:
        with contextlib.suppress(OSError):
            os.unlink(part)


def prepare_for(
    plan: Plan, *, piper_model: str | None, phases: bool, progress: Progress | None = None
) -> Prepared:
    """`prepare` with the voice the settings ask for: what both front ends call."""
    voice = find_voice(piper_model)
    prepared = prepare(plan, voice, phases=phases, progress=progress)
    if piper_model is not None and voice is not None and voice.engine != "piper":
        missing = (
            f"`piper_model` is set, but the piper program is not installed; speaking with "
            f"{voice.describe()} instead."
        )
        notice = f"{missing} {prepared.notice}" if prepared.notice else missing
        prepared = dataclasses.replace(prepared, notice=notice)
    return prepared


def warnings(prepared: Prepared) -> list[str]:
    """What to tell the user before the session: each overrun as `file:line:col: ...` (the
    file as the user named it), then the notice."""
    session = prepared.plan.session
    shown = str(session.path) if session.path is not None and not session.builtin else None
    found = [overrun.located(shown) for overrun in prepared.overruns]
    return [*found, *([prepared.notice] if prepared.notice else [])]
