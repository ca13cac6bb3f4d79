"""Plain-text mode: one line per cue, flushed the moment the cue starts.

For screen readers, logs, pipes, and people who prefer text. It asks its questions as typed lines
and prints the session's events; everything else is the session flow (core/flow.py), shared with
the app. It never prints escape sequences, and never waits for input it was not given.
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

from oxybreathe.audio_worker import LINGER_SECONDS
from oxybreathe.core import checkin
from oxybreathe.core.checkin import Ratings
from oxybreathe.core.closing import Closing
from oxybreathe.core.engine import BellRang, CueStarted, Event, Finished
from oxybreathe.core.flow import SessionFlow
from oxybreathe.core.plan import Cue, Plan
from oxybreathe.core.text import clean, duration, time_spent
from oxybreathe.exits import ExitStatus, signalled

NOTES_WAIT_SECONDS = 1.0  # the most plain mode waits for the history (it runs in a thread)
_PHASE_WORDS = {"inhale": "Inhale", "hold": "Hold", "exhale": "Exhale"}

Ask = Callable[[str], "str | None"]


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


def event_lines(event: Event, plan: Plan) -> list[str]:
    """What plain mode prints for an engine event."""
    if isinstance(event, CueStarted):
        return [cue_line(event.cue, plan)]
    if isinstance(event, BellRang) and event.play_sound:
        return ["(bell)"]
    if isinstance(event, Finished):
        return [f"Finished: {time_spent(event.ran)}."]
    return []


def closing_lines(closing: Closing) -> list[str]:
    """The closing, as lines: the changes, the note and its source, the help line."""
    lines = [f"{change}." for change in closing.changes(arrow="to")]
    lines += ["", clean(closing.note.text)]
    if closing.note.source:
        lines.append(f"Source: {clean(closing.note.source)}")
    return [*lines, closing.footer]


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


def _status(interruption: BaseException) -> ExitStatus | int:
    if isinstance(interruption, _Signalled):
        return signalled(interruption.signum)
    return ExitStatus.INTERRUPTED


def ask_terminal(prompt: str) -> str | None:
    """Read one typed line after `prompt`; None at end of input."""
    try:
        return input(prompt)
    except EOFError:
        return None


def check_in(ask: Ask, say: Callable[[str], None]) -> Ratings:
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
    flow: SessionFlow,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    sleep: Callable[[float], None] = time.sleep,
    ask: Ask | None = None,
) -> int:
    """Play a session as text on `out`; return the exit status (0, or 128+n when interrupted).

    With `ask`, the stress and craving questions come before and after the session.
    """
    out = out or sys.stdout
    plan = flow.plan

    def say(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    def note(line: str) -> None:
        print(line, file=err or sys.stderr, flush=True)

    before = Ratings()
    if ask is not None:
        say(f"Before {clean(plan.session.name)}. {checkin.SCALE}")
        try:
            before = check_in(ask, say)
        except KeyboardInterrupt:
            say("")
            flow.shut()
            return ExitStatus.INTERRUPTED
    for line in flow.prepare():
        note(line)
    flow.begin(before)
    flow.wait_for_history(NOTES_WAIT_SECONDS)  # its one line, if any, comes before the session
    say(f"{clean(plan.session.name)} ({duration(plan.total)})")
    try:
        with _stop_on_signals():
            events = flow.start()
            while True:
                for event in events:
                    for line in event_lines(event, plan):
                        say(line)
                if flow.done:
                    break
                deadline = flow.next_deadline()
                assert deadline is not None
                sleep(max(0.0, deadline - flow.clock()))
                events = flow.poll()
    except (KeyboardInterrupt, _Signalled) as interruption:
        outcome = flow.stop()
        say(f"Stopped after {time_spent(outcome.ran)}.")
        flow.shut()
        return _status(interruption)
    status: int = ExitStatus.OK
    after = Ratings()
    if ask is not None:
        say(f"After the session. {checkin.SCALE}")
        try:
            with _stop_on_signals():
                after = check_in(ask, say)
        except (KeyboardInterrupt, _Signalled) as interruption:
            say("")
            status = _status(interruption)
    for line in closing_lines(flow.close(after, wait=NOTES_WAIT_SECONDS)):
        say(line)
    flow.shut(linger=None if status else LINGER_SECONDS)  # the closing bowl rings out
    return status
