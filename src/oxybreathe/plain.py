"""Plain-text mode: one line per cue, flushed the moment the cue starts.

For screen readers, logs, pipes, and people who prefer text. It asks its questions as typed lines
and prints the session's events and closing; everything else is the session flow (core/flow.py),
shared with the app. It never prints escape sequences, and never waits for input it was not
given.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from oxybreathe import streams
from oxybreathe.audio import Player
from oxybreathe.audio_worker import LINGER_SECONDS
from oxybreathe.core import checkin, helplines
from oxybreathe.core.checkin import Ratings
from oxybreathe.core.closing import SURF_AGAIN, Closing
from oxybreathe.core.engine import BellRang, CueStarted, Event, Finished
from oxybreathe.core.flow import SessionFlow
from oxybreathe.core.history import Recorder
from oxybreathe.core.plan import Bell, Cue, Plan
from oxybreathe.core.preferences import Preferences
from oxybreathe.core.safe_text import clean
from oxybreathe.core.wording import duration, time_spent
from oxybreathe.exits import ExitStatus, signalled

EXIT_READER_GONE = signalled(signal.SIGPIPE)  # the status a shell shows for a closed pipe
NOTES_WAIT_SECONDS = 1.0  # the most plain mode waits for the history (it runs in a thread)
PROGRESS_EVERY_SECONDS = 1.0  # rendering the voice: a line of progress this often, if it lasts
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
    if isinstance(event, BellRang):  # heard, and read by a screen reader
        return [bell_line(event.bell)]
    if isinstance(event, Finished):
        return [f"Finished: {time_spent(event.ran)}."]
    return []


def closing_lines(closing: Closing) -> list[str]:
    """The closing, as lines: the changes, the help lines first when support comes first,
    the note and its source, what may come next, and the help line."""
    lines = [f"{change}." for change in closing.changes(arrow="to")]
    if closing.first:
        lines += ["", *closing.first]
    lines += ["", clean(closing.note.text)]
    if closing.note.source:
        lines.append(f"Source: {clean(closing.note.source)}")
    if closing.kind == "support":
        lines += ["", SURF_AGAIN]
    lines += list(closing.offers)
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


def _status(interruption: BaseException) -> int:
    if isinstance(interruption, _Signalled):
        return signalled(interruption.signum)
    return ExitStatus.INTERRUPTED


def ask_terminal(prompt: str) -> str | None:
    """Read one typed line after `prompt`; None at end of input."""
    try:
        return input(prompt)
    except (EOFError, OSError):  # end of input, or a terminal that has gone
        return None


def check_in(
    ask: Ask,
    say: Callable[[str], None],
    questions: tuple[tuple[str, str], ...] = checkin.QUESTIONS,
) -> Ratings:
    """Ask the questions; an empty answer (or end of input) skips one."""
    answers: dict[str, int | None] = {}
    for key, question in questions:
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


def play(plan: Plan, prefs: Preferences, *, help_at_start: bool = False) -> int:
    """`oxybreathe run --plain`: the session on stdout, its sounds, its row in the history;
    the questions only when input is a terminal. Returns the exit status."""
    if prefs.voice:
        plan = _voiced(plan, prefs)
    recorder = Recorder(on_notice=_warn)
    player = Player.for_plan(plan, prefs)
    lines = helplines.lookup(prefs.country, os.environ)
    ring = prefs.terminal_bell and streams.is_terminal(sys.stdout)  # never into a log
    flow = SessionFlow(
        plan,
        player=player,
        recorder=recorder,
        helplines=lines,
        help_at_start=help_at_start,
        bell=_terminal_bell if ring else None,
    )
    terminal = streams.is_terminal(sys.stdin)
    questions = checkin.asked(prefs.checkin_questions)
    asking = prefs.checkin and terminal and bool(questions)
    status = run_plain(
        flow,
        ask=ask_terminal if asking else None,
        journal=ask_terminal if terminal and prefs.checkin and prefs.journal else None,
        questions=questions,
        typed=typed_line if asking else None,
    )
    recorder.close()
    _warn(recorder.late_notice)
    return status


def _voiced(plan: Plan, prefs: Preferences) -> Plan:
    """The plan with its speech rendered; progress on stderr when it takes more than a moment,
    then each warning (stdout stays exactly what it is without a voice)."""
    from oxybreathe.core import speech

    shown_at = [time.monotonic()]  # a line after the first moment, then every few seconds

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - shown_at[0] > PROGRESS_EVERY_SECONDS:
            shown_at[0] = now
            _warn(f"Preparing the voice: {done} of {total} prompts ready")

    prepared = speech.prepare_for(
        plan, piper_model=prefs.piper_model, phases=prefs.voice_phases, progress=progress
    )
    for line in speech.warnings(prepared):
        _warn(line)
    return prepared.plan


def run_plain(
    flow: SessionFlow,
    *,
    out: TextIO | None = None,
    sleep: Callable[[float], None] | None = None,
    ask: Ask | None = None,
    journal: Ask | None = None,
    questions: tuple[tuple[str, str], ...] = checkin.QUESTIONS,
    typed: Callable[[float], str | None] | None = None,
) -> int:
    """Play a session as text on `out`; return the exit status (0, or 128+n when interrupted).

    With `ask`, the stress and craving questions come before and after the session; with
    `journal`, "Anything to note?" comes after them; with `typed` (a wait of at most its
    argument for a typed line), "Craving now?" is answered during an open-ended session. When `out`
    fails (its reader gone, a full disk), the session stops there and is kept as stopped with
    the time breathed; the status is 141 (as for SIGPIPE) or 1.
    """
    out = out or sys.stdout
    # On a pipe, the wait between cues ends the moment the reader goes away (`| head -2`).
    wait = sleep or streams.reader_watch(out) or time.sleep
    plan = flow.plan

    def say(line: str) -> None:
        try:
            out.write(line + "\n")
            out.flush()
        except OSError as error:
            raise streams.OutputFailed.from_error(error) from None

    try:
        before = Ratings()
        if ask is not None:
            say(f"Before {clean(plan.session.name)}. {checkin.SCALE}")
            before = check_in(ask, say, questions)
        _warn(flow.prepare("plain"))  # the sounds are decoded and scaled before the first cue
        # Said before the row is begun: a session nobody could see is not recorded.
        length = "open-ended: Ctrl+C ends it" if plan.open_ended else duration(plan.total)
        say(f"{clean(plan.session.name)} ({length})")
        for line in flow.opening:  # before the first cue, so before the first hold
            say(clean(line))
    except KeyboardInterrupt:
        _last_word(out, "")
        _last_word(out, flow.help_line)
        return _closed(flow, ExitStatus.INTERRUPTED)
    except streams.OutputFailed as failure:
        _warn(f"oxybreathe: cannot write the session: the output {_why(failure)}.")
        streams.discard(out)
        return _closed(flow, _output_status(failure))

    def show(events: list[Event]) -> None:  # before their sounds: a line costs microseconds
        for event in events:
            for line in event_lines(event, plan):
                say(line)

    flow.begin(before)
    flow.wait_for_history(NOTES_WAIT_SECONDS)  # its one line, if any, comes before the first cue
    ended_by_user = False
    asked = False  # "Craving now?" has been said and waits for its answer
    try:
        with _stop_on_signals():
            flow.start(show)
            while True:
                if flow.done:
                    break
                deadline = flow.next_deadline()
                assert deadline is not None
                if flow.asking and typed is not None:
                    _answer_during(flow, typed(max(0.0, deadline - flow.clock())), say)
                else:
                    wait(max(0.0, deadline - flow.clock()))
                flow.poll(show)
                if typed is not None and flow.asking != asked:  # said once per question
                    asked = flow.asking
                    if asked:
                        say("Craving now? Type 0-10 and Enter (or just keep breathing).")
    except (KeyboardInterrupt, _Signalled, streams.OutputFailed) as interruption:
        outcome = flow.stop()
        if isinstance(interruption, KeyboardInterrupt) and plan.open_ended:
            ended_by_user = True  # Ctrl+C is how an open-ended session ends: on to the check-in
        elif isinstance(interruption, streams.OutputFailed):
            _warn(
                f"oxybreathe: the session stopped after {time_spent(outcome.ran)}: "
                f"the output {_why(interruption)}."
            )
            streams.discard(out)
            return _closed(flow, _output_status(interruption))
        else:
            _last_word(out, f"Stopped after {time_spent(outcome.ran)}.")
            _last_word(out, flow.help_line)  # stopped early: the help line, whatever stopped it
            return _closed(flow, _status(interruption))
    status: int = ExitStatus.OK
    after = Ratings()
    entry: str | None = None
    try:
        if ended_by_user:
            say(f"Ended after {time_spent(flow.stop().ran)}.")
        try:
            with _stop_on_signals():
                if ask is not None:
                    say(f"After the session. {checkin.SCALE}")
                    after = check_in(ask, say, questions)
                if journal is not None:
                    entry = journal(f"{checkin.JOURNAL_QUESTION} One line, Enter to skip: ")
        except (KeyboardInterrupt, _Signalled) as interruption:
            _last_word(out, "")
            status = _status(interruption)
        closing = flow.close(after, journal=entry, wait=NOTES_WAIT_SECONDS)
        for line in closing_lines(closing):
            say(line)
    except streams.OutputFailed as failure:  # finished, and kept as finished; the rest is lost
        flow.close(after, wait=0)
        streams.discard(out)
        status = status or _output_status(failure)
    # The bowl rings out after a whole session; an interrupted one ends at once.
    return _closed(flow, status, linger=LINGER_SECONDS if status == 0 else None)


def bell_line(bell: Bell) -> str:
    """The line printed when an interval bell rings."""
    return f"Bell ({duration(bell.offset)} in)"


def _why(failure: streams.OutputFailed) -> str:
    return "was closed by its reader" if failure.gone else f"failed ({failure})"


def _output_status(failure: streams.OutputFailed) -> int:
    return EXIT_READER_GONE if failure.gone else ExitStatus.INVALID


def _closed(flow: SessionFlow, status: int, linger: float | None = 0.0) -> int:
    flow.shut(linger=linger)
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


def _terminal_bell() -> None:
    """The terminal's bell, standing in for a chime when there is no sound."""
    with contextlib.suppress(OSError, ValueError, streams.OutputFailed):
        sys.stdout.write("\a")
        sys.stdout.flush()


def _warn(line: str | None) -> None:
    """A line on stderr; nothing if stderr is closed or fails (a warning never stops anything)."""
    if line and sys.stderr is not None:
        with contextlib.suppress(OSError, ValueError, streams.OutputFailed):
            print(line, file=sys.stderr, flush=True)


def _answer_during(flow: SessionFlow, line: str | None, say: Callable[[str], None]) -> None:
    """A typed answer to "Craving now?": kept, and the urge's easing said."""
    if line is None:
        return
    try:
        rating = checkin.parse_answer(line)
    except ValueError as error:
        say(f"Please {error}.")
        return
    if rating is None:
        return
    before = flow.before.craving
    if flow.rate_during(rating):
        say(f"Craving {before} to {rating}: it has eased. Ctrl+C ends here, or go on.")
    else:
        say(f"Craving {rating}, noted. Keep breathing.")


def typed_line(timeout: float) -> str | None:
    """A line typed on the terminal within `timeout` seconds, or None."""
    import select

    try:
        ready, _, _ = select.select([sys.stdin], [], [], timeout)
        return sys.stdin.readline() if ready else None
    except (OSError, ValueError):
        return None
