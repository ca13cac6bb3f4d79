"""The oxybreathe Textual app."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App

from oxybreathe.core import state
from oxybreathe.ui.screens.home import HomeScreen

if TYPE_CHECKING:
    from oxybreathe.core.engine import Clock
    from oxybreathe.core.plan import Plan


class OxybreatheApp(App[None]):
    """Home, session and closing screens over the pure core."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "oxybreathe"
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        *,
        start: Plan | None = None,
        clock: Clock = time.monotonic,
        reduce_motion: bool = False,
        chimes: bool | None = None,
        volume: int | None = None,
        user_dir: Path | None = None,
        data_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.clock = clock
        self.user_dir = user_dir
        self.data_dir = data_dir
        self.remembered = state.load(data_dir)
        self.chimes = self.remembered.chimes if chimes is None else chimes
        self.reduce_motion = reduce_motion or self.remembered.reduce_motion
        self.volume = volume if volume is not None else self.remembered.volume
        self._start = start

    def get_default_screen(self) -> HomeScreen:
        # Home is the bottom of the stack, painted first (pushing it later costs a screen switch).
        return HomeScreen()

    def on_mount(self) -> None:
        self._exit_cleanly_on_signals()
        theme = self.remembered.theme
        if theme and theme in self.available_themes:  # an unknown name is simply not restored
            self.theme = theme
        self.theme_changed_signal.subscribe(self, lambda _theme: self.remember())
        if self._start is not None:
            self.start_session(self._start, remember=False)

    def _exit_cleanly_on_signals(self) -> None:
        """SIGTERM, SIGHUP (a closed terminal) and SIGINT end the app through Textual.

        Their default action kills the process on the spot and leaves the terminal in raw mode
        on the alternate screen; exiting through Textual restores it. A session in progress is
        stopped first, so it ends the way `q` ends it.
        """
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self._on_signal, signum)

    def _on_signal(self, signum: int) -> None:
        from oxybreathe.ui.screens.session import SessionScreen

        for screen in self.screen_stack:
            if isinstance(screen, SessionScreen):
                screen.engine.stop()
                if screen.chimes is not None:
                    screen.chimes.close()
        self.exit(return_code=128 + signum)

    def remember(self, last: tuple[str, float | None] | None = None) -> None:
        """Keep the settings, and the `last` session and length, for next time.

        A failed write (a read-only home) is not an error: it is only memory.
        """
        session, minutes = (
            last if last is not None else (self.remembered.session, self.remembered.minutes)
        )
        self.remembered = state.Remembered(
            session, minutes, self.chimes, self.reduce_motion, self.volume, self.theme
        )
        state.save(self.remembered, self.data_dir)

    def start_session(
        self, plan: Plan, *, minutes: float | None = None, remember: bool = True
    ) -> None:
        """Open the session screen for `plan` (and remember the choice)."""
        from oxybreathe.audio import DEFAULT_VOLUME, Chimes
        from oxybreathe.ui.screens.session import SessionScreen

        if remember:
            self.remember(last=(plan.session.id, minutes))
        chimes = Chimes(plan, enabled=self.chimes, volume=self.volume or DEFAULT_VOLUME)
        self.push_screen(
            SessionScreen(plan, clock=self.clock, reduce_motion=self.reduce_motion, chimes=chimes)
        )
