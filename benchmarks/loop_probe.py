"""A diagnostic, not a figure: what keeps the app's event loop busy while a session runs.

Run it in a real terminal (it opens the app), for example under tmux:

    tmux new -d -x 100 -y 30 'python -m benchmarks.loop_probe SESSION_FILE 3 /tmp/loop.txt'
    sleep 6; cat /tmp/loop.txt

It writes one line per event, in ms since the probe started: each deadline the session screen
wakes for (and how late), every time the loop was held for more than 4 ms, every garbage
collection of generation 1 or 2 (and how long it took), and when the history store was opened
on its thread. This is how the late first phase change of 2026-11-21 was found (see
docs/performance.md).
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import time
from typing import Any

STARTED = time.monotonic()
HELD_MS = 4.0


def main() -> None:
    session_file, seconds, result = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    from oxybreathe.core import history
    from oxybreathe.ui.screens import session as screen_module

    lines: list[str] = []

    def mark(what: str) -> None:
        at = (time.monotonic() - STARTED) * 1000
        lines.append(f"{at:9.1f}  {threading.current_thread().name:<20} {what}")

    collecting: dict[str, float] = {}

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collecting["at"] = time.monotonic()
        elif info["generation"] >= 1:
            took = (time.monotonic() - collecting.get("at", time.monotonic())) * 1000
            mark(f"gc generation {info['generation']}: {took:.1f} ms")

    gc.callbacks.append(on_gc)
    screen = screen_module.SessionScreen
    sync, mount, handle = screen.sync, screen.on_mount, screen._handle

    def timed_sync(self: screen_module.SessionScreen) -> None:
        deadline = self.engine.next_deadline()
        if deadline is not None:
            mark(f"deadline, {(self.clock() - deadline) * 1000:.1f} ms late")
        sync(self)

    def watched_mount(self: screen_module.SessionScreen) -> None:
        mark("session screen mounted")

        async def watch() -> None:
            while True:
                before = time.monotonic()
                await asyncio.sleep(0.001)
                held = (time.monotonic() - before) * 1000 - 1
                if held > HELD_MS:
                    mark(f"loop held {held:.1f} ms")

        self.run_worker(watch())
        mount(self)

    def handle_and_stop(self: screen_module.SessionScreen, events: list[Any]) -> None:
        handle(self, events)
        if time.monotonic() - STARTED > seconds:
            self.app.exit()

    open_store = history.open_store

    def timed_open(*args: Any, **kwargs: Any) -> Any:
        mark("history store: opening")
        try:
            return open_store(*args, **kwargs)
        finally:
            mark("history store: open")

    screen.sync = timed_sync
    screen.on_mount = watched_mount
    screen._handle = handle_and_stop
    history.open_store = timed_open
    from oxybreathe.cli import main as cli_main

    try:
        cli_main(["run", session_file, "--no-checkin", "--no-chimes"])
    finally:
        with open(result, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
