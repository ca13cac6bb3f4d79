"""Keep Python's garbage collector from stalling a session's cues.

A full (generation 2) collection walks every object the process holds: in the app, with Textual
loaded, that took 22 ms in the middle of a session (seen by a loop probe, since retired), enough to
hold a phase change back by more than a frame. So when a session starts, everything that exists is
collected once (before the first cue, when nothing is waiting) and frozen: later collections only
walk what the session itself allocates. Reference counting still frees frozen objects as usual;
`release()` hands them back to the collector when the session ends.
"""

from __future__ import annotations

import gc


def hold() -> None:
    """Collect once now, then keep everything that exists out of later collections."""
    gc.collect()
    gc.freeze()


def release() -> None:
    """Let the collector walk everything again (the session is over)."""
    gc.unfreeze()
