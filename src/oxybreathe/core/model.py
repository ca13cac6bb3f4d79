"""The session model: immutable data built by the loader and read by the plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

# Limits of format version 1 (documented in docs/session-format.md), in a module of their own
# so that what reads them before any session (the app's memory) need not import the model.
from oxybreathe.core.limits import CYCLES_MAX as CYCLES_MAX
from oxybreathe.core.limits import DEFAULT_FILL_SECONDS as DEFAULT_FILL_SECONDS
from oxybreathe.core.limits import EVERY_MIN_SECONDS as EVERY_MIN_SECONDS
from oxybreathe.core.limits import FILE_MAX_BYTES as FILE_MAX_BYTES
from oxybreathe.core.limits import NAME_MAX_CHARS as NAME_MAX_CHARS
from oxybreathe.core.limits import PHASE_MAX_SECONDS as PHASE_MAX_SECONDS
from oxybreathe.core.limits import PHASE_MIN_SECONDS as PHASE_MIN_SECONDS
from oxybreathe.core.limits import SAY_MIN_SECONDS as SAY_MIN_SECONDS
from oxybreathe.core.limits import SESSION_MAX_SECONDS as SESSION_MAX_SECONDS
from oxybreathe.core.limits import TEXT_MAX_CHARS as TEXT_MAX_CHARS

PhaseName = Literal["inhale", "hold", "exhale"]
PHASE_NAMES: tuple[PhaseName, ...] = ("inhale", "hold", "exhale")

ClosingTopic = Literal["stress", "hpa", "cravings"]
CLOSING_TOPICS: tuple[ClosingTopic, ...] = ("stress", "hpa", "cravings")


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column in a session file."""

    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Sound:
    """A sound: a built-in chime's name, or a path to a file (a WAV chime, a recording, or a
    prompt's speech rendered by a voice)."""

    builtin: str | None = None
    path: Path | None = None

    def describe(self) -> str:
        """Return the name or path as the user would write it."""
        return self.builtin if self.builtin is not None else str(self.path)


# The sounds shipped in audio/ (see audio/README.md).
BUILTIN_SOUNDS = ("bell", "bowl", "tick", "rise", "fall", "chime")

CHIME_KEYS = ("start", "end", "phase", "inhale", "hold", "exhale", "step", "interval")
# A `say` step with a recording and no `seconds` lasts as long as the recording, and this.
RECORDING_PAUSE_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Chimes:
    """Which sound marks which moment; None means silence.

    `inhale`, `hold` and `exhale` override `phase` for their phase. `interval` sounds every
    `interval_seconds` during a step longer than that. `step` marks each new step after the
    first, so that someone with eyes closed knows the guidance moved on.
    """

    start: Sound | None = Sound(builtin="bell")
    end: Sound | None = Sound(builtin="bowl")
    phase: Sound | None = None
    inhale: Sound | None = None
    hold: Sound | None = None
    exhale: Sound | None = None
    step: Sound | None = None
    interval: Sound | None = None
    interval_seconds: float | None = None

    def for_phase(self, phase: PhaseName) -> Sound | None:
        """Return the sound that starts a phase, the per-phase one first."""
        specific: Sound | None = getattr(self, phase)
        return specific if specific is not None else self.phase


@dataclass(frozen=True, slots=True)
class Phase:
    """One phase of a breathing cycle."""

    name: PhaseName
    seconds: float
    cue: str | None = None


@dataclass(frozen=True, slots=True)
class SayStep:
    """A prompt shown for `seconds`, or a filling prompt when `seconds` is None.

    `audio` is a recording of the prompt, played at its start; `audio_seconds` is its length.
    With a recording and no `seconds`, the step lasts the recording and a short pause.
    """

    text: str
    seconds: float | None = None
    position: Position = Position(0, 0)
    audio: Sound | None = None
    audio_seconds: float | None = None

    @property
    def fills(self) -> bool:
        """True when the step takes its length from the chosen session length."""
        return self.seconds is None and self.audio_seconds is None

    @property
    def length(self) -> float | None:
        """The step's own length in seconds, or None when it fills."""
        if self.seconds is not None:
            return self.seconds
        if self.audio_seconds is not None:
            return self.audio_seconds + RECORDING_PAUSE_SECONDS
        return None


@dataclass(frozen=True, slots=True)
class BreatheStep:
    """A breathing cycle repeated a fixed count, for a number of minutes, or to fill."""

    phases: tuple[Phase, ...]
    cycles: int | None = None
    minutes: float | None = None
    text: str | None = None
    position: Position = Position(0, 0)

    @property
    def cycle_seconds(self) -> float:
        """The length of one cycle."""
        return sum(phase.seconds for phase in self.phases)

    @property
    def fills(self) -> bool:
        """True when the step takes its length from the chosen session length."""
        return self.cycles is None and self.minutes is None


Step = SayStep | BreatheStep


@dataclass(frozen=True, slots=True)
class Session:
    """A whole session file, validated."""

    id: str
    name: str
    steps: tuple[Step, ...]
    description: str = ""
    minutes: float | None = None
    chimes: Chimes = field(default_factory=Chimes)
    closing_topic: ClosingTopic | None = None
    closing_text: str | None = None
    path: Path | None = None
    builtin: bool = False
    open_ended: bool = False  # `length: open-ended`: its filling step runs until the user stops
    # Issue 16: safety and the moment of need.
    caution: str | None = None  # said at the start, before the first hold
    acute: str | None = None  # a label ("for an urge, right now"): listed first on home
    min_minutes: float | None = None  # no shorter than this, so every prompt has its time

    @property
    def holds(self) -> bool:
        """True when a breathing pattern holds the breath."""
        return any(
            isinstance(step, BreatheStep) and any(phase.name == "hold" for phase in step.phases)
            for step in self.steps
        )
