"""Sound: onset, the largest chime prepared, and the voice rendered, each beside a reference.

- Onset, from a cue's deadline to its first sample at the device. ALSA's file plugin sends what
  the device plays to a sink that reads it at a sound card's pace and stamps each sound's first
  sample. A chime (the tick) and a spoken word (espeak-ng's "in") are played at deadlines by the
  real `Player`, whose device rests between sounds, and, alternating, each round on a fresh
  device, by a bare miniaudio script that starts its device at each deadline with the same
  samples and stops it after. docs/performance.md says what this includes and leaves out.
- The largest chime the format allows, decoded and scaled (the fastest of `runs`), beside
  reading its bytes.
- The longest built-in session's speech rendered, beside the same prompts rendered by calling
  the engine directly, one after the other; a second run, from the cache, beside the first.
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
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from subprocess import DEVNULL
from typing import NamedTuple

from benchmarks.figures import Figure, at_most, percentile, ratio
from oxybreathe.audio import READY_TIMEOUT, Player
from oxybreathe.audio_backends import PERIOD_MS, REST_AFTER_SECONDS
from oxybreathe.core import catalog, locations, sounds, speech
from oxybreathe.core.engine import SOUND_LATENESS_LIMIT
from oxybreathe.core.loader import load_session
from oxybreathe.core.model import CHIME_KEYS, Sound
from oxybreathe.core.plan import Plan, lay_out
from oxybreathe.core.preferences import DEFAULTS

ROUNDS, TICKS = 2, 10  # bare, then oxybreathe, each on a fresh device, this many times; sounds
# After each sound's end, its trailing silence included, the device rests: each is measured
# from a rested device, as between a session's chimes (audio_backends.REST_AFTER_SECONDS).
GAP = REST_AFTER_SECONDS + 0.1
LEAD = 1.0  # the first deadline, after the device has been opened
OVER_BARE_MS, LATEST_MS = 5.0, 20.0  # the median and the 95th percentile: each within both
SPOKEN = "in"  # the shortest of the phase words
VOLUME = 70  # a chime's scaling
# Rendering may cost this much over the bare engine calls (a cache lookup and a header read
# per prompt), and the cached second run this share of the first.
VOICE_FACTOR, VOICE_PLUS_SECONDS, WARM_SHARE = 1.2, 0.2, 0.05

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
# period), started at each deadline (argv[2]) with miniaudio's own stream of the sound file
# (argv[1]), and stopped once the sound has ended (argv[4]: how long after the deadline).
BARE = """\
import json, sys, time
import miniaudio
device = miniaudio.PlaybackDevice(nchannels=2, sample_rate=44_100, buffersize_msec=int(sys.argv[3]))
for deadline in json.loads(sys.argv[2]):
    sound = miniaudio.stream_file(sys.argv[1], nchannels=2, sample_rate=44_100)
    time.sleep(max(0.0, deadline - time.monotonic()))
    device.start(sound)
    time.sleep(max(0.0, deadline + float(sys.argv[4]) - time.monotonic()))
    device.stop()
device.close()
"""


@contextlib.contextmanager
def capture(folder: Path) -> Iterator[Path]:
    """Within `with`, ALSA's default device is the stamping sink; yields the stamps' file."""
    folder.mkdir()
    stamps, sink, config = folder / "stamps", folder / "sink.py", folder / "asound.conf"
    sink.write_text(SINK, encoding="utf-8")
    reader = f"{sys.executable} {sink} {stamps} > /dev/null"
    config.write_text(
        f'pcm.!default {{ type file; slave.pcm "null"; file "|{reader}"; format "raw" }}\n', "utf-8"
    )
    saved = os.environ.copy()
    os.environ["ALSA_CONFIG_PATH"] = f"/usr/share/alsa/alsa.conf:{config}"
    os.environ["PULSE_SERVER"] = str(folder / "no-sound-server")
    os.environ["OXYBREATHE_AUDIO_BACKEND"] = "miniaudio"
    try:
        yield stamps
    finally:
        os.environ.clear()
        os.environ.update(saved)


def onsets(stamps: Path, deadlines: list[float], timeout: float = 10.0) -> list[float]:
    """Each sound's onset after its deadline (s): the first stamp before the next deadline."""
    waited = time.monotonic() + timeout
    found: list[float] = []
    while time.monotonic() < waited:
        heard = [float(line) for line in stamps.read_text().split()] if stamps.exists() else []
        found = []
        for deadline, following in zip(deadlines, [*deadlines[1:], float("inf")], strict=True):
            found += [stamp - deadline for stamp in heard if deadline <= stamp < following][:1]
        if len(found) == len(deadlines):
            return found
        time.sleep(0.1)
    raise RuntimeError(f"{len(found)} sounds heard for {len(deadlines)} asked for")


class Played(NamedTuple):
    """A sound to measure, a session's plan that names it, its length and its leading silence."""

    sound: Sound
    plan: Plan
    seconds: float
    lead: float


def _played(folder: Path, name: str) -> Played:
    """The tick chime, or the spoken word rendered by the system's voice."""
    session = folder / f"{name}.yaml"
    steps = f"steps: [{{say: {SPOKEN}, seconds: 60}}]"
    session.write_text(f"name: Onset\nchimes: {{start: tick, end: none}}\n{steps}\n", "utf-8")
    plan, sound = lay_out(load_session(session), 1), Sound(builtin="tick")
    if name == "speech":
        plan = speech.prepare_for(plan, piper_model=None, phases=False).plan
        if (voice := plan.cues[0].voice) is None:
            raise RuntimeError("no speech engine to measure")
        sound = voice
    decoded = sounds.decode(sounds.path_of(sound), max_seconds=60)
    frame = 2 * decoded.channels  # 16-bit samples
    silent = len(decoded.frames) - len(decoded.frames.lstrip(b"\0"))
    return Played(
        sound, plan, len(decoded.frames) / frame / decoded.rate, silent // frame / decoded.rate
    )


