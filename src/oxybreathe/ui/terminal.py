"""Keeping the user's terminal intact whatever signal arrives: the app's signal handling."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

from textual.app import App


def exit_cleanly_on_signals(app: App[Any], on_signal: Callable[[int], None]) -> None:
    """SIGTERM, SIGHUP (a closed terminal) and SIGINT call `on_signal`, which ends the app
    through Textual.

    Their default action kills the process on the spot and leaves the terminal in raw mode on the
    alternate screen; exiting through Textual restores it.
    """
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, on_signal, signum)
    _survive_sigstop(app, loop)


def _survive_sigstop(app: App[Any], loop: asyncio.AbstractEventLoop) -> None:
    """Make SIGSTOP then SIGCONT (`kill -STOP`, a debugger) harmless to the terminal.

    Textual's Linux driver answers every SIGCONT by entering application mode again, which
    re-reads the terminal's "before" modes while the terminal is already raw: on exit it then
    "restores" raw mode and the user's shell has no echo. Only a SIGCONT that follows the driver's
    own SIGTSTP (Ctrl+Z) should do that. After a bare SIGSTOP we put our raw modes back (the shell
    may have reset them while we were stopped) and repaint.
    """
    try:
        import termios
    except ImportError:  # Windows: no job control
        return
    driver = app._driver
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
            loop.call_soon_threadsafe(lambda: app.refresh(repaint=True, layout=True))

    signal.signal(signal.SIGTSTP, tstp)
    signal.signal(signal.SIGCONT, cont)
