"""Sound onset: from a cue's deadline to its samples reaching the device.

ALSA's file plugin sends what the device plays to a sink that reads it at a sound card's pace
and stamps each sound's first sample. A chime (the tick) and a spoken word (espeak-ng's "in")
are played at deadlines by the real `Player`, whose device has rested between sounds, and,
alternating, each round on a fresh device, by a bare miniaudio script that starts its device at
each deadline with the same samples and stops it after. docs/performance.md says what the
figures include and leave out.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks import alsa_file
from benchmarks.figures import Figure, percentile
from oxybreathe.audio import Player
from oxybreathe.audio_backends import PERIOD_MS, REST_AFTER_SECONDS
from oxybreathe.core import sounds, speech
from oxybreathe.core.loader import load_session
from oxybreathe.core.model import Sound
from oxybreathe.core.plan import Plan, lay_out
from oxybreathe.core.preferences import DEFAULTS

ROUNDS = 2  # bare, then oxybreathe, each on a fresh device, this many times
TICKS = 12  # sounds per round
# After each sound's end, its trailing silence included, the device rests: each is measured
# from a rested device, as between a session's chimes (audio_backends.REST_AFTER_SECONDS).
GAP = REST_AFTER_SECONDS + 0.1
LEAD = 1.0  # the first deadline, after the device has been opened
OVER_BARE_MS = 5.0  # the median and the 95th percentile, each: at most the bare call's + this
LATEST_MS = 20.0  # ...and at most this
SPOKEN = "in"  # the shortest of the phase words

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

# The reference: a bare miniaudio device, opened as oxybreathe's worker opens it (argv[3]: its
# period), started at each deadline (argv[2]) by a callback whose first call starts the sound
# (argv[1], 16-bit mono), and stopped once it has ended (argv[4]: how long after the deadline).
BARE = """\
import json, sys, time, wave
from array import array
import miniaudio
with wave.open(sys.argv[1], "rb") as file:
    mono = array("h", file.readframes(file.getnframes()))
both = array("h", bytes(4 * len(mono)))
both[0::2] = mono
both[1::2] = mono
sound = both.tobytes()
def stream():
    count, playing = (yield b""), sound
    while True:
        out, playing = playing[: count * 4], playing[count * 4 :]
        count = yield out + bytes(count * 4 - len(out))
device = miniaudio.PlaybackDevice(
    output_format=miniaudio.SampleFormat.SIGNED16, nchannels=2, sample_rate=44_100,
    buffersize_msec=int(sys.argv[3]),
)
for deadline in json.loads(sys.argv[2]):
    generator = stream()
    next(generator)
    time.sleep(max(0.0, deadline - time.monotonic()))
    device.start(generator)
    time.sleep(max(0.0, deadline + float(sys.argv[4]) - time.monotonic()))
    device.stop()
device.close()
"""


@contextlib.contextmanager
def capture(folder: Path) -> Iterator[Path]:
    """Within `with`, ALSA's default device is the stamping sink; yields the stamps' file."""
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


def _deadlines(seconds: float) -> list[float]:
    """When to ask for a sound `seconds` long: each well after the one before has ended."""
    start = time.monotonic() + LEAD
    return [start + k * (seconds + GAP) for k in range(TICKS)]


def onsets(stamps: Path, deadlines: list[float], timeout: float = 10.0) -> list[float]:
    """Each sound's onset after its deadline (s): the first stamp before the next deadline."""
    waited = time.monotonic() + timeout
    found: list[float] = []
    while time.monotonic() < waited:
        text = stamps.read_text(encoding="utf-8") if stamps.exists() else ""
        heard = [float(line) for line in text.split()]
        found = []
        for deadline, following in zip(deadlines, [*deadlines[1:], float("inf")], strict=True):
            after = [stamp for stamp in heard if deadline <= stamp < following]
            if after:
                found.append(after[0] - deadline)
        if len(found) == len(deadlines):
            return found
        time.sleep(0.1)
    raise RuntimeError(f"{len(found)} sounds heard for {len(deadlines)} asked for")