def _deadlines(played: Played) -> list[float]:
    """When to ask for the sound: LEAD from now, then each well after the one before has ended."""
    start = time.monotonic() + LEAD
    return [start + k * (played.seconds + GAP) for k in range(TICKS)]


def measure_bare(folder: Path, played: Played) -> list[float]:
    """The onsets of a bare miniaudio script's sounds, which opens its device within LEAD."""
    with capture(folder) as stamps:
        deadlines, ends = _deadlines(played), played.seconds + REST_AFTER_SECONDS  # as ours rests
        script = [BARE, str(sounds.path_of(played.sound)), json.dumps(deadlines), str(PERIOD_MS)]
        subprocess.run([sys.executable, "-c", *script, str(ends)], check=True, timeout=120)
    return [onset - played.lead for onset in onsets(stamps, deadlines)]


def measure_ours(folder: Path, played: Played) -> list[float]:
    """The onsets of the real `Player`'s sounds, as a session asks for them (at full volume)."""
    with capture(folder) as stamps:
        player = Player.for_plan(played.plan, dataclasses.replace(DEFAULTS, volume=100))
        try:
            player.wait_ready()
            if player.backend != "miniaudio":
                raise RuntimeError(f"the player is {player.state} on {player.backend}")
            for deadline in (deadlines := _deadlines(played)):  # once its device is open
                time.sleep(max(0.0, deadline - time.monotonic()))
                player.play(played.sound)
        finally:
            player.close(linger=5)
    return [onset - played.lead for onset in onsets(stamps, deadlines)]


def onset_figures() -> list[Figure]:
    """The sound-onset rows, a chime's and speech's, each beside a bare miniaudio call's."""
    return [_onset(name) for name in ("a chime", "speech")]


def _onset(name: str) -> Figure:
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
    (median, p95), (bare_median, bare_p95) = (
        (statistics.median(times) * 1e3, percentile(times, 95) * 1e3) for times in (ours, bare)
    )
    return Figure(
        label,
        f"**median {median:.1f} ms, p95 {p95:.1f} ms** ({ROUNDS} x {TICKS} sounds, each "
        "from a rested device)",
        f"a bare miniaudio device started at the deadline: median {bare_median:.1f} ms, "
        f"p95 {bare_p95:.1f} ms",
        budget,
        median <= min(LATEST_MS, bare_median + OVER_BARE_MS)
        and p95 <= min(LATEST_MS, bare_p95 + OVER_BARE_MS),
    )


def fastest(work: Callable[[], object], runs: int) -> float:
    """The fastest of `runs` calls of `work`, in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


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


def chime_figures(runs: int) -> list[Figure]:
    """The largest chime decoded and scaled, and a session naming one for every chime key."""
    with tempfile.TemporaryDirectory() as folder:
        path = largest_chime(Path(folder))
        size, read = path.stat().st_size, fastest(path.read_bytes, runs)
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


def speech_figures(runs: int) -> list[Figure]:
    """The longest built-in session's speech rendered, cold and from the cache."""
    name = "voice: rendering the longest built-in session's speech"
    if (voice := speech.find_voice()) is None:
        return [Figure(name, "no speech engine here", "-", "-", None)]
    files = sorted(locations.builtin_sessions_dir().glob("*.yaml"))
    plans = [lay_out(catalog.load_file(path, builtin=True)) for path in files]
    plan = max(plans, key=lambda p: sum(len(line.text.split()) for line in speech.lines(p)))
    texts = list(dict.fromkeys(line.text for line in speech.lines(plan)))
    ours, bare, warm = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:  # the engine alone, a subprocess a prompt
            began = time.monotonic()
            for number, text in enumerate(texts):
                command = voice.command(Path(folder) / f"{number}.wav")
                done = subprocess.run(command, input=text.encode(), stdout=DEVNULL, stderr=DEVNULL)
                done.check_returncode()
            bare.append(time.monotonic() - began)
        with tempfile.TemporaryDirectory() as folder:
            began = time.monotonic()
            cold = speech.prepare(plan, voice, cache=Path(folder))
            ours.append(time.monotonic() - began)
            warm.append(fastest(lambda: speech.prepare(plan, voice, cache=Path(folder)), 1))
            assert cold.notice is None, cold.notice
    best, reference, again = min(ours), min(bare), min(warm)
    words = sum(len(text.split()) for text in texts)
    return [
        Figure(
            f"{name} ({plan.session.name}: {len(texts)} prompts, {words} words, {voice.engine})",
            f"{best:.2f} s ({ratio(best, reference):.2f}x)",
            f"{reference:.2f} s: the engine called directly",
            f"≤ {VOICE_FACTOR}x + {VOICE_PLUS_SECONDS} s",
            at_most(best, reference, VOICE_FACTOR, VOICE_PLUS_SECONDS),
        ),
        Figure(
            "voice: the second run, from the cache",
            f"{again * 1000:.1f} ms",
            f"{best:.2f} s: the first run",
            f"≤ {WARM_SHARE:.0%} of the first",
            at_most(again, best, WARM_SHARE),
        ),
    ]
