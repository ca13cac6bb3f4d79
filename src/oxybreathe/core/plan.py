"""Turn a session and a chosen length into a flat, immutable list of timed cues.

Every length rule of the session format lives here, and nothing here reads a clock.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from typing import Literal

from oxybreathe.core.model import (
    DEFAULT_FILL_SECONDS,
    SAY_MIN_SECONDS,
    SESSION_MAX_SECONDS,
    BreatheStep,
    Chimes,
    PhaseName,
    SayStep,
    Session,
    Sound,
    Step,
)
from oxybreathe.core.wording import duration

# A chosen length within this of a fixed session's length counts as that length.
_LENGTH_TOLERANCE = 0.5


class LengthError(ValueError):
    """A length the session cannot have; the message names the lengths it can."""


@dataclass(frozen=True, slots=True)
class Cue:
    """One timed thing to show: a breathing phase or a prompt.

    `start` is the offset from the session start, in seconds. `step` is 0-based; `cycle` is
    1-based within its step and None for a prompt.
    """

    index: int
    start: float
    duration: float
    kind: Literal["phase", "prompt"]
    step: int
    phase: PhaseName | None = None
    text: str | None = None
    step_text: str | None = None
    cycle: int | None = None
    cycles: int | None = None
    sound: Sound | None = None  # a chime
    voice: Sound | None = None  # a recording of the prompt, or its speech (core.speech)

    @property
    def end(self) -> float:
        """The offset at which the cue ends."""
        return self.start + self.duration


@dataclass(frozen=True, slots=True)
class Bell:
    """An interval bell at `offset` seconds into the session."""

    offset: float
    sound: Sound


# An interval bell that would ring this close to the next step's start is left out.
BELL_CLEARANCE = 1.0


@dataclass(frozen=True, slots=True)
class LengthBounds:
    """The lengths a session can be given, in seconds."""

    default: float
    shortest: float
    longest: float

    @property
    def fixed(self) -> bool:
        """True when the session has exactly one possible length."""
        return self.shortest == self.longest


@dataclass(frozen=True, slots=True)
class Plan:
    """A session laid out in time."""

    session: Session
    cues: tuple[Cue, ...]
    total: float
    step_starts: tuple[float, ...]
    end_sound: Sound | None = None
    bells: tuple[Bell, ...] = ()
    # The filling step runs until the user stops (laid out to the longest a session can run,
    # SESSION_MAX_SECONDS, so the plan stays bounded); stopping is its normal ending.
    open_ended: bool = False

    @property
    def sounds(self) -> set[Sound]:
        """Every chime the plan can play, so a player can prepare them before the start."""
        found = {cue.sound for cue in self.cues if cue.sound is not None}
        found |= {bell.sound for bell in self.bells}
        return found | ({self.end_sound} if self.end_sound is not None else set())

    @property
    def voice_sounds(self) -> set[Sound]:
        """Every recording and spoken prompt the plan can play (played at the voice's volume)."""
        return {cue.voice for cue in self.cues if cue.voice is not None}

    def cue_at(self, offset: float) -> int | None:
        """Return the index of the cue running at `offset`, or None once the plan is over."""
        if offset >= self.total:
            return None
        low, high = 0, len(self.cues) - 1
        while low < high:  # the last cue whose start is <= offset
            middle = (low + high + 1) // 2
            if self.cues[middle].start <= offset:
                low = middle
            else:
                high = middle - 1
        return low

    def next_step_start(self, offset: float) -> float:
        """Return the offset where the step after the one running at `offset` begins."""
        return next((start for start in self.step_starts if start > offset), self.total)


def _fixed_seconds(step: Step) -> float | None:
    if isinstance(step, SayStep):
        return step.length
    if step.cycles is not None:
        return step.cycles * step.cycle_seconds
    if step.minutes is not None:
        return _round_cycles(step.minutes * 60, step.cycle_seconds) * step.cycle_seconds
    return None


def _round_cycles(seconds: float, cycle: float, *, down: bool = False) -> int:
    """Round to the nearest whole cycle (halves up), or down; never below one."""
    return max(1, math.floor(seconds / cycle + (0 if down else 0.5)))


def bounds(session: Session) -> LengthBounds:
    """Return the default, shortest and longest length the session can run, in seconds (for
    an open-ended one, the default is the length it would have without `open_ended`)."""
    default = lay_out(dataclasses.replace(session, open_ended=False)).total
    if not any(step.fills for step in session.steps):
        return LengthBounds(default, default, default)
    return LengthBounds(default, _shortest(session), float(SESSION_MAX_SECONDS))


def _shortest(session: Session) -> float:
    """The shortest real length: the filling steps laid out at the smallest share they accept."""
    filling_prompt = any(isinstance(step, SayStep) and step.fills for step in session.steps)
    share = SAY_MIN_SECONDS if filling_prompt else 0.0  # a breathing step still gets one cycle
    fixed_lengths = [_fixed_seconds(step) for step in session.steps]
    least = (session.min_minutes or 0.0) * 60  # the file's own minimum, so prompts have time
    return max(least, sum(_fill(session.steps, fixed_lengths, share, down=False)))


def default_minutes(session: Session) -> float:
    """The length a chooser starts at: the file's `minutes`, or what the session runs by default."""
    if session.minutes is not None:
        return session.minutes
    return lay_out(dataclasses.replace(session, open_ended=False)).total / 60


def lay_out(session: Session, minutes: float | None = None, *, open_ended: bool = False) -> Plan:
    """Lay out `session` for a chosen length in minutes (None: the file's, or the default), or
    `open_ended` (also what a file that says `length: open-ended` gets when no length is
    chosen): its filling steps run until the user stops, at most SESSION_MAX_SECONDS.

    Raises LengthError when the session cannot run for that length, or cannot be open-ended.
    """
    if open_ended or (minutes is None and session.open_ended):
        return _open_ended(session)
    target = minutes * 60 if minutes is not None else None
    if target is None and session.minutes is not None:
        target = session.minutes * 60
    if target is not None and not math.isfinite(target):
        raise LengthError("a length must be a finite number of minutes")
    lengths = _step_lengths(session, target, chosen=minutes is not None)
    least = (session.min_minutes or 0.0) * 60
    if target is None and sum(lengths) < least and any(step.fills for step in session.steps):
        lengths = _step_lengths(session, least, chosen=False)  # the default is never too short
    # The total comes from the step lengths alone, so that a small file asking for millions of
    # cycles is refused before a single cue is laid out.
    total = sum(lengths)
    if total > SESSION_MAX_SECONDS + _LENGTH_TOLERANCE:
        raise LengthError(
            f"this session would last {duration(total)}, longer than the "
            f"{duration(SESSION_MAX_SECONDS)} a session can last"
        )
    cues: list[Cue] = []
    step_starts: list[float] = []
    offset = 0.0
    for number, (step, length) in enumerate(zip(session.steps, lengths, strict=True)):
        step_starts.append(offset)
        offset = _lay_out_step(step, number, length, offset, session.chimes, cues)
    if session.chimes.step is not None:  # each new step after the first: the guidance moved on
        for before, cue in itertools.pairwise(list(cues)):
            if cue.step != before.step:
                cues[cue.index] = dataclasses.replace(cue, sound=session.chimes.step)
    if cues and session.chimes.start is not None:
        cues[0] = dataclasses.replace(cues[0], sound=session.chimes.start)
    bells = _bells(session, step_starts, offset)
    return Plan(session, tuple(cues), offset, tuple(step_starts), session.chimes.end, bells)


def _open_ended(session: Session) -> Plan:
    """The session with its filling steps laid out as long as a session can last: bounded
    (at most SESSION_MAX_SECONDS of cues), and ended by the user, not by the clock."""
    timed = dataclasses.replace(session, open_ended=False)
    if not any(step.fills for step in session.steps):
        raise LengthError(
            f"this session has a fixed length of {duration(lay_out(timed).total)}; "
            "only a session with a step that fills its length can be open-ended"
        )
    return dataclasses.replace(lay_out(timed, SESSION_MAX_SECONDS / 60), open_ended=True)


def _bells(session: Session, step_starts: list[float], total: float) -> tuple[Bell, ...]:
    """Interval bells every `chimes.every` seconds within each step long enough for one."""
    sound, every = session.chimes.interval, session.chimes.interval_seconds
    if sound is None or not every:
        return ()
    bells = []
    for start, end in zip(step_starts, [*step_starts[1:], total], strict=True):
        ring = start + every
        while ring < end - BELL_CLEARANCE:
            bells.append(Bell(ring, sound))
            ring += every
    return tuple(bells)


def _step_lengths(session: Session, target: float | None, *, chosen: bool) -> list[float]:
    """Return each step's length in seconds (a breathing step's is a whole number of cycles)."""
    fixed_lengths = [_fixed_seconds(step) for step in session.steps]
    fixed = sum(s for s in fixed_lengths if s is not None)
    filling = [step for step in session.steps if step.fills]
    if not filling:
        if target is not None and abs(target - fixed) > _LENGTH_TOLERANCE:
            hint = (
                ""
                if chosen
                else (": remove `minutes`, or leave one step without a length so that it fills")
            )
            raise LengthError(
                f"this session has a fixed length of {duration(fixed)}; "
                f"it cannot run for {duration(target)}{hint}"
            )
        return [s for s in fixed_lengths if s is not None]
    if target is None:
        share = DEFAULT_FILL_SECONDS
    else:
        shortest = _shortest(session)
        if target < shortest - 1e-9:
            raise LengthError(
                f"{duration(target)} is shorter than this session can be; "
                f"the shortest length is {duration(shortest)}"
            )
        if target > SESSION_MAX_SECONDS + _LENGTH_TOLERANCE:
            raise LengthError(
                f"{duration(target)} is longer than the {duration(SESSION_MAX_SECONDS)} "
                "a session can last"
            )
        share = (target - fixed) / len(filling)
    lengths = _fill(session.steps, fixed_lengths, share, down=False)
    if sum(lengths) > SESSION_MAX_SECONDS + _LENGTH_TOLERANCE:
        # Rounding up to whole cycles must not carry a session past the 3-hour limit.
        lengths = _fill(session.steps, fixed_lengths, share, down=True)
    return lengths


def _fill(
    steps: tuple[Step, ...], fixed_lengths: list[float | None], share: float, *, down: bool
) -> list[float]:
    lengths = []
    for step, length in zip(steps, fixed_lengths, strict=True):
        if length is not None:
            lengths.append(length)
        elif isinstance(step, BreatheStep):
            cycles = _round_cycles(share, step.cycle_seconds, down=down)
            lengths.append(cycles * step.cycle_seconds)
        else:
            lengths.append(max(SAY_MIN_SECONDS, share))
    return lengths


def _lay_out_step(
    step: Step, number: int, length: float, offset: float, chimes: Chimes, cues: list[Cue]
) -> float:
    """Append the cues of one step from `offset`; return the offset after it."""
    if isinstance(step, SayStep):
        cues.append(
            Cue(len(cues), offset, length, "prompt", number, text=step.text, voice=step.audio)
        )
        return offset + length
    cycles = round(length / step.cycle_seconds)
    # Each start comes from the step's start, so no rounding error piles up over many cycles.
    phase_starts = [0.0, *itertools.accumulate(phase.seconds for phase in step.phases)]
    for cycle in range(1, cycles + 1):
        cycle_start = offset + (cycle - 1) * step.cycle_seconds
        for phase, phase_start in zip(step.phases, phase_starts, strict=False):
            cues.append(
                Cue(
                    len(cues),
                    cycle_start + phase_start,
                    phase.seconds,
                    "phase",
                    number,
                    phase=phase.name,
                    text=phase.cue,
                    step_text=step.text,
                    cycle=cycle,
                    cycles=cycles,
                    sound=chimes.for_phase(phase.name),
                )
            )
    return offset + cycles * step.cycle_seconds


# The length chooser's steps: every minute to 30, every 5 to 60, every 10 to 180.
_LENGTH_STEPS = (*range(1, 31), *range(35, 61, 5), *range(70, 181, 10))


def length_choices(session: Session) -> list[float]:
    """The lengths (minutes) a chooser offers for `session`, shortest first.

    A fixed-length session offers only its length. Otherwise: sensible steps between the
    shortest length the session can run and 3 hours, plus the shortest and the default.
    """
    lengths = bounds(session)
    if lengths.fixed:
        return [lengths.default / 60]
    default = default_minutes(session)
    shortest = lengths.shortest / 60
    choices = {float(m) for m in _LENGTH_STEPS if m >= shortest} | {default}
    if shortest > 0 and min(choices) > shortest:
        choices.add(math.ceil(shortest * 60) / 60)
    return sorted(choices)
