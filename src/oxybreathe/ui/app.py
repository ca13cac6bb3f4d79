"""The oxybreathe Textual app: home, and one coroutine that runs a session's life.

A session's life is one readable sequence (`practise`): the before check-in, the session, the
after check-in and the closing, each a screen that returns a value. The session flow itself
(sounds, history, the closing's choice) is the core's `SessionFlow`, shared with plain mode.
Preferences flow down from here; screens send messages up when the user changes one.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import var
from textual.screen import Screen

from oxybreathe.core import collector
from oxybreathe.core import memory as memories
from oxybreathe.core.memory import Memory
from oxybreathe.core.preferences import DEFAULTS, Preferences
from oxybreathe.ui import terminal, themes
from oxybreathe.ui.messages import PreferenceChanged, StartSession
from oxybreathe.ui.notices import notify_lines, notify_literally
from oxybreathe.ui.screens.home import HomeScreen

if TYPE_CHECKING:
    from textual.command import Provider

    from oxybreathe.core.engine import Clock
    from oxybreathe.core.flow import SessionFlow
    from oxybreathe.core.helplines import Helplines
    from oxybreathe.core.history import Recorder
    from oxybreathe.core.history.rows import Read
    from oxybreathe.core.plan import Plan

# What a session, its closing and the history screen need, imported once the list is on
# screen (see `on_mount`) rather than before it: about a third of the app's own start-up.
LATER = (
    "oxybreathe.audio",
    "oxybreathe.core.flow",
    "oxybreathe.core.history",
    "oxybreathe.ui.screens.checkin",
    "oxybreathe.ui.screens.closing",
    "oxybreathe.ui.screens.history",
    "oxybreathe.ui.screens.journal",
    "oxybreathe.ui.screens.session",
)


def _oxybreathe_commands() -> type[Provider]:
    """The palette's commands, imported when the palette first opens, as Textual's own are:
    `textual.command` and the screens the commands look at cost about 30 ms before the first
    paint otherwise."""
    from oxybreathe.ui.commands import OxybreatheCommands

    return OxybreatheCommands


class Backdrop(Screen[None]):
    """An empty screen under a session's screens, so that home never shows between two of them."""