@dataclass(frozen=True)
class Played:
    """A sound to measure, its plan, how long it is, and its leading silence (s)."""

    sound: Sound
    plan: Plan
    seconds: float
    lead: float


def _played(folder: Path, name: str) -> Played:
    """The tick chime, or the spoken word rendered by the system's voice."""
    session = folder / f"{name}.yaml"
    steps = f"steps: [{{say: {SPOKEN}, seconds: 60}}]"
    session.write_text(f"name: Onset\nchimes: {{start: tick, end: none}}\n{steps}\n", "utf-8")
    plan = lay_out(load_session(session), 1)
    if name == "a chime":
        sound = Sound(builtin="tick")
    else:
        plan = speech.prepare_for(plan, piper_model=None, phases=False).plan
        voice = plan.cues[0].voice
        if voice is None:
            raise RuntimeError("no speech engine to measure")
        sound = voice
    decoded = sounds.decode(sounds.path_of(sound), max_seconds=60)
    frame = 2 * decoded.channels  # 16-bit samples
    silent = len(decoded.frames) - len(decoded.frames.lstrip(b"\0"))
    length = len(decoded.frames) / frame / decoded.rate
    return Played(sound, plan, length, silent // frame / decoded.rate)


def measure_ours(folder: Path, played: Played) -> list[float]:
    with capture(folder) as stamps:  # as a session asks: its chimes and its voice, at full volume
        player = Player.for_plan(played.plan, dataclasses.replace(DEFAULTS, volume=100))
        player.wait_ready()
        if player.backend != "miniaudio":
            raise RuntimeError(f"the player is {player.state} on {player.backend}")
        for deadline in (deadlines := _deadlines(played.seconds)):
            time.sleep(max(0.0, deadline - time.monotonic()))
            player.play(played.sound)
        player.close(linger=5)
    return [onset - played.lead for onset in onsets(stamps, deadlines)]


def measure_bare(folder: Path, played: Played) -> list[float]:
    path = str(sounds.path_of(played.sound))
    with capture(folder) as stamps:
        deadlines = _deadlines(played.seconds)
        ends = played.seconds + REST_AFTER_SECONDS  # as the worker rests
        command = [sys.executable, "-c", BARE, path, json.dumps(deadlines), str(PERIOD_MS)]
        command.append(str(ends))
        subprocess.run(command, check=True, timeout=120)
    return [onset - played.lead for onset in onsets(stamps, deadlines)]


def figures() -> list[Figure]:
    """The sound-onset rows, a chime's and speech's, each beside a bare miniaudio call's."""
    return [_figure(name) for name in ("a chime", "speech")]


def _figure(name: str) -> Figure:
    label = f"sound onset ({name}): cue deadline to samples at the device"
    budget = f"median, p95: each ≤ {LATEST_MS:g} ms and ≤ the bare call's + {OVER_BARE_MS:g} ms"
    ours: list[float] = []
    bare: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="oxybreathe-onset-") as folder:
            played = _played(Path(folder), name)
            for round_ in range(ROUNDS):
                bare += measure_bare(Path(folder) / f"bare-{round_}", played)
                ours += measure_ours(Path(folder) / f"ours-{round_}", played)
    except (RuntimeError, OSError, subprocess.SubprocessError, ImportError) as error:
        return Figure(label, f"not measured: {error}", "a bare miniaudio call", budget, False)
    (median, p95), (bare_median, bare_p95) = _median_p95_ms(ours), _median_p95_ms(bare)
    return Figure(
        label,
        f"**median {median:.1f} ms, p95 {p95:.1f} ms** ({ROUNDS} x {TICKS} sounds, each "
        "from a rested device)",
        f"a bare miniaudio device started at the deadline: median {bare_median:.1f} ms, "
        f"p95 {bare_p95:.1f} ms",
        budget,
        all(
            ms <= min(LATEST_MS, ref + OVER_BARE_MS)
            for ms, ref in ((median, bare_median), (p95, bare_p95))
        ),
    )


def _median_p95_ms(onsets: list[float]) -> tuple[float, float]:
    return statistics.median(onsets) * 1e3, percentile(onsets, 95) * 1e3
