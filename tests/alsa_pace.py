"""Pass raw sound from stdin to stdout no faster than a sound card would play it.

    pcm.!default { type file; slave.pcm "null"; file "|python3 tests/alsa_pace.py >> x.raw"; ... }

ALSA's `null` device takes samples as fast as they come, so a device that is kept open and fed
by a callback (the miniaudio backend) would write silence without end, hundreds of MB a second.
The file plugin writes to this pipe as it plays; reading it at the device's byte rate (16-bit
stereo at 44.1 kHz unless told) makes those writes wait, as a real card's clock does. It runs
ahead by at most the pipe's buffer, a fraction of a second.
"""

from __future__ import annotations

import os
import sys
import time

BYTES_PER_SECOND = 44_100 * 2 * 2


def main(rate: int) -> None:
    start, total = time.monotonic(), 0
    while chunk := os.read(0, 1 << 12):
        os.write(1, chunk)
        total += len(chunk)
        ahead = total / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else BYTES_PER_SECOND)
