"""Sound onset: from a cue's deadline to its samples reaching the device.

To come with the new sound backend (the voice issue replaces the chime worker). The figure:
chimes and speech each reach the device within 20 ms of the cue's deadline, and within 5 ms of
a bare call of the same backend made in the same run. Measure it from outside, as the other
figures are: a capture device (ALSA's file plugin, as tests/test_audio.py does) stamps when the
samples arrive, and the cue's deadline comes from the session's plan.
"""

from __future__ import annotations

from benchmarks.figures import Figure


def figures() -> list[Figure]:
    """The sound-onset rows; a placeholder until the new backend lands."""
    return [
        Figure(
            "sound onset (chimes and speech): cue deadline to samples at the device",
            "to come with the new backend",
            "a bare call of the same backend",
            "≤ 20 ms, and ≤ the bare call + 5 ms",
            None,
        )
    ]
