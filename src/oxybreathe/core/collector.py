"""Keep Python's garbage collector from stalling a session's cues, or the app's first paint.

A full (generation 2) collection walks every object the process holds: in the app, with Textual
loaded, that took 22 ms in the middle of a session (seen by a loop probe, since retired), enough to
hold a phase change back by more than a frame. So when a session starts, everything that exists is
collected once (before the first cue, when nothing is waiting) and frozen: later collections only
walk what the session itself allocates. Reference counting still frees frozen objects as usual;
`release()` hands them back to the collector when the session ends.

Start-up is the other moment: importing Textual and painting home makes tens of thousands of
objects that live as long as the process, and the collector ran about a hundred times over
them before the first paint (some 20 ms) with nothing to free. So the app's start-up holds
collections off (`hold_off`) until its first screen is painted (`settle`), then freezes what
start-up made, so later collections do not walk it either.
"""

from __future__ import annotations

import gc

_held_off = False


def hold_off() -> None:
    """No automatic collection until `settle()`: the app is starting."""
    global _held_off
    if gc.isenabled():
        gc.disable()
        _held_off = True


def settle(*, freeze: bool = True) -> None:
    """Start-up is over: freeze what it made (unless `freeze` is False: it ended before the
    app's first paint), and collect as usual again. Does nothing unless `hold_off()` disabled
    the collector, and only once."""
    global _held_off
    if _held_off:
        _held_off = False
        if freeze:
            gc.freeze()
        gc.enable()


def hold() -> None:
    """Collect once now, then keep everything that exists out of later collections."""
    gc.collect()
    gc.freeze()


def release() -> None:
    """Let the collector walk everything again (the session is over)."""
    gc.unfreeze()
