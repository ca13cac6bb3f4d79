"""Run a session in a real terminal and time each phase change from its deadline to the terminal.

For every cue the engine starts, the probe notes its deadline on `time.monotonic()` (the moment
the engine noticed it, minus how late that was). Textual's writer thread is wrapped so that each
frame it flushes to the terminal is stamped too. A phase change's latency is the time from its
deadline to the first flushed frame that shows the new phase word: everything the app does
(timer wake-up, engine, layout, render, write), measured on the one clock, with no polling.

    python -m benchmarks.phase_probe SESSION_FILE SECONDS RESULT_FILE
"""

from __future__ import annotations

import json
import sys
import time

WORDS = ("Breathe in", "Hold", "Breathe out")


def main() -> None:
    session_file, seconds, result = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    from textual.drivers import _writer_thread

    from oxybreathe.core.engine import CueStarted
    from oxybreathe.ui.screens import session as session_screen

    flushes: list[tuple[float, list[str]]] = []
    deadlines: list[tuple[float, str]] = []

    def run(self: _writer_thread.WriterThread) -> None:
        write, flush, get, qsize = (
            self._file.write,
            self._file.flush,
            self._queue.get,
            self._queue.qsize,
        )
        pending: list[str] = []
        while (text := get()) is not None:
            write(text)
            pending.append(text)
            if qsize() == 0:
                flush()
                joined = "".join(pending)
                flushes.append((time.monotonic(), [w for w in WORDS if w in joined]))
                pending = []

    _writer_thread.WriterThread.run = run  # type: ignore[method-assign]
    handle = session_screen.SessionScreen._handle
    words = {"inhale": "Breathe in", "hold": "Hold", "exhale": "Breathe out"}

    def handle_and_note(self: session_screen.SessionScreen, events: list[object]) -> None:
        now = time.monotonic()
        for event in events:
            if isinstance(event, CueStarted) and event.cue.phase is not None:
                deadlines.append((now - event.late, words[event.cue.phase]))
        handle(self, events)  # type: ignore[arg-type]
        if deadlines and now - deadlines[0][0] > seconds:
            self.app.exit()

    session_screen.SessionScreen._handle = handle_and_note  # type: ignore[method-assign]
    from oxybreathe.cli import main as cli_main

    try:
        cli_main(["run", session_file, "--no-checkin", "--no-chimes"])
    finally:
        changes = []  # [deadline on time.monotonic(), ms until it was on screen]
        for deadline, word in deadlines[1:]:  # the first cue is the session starting
            shown = next((at for at, seen in flushes if at >= deadline and word in seen), None)
            if shown is not None:
                changes.append([deadline, (shown - deadline) * 1000])
        with open(result, "w", encoding="utf-8") as out:
            json.dump(changes, out)


if __name__ == "__main__":
    main()
