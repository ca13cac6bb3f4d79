"""The session screen: the pacer, the phase and its countdown, the prompt, and the time left."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from oxybreathe.audio import Player
from oxybreathe.core import checkin
from oxybreathe.core.closing import Outcome
from oxybreathe.core.engine import CueStarted, Event
from oxybreathe.core.flow import SessionFlow
from oxybreathe.core.plan import Cue
from oxybreathe.core.safe_text import clean
from oxybreathe.core.wording import time_spent
from oxybreathe.ui.messages import PreferenceChanged
from oxybreathe.ui.screens.confirm import Confirm
from oxybreathe.ui.widgets.line import Line
from oxybreathe.ui.widgets.pacer import Pacer, ease, pacer_levels

NOTICE_SECONDS = 12.0  # how long "Sound is off: ..." stays under the title
MIN_FRAME_SECONDS = 1 / 60  # never redraw the orb more often than this
SECOND_MARGIN = 0.005  # wake just after a countdown's second ticks over, never just before
# Textual paints a screen at most once per frame (1/60 s by default), so a paint just before a
# cue's deadline would hold the new phase back until the next frame: keep this long quiet.
QUIET_BEFORE_CUE = 1 / 60 + 0.004
_WORDS = {"inhale": "Breathe in", "hold": "Hold", "exhale": "Breathe out"}


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


def next_draw_in(left_in_cue: float, remaining: float, orb_change: float | None) -> float | None:
    """Seconds until the next redraw, or None to leave it to the cue's deadline.

    The next redraw is when a whole second ticks over on either countdown (`left_in_cue`, the
    session's `remaining`), or when the orb's outline moves by a pixel (`orb_change` seconds from
    now), but never more often than one frame. A redraw that would fall after the deadline, or
    within one frame before it, is left out: the deadline draws the screen anyway, and a paint just
    before it would hold the new phase back by a frame.
    """
    wait = min((left_in_cue % 1.0) or 1.0, (remaining % 1.0) or 1.0) + SECOND_MARGIN
    if orb_change is not None:
        wait = min(wait, max(MIN_FRAME_SECONDS, orb_change))
    return None if wait > left_in_cue - QUIET_BEFORE_CUE else wait


class SessionScreen(Screen[Outcome]):
    """Plays one session flow and returns how it ended. Every redraw is computed from the
    engine's elapsed time."""

    # Parsed when this screen first opens, not at start-up.
    CSS = """
    #session {
        height: 1fr;
        align: center top;
    }

    /* A notice (such as "no sound") must not cover the phase word or the prompt. */
    SessionScreen ToastRack {
        dock: top;
        align: right top;
        margin-top: 1;
    }

    #session #title {
        width: 1fr;
        text-align: center;
        text-style: bold;
        color: $text-muted;
    }

    /* The caution (and, for `oxybreathe now`, a help line): seen at every size. */
    #opening {
        width: 1fr;
        height: auto;
        text-align: center;
        color: $text-warning;
        padding: 0 1;
    }

    /* A small terminal lets it go once the first hold is over (or the first cue, with none). */
    SessionScreen.-small.-opened #opening {
        display: none;
    }

    /* Why there is no sound: a line of the layout, so it covers nothing, shown for a while. */
    #notice {
        width: 1fr;
        height: auto;
        text-align: center;
        color: $text-warning;
        padding: 0 2;
        display: none;
    }

    #notice.-shown {
        display: block;
    }

    #sound {
        dock: top;
        width: 1fr;
        text-align: right;
        color: $text-muted;
        padding-right: 1;
    }

    #pacer {
        height: 1fr;
        min-height: 1;
    }

    #phase {
        width: 1fr;
        text-align: center;
        text-style: bold;
        color: $accent;
        height: auto;
    }

    /* Reduced motion: the countdown alone, in the middle, in a line of its own, so that its
       change each second repaints that line, not the 20-odd rows around it. */
    #calm {
        height: 1fr;
        align: center middle;
    }

    #prompt {
        width: 1fr;
        text-align: center;
        color: $text;
        height: auto;
        min-height: 1;
        padding: 0 2;
    }

    #paused {
        width: 1fr;
        text-align: center;
        color: $text-warning;
        height: auto;
    }

    #progress {
        width: 1fr;
        text-align: center;
        color: $text-muted;
        height: 1;
    }
    """

    BINDINGS = [
        Binding("space", "toggle_pause", "Pause/resume", id="oxybreathe.pause"),
        Binding("s", "skip", "Skip step", id="oxybreathe.skip"),
        Binding("c", "mute", "Chimes", id="oxybreathe.chimes"),
        # Louder and softer stay out of the footer, so that F1's help lines fit in it at 80
        # columns; the status line shows the volume they change.
        Binding(
            "plus,equals_sign",
            "volume(10)",
            "Louder",
            key_display="+",
            id="oxybreathe.louder",
            show=False,
        ),
        Binding(
            "minus", "volume(-10)", "Softer", key_display="-", id="oxybreathe.softer", show=False
        ),
        Binding("q,escape", "end", "End", id="oxybreathe.end"),
    ]

    def __init__(
        self, flow: SessionFlow, player: Player | None = None, *, reduce_motion: bool = False
    ) -> None:
        super().__init__()
        self.flow = flow
        self.plan = flow.plan
        self.engine = flow.engine
        self.clock = flow.clock
        self.reduce_motion = reduce_motion
        self.player = player
        self._levels = pacer_levels(self.plan)
        self._deadline_timer: asyncio.TimerHandle | None = None
        self._tick_timer: asyncio.TimerHandle | None = None
        self._shown_prompt: str | None = None
        self._lines: dict[str, Line] = {}
        self._answered = ""  # what the last "Craving now?" answer was
        holds = [cue.index for cue in self.plan.cues if cue.phase == "hold"]
        self._opening_until = holds[0] if holds else 0  # the cue after which it may go

    def compose(self) -> ComposeResult:
        with Vertical(id="session"):
            yield Static(clean(self.plan.session.name), id="title", markup=False)
            if self.flow.opening:
                yield Static(
                    "\n".join(clean(line) for line in self.flow.opening), id="opening", markup=False
                )
            yield Line(id="sound")
            yield Static("", id="notice", markup=False)
            if self.reduce_motion:
                with Vertical(id="calm"):
                    yield Line(id="phase")
            else:
                yield Pacer(id="pacer")
                yield Line(id="phase")
            yield Static("", id="prompt", markup=False)
            yield Line(id="paused")
            yield Line(id="progress")
        yield Footer()

    def on_mount(self) -> None:
        self._lines = {line.id: line for line in self.query(Line) if line.id}
        self._prompt = self.query_one("#prompt", Static)
        self._pacer = None if self.reduce_motion else self.query_one(Pacer)
        self._show_sound()
        self.run_worker(self._begin(), exclusive=True)

    def on_unmount(self) -> None:
        self._cancel_timers()  # asyncio's handles are not tied to the screen as Textual's are

    async def _begin(self) -> None:
        # The sounds are decoded and scaled before the first cue (bounded: never long).
        self._show_sound_notice(await asyncio.to_thread(self.flow.prepare, "app"))
        self._show_sound()
        self._handle(self.flow.start())
        self.draw()

    # Time ---------------------------------------------------------------------------------

    def _after(self, seconds: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
        """Call `callback` on this screen `seconds` from now.

        Not Textual's `set_timer`: its timer counts the delay from when its task first runs, so
        a busy moment just after setting it (the session's first paint) made the first phase
        change ~30 ms late. asyncio's `call_at` takes a time on the loop's monotonic clock.
        """
        loop = asyncio.get_running_loop()
        return loop.call_at(loop.time() + max(0.0, seconds), self.call_later, callback)

    def _cancel_timers(self) -> None:
        for timer in (self._deadline_timer, self._tick_timer):
            if timer is not None:
                timer.cancel()
        self._deadline_timer = self._tick_timer = None

    def _schedule(self) -> None:
        """Wake up exactly at the engine's next deadline (a fresh timer each time)."""
        if self._deadline_timer is not None:
            self._deadline_timer.cancel()
            self._deadline_timer = None
        deadline = self.flow.next_deadline()
        if deadline is not None:
            self._deadline_timer = self._after(deadline - self.clock(), self.sync)

    def sync(self) -> None:
        """Bring the screen up to the engine's present: due cues first, then the drawing."""
        self._handle(self.flow.poll())
        self.draw()

    def _handle(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, CueStarted):
                self._show_cue(event.cue)
        if self.flow.outcome is not None:
            self._cancel_timers()
            self.dismiss(self.flow.outcome)
            return
        self._show_status()
        self._schedule()

    def _show_status(self) -> None:
        """Paused, or "Craving now?" waiting for its answer, or what the answer was."""
        if self.engine.paused:
            self._set("paused", "Paused. Press space to resume.")
        elif self.flow.asking:
            self._set("paused", f"Craving now? Press 0-9, or {checkin.TEN_KEY} for 10.")
        else:
            self._set("paused", self._answered)

    def on_key(self, event: events.Key) -> None:
        rating = checkin.rating_for_key(event.key) if event.character else None
        if rating is None or not self.flow.asking or self.flow.done:
            return
        event.stop()
        before = self.flow.before.craving
        if self.flow.rate_during(rating):
            self._answered = f"Craving {before} → {rating}: eased. q ends, or go on."
        else:
            self._answered = f"Craving {rating}, noted. Keep breathing."
        self._show_status()

    # Drawing ------------------------------------------------------------------------------

    def _set(self, widget_id: str, text: str) -> None:
        """Update a one-line text; it repaints only if the text changed."""
        self._lines[widget_id].show(text)

    def on_resize(self) -> None:
        self.set_class(self.size.height < 20, "-small")

    def _show_cue(self, cue: Cue) -> None:
        if cue.index > self._opening_until:
            self.add_class("-opened")
        prompt = clean((cue.text if cue.kind == "prompt" else (cue.text or cue.step_text)) or "")
        if prompt != self._shown_prompt:  # a prompt may wrap, so it alone needs a new layout
            self._shown_prompt = prompt
            self._prompt.update(prompt)

    def _show_sound_notice(self, notice: str | None) -> None:
        """Say why there is no sound, in a line of the layout (a toast covered the orb), for
        NOTICE_SECONDS. In a tiny terminal it would crowd the session out: "no sound" shows."""
        if notice is None or self.size.width < 60 or self.size.height < 16:
            return
        line = self.query_one("#notice", Static)
        line.update(clean(notice))
        line.add_class("-shown")
        self.set_timer(NOTICE_SECONDS, lambda: line.remove_class("-shown"))

    def _show_sound(self) -> None:
        self._set("sound", self.player.describe() if self.player is not None else "chimes off")

    def draw(self) -> None:
        """Draw the pacer, countdown and progress for the engine's elapsed time.

        Then plan the next redraw: every frame while the orb moves, otherwise only when the next
        whole second ticks over on a countdown.
        """
        cue = self.engine.current
        if cue is None:
            return
        elapsed = self.engine.cue_elapsed()
        left_in_cue = cue.duration - elapsed
        if cue.kind == "phase" and cue.phase is not None:
            self._set("phase", f"{_WORDS[cue.phase]}  {math.ceil(left_in_cue - 1e-9)}")
        else:
            self._set("phase", "")
        start, end = self._levels[cue.index]
        fraction = elapsed / cue.duration if cue.duration else 1.0
        if self._pacer is not None:
            self._pacer.show(start + (end - start) * ease(fraction))
        total = self.plan.total
        remaining = self.engine.remaining()
        width = max(10, self.size.width - 24)
        done = self.engine.position() / total if total else 1.0
        if self.plan.open_ended:  # no end to count down to: the time so far, and how to end
            so_far = self.engine.position()
            self._set("progress", f"{clock_text(so_far)} so far.  Open-ended: q ends it.")
            remaining = math.ceil(so_far) - so_far or 1.0  # redraw as the next second ticks
        else:
            self._set("progress", f"{progress_bar(done, width)}  {clock_text(remaining)} left")
        self._plan_next_draw(cue, fraction, left_in_cue, remaining)

    def _plan_next_draw(
        self, cue: Cue, fraction: float, left_in_cue: float, remaining: float
    ) -> None:
        """Sleep until the next moment something drawn changes, and no longer."""
        if self._tick_timer is not None:
            self._tick_timer.cancel()
            self._tick_timer = None
        if self.engine.paused or self.engine.done:
            return
        orb_change = None
        if self._pacer is not None:
            start, end = self._levels[cue.index]
            change = self._pacer.next_change(start, end, fraction)
            if change is not None:
                orb_change = (change - fraction) * cue.duration
        wait = next_draw_in(left_in_cue, remaining, orb_change)
        if wait is not None:
            self._tick_timer = self._after(wait, self.draw)

    # Keys ---------------------------------------------------------------------------------

    def action_toggle_pause(self) -> None:
        if not self.engine.started:
            return
        self._handle(self.flow.toggle_pause())
        if not self.flow.done:
            self.draw()

    def action_skip(self) -> None:
        self._handle(self.flow.skip())
        if not self.flow.done:
            self.draw()

    def action_mute(self) -> None:
        if self.player is not None:
            self.player.toggle_mute()
        self._show_sound()

    def action_volume(self, change: int) -> None:
        if self.player is None:
            return
        self.player.set_volume(self.player.volume + change)
        self.post_message(PreferenceChanged("volume", self.player.volume))  # kept for next time
        self._show_sound()

    def action_end(self) -> None:
        if not self.engine.started:
            return
        was_paused = self.engine.paused
        if not was_paused:
            self._handle(self.flow.toggle_pause())

        def decided(end: bool | None) -> None:
            if end:
                self.flow.stop()
                self._handle([])
            elif not was_paused:
                self._handle(self.flow.toggle_pause())
                self.draw()

        ran = time_spent(self.engine.ran())
        self.app.push_screen(Confirm(f"End the session now? You have breathed for {ran}."), decided)
