"""Preparing the largest chime the format allows, beside plain Python doing the same work.

`sounds.decode` and `sounds.scaled` (volume 70), each the fastest of `runs`, beside reading the
file's bytes.
"""

from __future__ import annotations

import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path

from benchmarks.figures import Figure
from oxybreathe.audio import READY_TIMEOUT
from oxybreathe.core import sounds
from oxybreathe.core.engine import SOUND_LATENESS_LIMIT
from oxybreathe.core.model import CHIME_KEYS, Sound

VOLUME = 70


def largest_chime(folder: Path) -> Path:
    """Write the largest WAV the limits allow: a loud, changing signal, so nothing is trivial."""
    rate, channels, width = max(sounds.RATES), max(sounds.CHANNELS), max(sounds.WIDTHS)
    second = bytes((i * 37 + i // 7) & 0xFF for i in range(rate * channels * width))
    path = folder / "largest.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        for _ in range(int(sounds.MAX_SECONDS)):
            out.writeframes(second)
    return path


def fastest(work: Callable[[], object], runs: int) -> float:
    """The fastest of `runs` calls of `work`, in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def figures(runs: int) -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        path = largest_chime(Path(folder))
        size = path.stat().st_size
        read = fastest(path.read_bytes, runs)
        decode = fastest(lambda: sounds.decode(path), runs)
        decoded = sounds.decode(path)
        scale = fastest(lambda: sounds.scaled(decoded, VOLUME), runs)
    bowl = sounds.path_of(Sound(builtin="bowl"))  # the longest built-in
    builtin = fastest(lambda: sounds.scaled(sounds.decode(bowl), VOLUME), runs)
    total, keys = decode + scale, len(CHIME_KEYS)
    return [
        Figure(
            f"largest allowed chime ({size / 1e6:.0f} MB): decode + scale",
            f"{decode * 1e3:.0f} + {scale * 1e3:.0f} = **{total * 1e3:.0f} ms**",
            f"reading its bytes: {read * 1e3:.0f} ms ({total / read:.0f}x)",
            f"under the {SOUND_LATENESS_LIMIT:g} s a chime may be late",
            total < SOUND_LATENESS_LIMIT,
        ),
        Figure(
            f"a session naming {keys} such chimes (one per chime key): loading them",
            f"{keys * total:.1f} s",
            f"the {keys} built-in sounds: {keys * builtin * 1e3:.0f} ms",
            f"under the {READY_TIMEOUT:g} s a session waits for its sounds",
            keys * total < READY_TIMEOUT,
        ),
    ]
