"""Rendering the voice: the longest built-in session's speech, before the session starts.

Beside the same prompts rendered by calling the speech engine directly, one after the other;
a second run, from the cache, beside the first.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure, at_most, ratio
from oxybreathe.core import catalog, locations, speech
from oxybreathe.core.plan import lay_out

# Rendering may cost this much over the bare engine calls (a cache lookup and a header read
# per prompt), and the cached second run this share of the first.
FACTOR, PLUS_SECONDS = 1.2, 0.2
WARM_SHARE = 0.05


def figures(runs: int = 3) -> list[Figure]:
    voice = speech.find_voice()
    name = "voice: rendering the longest built-in session's speech"
    if voice is None:
        return [Figure(name, "no speech engine here", "-", "-", None)]
    files = sorted(locations.builtin_sessions_dir().glob("*.yaml"))
    plans = [lay_out(catalog.load_file(path, builtin=True)) for path in files]
    plan = max(plans, key=lambda p: sum(len(line.text.split()) for line in speech.lines(p)))
    texts = list(dict.fromkeys(line.text for line in speech.lines(plan)))
    assert shutil.which(voice.program) or Path(voice.program).exists()
    ours, bare, warm = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:  # the engine alone, a subprocess a prompt
            began = time.monotonic()
            for number, text in enumerate(texts):
                subprocess.run(
                    voice.command(Path(folder) / f"{number}.wav"),
                    input=text.encode(),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=True,
                )
            bare.append(time.monotonic() - began)
        with tempfile.TemporaryDirectory() as folder:
            began = time.monotonic()
            cold = speech.prepare(plan, voice, cache=Path(folder))
            ours.append(time.monotonic() - began)
            began = time.monotonic()
            speech.prepare(plan, voice, cache=Path(folder))
            warm.append(time.monotonic() - began)
            assert cold.notice is None, cold.notice
    best, reference, again = min(ours), min(bare), min(warm)
    words = sum(len(text.split()) for text in texts)
    return [
        Figure(
            f"{name} ({plan.session.name}: {len(texts)} prompts, {words} words, {voice.engine})",
            f"{best:.2f} s ({ratio(best, reference):.2f}x)",
            f"{reference:.2f} s: the engine called directly",
            f"≤ {FACTOR}x + {PLUS_SECONDS} s",
            at_most(best, reference, FACTOR, PLUS_SECONDS),
        ),
        Figure(
            "voice: the second run, from the cache",
            f"{again * 1000:.1f} ms",
            f"{best:.2f} s: the first run",
            f"≤ {WARM_SHARE:.0%} of the first",
            at_most(again, best, WARM_SHARE),
        ),
    ]
