"""The sound worker: a small process that plays chimes and speech (audio_backends.py).

It runs apart from the app so that sound can never delay a cue, a crash in a C extension
cannot take the app down, and ALSA's own error lines (written straight to file descriptor 2) go to
a log instead of the screen. It reads JSON lines on stdin and answers on stdout:

    {"load": {"key": "/path.wav", ...}, "voice": ["key", ...], "volume": 80, "voice_volume": 70}
        ->  {"ready": true, "backend": "miniaudio"}  or  {"unavailable": "missing" | "device"}
    {"play": "key", "at": MONOTONIC}    {"volume": 40}    {"voice_volume": 50}    {"quit": true}

A path may be a WAV, FLAC, Ogg Vorbis or MP3 file. The keys in `voice` are speech or a recording:
they may be as long as a recording (sounds.RECORDING_MAX_SECONDS), and are scaled by `volume`
and then by `voice_volume` (on the same curve), so speech can sit below or above the chimes.

Sounds are scaled to the volume when they load. After a volume change they are scaled again one
at a time while no message waits (a sound asked for first is scaled first), so a run of volume
keys costs nothing and the next chime rarely waits. A play asked for (`at`, on the monotonic
clock every process shares) longer ago than the engine's lateness limit is dropped: chimes that
waited behind a slow load never pile up and ring at once.
"""

from __future__ import annotations

import json
import math
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from oxybreathe import audio_backends
from oxybreathe.core import sounds
from oxybreathe.core.engine import SOUND_LATENESS_LIMIT
from oxybreathe.core.preferences import DEFAULTS

# Never hold a chime longer than this after the app has gone.
LINGER_SECONDS = 6.0
DEFAULT_VOICE_VOLUME = DEFAULTS.voice_volume  # percent of the volume speech and recordings get


def _say(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the app's to handle
    name = audio_backends.chosen()
    if name is None:
        _say({"unavailable": "forced" if audio_backends.forced() else "missing"})
        return 0
    backend: audio_backends.Backend | None = None
    prepared = _Prepared()

    def rest() -> float | None:
        """Let an idle device rest; how long to wait for a message before asking again."""
        try:
            return None if backend is None else backend.rest()
        except Exception as error:  # never the worker's end: the device plays on, unrested
            print(f"rest failed: {error!r}", file=sys.stderr)
            return None

    for message in _messages(prepared, rest):
        if "volume" in message:
            prepared.set_volume(_percent(message["volume"], prepared.volume))
        if "voice_volume" in message:
            prepared.set_voice_volume(_percent(message["voice_volume"], prepared.voice_volume))
        if "load" in message:
            if backend is None:
                try:  # open the device first, so a missing one is known before the start
                    backend = audio_backends.open_backend(name)
                except audio_backends.NoDevice as error:
                    print(f"sound device: {error}", file=sys.stderr)
                    _say({"unavailable": "device"})
            if backend is not None:
                paths, voice = message["load"], message.get("voice", [])
                prepared.load(
                    paths if isinstance(paths, dict) else {},
                    voice if isinstance(voice, list) else [],
                    backend.prepare,
                )
                _say({"ready": True, "backend": backend.name})
        key = message.get("play")
        if backend is not None and isinstance(key, str) and key in prepared.decoded:
            asked = message.get("at", math.inf)  # without a time, it is never too late
            try:
                if time.monotonic() - asked <= SOUND_LATENESS_LIMIT:  # else it means nothing now
                    backend.play(prepared.sound(key))
            except Exception as error:
                print(f"play failed: {error!r}", file=sys.stderr)
        if message.get("quit"):
            break
    if backend is not None:
        # Let the last chime (the closing bowl) ring out, but never for long.
        deadline = time.monotonic() + LINGER_SECONDS - 2 * audio_backends.DRAIN_SECONDS
        while backend.playing() and time.monotonic() < deadline:
            time.sleep(0.05)
        backend.close()
    return 0


def _percent(value: object, default: int) -> int:
    """A volume from a message: a whole number from 0 to 100 (anything else keeps `default`)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return default
    return max(0, min(100, int(value)))


class _Prepared:
    """The decoded sounds, in the backend's form, and each one scaled (or waiting to be)."""

    def __init__(self) -> None:
        self.decoded: dict[str, sounds.Decoded] = {}
        self.voice: set[str] = set()
        self.volume = DEFAULTS.volume  # until the app says
        self.voice_volume = DEFAULT_VOICE_VOLUME
        self._scaled: dict[str, sounds.Decoded] = {}

    def load(
        self,
        paths: dict[str, str],
        voice: Iterable[object],
        convert: Callable[[sounds.Decoded], sounds.Decoded],
    ) -> None:
        """Decode each sound and put it in the backend's form (`convert`), then scale them."""
        self.voice = {key for key in voice if isinstance(key, str)}
        for key, path in paths.items():
            longest = sounds.RECORDING_MAX_SECONDS if key in self.voice else sounds.MAX_SECONDS
            try:
                self.decoded[key] = convert(sounds.decode(Path(path), max_seconds=longest))
            except sounds.Unplayable as why:
                print(f"cannot play {path}: {why}", file=sys.stderr)
        while self.prepare_one():
            pass

    def set_volume(self, volume: int) -> None:
        if volume != self.volume:
            self.volume = volume
            self._scaled.clear()

    def set_voice_volume(self, percent: int) -> None:
        if percent != self.voice_volume:
            self.voice_volume = percent
            for key in self.voice:
                self._scaled.pop(key, None)

    def prepare_one(self) -> bool:
        """Scale one sound still waiting for the volume; False when none is."""
        waiting = next((key for key in self.decoded if key not in self._scaled), None)
        if waiting is None:
            return False
        self.sound(waiting)
        return True

    def sound(self, key: str) -> sounds.Decoded:
        """A sound at the volume (and a voice's at its share of it), scaled now if not yet."""
        if key not in self._scaled:
            decoded = self.decoded[key]
            frames = sounds.scaled(decoded, self.volume)
            if key in self.voice:
                frames = sounds.scaled(
                    sounds.Decoded(frames, decoded.channels, decoded.rate), self.voice_volume
                )
            self._scaled[key] = sounds.Decoded(frames, decoded.channels, decoded.rate)
        return self._scaled[key]


def _messages(prepared: _Prepared, rest: Callable[[], float | None]) -> Iterator[dict[str, Any]]:
    """The messages on stdin, in order; while none waits, the sounds are prepared, then the
    device rests (`rest`: how long to wait before asking it again, None for no limit)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in sys.stdin:
            lines.put(line)
        lines.put(None)  # the app has gone

    threading.Thread(target=read, daemon=True).start()
    while True:
        try:
            line = lines.get_nowait()
        except queue.Empty:
            if prepared.prepare_one():
                continue
            try:
                line = lines.get(timeout=rest())
            except queue.Empty:
                continue
        if line is None:
            return
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict):
            yield message


if __name__ == "__main__":
    sys.exit(main())
