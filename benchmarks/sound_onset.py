"""Sound onset: from a cue's deadline to its samples reaching the device.

ALSA's file plugin sends what the device plays into a pipe; a sink reads it at a sound card's
pace (one 4 KiB page waits in the pipe, as in a card's buffer) and stamps on time.monotonic()
the first sample of each sound. Ticks are asked for at deadlines on time.monotonic(): by the
real `Player` (its worker process, the miniaudio backend), and, in the same run, by a bare
miniaudio script whose callback starts the tick at the first period after each deadline. Both
include the capture chain's buffers, fixed while a device is open but different at each open:
the sides alternate, a fresh device each round, and the budget compares their medians; within
one open, p95 - p50 is the jitter. docs/performance.md says more.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks import alsa_file
from benchmarks.figures import Figure, percentile

ROUNDS = 2  # bare, then oxybreathe, each on a fresh device, this many times
TICKS = 10  # per round
SPACING = 0.4  # seconds between ticks: each ends (0.12 s) well before the next
LEAD = 1.0  # the first deadline, after the device has started
OVER_BARE_MS = 5.0
JITTER_MS = 5.0

# The device's far end: read at 44.1 kHz 16-bit stereo, stamp each sound's first sample.
SINK = """\
import fcntl, os, sys, time
for _ in range(100):  # F_SETPIPE_SZ: one page waits in the pipe, at most
    try:
        fcntl.fcntl(0, 1031, 4096)
        break
    except OSError:  # EBUSY: more than that waits already
        os.read(0, 1 << 16)
rate, total, silent = 44_100 * 4, 0, True
out = open(sys.argv[1], "a", buffering=1)
start = time.monotonic()
while chunk := os.read(0, 1764):
    now = time.monotonic()
    sound = chunk.lstrip(b"\\0")
    if sound and silent:
        out.write(f"{now + (len(chunk) - len(sound)) / rate!r}\\n")
    silent = not chunk.rstrip(b"\\0") or chunk.endswith(bytes(64))
    total += len(chunk)
    ahead = total / rate - (time.monotonic() - start)
    if ahead > 0:
        time.sleep(ahead)
"""

# The reference: the same device, the tick started by the callback itself at each deadline.
BARE = """\
import json, sys, time, wave
from array import array
import miniaudio
deadlines = json.loads(sys.argv[2])
with wave.open(sys.argv[1], "rb") as file:
    mono = array("h", file.readframes(file.getnframes()))
both = array("h", bytes(4 * len(mono)))
both[0::2] = mono
both[1::2] = mono
tick = both.tobytes()
def stream():
    count, playing = (yield b""), b""
    while True:
        if deadlines and time.monotonic() >= deadlines[0]:
            deadlines.pop(0)
            playing = tick
        out, playing = playing[: count * 4], playing[count * 4 :]
        count = yield out + bytes(count * 4 - len(out))
device = miniaudio.PlaybackDevice(
    output_format=miniaudio.SampleFormat.SIGNED16, nchannels=2, sample_rate=44_100,
    buffersize_msec=int(sys.argv[3]),
)
generator = stream()
next(generator)
device.start(generator)
while deadlines:
    time.sleep(0.05)
