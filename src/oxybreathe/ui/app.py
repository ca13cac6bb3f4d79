"""The oxybreathe Textual app."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from textual.app import App

from oxybreathe.core import locations, state
from oxybreathe.ui.screens.home import HomeScreen

if TYPE_CHECKING:
    from textual.timer import Timer

    from oxybreathe.core.checkin import Ratings
    from oxybreathe.core.config import Config
    from oxybreathe.core.engine import Clock
    from oxybreathe.core.history import Recorder, Recording
    from oxybreathe.core.plan import Plan
    from oxybreathe.ui.screens.session import Outcome, SessionScreen

NOTES_WAIT_SECONDS = 0.5  # the most the closing screen waits to learn which notes were shown


@dataclass(eq=False)
class Running:
    """The session in progress: its screen, and its row in the history."""

    screen: SessionScreen
    recording: Recording


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
        checkin: bool | None = None,
        user_dir: Path | None = None,
        data_dir: Path | None = None,
        settings: Config | None = None,
    ) -> None:
        """Options given here (from the command line) win over the settings file, which wins
        over what was remembered from last time."""
        super().__init__()
        try:
            has_settings = locations.settings_file().exists()
        except OSError:  # a config folder that cannot be entered: config.load says so
            has_settings = True
        if settings is None and has_settings:
            from oxybreathe.core import config  # only with a file: most people have none

            settings = config.load()
        self.settings = settings
        self.clock = clock
        self.user_dir = user_dir
        self.data_dir = data_dir
        self.remembered = remembered = state.load(data_dir)

        def setting(key: str) -> Any:
            return getattr(settings, key) if settings is not None else None

        self.chimes = state.first_set(chimes, setting("chimes"), remembered.chimes)
        self.reduce_motion = reduce_motion or state.first_set(
            setting("reduce_motion"), remembered.reduce_motion
        )
        self.volume = next(
            (v for v in (volume, setting("volume")) if v is not None), remembered.volume
        )
        self.checkin = state.first_set(checkin, setting("checkin"), True)
        self.show_streak = state.first_set(setting("streak"), remembered.show_streak)
        self.farewell: list[str] = []  # lines for the terminal once the app has closed
        self._start = start
        self._recorder: Recorder | None = None
        self._active: Running | None = None
        self._progress_timer: Timer | None = None

    @property
    def first_choice(self) -> str | None:
        """The session home highlights when it first lists them: the one `oxybreathe run`
        opened, or else the last one started from home."""
        return self._start.session.id if self._start is not None else self.remembered.session

    def get_default_screen(self) -> HomeScreen:
        # Home is the bottom of the stack, painted first (pushing it later costs a screen switch).
        return HomeScreen()

    def on_mount(self) -> None:
        self._exit_cleanly_on_signals()
        theme = self.remembered.theme
        if theme and theme in self.available_themes:  # an unknown name is simply not restored
            self.theme = theme
        self.theme_changed_signal.subscribe(self, lambda _theme: self.remember())
        if self.settings is not None and self.settings.problems:
            lines = [str(problem) for problem in self.settings.problems[:5]]
            self.notify_problems(["The settings file has problems; their defaults apply.", *lines])
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
        self._survive_sigstop(loop)

    def _survive_sigstop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Make SIGSTOP then SIGCONT (`kill -STOP`, a debugger) harmless to the terminal.

        Textual's Linux driver answers every SIGCONT by entering application mode again, which
        re-reads the terminal's "before" modes while the terminal is already raw: on exit it then
        "restores" raw mode and the user's shell has no echo. Only a SIGCONT that follows the
        driver's own SIGTSTP (Ctrl+Z) should do that. After a bare SIGSTOP we put our raw modes
        back (the shell may have reset them while we were stopped) and repaint.
        """
        try:
            import termios
        except ImportError:  # Windows: no job control
            return
        driver = self._driver
        on_tstp, on_cont = signal.getsignal(signal.SIGTSTP), signal.getsignal(signal.SIGCONT)
        if getattr(on_cont, "__self__", None) is not driver or not callable(on_tstp):
            return  # not the Linux driver (headless, web, Windows)
        assert callable(on_cont)
        fileno: int = driver.fileno  # type: ignore[union-attr]
        try:
            raw = termios.tcgetattr(fileno)
        except termios.error:
            return
        suspended = False

        def tstp(signum: int, frame: FrameType | None) -> None:
            nonlocal suspended
            suspended = True
            try:
                on_tstp(signum, frame)  # stops the process; returns once continued
            finally:
                suspended = False

        def cont(signum: int, frame: FrameType | None) -> None:
            if suspended:
                on_cont(signum, frame)
                return
            with contextlib.suppress(termios.error, OSError):
                termios.tcsetattr(fileno, termios.TCSANOW, raw)
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(lambda: self.refresh(repaint=True, layout=True))

        signal.signal(signal.SIGTSTP, tstp)
        signal.signal(signal.SIGCONT, cont)

    def _on_signal(self, signum: int) -> None:
        self.wrap_up()
        self.exit(return_code=128 + signum)

    def action_help_quit(self) -> None:
        """Ctrl+C (Textual's key for copying): say how to leave, in the same words everywhere.

        `q` is the key to name: it quits home, closing and history, and ends a session (after
        asking); ctrl+q quits from anywhere, a session kept as stopped.
        """
        from oxybreathe.ui.notices import notify_literally

        active = self.active_bindings.get("q")
        action = active.binding.action if active is not None else None
        if action in ("quit", "app.quit"):
            hint = "Press q to quit."
        elif action == "end":
            hint = "Press q to end the session, or ctrl+q to quit."
        else:
            hint = "Press ctrl+q to quit."
        notify_literally(self, hint, title="Ctrl+C does not quit here")

    def notify_problems(self, lines: list[str]) -> None:
        from oxybreathe.ui.notices import notify_lines

        notify_lines(self, lines, severity="warning", timeout=12)

    # History -------------------------------------------------------------------------------

    @property
    def recorder(self) -> Recorder:
        """The history writer, started on first use (never before the first paint)."""
        if self._recorder is None:
            from oxybreathe.core.history import Recorder

            loop = asyncio.get_running_loop()

            def said(line: str) -> None:
                # Runs on the history thread: hand over without waiting (a closing app's loop
                # may never run it, and must not be waited for).
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self._history_notice, line)

            self._recorder = Recorder(self.data_dir, on_notice=said)
        return self._recorder

    def _history_notice(self, notice: str) -> None:
        self.notify_problems([notice])
        self.farewell.append(notice)

    def _save_progress(self) -> None:
        if self._active is not None:
            self._active.recording.save(self._active.screen.engine.ran())

    def wrap_up(self) -> None:
        """Stop a session still in progress (kept as incomplete), and finish the writes.

        Called on SIGTERM, SIGHUP and SIGINT, and when the app closes for any reason.
        """
        running = self._active
        if running is not None and not running.recording.ended:
            running.screen.engine.stop()
            if running.screen.chimes is not None:
                running.screen.chimes.close()
            running.recording.finish(running.screen.engine.ran(), completed=False)
        if self._recorder is not None:
            self._recorder.close()
            if self._recorder.late_notice and self._recorder.late_notice not in self.farewell:
                self.farewell.append(self._recorder.late_notice)

    def remember(self, last: tuple[str, float | None] | None = None) -> None:
        """Keep the settings, and the `last` session and length, for next time.

        A failed write (a read-only home) is not an error: it is only memory.
        """
        session, minutes = (
            last if last is not None else (self.remembered.session, self.remembered.minutes)
        )
        self.remembered = state.Remembered(
            session,
            minutes,
            self.chimes,
            self.reduce_motion,
            self.volume,
            self.theme,
            self.show_streak,
        )
        state.save(self.remembered, self.data_dir)

    def start_session(
        self, plan: Plan, *, minutes: float | None = None, remember: bool = True
    ) -> None:
        """Ask the check-in (if on), then open the session screen for `plan`."""
        if remember:
            self.remember(last=(plan.session.id, minutes))
        from oxybreathe.core.checkin import Ratings

        if not self.checkin:
            self._launch(plan, Ratings(), replace=False)
            return
        from oxybreathe.ui.screens.checkin import CheckinScreen

        at_home = isinstance(self.screen, HomeScreen)
        self.push_screen(
            CheckinScreen(
                f"Before {plan.session.name}",
                lambda ratings: self._launch(plan, ratings, replace=True),
                cancel=(lambda: self.pop_screen()) if at_home else (lambda: self.exit()),
            )
        )

    def _launch(self, plan: Plan, before: Ratings, *, replace: bool) -> None:
        from oxybreathe.audio import DEFAULT_VOLUME, Chimes
        from oxybreathe.ui.screens.session import SessionScreen

        chimes = Chimes(plan, enabled=self.chimes, volume=self.volume or DEFAULT_VOLUME)
        screen = SessionScreen(
            plan, clock=self.clock, reduce_motion=self.reduce_motion, chimes=chimes
        )
        from oxybreathe.core.history import PROGRESS_EVERY_SECONDS, Recording

        self._active = Running(screen, Recording(self.recorder, plan, before))
        self._progress_timer = self.set_interval(PROGRESS_EVERY_SECONDS, self._save_progress)
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def session_ended(self, outcome: Outcome) -> None:
        """Record how the session ended, then the after check-in (if on), then the closing."""
        running = self._active
        if running is None or running.recording.ended:
            return
        if self._progress_timer is not None:
            self._progress_timer.stop()
        running.recording.finish(outcome.ran, outcome.completed)
        from oxybreathe.core.checkin import Ratings

        if not self.checkin:
            self._close(outcome, Ratings())
            return
        from oxybreathe.ui.screens.checkin import CheckinScreen

        self.switch_screen(CheckinScreen("After the session", lambda r: self._close(outcome, r)))

    def _close(self, outcome: Outcome, after: Ratings) -> None:
        from oxybreathe.ui.screens.closing import ClosingScreen

        running = self._active
        assert running is not None
        running.recording.rate_after(after)
        note = running.recording.closing_note(outcome.plan, wait=NOTES_WAIT_SECONDS)
        self._active = None
        self.switch_screen(ClosingScreen(outcome, note, running.recording.before, after))

    def action_show_history(self) -> None:
        from oxybreathe.ui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen())
