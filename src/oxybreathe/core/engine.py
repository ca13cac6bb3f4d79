"""Play a plan against a monotonic clock, as a stream of events.

The engine never sleeps. A front end asks for `next_deadline()`, waits until then however it likes
(a sleep, a Textual timer), and calls `poll()`. Every deadline is the session's start time plus a
cue's planned offset, plus the time spent paused, minus the time skipped. So a late wake-up is
never carried into the next cue, and a long session cannot drift.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from dataclasses import dataclass

from oxybreathe.core.plan import Bell, Cue, Plan

Clock = Callable[[], float]

# A cue that starts later than this after its deadline (a stall, a suspended laptop) does not
# play its sound: a chime that far off would mislead someone breathing with eyes closed.
SOUND_LATENESS_LIMIT = 0.5


@dataclass(frozen=True, slots=True)
class CueStarted:
    """A cue became current; `late` is how long after its deadline this was noticed.

    `missed` counts the cues skipped over because the process woke up late; they are never
    replayed. `play_sound` is False when the cue was reached too late for its sound to help.
    """

    cue: Cue
    late: float
    missed: int = 0
    play_sound: bool = True


@dataclass(frozen=True, slots=True)
class BellRang:
    """An interval bell is due.

    Bells missed during a stall are not rung in a burst: only the latest is reported, and
    `play_sound` is False if even that one is too late to help.
    """

    bell: Bell
    late: float
    play_sound: bool = True


@dataclass(frozen=True, slots=True)
class Paused:
    """The session was paused at `position` seconds into the plan."""

    position: float


@dataclass(frozen=True, slots=True)
class Resumed:
    """The session resumed after `paused_for` seconds."""

    position: float
    paused_for: float


@dataclass(frozen=True, slots=True)
class Skipped:
    """The rest of step `from_step` was skipped; the plan jumped to `to_position`."""

    from_step: int
    to_position: float


@dataclass(frozen=True, slots=True)
class Finished:
    """The plan ran to its end. `ran` is the time actually spent, pauses excluded."""

    ran: float


@dataclass(frozen=True, slots=True)
class Stopped:
    """The session was ended early after `ran` seconds (pauses excluded)."""

    ran: float
    position: float


Event = CueStarted | BellRang | Paused | Resumed | Skipped | Finished | Stopped


class Engine:
    """Turns a Plan into events, on deadlines measured from the session's start."""

    def __init__(self, plan: Plan, clock: Clock = time.monotonic) -> None:
        self.plan = plan
        self._clock = clock
        self._started_at: float | None = None
        self._paused_at: float | None = None
        self._paused_total = 0.0
        self._skipped_total = 0.0
        self._current: int | None = None
        self._ended_at: float | None = None
        self._next_bell = 0  # index of the first bell not yet rung or passed
        self._bell_offsets = [bell.offset for bell in plan.bells]

    # State -------------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        """True once `start()` has been called."""
        return self._started_at is not None

    @property
    def paused(self) -> bool:
        """True while paused."""
        return self._paused_at is not None

    @property
    def done(self) -> bool:
        """True once the session finished or was stopped."""
        return self._ended_at is not None

    @property
    def current(self) -> Cue | None:
        """The cue now showing, or None before the start and after the end."""
        return None if self._current is None else self.plan.cues[self._current]

    def ran(self) -> float:
        """Seconds actually spent in the session so far, pauses excluded."""
        if self._started_at is None:
            return 0.0
        if self._ended_at is not None:
            now = self._ended_at
        elif self._paused_at is not None:
            now = self._paused_at
        else:
            now = self._clock()
        return max(0.0, now - self._started_at - self._paused_total)

    def position(self) -> float:
        """Where the session is in the plan, in seconds (ran time plus skipped time)."""
        return min(self.plan.total, self.ran() + self._skipped_total)

    def remaining(self) -> float:
        """Seconds of the plan still to run."""
        return max(0.0, self.plan.total - self.position())

    def cue_elapsed(self) -> float:
        """Seconds into the current cue, for drawing a pacer."""
        cue = self.current
        return 0.0 if cue is None else min(cue.duration, max(0.0, self.position() - cue.start))

    def next_deadline(self) -> float | None:
        """The clock time at which `poll()` next has something to do, or None if never.

        While paused there is no deadline: only `resume()` moves the session on.
        """
        if self._started_at is None or self.done or self._paused_at is not None:
            return None
        following = 0 if self._current is None else self._current + 1
        offset = (
            self.plan.cues[following].start if following < len(self.plan.cues) else self.plan.total
        )
        if self._next_bell < len(self._bell_offsets):
            offset = min(offset, self._bell_offsets[self._next_bell])
        return self._started_at + self._paused_total + offset - self._skipped_total

    # Commands ----------------------------------------------------------------------------

    def start(self) -> list[Event]:
        """Start the session now; returns the first cue's event."""
        if self._started_at is not None:
            return []
        self._started_at = self._clock()
        return self.poll()

    def poll(self) -> list[Event]:
        """Emit what is due now: the cue that should be current, or the end."""
        if self._started_at is None or self.done or self._paused_at is not None:
            return []
        position = self.ran() + self._skipped_total
        index = self.plan.cue_at(position)
        if index is None:
            return self._end(Finished)
        events: list[Event] = []
        if index != self._current:
            previous = -1 if self._current is None else self._current
            self._current = index
            cue = self.plan.cues[index]
            late = max(0.0, position - cue.start)
            events.append(
                CueStarted(
                    cue,
                    late,
                    missed=max(0, index - previous - 1),
                    play_sound=late <= SOUND_LATENESS_LIMIT,
                )
            )
        due = self._bells_until(position)
        if due:
            late = position - due[-1].offset
            events.append(BellRang(due[-1], late, play_sound=late <= SOUND_LATENESS_LIMIT))
        return events

    def _bells_until(self, position: float) -> list[Bell]:
        """The bells due by `position`, now marked as rung."""
        end = bisect.bisect_right(self._bell_offsets, position + 1e-9, lo=self._next_bell)
        due = list(self.plan.bells[self._next_bell : end])
        self._next_bell = end
        return due

    def pause(self) -> list[Event]:
        """Pause; every remaining deadline moves by the time spent paused."""
        if not self.started or self.done or self._paused_at is not None:
            return []
        self._paused_at = self._clock()
        return [Paused(self.position())]

    def resume(self) -> list[Event]:
        """Resume after a pause."""
        if self._paused_at is None:
            return []
        paused_for = self._clock() - self._paused_at
        self._paused_total += paused_for
        self._paused_at = None
        return [Resumed(self.position(), paused_for), *self.poll()]

    def toggle_pause(self) -> list[Event]:
        """Pause if running, resume if paused."""
        return self.resume() if self.paused else self.pause()

    def skip(self) -> list[Event]:
        """Jump to the start of the next step (or to the end, from the last step)."""
        cue = self.current
        if cue is None or self.done:
            return []
        position = self.position()
        target = self.plan.next_step_start(cue.start)
        self._skipped_total += target - position
        self._bells_until(target - 1e-6)  # the skipped part's bells never ring
        events: list[Event] = [Skipped(cue.step, target)]
        if self.paused:  # a skip while paused shows the new cue and stays paused
            index = self.plan.cue_at(target)
            if index is None:
                self._resume_silently()
                return [*events, *self._end(Finished)]
            self._current = index
            return [*events, CueStarted(self.plan.cues[index], 0.0)]
        return [*events, *self.poll()]

    def stop(self) -> list[Event]:
        """End early; the event says how long actually ran."""
        if self.done or not self.started:
            return []
        self._resume_silently()
        return self._end(Stopped)

    def _resume_silently(self) -> None:
        if self._paused_at is not None:
            self._paused_total += self._clock() - self._paused_at
            self._paused_at = None

    def _end(self, kind: type[Finished] | type[Stopped]) -> list[Event]:
        self._ended_at = self._clock()
        self._current = None
        if kind is Finished:
            return [Finished(self.ran())]
        return [Stopped(self.ran(), self.position())]
