"""The sound worker: a small process that plays chimes with simpleaudio.

It runs apart from the app so that sound can never delay a cue, a crash in the C extension
cannot take the app down, and ALSA's own error lines (written straight to file descriptor 2) go to
a log instead of the screen. It reads JSON lines on stdin and answers on stdout:

    {"load": {"key": "/path.wav", ...}, "volume": 80}  ->  {"ready": true} or {"unavailable": why}
    {"play": "key", "at": MONOTONIC}    {"volume": 40}    {"quit": true}

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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from oxybreathe.core import sounds
from oxybreathe.core.engine import SOUND_LATENESS_LIMIT
from oxybreathe.core.preferences import DEFAULTS

# Never hold a chime longer than this after the app has gone.
LINGER_SECONDS = 6.0


def _say(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the app's to handle
    try:
        import simpleaudio
    except ImportError:
        _say({"unavailable": "missing"})
        return 0
    prepared = _Prepared()
    playing: list[Any] = []
    working = False
    for message in _messages(prepared):
        if "volume" in message:
            prepared.set_volume(int(message["volume"]))
        if "load" in message:
            prepared.load(message["load"])
            try:  # open the device once now, so a missing one is known before the start
                simpleaudio.play_buffer(b"\0\0" * 441, 1, 2, 44_100).wait_done()
                working = True
                _say({"ready": True})
            except Exception as error:  # simpleaudio raises its own error type, or OSError
                print(f"sound device: {error}", file=sys.stderr)
                _say({"unavailable": "device"})
        key = message.get("play")
        if working and isinstance(key, str) and key in prepared.decoded:
            sound, frames = prepared.decoded[key], prepared.frames(key)
            asked = message.get("at", math.inf)  # without a time, it is never too late
            try:
                if time.monotonic() - asked <= SOUND_LATENESS_LIMIT:  # else it means nothing now
                    playing = [p for p in playing if p.is_playing()]
                    playing.append(simpleaudio.play_buffer(frames, sound.channels, 2, sound.rate))
            except Exception as error:
                print(f"play failed: {error}", file=sys.stderr)
        if message.get("quit"):
            break
    # Let the last chime (the closing bowl) ring out, but never for long.
    deadline = time.monotonic() + LINGER_SECONDS
    while any(p.is_playing() for p in playing) and time.monotonic() < deadline:
        time.sleep(0.05)
    return 0


class _Prepared:
    """The decoded sounds, and each one scaled to the volume (or waiting to be)."""

    def __init__(self) -> None:
        self.decoded: dict[str, sounds.Decoded] = {}
        self.volume = DEFAULTS.volume  # until the app says
        self._scaled: dict[str, bytes] = {}

    def load(self, paths: dict[str, str]) -> None:
        for key, path in paths.items():
            try:
                self.decoded[key] = sounds.decode(Path(path))
            except sounds.Unplayable as why:
                print(f"cannot play {path}: {why}", file=sys.stderr)
        while self.prepare_one():
            pass

    def set_volume(self, volume: int) -> None:
        if volume != self.volume:
            self.volume = volume
            self._scaled.clear()

    def prepare_one(self) -> bool:
        """Scale one sound still waiting for the volume; False when none is."""
        waiting = next((key for key in self.decoded if key not in self._scaled), None)
        if waiting is None:
            return False
        self.frames(waiting)
        return True

    def frames(self, key: str) -> bytes:
        """A sound's frames at the volume, scaled now if they are not yet."""
        if key not in self._scaled:
            self._scaled[key] = sounds.scaled(self.decoded[key], self.volume)
        return self._scaled[key]


def _messages(prepared: _Prepared) -> Iterator[dict[str, Any]]:
    """The messages on stdin, in order; while none waits, the sounds are prepared."""
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
            line = lines.get()
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
