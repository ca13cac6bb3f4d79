"""The session screen: the pacer, the phase and its countdown, the prompt, and the time left."""

from __future__ import annotations

import math
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from oxybreathe.core.engine import (
    Clock,
    CueStarted,
    Engine,
    Event,
    Finished,
    Paused,
    Resumed,
    Stopped,
)
from oxybreathe.core.plan import Cue, Plan
from oxybreathe.core.text import clean, duration
from oxybreathe.ui.screens.confirm import Confirm
from oxybreathe.ui.widgets.pacer import Pacer, ease, pacer_levels

FRAME_SECONDS = 1 / 20  # how often the pacer is checked; it redraws only when its outline moves
CALM_FRAME_SECONDS = 1 / 4  # reduced motion: only the countdown text changes
_WORDS = {"inhale": "Breathe in", "hold": "Hold", "exhale": "Breathe out"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a session ended, for the closing screen."""

    plan: Plan
    ran: float
    completed: bool


def clock_text(seconds: float) -> str:
    """`m:ss` (or `h:mm:ss`), rounding up so a countdown never shows 0:00 early."""
    total = math.ceil(max(0.0, seconds) - 1e-9)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def progress_bar(fraction: float, width: int) -> str:
    """A plain text bar, e.g. `██████░░░░`."""
    width = max(0, width)
    filled = round(min(1.0, max(0.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


class SessionScreen(Screen[None]):
    """Plays one plan. Every redraw is computed from the engine's elapsed time."""

    BINDINGS = [
        Binding("space", "toggle_pause", "Pause/resume"),
        Binding("n", "skip", "Skip step"),
        Binding("m", "mute", "Mute"),
        Binding("q,escape", "end", "End"),
    ]

    def __init__(
        self, plan: Plan, *, clock: Clock, reduce_motion: bool = False, sound: bool = True
    ) -> None:
        super().__init__()
        self.plan = plan
        self.engine = Engine(plan, clock)
        self.clock = clock
        self.reduce_motion = reduce_motion
        self.sound = sound
        self._levels = pacer_levels(plan)
        self._deadline_timer: Timer | None = None
        self._frame_timer: Timer | None = None
        self._shown: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="session"):
            yield Static(clean(self.plan.session.name), id="title", markup=False)
            yield Static("", id="sound", markup=False)
            if not self.reduce_motion:
                yield Pacer(id="pacer")
            yield Static("", id="phase", markup=False)
            yield Static("", id="prompt", markup=False)
            yield Static("", id="paused", markup=False)
            yield Static("", id="progress", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        if self.reduce_motion:
            self.add_class("-calm")
        self._handle(self.engine.start())
        interval = CALM_FRAME_SECONDS if self.reduce_motion else FRAME_SECONDS
        self._frame_timer = self.set_interval(interval, self.draw)
        self._show_sound()
        self.draw()

    # Time ---------------------------------------------------------------------------------

    def _schedule(self) -> None:
        """Wake up exactly at the engine's next deadline (a fresh timer each time)."""
        if self._deadline_timer is not None:
            self._deadline_timer.stop()
            self._deadline_timer = None
        deadline = self.engine.next_deadline()
        if deadline is not None:
            self._deadline_timer = self.set_timer(max(0.0, deadline - self.clock()), self.sync)

    def sync(self) -> None:
        """Bring the screen up to the engine's present: due cues first, then the drawing."""
        self._handle(self.engine.poll())
        self.draw()

    def _handle(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, CueStarted):
                self._show_cue(event.cue)
            elif isinstance(event, Paused | Resumed):
                self._set("paused", "Paused. Press space to resume." if self.engine.paused else "")
                if self._frame_timer is not None:
                    (self._frame_timer.pause if self.engine.paused else self._frame_timer.resume)()
            elif isinstance(event, Finished | Stopped):
                self._end(completed=isinstance(event, Finished), ran=event.ran)
                return
        self._schedule()

    def _end(self, *, completed: bool, ran: float) -> None:
        for timer in (self._deadline_timer, self._frame_timer):
            if timer is not None:
                timer.stop()
        from oxybreathe.ui.screens.closing import ClosingScreen

        self.app.switch_screen(ClosingScreen(Outcome(self.plan, ran, completed)))

    # Drawing ------------------------------------------------------------------------------

    def _set(self, widget_id: str, text: str) -> None:
        """Update a text only when it changed, so nothing redraws for nothing."""
        if self._shown.get(widget_id) != text:
            self._shown[widget_id] = text
            self.query_one(f"#{widget_id}", Static).update(text)

    def _show_cue(self, cue: Cue) -> None:
        prompt = cue.text if cue.kind == "prompt" else (cue.text or cue.step_text or "")
        self._set("prompt", clean(prompt or ""))

    def _show_sound(self) -> None:
        self._set("sound", "sound on" if self.sound else "sound off")

    def draw(self) -> None:
        """Draw the pacer, countdown and progress for the engine's elapsed time."""
        cue = self.engine.current
        if cue is None:
            return
        elapsed = self.engine.cue_elapsed()
        left_in_cue = cue.duration - elapsed
        if cue.kind == "phase" and cue.phase is not None:
            self._set("phase", f"{_WORDS[cue.phase]}  {math.ceil(left_in_cue - 1e-9)}")
        else:
            self._set("phase", "")
        if not self.reduce_motion:
            start, end = self._levels[cue.index]
            fraction = elapsed / cue.duration if cue.duration else 1.0
            self.query_one(Pacer).show(start + (end - start) * ease(fraction))
        total = self.plan.total
        width = max(10, self.size.width - 24)
        done = self.engine.position() / total if total else 1.0
        self._set(
            "progress", f"{progress_bar(done, width)}  {clock_text(self.engine.remaining())} left"
        )

    # Keys ---------------------------------------------------------------------------------

    def action_toggle_pause(self) -> None:
        self._handle(self.engine.toggle_pause())
        self.draw()

    def action_skip(self) -> None:
        self._handle(self.engine.skip())
        if not self.engine.done:
            self.draw()

    def action_mute(self) -> None:
        self.sound = not self.sound
        self._show_sound()

    def action_end(self) -> None:
        was_paused = self.engine.paused
        if not was_paused:
            self._handle(self.engine.pause())

        def decided(end: bool | None) -> None:
            if end:
                self._handle(self.engine.stop())
            elif not was_paused:
                self._handle(self.engine.resume())
                self.draw()

        ran = duration(self.engine.ran())
        self.app.push_screen(Confirm(f"End the session now? You have breathed for {ran}."), decided)
