"""Draw each sound's waveform as a PNG, to check envelopes by eye ("listen by looking").

    python audio/plot.py OUT_DIR

Pure Python (zlib): a 600x120 image per sound, the waveform's peak envelope in each column.
"""

from __future__ import annotations

import array
import struct
import sys
import wave
import zlib
from pathlib import Path

WIDTH, HEIGHT = 600, 120


def png(path: Path, rows: list[bytes]) -> None:
    """Write 8-bit greyscale rows as a PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 0, 0, 0, 0)
    raw = b"".join(b"\0" + row for row in rows)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def plot(source: Path, target: Path) -> None:
    with wave.open(str(source), "rb") as sound:
        samples = array.array("h")
        samples.frombytes(sound.readframes(sound.getnframes()))
    per_column = max(1, len(samples) // WIDTH)
    image = [bytearray(b"\xff" * WIDTH) for _ in range(HEIGHT)]
    middle = HEIGHT // 2
    for x in range(WIDTH):
        block = samples[x * per_column : (x + 1) * per_column] or array.array("h", [0])
        top, bottom = max(block) / 32768, min(block) / 32768
        for y in range(middle - round(top * middle), middle - round(bottom * middle) + 1):
            image[min(HEIGHT - 1, max(0, y))][x] = 40
        image[middle][x] = min(image[middle][x], 160)
    png(target, [bytes(row) for row in image])


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    for source in sorted(Path(__file__).resolve().parent.glob("*.wav")):
        plot(source, out / f"{source.stem}.png")
        print(out / f"{source.stem}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "plots")))
