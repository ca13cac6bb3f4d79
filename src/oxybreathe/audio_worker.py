"""The sound worker: a small process that plays chimes with simpleaudio.

It runs apart from the app so that sound can never delay a cue, a crash in the C extension
cannot take the app down, and ALSA's own error lines (written straight to file descriptor 2) go to
a log instead of the screen. It reads JSON lines on stdin and answers on stdout:

    {"load": {"key": "/path.wav", ...}, "volume": 80}  ->  {"ready": true} or {"unavailable": why}
    {"play": "key"}    {"volume": 40}    {"quit": true}
"""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

from oxybreathe.core import sounds

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
    decoded: dict[str, sounds.Decoded] = {}
    ready: dict[str, bytes] = {}
    volume = 80
    playing: list[Any] = []
    working = False
    for line in sys.stdin:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if "volume" in message:
            volume = int(message["volume"])
            ready = {key: sounds.scaled(sound, volume) for key, sound in decoded.items()}
        if "load" in message:
            for key, path in message["load"].items():
                try:
                    decoded[key] = sounds.decode(Path(path))
                except sounds.Unplayable as why:
                    print(f"cannot play {path}: {why}", file=sys.stderr)
            ready = {key: sounds.scaled(sound, volume) for key, sound in decoded.items()}
            try:  # open the device once now, so a missing one is known before the start
                simpleaudio.play_buffer(b"\0\0" * 441, 1, 2, 44_100).wait_done()
                working = True
                _say({"ready": True})
            except Exception as error:  # simpleaudio raises its own error type, or OSError
                print(f"sound device: {error}", file=sys.stderr)
                _say({"unavailable": "device"})
        if "play" in message and working and message["play"] in ready:
            sound = decoded[message["play"]]
            try:
                playing = [p for p in playing if p.is_playing()]
                playing.append(
                    simpleaudio.play_buffer(ready[message["play"]], sound.channels, 2, sound.rate)
                )
            except Exception as error:
                print(f"play failed: {error}", file=sys.stderr)
        if message.get("quit"):
            break
    # Let the last chime (the closing bowl) ring out, but never for long.
    deadline = time.monotonic() + LINGER_SECONDS
    while any(p.is_playing() for p in playing) and time.monotonic() < deadline:
        time.sleep(0.05)
    return 0


if __name__ == "__main__":
    sys.exit(main())
