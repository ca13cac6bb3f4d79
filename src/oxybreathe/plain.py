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

from oxybreathe import streams
from oxybreathe.audio import Chimes, play_event_sound
from oxybreathe.audio_worker import LINGER_SECONDS
from oxybreathe.core import checkin, notes, steady
from oxybreathe.core.checkin import Ratings
from oxybreathe.core.engine import (
    BellRang,
    Clock,
    CueStarted,
    Engine,
    Event,
    Finished,
    Stopped,
)
from oxybreathe.core.history import Recorder, Recording
from oxybreathe.core.plan import Bell, Cue, Plan
from oxybreathe.core.text import clean, duration, time_spent
from oxybreathe.exits import EXIT_INTERRUPTED, EXIT_INVALID

EXIT_READER_GONE = 128 + signal.SIGPIPE  # the status a shell shows for a closed pipe
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
    except (EOFError, OSError):  # end of input, or a terminal that has gone
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
    sleep: Callable[[float], None] | None = None,
    chimes: Chimes | None = None,
    recorder: Recorder | None = None,
    ask: Ask | None = None,
) -> int:
    """Play `plan` as text on `out`; return the exit status (0, or 128+n when interrupted).

    With `ask`, the stress and craving questions come before and after the session. With a
    `recorder`, the session is kept in the history, and a stopped one is kept as incomplete.
    When `out` fails (its reader gone, a full disk), the session stops there and is kept as
    stopped with the time breathed; the status is 141 (as for SIGPIPE) or 1.
    """
    out = out or sys.stdout
    # On a pipe, the wait between cues ends the moment the reader goes away (`| head -2`).
    wait = sleep or streams.reader_watch(out) or time.sleep
    session = plan.session

    def say(line: str) -> None:
        try:
            out.write(line + "\n")
            out.flush()
        except OSError as error:
            raise streams.OutputFailed.from_error(error) from None

    try:
        before = Ratings()
        if ask is not None:
            say(f"Before {clean(session.name)}. {checkin.SCALE}")
            before = _check_in(ask, say)
        if chimes is not None:
            chimes.wait_ready()  # the sounds are decoded and scaled before the first cue
            _warn(chimes.notice)
        # Said before the row is begun: a session nobody could see is not recorded.
        say(f"{clean(session.name)} ({duration(plan.total)})")
    except KeyboardInterrupt:
        _last_word(out, "")
        return _closed(chimes, EXIT_INTERRUPTED)
    except streams.OutputFailed as failure:
        _warn(f"oxybreathe: cannot write the session: the output {_why(failure)}.")
        streams.discard(out)
        return _closed(chimes, _output_status(failure))
    recording = None
    if recorder is not None:
        recording = Recording(recorder, plan, before)
        with contextlib.suppress(TimeoutError):  # opening takes milliseconds; never wait long
            recorder.notice.result(timeout=NOTES_WAIT_SECONDS)  # its on_notice line is said
    engine = Engine(plan, clock)
    steady.hold()  # no full garbage collection in the middle of a cue
    try:
        with _stop_on_signals():
            events: list[Event] = engine.start()
            while True:
                for event in events:
                    if chimes is not None:
                        play_event_sound(chimes, event, plan)
                    if isinstance(event, CueStarted):
                        say(cue_line(event.cue, plan))
                    elif isinstance(event, BellRang):  # heard, and read by a screen reader
                        say(bell_line(event.bell))
                if engine.done:
                    break
                if recording is not None:
                    recording.progress(engine.ran())
                deadline = engine.next_deadline()
                assert deadline is not None
                wait(max(0.0, deadline - clock()))
                events = engine.poll()
    except (KeyboardInterrupt, _Signalled, streams.OutputFailed) as interruption:
        stopped = [e for e in engine.stop() if isinstance(e, Stopped)]
        ran = stopped[0].ran if stopped else engine.ran()
        if recording is not None:
            recording.finish(ran, completed=False)
            recording.recorder.close()
        if isinstance(interruption, streams.OutputFailed):
            _warn(
                f"oxybreathe: the session stopped after {time_spent(ran)}: "
                f"the output {_why(interruption)}."
            )
            streams.discard(out)
            return _closed(chimes, _output_status(interruption))
        _last_word(out, f"Stopped after {time_spent(ran)}.")
        if isinstance(interruption, _Signalled):
            return _closed(chimes, 128 + interruption.signum)
        return _closed(chimes, EXIT_INTERRUPTED)
    finally:
        steady.release()
    finished = next((e for e in events if isinstance(e, Finished)), None)
    ran = finished.ran if finished else engine.ran()
    if recording is not None:
        recording.finish(ran, completed=True)
    status = 0
    after = Ratings()
    try:
        say(f"Finished: {time_spent(ran)}.")
        if ask is not None:
            say(f"After the session. {checkin.SCALE}")
            try:
                with _stop_on_signals():
                    after = _check_in(ask, say)
            except (KeyboardInterrupt, _Signalled) as interruption:
                _last_word(out, "")
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
    except streams.OutputFailed as failure:  # finished, and kept as finished; the rest is lost
        if recording is not None:
            recording.rate_after(after)
        streams.discard(out)
        status = status or _output_status(failure)
    if recorder is not None:
        recorder.close()
    # The bowl rings out after a whole session; an interrupted one ends at once.
    return _closed(chimes, status, linger=LINGER_SECONDS if status == 0 else None)


def bell_line(bell: Bell) -> str:
    """The line printed when an interval bell rings."""
    return f"Bell ({duration(bell.offset)} in)"


def _why(failure: streams.OutputFailed) -> str:
    return "was closed by its reader" if failure.gone else f"failed ({failure})"


def _output_status(failure: streams.OutputFailed) -> int:
    return EXIT_READER_GONE if failure.gone else EXIT_INVALID


def _closed(chimes: Chimes | None, status: int, linger: float | None = 0.0) -> int:
    if chimes is not None:
        chimes.close(linger=linger)
    return status


def _last_word(out: TextIO, line: str) -> None:
    """Write a last line if that cannot wait: after a signal, the output may be a full pipe
    or a terminal stopped with Ctrl+S, and the process must still end at once."""
    if not streams.writable_now(out):
        streams.discard(out)
        return
    with contextlib.suppress(OSError, streams.OutputFailed):
        out.write(line + "\n")
        out.flush()


def _warn(line: str | None) -> None:
    """A line on stderr; nothing if stderr is closed or fails (a warning never stops anything)."""
    if line and sys.stderr is not None:
        with contextlib.suppress(OSError, ValueError, streams.OutputFailed):
            print(line, file=sys.stderr, flush=True)
