"""Plain-text mode: one line per cue, flushed the moment the cue starts.

For screen readers, logs, pipes, and people who prefer text. It uses the same plan and engine as
the TUI, never prints escape sequences, and never waits for input.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from oxybreathe.audio import Chimes, play_event_sound
from oxybreathe.audio_worker import LINGER_SECONDS
from oxybreathe.core import notes
from oxybreathe.core.engine import (
    Clock,
    CueStarted,
    Engine,
    Event,
    Finished,
    Stopped,
)
from oxybreathe.core.plan import Cue, Plan
from oxybreathe.core.text import clean, duration, time_spent

EXIT_INTERRUPTED = 130
_PHASE_WORDS = {"inhale": "Inhale", "hold": "Hold", "exhale": "Exhale"}


class _Signalled(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def cue_line(cue: Cue, plan: Plan) -> str:
    """The one line printed for a cue, free of control characters.

    A phase line is the phase word and its seconds, then the phase's own cue, then (on the
    first phase of a step) the step's text.
    """
    if cue.kind == "prompt":
        return clean(cue.text or "")
    assert cue.phase is not None
    parts = [f"{_PHASE_WORDS[cue.phase]} {duration(cue.duration)}"]
    if cue.text:
        parts.append(clean(cue.text))
    if cue.step_text and cue.start == plan.step_starts[cue.step]:
        parts.append(clean(cue.step_text))
    return ". ".join(parts)


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into a clean stop, like Ctrl+C (SIGINT)."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        raise _Signalled(signum)

    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):  # not the main thread
            previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def run_plain(
    plan: Plan,
    *,
    out: TextIO | None = None,
    clock: Clock = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    chimes: Chimes | None = None,
) -> int:
    """Play `plan` as text on `out`; return the exit status (0, or 130 when interrupted)."""
    out = out or sys.stdout
    session = plan.session

    def say(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    if chimes is not None:
        chimes.wait_ready()  # the sounds are decoded and scaled before the first cue
        if chimes.notice:
            print(chimes.notice, file=sys.stderr, flush=True)
    say(f"{clean(session.name)} ({duration(plan.total)})")
    engine = Engine(plan, clock)
    try:
        with _stop_on_signals():
            events: list[Event] = engine.start()
            while True:
                for event in events:
                    if isinstance(event, CueStarted):
                        say(cue_line(event.cue, plan))
                    if chimes is not None:
                        play_event_sound(chimes, event, plan)
                if engine.done:
                    break
                deadline = engine.next_deadline()
                assert deadline is not None
                sleep(max(0.0, deadline - clock()))
                events = engine.poll()
    except (KeyboardInterrupt, _Signalled) as interruption:
        stopped = [e for e in engine.stop() if isinstance(e, Stopped)]
        ran = stopped[0].ran if stopped else engine.ran()
        say(f"Stopped after {time_spent(ran)}.")
        if chimes is not None:
            chimes.close()
        if isinstance(interruption, _Signalled):
            return 128 + interruption.signum
        return EXIT_INTERRUPTED
    finished = next((e for e in events if isinstance(e, Finished)), None)
    say(f"Finished: {time_spent(finished.ran if finished else engine.ran())}.")
    note = notes.pick(session)
    say("")
    say(clean(note.text))
    if note.source:
        say(f"Source: {clean(note.source)}")
    say(notes.FOOTER)
    if chimes is not None:
        chimes.close(linger=LINGER_SECONDS)  # let the closing bowl ring out
    return 0
