"""Synthesise oxybreathe's sounds: deterministic, from partials and decay envelopes.

    python audio/synth.py          # rewrites the .wav files beside this script

Every sound is 16-bit mono PCM at 44.1 kHz, starts and ends at zero (no clicks), and peaks well
below full scale so it is pleasant at low volume. No recordings, no randomness: running this again
gives the same bytes.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from collections.abc import Callable, Sequence
from pathlib import Path

RATE = 44_100
PEAK = 0.5  # -6 dBFS: room to spare at any volume setting

# A partial: (frequency ratio to the fundamental, relative amplitude, decay time constant in s).
Partial = tuple[float, float, float]


def struck(
    fundamental: float,
    partials: Sequence[Partial],
    seconds: float,
    attack: float = 0.004,
    beat: float = 0.0,
) -> list[float]:
    """A struck metal sound: each partial decays exponentially after a short attack.

    `beat` detunes a twin of each partial by that many Hz, for a singing bowl's slow shimmer.
    """
    samples = []
    for n in range(int(seconds * RATE)):
        t = n / RATE
        value = 0.0
        for ratio, amplitude, decay in partials:
            frequency = fundamental * ratio
            tone = math.sin(2 * math.pi * frequency * t)
            if beat:  # a quieter detuned twin: a gentle swell, never a full cancellation
                tone = (tone + 0.35 * math.sin(2 * math.pi * (frequency + beat) * t)) / 1.35
            value += amplitude * math.exp(-t / decay) * tone
        samples.append(value * min(1.0, t / attack))
    return samples


def glide(start: float, end: float, seconds: float) -> list[float]:
    """A soft tone sliding from `start` to `end` Hz under a raised-cosine envelope."""
    samples, phase = [], 0.0
    count = int(seconds * RATE)
    for n in range(count):
        fraction = n / count
        frequency = start * (end / start) ** fraction  # an even glide on a musical scale
        phase += 2 * math.pi * frequency / RATE
        envelope = math.sin(math.pi * fraction) ** 2
        samples.append(envelope * (math.sin(phase) + 0.25 * math.sin(2 * phase)))
    return samples


def finish(samples: list[float], fade: float = 0.02) -> list[float]:
    """Normalise to PEAK and fade the tail to exactly zero, so nothing clicks."""
    top = max(abs(s) for s in samples) or 1.0
    fade_count = int(fade * RATE)
    out = []
    for n, value in enumerate(samples):
        left = len(samples) - 1 - n
        gain = min(1.0, left / fade_count) if fade_count else 1.0
        out.append(value / top * PEAK * gain)
    out[0] = 0.0
    return out


SOUNDS: dict[str, Callable[[], list[float]]] = {
    # Start: a clear bell, E5, with the inharmonic partials of a small bell.
    "bell": lambda: struck(
        659.3, [(1, 1, 0.9), (2.0, 0.5, 0.6), (2.76, 0.35, 0.4), (5.4, 0.12, 0.2)], 2.5
    ),
    # End: a low singing bowl, A3, long and shimmering.
    "bowl": lambda: struck(
        220.0, [(1, 1, 2.2), (2.71, 0.45, 1.4), (5.15, 0.15, 0.8)], 4.5, attack=0.03, beat=1.3
    ),
    # Phase change: a short, soft wooden tick.
    "tick": lambda: struck(1200.0, [(1, 1, 0.018), (2.3, 0.3, 0.01)], 0.12, attack=0.002),
    # Inhale: a tone that rises; exhale: one that falls.
    "rise": lambda: glide(330.0, 440.0, 0.7),
    "fall": lambda: glide(440.0, 330.0, 0.7),
    # Interval: a light, high chime, C6.
    "chime": lambda: struck(1046.5, [(1, 1, 0.7), (2.4, 0.3, 0.35)], 1.8),
}


def write(path: Path, samples: list[float]) -> None:
    """Write 16-bit mono PCM."""
    frames = b"".join(struct.pack("<h", round(s * 32767)) for s in samples)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)


def main(folder: Path | None = None) -> int:
    folder = folder or Path(__file__).resolve().parent
    for name, make in SOUNDS.items():
        write(folder / f"{name}.wav", finish(make()))
        print(f"wrote {folder / name}.wav")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
