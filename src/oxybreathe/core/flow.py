"""One session's life, written once for both front ends.

    flow = SessionFlow(plan, player=..., recorder=..., clock=...)
    flow.begin(before)          # the before ratings; the row is kept from here on
    events = flow.start()       # then, at each flow.next_deadline(): events = flow.poll()
    ...                         # pause(), resume(), skip(), stop() as the user asks
    closing = flow.close(after) # the after ratings; what to show at the end
    flow.shut()

A front end only asks its questions, waits for deadlines its own way and renders the events.
Everything else happens here, once: each event's sound, saving the time done, recording the end,
keeping the garbage collector out of the cues, and choosing the closing.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Literal, Protocol

from oxybreathe.core import collector
from oxybreathe.core.checkin import Ratings, journal_entry
from oxybreathe.core.closing import Closing, Outcome, compose
from oxybreathe.core.engine import (
    BellRang,
    Clock,
    CueStarted,
    Engine,
    Event,
    Finished,
    Stopped,
)
from oxybreathe.core.helplines import GENERAL, Helplines, one_line
from oxybreathe.core.history import Recorder, Recording
from oxybreathe.core.model import Sound
from oxybreathe.core.plan import Plan

# How often the time done so far is saved while a session runs (what survives a killed process).
SAVE_EVERY_SECONDS = 30.0
# An open-ended session begun with a craving rating asks "Craving now?" this often.
CHECK_EVERY_SECONDS = 180.0
# A craving this much below the one before the session (or at most EASED_AT) has eased.
EASED_BY, EASED_AT = 3, 2
# The most the closing waits to learn from the history which notes were shown before.
NOTES_WAIT_SECONDS = 0.5


FrontEnd = Literal["plain", "app"]
Show = Callable[[list[Event]], None]  # a front end showing events as they come


class Player(Protocol):
    """What the flow needs of a sound player (audio.Player, or none at all)."""

    def notice_for(self, front_end: FrontEnd) -> str | None: ...

    @property
    def unavailable(self) -> bool: ...

    def wait_ready(self) -> None: ...

    def play(self, sound: Sound | None) -> None: ...

    def close(self, linger: float | None = 0.0) -> None: ...


@dataclass(eq=False)
class SessionFlow:
    """Plays one plan from the before check-in to the closing, for either front end."""

    plan: Plan
    player: Player | None = None
    recorder: Recorder | None = None
    clock: Clock = time.monotonic
    helplines: Helplines = GENERAL  # the user's country's (core.helplines.lookup)
    help_at_start: bool = False  # `oxybreathe now`: a help line at the start, too
    # The terminal's bell (`terminal_bell: true`), rung at each chime when there is no sound.
    bell: Callable[[], None] | None = None
    before: Ratings = field(default_factory=Ratings)
    outcome: Outcome | None = None
    engine: Engine = field(init=False)
    _recording: Recording | None = field(default=None, init=False)
    _saved: float = field(default=0.0, init=False)
    _closing: Closing | None = field(default=None, init=False)
    _next_check: float | None = field(default=None, init=False)  # seconds in, or never
    asking: bool = field(default=False, init=False)  # "Craving now?" is waiting for an answer
    during: list[tuple[int, int]] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.engine = Engine(self.plan, self.clock)

    # Before ------------------------------------------------------------------------------

    def prepare(self, front_end: FrontEnd) -> str | None:
        """Wait (bounded) for the sounds to be ready; return why there is no sound, in the words
        of `front_end`, or None.

        Blocking: the app calls it on a thread.
        """
        if self.player is None:
            return None
        self.player.wait_ready()
        return self.player.notice_for(front_end)

    def begin(self, before: Ratings) -> None:
        """Keep the before ratings and start the session's row in the history."""
        self.before = before
        if self.plan.open_ended and before.craving is not None:
            self._next_check = CHECK_EVERY_SECONDS  # an urge may pass: ask now and then
        if self.recorder is not None and self._recording is None:
            self._recording = Recording(self.recorder, self.plan, before)

    def wait_for_history(self, wait: float) -> None:
        """Wait (at most `wait` s) until the history is open, so that its line, if it has one
        (said through the recorder's `on_notice`), comes before the session's first cue."""
        if self.recorder is not None:
            with contextlib.suppress(TimeoutError):
                self.recorder.notice.result(timeout=wait)

    @property
    def help_line(self) -> str:
        """The one help line, said whenever a session stops early and at every closing."""
        return one_line(self.helplines)

    @property
    def caution(self) -> str | None:
        """The session's caution, said at its start, before its first hold (or None)."""
        return self.plan.session.caution

    @property
    def opening(self) -> tuple[str, ...]:
        """What both front ends show as the session starts, before its first cue: the caution
        (before any hold), and the help line when `help_at_start`."""
        lines = (f"Caution: {self.caution}",) if self.caution else ()
        return (*lines, self.help_line) if self.help_at_start else lines

    # During ------------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        """True once the session has ended (finished or stopped)."""
        return self.outcome is not None

    def start(self, show: Show | None = None) -> list[Event]:
        """Start the clock; the first cue's events (see `poll` for `show`)."""
        collector.hold()  # no full garbage collection in the middle of a cue
        return self._handle(self.engine.start(), show)

    def poll(self, show: Show | None = None) -> list[Event]:
        """What is due now (call it at `next_deadline()`, or any time).

        `show`: a front end that shows events at once (plain mode's lines) does it here,
        before their sounds go out: a line costs microseconds, while waking the sound worker
        can take this process's CPU first. The app paints after its handler returns, so it
        passes none and the sound goes first.
        """
        return self._handle(self.engine.poll(), show)

    def next_deadline(self) -> float | None:
        """The clock time at which `poll()` next has something to do: the next cue, bell or end,
        or the next save of the time done. None while paused or once over."""
        deadline = self.engine.next_deadline()
        if deadline is None:
            return deadline
        if self._next_check is not None:
            deadline = min(deadline, self.clock() + (self._next_check - self.engine.ran()))
        if self._recording is None:
            return deadline
        save_at = self.clock() + (self._saved + SAVE_EVERY_SECONDS - self.engine.ran())
        return min(deadline, save_at)

    def toggle_pause(self) -> list[Event]:
        return self._handle(self.engine.toggle_pause())

    def skip(self) -> list[Event]:
        return self._handle(self.engine.skip())

    def stop(self) -> Outcome:
        """End early (the user asked, or a signal); returns how it ended, once ended."""
        self._handle(self.engine.stop())
        if self.outcome is None:  # never started: nothing was breathed
            self._ended(Outcome(self.engine.ran(), completed=False))
        assert self.outcome is not None
        return self.outcome

    def _handle(self, events: list[Event], show: Show | None = None) -> list[Event]:
        for event in events:
            if isinstance(event, Finished | Stopped):
                # An open-ended session ends when the user stops it: that is its ending.
                finished = isinstance(event, Finished) or self.plan.open_ended
                self._ended(Outcome(event.ran, completed=finished))
        if show is not None:
            show(events)  # a failure to show leaves the ending recorded, unsounded
        for event in events:
            if self.player is not None:
                self._sound(event)
            if self.bell is not None and self._chime_of(event) is not None and self._silent():
                self.bell()
        if not self.done:
            self._save_now_and_then()
            self._check_now_and_then()
        return events

    def _check_now_and_then(self) -> None:
        ran = self.engine.ran()
        if self._next_check is not None and ran >= self._next_check - 1e-9:
            self.asking = True  # the front end shows the question until it is answered
            self._next_check = ran + CHECK_EVERY_SECONDS

    def rate_during(self, craving: int) -> bool:
        """Keep an answer to "Craving now?" (with the time into the session); True when the
        urge has eased, so that the front end can offer to end here."""
        self.asking = False
        self.during.append((round(self.engine.ran()), craving))
        if self._recording is not None:
            self._recording.rate_during(self.during)
        before = self.before.craving
        return before is not None and (craving <= before - EASED_BY or craving <= EASED_AT < before)

    def _sound(self, event: Event) -> None:
        assert self.player is not None
        self.player.play(self._chime_of(event))
        if isinstance(event, CueStarted) and event.play_sound:
            self.player.play(event.cue.voice)  # a recording or a spoken prompt, mixed in

    def _chime_of(self, event: Event) -> Sound | None:
        """The chime `event` rings, if any (none for a cue reached too late to help)."""
        if isinstance(event, CueStarted) and event.play_sound:
            return event.cue.sound
        if isinstance(event, BellRang) and event.play_sound:
            return event.bell.sound
        if isinstance(event, Finished):
            return self.plan.end_sound
        return None

    def _silent(self) -> bool:
        """True when no sound can be played (no library, no device): the terminal bell may
        stand in. Chimes turned off are not silence to fill."""
        return self.player is None or self.player.unavailable

    def _save_now_and_then(self) -> None:
        ran = self.engine.ran()
        if self._recording is not None and ran - self._saved >= SAVE_EVERY_SECONDS:
            self._saved = ran
            self._recording.save(ran)

    def _ended(self, outcome: Outcome) -> None:
        if self.outcome is not None:
            return
        self.outcome = outcome
        collector.release()
        if self._recording is not None:
            self._recording.finish(outcome.ran, outcome.completed)

    # After -------------------------------------------------------------------------------

    def close(
        self, after: Ratings, *, journal: str | None = None, wait: float = NOTES_WAIT_SECONDS
    ) -> Closing:
        """Keep the after ratings and the journal line (typed text: cleaned and bounded here),
        and choose what the closing shows (once)."""
        if self._closing is not None:
            return self._closing
        outcome = self.outcome or self.stop()
        shown: list[str] = []
        if self._recording is not None:
            self._recording.rate_after(after)
            entry = journal_entry(journal)
            if entry is not None:
                self._recording.journal(entry)
            shown = _result(self._recording.shown_notes, wait, default=[])
        self._closing = compose(self.plan, outcome, self.before, after, shown, self.helplines)
        if self._recording is not None and self._closing.rotates:
            self._recording.note_shown(self._closing.note.id)
        return self._closing

    def shut(self, *, linger: float | None = None) -> None:
        """Let go of the sound player (the last chime may ring on for `linger` seconds)."""
        if not self.done:
            self.stop()
        if self.player is not None:
            self.player.close(linger=linger)


def _result(future: Future[list[str]], wait: float, *, default: list[str]) -> list[str]:
    try:
        return future.result(timeout=wait)
    except TimeoutError:
        return default