class OxybreatheApp(App[int]):
    """Home, history and one session at a time, over the pure core."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    # Below 60 columns a notice takes the whole width (app.tcss), so no word of it is cut off.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-wide")]
    TITLE = "oxybreathe"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {_oxybreathe_commands}
    # Issue 16: the help lines, one key away on every screen (no screen uses F1 or ?).
    BINDINGS = [
        Binding(
            "f1,question_mark",
            "help_lines",
            "Help lines",
            key_display="F1",
            id="oxybreathe.help",
            priority=True,
        ),
    ]

    prefs: var[Preferences] = var(DEFAULTS, init=False)

    def __init__(
        self,
        *,
        prefs: Preferences = DEFAULTS,
        memory: Memory | None = None,
        start: Plan | None = None,
        clock: Clock = time.monotonic,
        user_dir: Path | None = None,
        state_dir: Path | None = None,
        data_dir: Path | None = None,
        problems: Sequence[str] = (),
        now: bool = False,
    ) -> None:
        """`prefs` are resolved already (core.preferences); `memory` is what was remembered
        (read here when not given); `start` opens a session at once (`oxybreathe run`);
        `problems` are lines about the settings file to show once."""
        super().__init__()
        themes.register(self)  # before prefs.theme is applied (on_mount)
        self.set_reactive(OxybreatheApp.prefs, prefs)
        self.memory = memory if memory is not None else memories.load(state_dir, data_dir)
        self.clock = clock
        self.user_dir = user_dir
        self.state_dir = state_dir
        self.data_dir = data_dir
        self.farewell: list[str] = []  # lines for the terminal once the app has closed
        self._problems = list(problems)
        self._start = start
        self._now = now  # `oxybreathe now`: no check-in, a help line at the start
        self._recorder: Recorder | None = None
        self._flow: SessionFlow | None = None
        # The user's `keys:` (checked by core.config, ids in core/keys.py) over our BINDINGS.
        self.set_keymap(dict(prefs.keys))

    def get_default_screen(self) -> HomeScreen:
        # Home is the bottom of the stack, painted first (pushing it later costs a screen switch).
        # It highlights the session `oxybreathe run` opened, or else the last one started.
        first = self._start.session.id if self._start is not None else self.memory.session
        home = HomeScreen(
            first_choice=first,
            remembered=(self.memory.session, self.memory.minutes),
            user_dir=self.user_dir,
            keymap=dict(self.prefs.keys),
        )
        return home.data_bind(OxybreatheApp.prefs)

    def on_mount(self) -> None:
        terminal.exit_cleanly_on_signals(self, self._on_signal)
        if self.prefs.theme and self.prefs.theme in self.available_themes:
            self.theme = self.prefs.theme  # an unknown name is simply not restored
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if not self.memory.told:  # the first run says it once, briefly
            from oxybreathe.core.helplines import NOT_ON_FIRST_RUN, one_line

            notify_literally(
                self,
                f"{NOT_ON_FIRST_RUN} {one_line(self.helplines)} "
                "F1 shows help lines on every screen.",
                title="Before you start",
                timeout=20,
            )
            self.memory = self.memory.told_once()
            memories.save(self.memory, self.state_dir)
        if self._problems:
            self.notify_problems(
                ["The settings file has problems; their defaults apply.", *self._problems[:5]]
            )
        self.call_after_refresh(collector.settle)  # start-up is over once this is painted
        if self._start is not None:
            self.practise(self._start, from_home=False, now=self._now)
        else:
            self.call_after_refresh(self._import_the_rest)

    def _import_the_rest(self) -> None:
        """Import what a session needs once home is painted, so choosing one stays quick."""
        for name in LATER:
            importlib.import_module(name)

    def _on_signal(self, signum: int) -> None:
        self.wrap_up()
        self.exit(return_code=128 + signum)

    def action_help_quit(self) -> None:
        """Ctrl+C (Textual's key for copying): say how to leave, in the same words everywhere.

        `q` is the key to name: it quits home, closing and history, and ends a session (after
        asking); ctrl+q quits from anywhere, a session kept as stopped.
        """
        # The key a keymap gave (`keys:` in the settings file), or q.
        keys: dict[str, str] = {}
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit", "end") and key != "ctrl+q":
                keys.setdefault(active.binding.action.removeprefix("app."), key)
        if "quit" in keys:
            hint = f"Press {keys['quit']} to quit."
        elif "end" in keys:
            hint = f"Press {keys['end']} to end the session, or ctrl+q to quit."
        else:
            hint = "Press ctrl+q to quit."
        notify_literally(self, hint, title="Ctrl+C does not quit here")

    # Help --------------------------------------------------------------------------------

    @property
    def helplines(self) -> Helplines:
        """The help lines for the settings' `country:`, else the locale's."""
        from oxybreathe.core.helplines import lookup  # not needed for the first paint

        return lookup(self.prefs.country, os.environ)

    def action_help_lines(self) -> None:
        """F1 (or ?): the help lines over whatever screen is showing; Esc comes back."""
        from oxybreathe.ui.screens.helplines import HelpLinesScreen

        if not isinstance(self.screen, HelpLinesScreen):
            self.push_screen(HelpLinesScreen(self.helplines))

    def action_now(self) -> None:
        """u on home, or `oxybreathe now`: the short urge session at once, no questions."""
        from oxybreathe.core import catalog
        from oxybreathe.core.plan import lay_out

        self.practise(lay_out(catalog.now_session(self.user_dir)), from_home=True, now=True)

    def notify_problems(self, lines: list[str]) -> None:
        notify_lines(self, lines, severity="warning", timeout=12)

    # Preferences -------------------------------------------------------------------------

    @on(PreferenceChanged)
    def _preference_changed(self, message: PreferenceChanged) -> None:
        """A change made in the app applies at once and is the one thing remembered."""
        self.prefs = dataclasses.replace(self.prefs, **{message.key: message.value})
        if message.key == "theme" and message.value in self.available_themes:
            self.theme = message.value  # from the palette's "Theme: ..." commands
        self.memory = self.memory.changed(message.key, message.value)
        memories.save(self.memory, self.state_dir)
        if message.key == "voice" and message.value:
            from oxybreathe.core import speech

            if speech.find_voice(self.prefs.piper_model) is None:
                notify_literally(self, speech.NO_ENGINE, severity="warning", timeout=15)

    def _theme_changed(self, _theme: object) -> None:
        if self.theme != self.prefs.theme:
            self.post_message(PreferenceChanged("theme", self.theme))

    # History -----------------------------------------------------------------------------

    @property
    def recorder(self) -> Recorder:
        """The history writer, started on first use (never before the first paint)."""
        if self._recorder is None:
            loop = asyncio.get_running_loop()

            def said(line: str) -> None:
                # Runs on the history thread: hand over without waiting (a closing app's loop
                # may never run it, and must not be waited for).
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self._history_notice, line)

            from oxybreathe.core.history import Recorder

            self._recorder = Recorder(self.data_dir, on_notice=said)
        return self._recorder

    def _history_notice(self, notice: str) -> None:
        self.notify_problems([notice])
        self.farewell.append(notice)

    def read_history(self) -> Future[Read]:
        """Every recorded session, read on the history thread."""
        return self.recorder.read()

    def wrap_up(self) -> None:
        """Stop a session still in progress (kept as incomplete), and finish the writes.

        Called on SIGTERM, SIGHUP and SIGINT, and when the app closes for any reason.
        """
        if self._flow is not None:
            self._flow.shut(linger=0.0)
        if self._recorder is not None:
            self._recorder.close()
            if self._recorder.late_notice and self._recorder.late_notice not in self.farewell:
                self.farewell.append(self._recorder.late_notice)

    # A session's life --------------------------------------------------------------------

    @on(StartSession)
    def _start_from_home(self, message: StartSession) -> None:
        self.memory = self.memory.chose(message.plan.session.id, message.minutes)
        memories.save(self.memory, self.state_dir)
        self.practise(message.plan, from_home=True)

    @work(exclusive=True, group="session")
    async def practise(self, plan: Plan, *, from_home: bool, now: bool = False) -> None:
        """One session: the check-in, the session, the check-in again and the closing.

        `now` (`oxybreathe now`, u on home): no questions, and a help line at the start.
        """
        from oxybreathe.audio import Player
        from oxybreathe.core import checkin
        from oxybreathe.core.checkin import Ratings
        from oxybreathe.core.flow import SessionFlow
        from oxybreathe.ui.screens.checkin import CheckinScreen
        from oxybreathe.ui.screens.closing import ClosingScreen
        from oxybreathe.ui.screens.journal import JournalScreen
        from oxybreathe.ui.screens.session import SessionScreen

        prefs = self.prefs

        def session_of(plan: Plan) -> tuple[Player, SessionFlow]:
            player = Player.for_plan(plan, prefs)  # loads while asked
            flow = SessionFlow(
                plan,
                player=player,
                recorder=self.recorder,
                clock=self.clock,
                helplines=self.helplines,
                help_at_start=now,
                bell=self.bell if prefs.terminal_bell else None,
            )
            self._flow = flow
            return player, flow

        # The voice is rendered (or found in its cache) while the check-in is asked; its
        # sounds are then loaded with the chimes.
        voicing: asyncio.Future[Plan] | None = None
        if prefs.voice:  # in a thread of its own, which never keeps the app from quitting
            voicing = asyncio.get_running_loop().create_future()
            threading.Thread(target=self._voiced, args=(plan, voicing), daemon=True).start()
        player, flow = session_of(plan) if voicing is None else (None, None)
        again = None
        backdrop = Backdrop()
        await self.push_screen(backdrop)
        try:
            before: Ratings | None = Ratings()
            questions = checkin.asked(prefs.checkin_questions)
            asking = prefs.checkin and bool(questions) and not now
            if asking:
                cancel = "back to the list" if from_home else "quit"
                before = await self.push_screen_wait(
                    CheckinScreen(f"Before {plan.session.name}", cancel=cancel, questions=questions)
                )
            if before is None:  # escape: back to the list, or out of `oxybreathe run`
                if not from_home:
                    self.exit()
                return
            if voicing is not None:
                if not voicing.done():
                    self.notify("Preparing the voice…", timeout=3)
                plan = await voicing
                player, flow = session_of(plan)
            assert player is not None and flow is not None
            flow.begin(before)
            await self.push_screen_wait(
                SessionScreen(flow, player, reduce_motion=prefs.reduce_motion)
            )
            after: Ratings | None = Ratings()
            if asking:
                after = await self.push_screen_wait(
                    CheckinScreen("After the session", questions=questions)
                )
            # --no-checkin (or `checkin: false`) means no questions at all, the journal's too.
            journaling = prefs.journal and prefs.checkin and not now
            journal = await self.push_screen_wait(JournalScreen()) if journaling else None
            closing = await asyncio.to_thread(flow.close, after or Ratings(), journal=journal)
            again = await self.push_screen_wait(ClosingScreen(plan.session.name, closing))
        finally:
            if flow is not None:
                flow.shut(linger=None)  # the closing bowl rings out on its own
            self._flow = None
            if backdrop in self.screen_stack:
                self.pop_screen()
        if again:  # the support closing's "surf again"
            self.call_later(self.action_now)

    def _voiced(self, plan: Plan, done: asyncio.Future[Plan]) -> None:
        """Render the plan's speech (in a thread); each warning becomes a notice, shown as
        written (it holds the prompt's text and the file's name)."""
        from oxybreathe.core import speech

        try:
            prepared = speech.prepare_for(
                plan, piper_model=self.prefs.piper_model, phases=self.prefs.voice_phases
            )
        except Exception as error:  # never a session lost to the voice: it runs without
            prepared = speech.Prepared(plan, notice=f"The voice could not be prepared: {error}")
        with contextlib.suppress(RuntimeError):  # the app ended while it was rendering
            for line in speech.warnings(prepared):
                self.call_from_thread(notify_literally, self, line, severity="warning", timeout=12)
            self.call_from_thread(done.set_result, prepared.plan)

    def action_show_history(self) -> None:
        from oxybreathe.ui.screens.history import HistoryScreen

        screen = HistoryScreen(self.read_history, self.recorder.delete)
        self.push_screen(screen.data_bind(OxybreatheApp.prefs))
