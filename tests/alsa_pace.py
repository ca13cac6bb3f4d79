"""Pass raw sound from stdin to stdout no faster than a sound card would play it, and with the
silence a card would play while its device is stopped.

    pcm.!default { type file; slave.pcm "null"; file "|python3 tests/alsa_pace.py >> x.raw"; ... }

ALSA's `null` device takes samples as fast as they come, so a device that is kept open and fed
by a callback (the miniaudio backend) would write silence without end, hundreds of MB a second.
The file plugin writes to this pipe as it plays; reading it at the device's byte rate (16-bit
stereo at 44.1 kHz unless told) makes those writes wait, as a real card's clock does. So a
running device is ahead of what has been read by the pipe's buffer, full (a fraction of a
second): each sample is read that much after it was written.

The device rests (stopped) between sounds, and nothing comes: when sound comes again, the time
that passed is written as silence first, and a full pipe's worth more, as if the sound had
waited behind a full pipe too. So a byte's place in the output is its time, to within a few
milliseconds, once the rest has outlasted the pipe (0.37 s) and REST_SECONDS. After a shorter
rest, the sound's place is early by up to the pipe's length: the tests that time sounds from
the capture space them further apart than that.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time

BYTES_PER_SECOND = 44_100 * 2 * 2
FRAME = 4  # bytes: the silence written is whole frames
REST_SECONDS = 0.1  # a shorter pause is a running device late (by 5-12 ms here), not a rest


def main(rate: int) -> None:
    start, total = time.monotonic(), 0
    try:
        buffered = fcntl.fcntl(0, fcntl.F_GETPIPE_SZ)
    except OSError:  # not a pipe: nothing waits in it
        buffered = 0
    while chunk := os.read(0, 1 << 12):
        behind = int((time.monotonic() - start) * rate) - total  # bytes a card would have played
        if behind > REST_SECONDS * rate and total % FRAME == 0:  # between frames: a rest
            silence = behind + buffered
            os.write(1, bytes(silence - silence % FRAME))
            total += silence - silence % FRAME
        os.write(1, chunk)
        total += len(chunk)
        ahead = total / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else BYTES_PER_SECOND)
