"""Draw the field app's icons (PNG, 192 and 512 px; the second also maskable) without any image
library: the brand green with a white house — a door to knock on. Run once; the files are kept
in ui/static/ui/field/.

    python tools/build_field_icons.py
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "hocvuso" / "ui" / "static" / "ui" / "field"
BRAND = (0x0B, 0x5D, 0x3B)
WHITE = (0xFF, 0xFF, 0xFF)


def _inside_house(x: float, y: float) -> bool:
    """The house in the unit square: a roof (triangle) over a body, with a door cut out."""
    if 0.22 <= y <= 0.46:  # roof: apex (0.5, 0.22), eaves at y 0.46 from x 0.18 to 0.82
        half = (y - 0.22) / 0.24 * 0.32
        return abs(x - 0.5) <= half
    if 0.46 < y <= 0.78 and 0.26 <= x <= 0.74:
        door = 0.44 <= x <= 0.56 and y >= 0.58
        return not door
    return False


def _png(size: int, *, rounded: bool) -> bytes:
    rows = []
    radius = size * 0.18 if rounded else 0
    for py in range(size):
        row = bytearray([0])  # filter: none
        for px in range(size):
            x, y = (px + 0.5) / size, (py + 0.5) / size
            # Rounded corners (transparent) unless the icon is maskable (full bleed).
            cx = min(px, size - 1 - px)
            cy = min(py, size - 1 - py)
            outside = (
                rounded
                and cx < radius
                and cy < radius
                and (radius - cx) ** 2 + (radius - cy) ** 2 > radius**2
            )
            if outside:
                row += bytes((0, 0, 0, 0))
            elif _inside_house(x, y):
                row += bytes((*WHITE, 255))
            else:
                row += bytes((*BRAND, 255))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "icon-192.png").write_bytes(_png(192, rounded=True))
    (OUT / "icon-512.png").write_bytes(_png(512, rounded=True))
    (OUT / "icon-maskable-512.png").write_bytes(_png(512, rounded=False))


if __name__ == "__main__":
    main()
