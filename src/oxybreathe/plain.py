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
from oxybreathe.core import checkin, notes, steady
from oxybreathe.core.checkin import Ratings
from oxybreathe.core.engine import (
    Clock,
    CueStarted,
    Engine,
    Event,
    Finished,
    Stopped,
)
from oxybreathe.core.history import Recorder, Recording
from oxybreathe.core.plan import Cue, Plan
from oxybreathe.core.text import clean, duration, time_spent
from oxybreathe.exits import EXIT_INTERRUPTED

NOTES_WAIT_SECONDS = 1.0  # the most plain mode waits for the history (it runs in a thread)
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


Ask = Callable[[str], "str | None"]


def ask_terminal(prompt: str) -> str | None:
    """Read one typed line after `prompt`; None at end of input."""
    try:
        return input(prompt)
    except EOFError:
        return None


def _check_in(ask: Ask, say: Callable[[str], None]) -> Ratings:
    """Ask the two questions; an empty answer (or end of input) skips one."""
    answers: dict[str, int | None] = {}
    for key, question in checkin.QUESTIONS:
        answers[key] = None
        for _attempt in range(3):
            text = ask(f"{question} 0-10, Enter to skip: ")
            if text is None:
                break
            try:
                answers[key] = checkin.parse_answer(text)
                break
            except ValueError as error:
                say(f"Please {error}.")
    return Ratings(**answers)


def run_plain(
    plan: Plan,
    *,
    out: TextIO | None = None,
    clock: Clock = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    chimes: Chimes | None = None,
    recorder: Recorder | None = None,
    ask: Ask | None = None,
) -> int:
    """Play `plan` as text on `out`; return the exit status (0, or 128+n when interrupted).

    With `ask`, the stress and craving questions come before and after the session. With a
    `recorder`, the session is kept in the history, and a stopped one is kept as incomplete.
    """
    out = out or sys.stdout
    session = plan.session

    def say(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    if ask is not None:
        say(f"Before {clean(session.name)}. {checkin.SCALE}")
        try:
            before = _check_in(ask, say)
        except KeyboardInterrupt:
            say("")
            return EXIT_INTERRUPTED
    else:
        before = Ratings()
    if chimes is not None:
        chimes.wait_ready()  # the sounds are decoded and scaled before the first cue
        if chimes.notice:
            print(chimes.notice, file=sys.stderr, flush=True)
    recording = None
    if recorder is not None:
        recording = Recording(recorder, plan, before)
        with contextlib.suppress(TimeoutError):  # opening takes milliseconds; never wait long
            recorder.notice.result(timeout=NOTES_WAIT_SECONDS)  # its on_notice line comes first
    say(f"{clean(session.name)} ({duration(plan.total)})")
    engine = Engine(plan, clock)
    steady.hold()  # no full garbage collection in the middle of a cue
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
                if recording is not None:
                    recording.progress(engine.ran())
                deadline = engine.next_deadline()
                assert deadline is not None
                sleep(max(0.0, deadline - clock()))
                events = engine.poll()
    except (KeyboardInterrupt, _Signalled) as interruption:
        stopped = [e for e in engine.stop() if isinstance(e, Stopped)]
        ran = stopped[0].ran if stopped else engine.ran()
        if recording is not None:
            recording.finish(ran, completed=False)
            recording.recorder.close()
        say(f"Stopped after {time_spent(ran)}.")
        if chimes is not None:
            chimes.close()
        if isinstance(interruption, _Signalled):
            return 128 + interruption.signum
        return EXIT_INTERRUPTED
    finally:
        steady.release()
    finished = next((e for e in events if isinstance(e, Finished)), None)
    ran = finished.ran if finished else engine.ran()
    if recording is not None:
        recording.finish(ran, completed=True)
    say(f"Finished: {time_spent(ran)}.")
    status = 0
    after = Ratings()
    if ask is not None:
        say(f"After the session. {checkin.SCALE}")
        try:
            with _stop_on_signals():
                after = _check_in(ask, say)
        except (KeyboardInterrupt, _Signalled) as interruption:
            say("")
            status = (
                128 + interruption.signum
                if isinstance(interruption, _Signalled)
                else EXIT_INTERRUPTED
            )
    for line in checkin.changes(before, after, arrow="to"):
        say(f"{line}.")
    if recording is not None:
        recording.rate_after(after)
        note = recording.closing_note(plan, wait=NOTES_WAIT_SECONDS)
    else:
        note = notes.pick(session)
    say("")
    say(clean(note.text))
    if note.source:
        say(f"Source: {clean(note.source)}")
    say(notes.FOOTER)
    if recorder is not None:
        recorder.close()
    if chimes is not None:
        chimes.close(linger=LINGER_SECONDS if status == 0 else None)  # the bowl rings out
    return status