time.sleep(0.3)
device.close()
"""


@contextlib.contextmanager
def capture(folder: Path) -> Iterator[Path]:
    """ALSA's default device, for this process and its children, is the stamping sink, within
    `with`; yields the file the stamps go to."""
    folder.mkdir()
    stamps, sink = folder / "stamps", folder / "sink.py"
    sink.write_text(SINK, encoding="utf-8")
    saved = os.environ.copy()
    os.environ.update(
        alsa_file(folder / "asound.conf", f"{sys.executable} {sink} {stamps} > /dev/null")
    )
    os.environ["PULSE_SERVER"] = str(folder / "no-sound-server")
    os.environ["OXYBREATHE_AUDIO_BACKEND"] = "miniaudio"
    try:
        yield stamps
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _deadlines() -> list[float]:
    start = time.monotonic() + LEAD
    return [start + k * SPACING for k in range(TICKS)]


def onsets(stamps: Path, deadlines: list[float], timeout: float = 10.0) -> list[float]:
    """Each tick's onset after its deadline, in seconds (once the sink has stamped them all)."""
    waited = time.monotonic() + timeout
    heard: list[float] = []
    while time.monotonic() < waited:
        text = stamps.read_text(encoding="utf-8") if stamps.exists() else ""
        heard = [float(line) for line in text.split()]
        if len(heard) >= len(deadlines):
            break
        time.sleep(0.1)
    if len(heard) != len(deadlines):
        raise RuntimeError(f"{len(heard)} sounds heard for {len(deadlines)} asked for")
    return [stamp - deadline for stamp, deadline in zip(heard, deadlines, strict=True)]


def measure_ours(folder: Path) -> list[float]:
    from oxybreathe.audio import Player
    from oxybreathe.core.loader import load_session
    from oxybreathe.core.model import Sound
    from oxybreathe.core.plan import lay_out

    with capture(folder) as stamps:
        session = folder / "ticks.yaml"
        session.write_text(
            "name: Ticks\nchimes: {start: tick, end: none}\nsteps: [{say: hi, seconds: 60}]\n",
            encoding="utf-8",
        )
        player = Player(lay_out(load_session(session), 1), volume=100)
        player.wait_ready()
        if player.backend != "miniaudio":
            raise RuntimeError(f"the player is {player.state} on {player.backend}")
        for deadline in (deadlines := _deadlines()):
            time.sleep(max(0.0, deadline - time.monotonic()))
            player.play(Sound(builtin="tick"))
        player.close(linger=5)
    return onsets(stamps, deadlines)


def measure_bare(folder: Path) -> list[float]:
    from oxybreathe.audio_backends import PERIOD_MS
    from oxybreathe.core import sounds
    from oxybreathe.core.model import Sound

    tick = str(sounds.path_of(Sound(builtin="tick")))
    with capture(folder) as stamps:
        deadlines = _deadlines()
        command = [sys.executable, "-c", BARE, tick, json.dumps(deadlines), str(PERIOD_MS)]
        subprocess.run(command, check=True, timeout=60)
    return onsets(stamps, deadlines)


def figures() -> list[Figure]:
    """The sound-onset row: oxybreathe's onsets beside a bare miniaudio call's."""
    name = "sound onset (a chime): cue deadline to samples at the device"
    budget = (
        f"median ≤ the bare call's + {OVER_BARE_MS:g} ms; jitter (p95 - p50 in an open) "
        f"≤ {JITTER_MS:g} ms"
    )
    ours: list[list[float]] = []
    bare: list[list[float]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="oxybreathe-onset-") as folder:
            for round_ in range(ROUNDS):
                bare.append(measure_bare(Path(folder) / f"bare-{round_}"))
                ours.append(measure_ours(Path(folder) / f"ours-{round_}"))
    except (RuntimeError, OSError, subprocess.SubprocessError, ImportError) as error:
        return [Figure(name, f"not measured: {error}", "a bare miniaudio call", budget, False)]

    def median_ms(rounds: list[list[float]]) -> float:
        return statistics.median(value for values in rounds for value in values) * 1e3

    def jitter_ms(rounds: list[list[float]]) -> float:
        return max(percentile(v, 95) - statistics.median(v) for v in rounds) * 1e3

    within = median_ms(ours) <= median_ms(bare) + OVER_BARE_MS and jitter_ms(ours) <= JITTER_MS
    return [
        Figure(
            name,
            f"**median {median_ms(ours):.1f} ms**, jitter {jitter_ms(ours):.1f} ms "
            f"({ROUNDS} x {TICKS} ticks; the capture chain's buffers included)",
            f"a bare miniaudio callback: median {median_ms(bare):.1f} ms, "
            f"jitter {jitter_ms(bare):.1f} ms",
            budget,
            within,
        )
    ]
