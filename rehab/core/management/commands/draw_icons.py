"""Draw the app icons (PNG) from the same shapes as static/img/icon.svg.

No image library and no network: a small signed-distance rasteriser (anti-aliased by
coverage) and a PNG writer on zlib. The output is committed; run again after changing
the shapes:  python manage.py draw_icons
"""

from __future__ import annotations

import itertools
import math
import struct
import zlib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

BLUE = (0x0B, 0x5C, 0xAD)
WHITE = (0xFF, 0xFF, 0xFF)

# The glyph on a 32 x 32 grid, as in icon.svg: the femoral head, the shaft, and the
# arc of the abductors over the hip.
HEAD = ((13.0, 11.0), 4.5)
SHAFT = ((15.5, 14.5), (20.0, 26.0), 4.5)
ARC = ((6.0, 9.0), (9.0, 3.0), (17.0, 2.0), (23.0, 12.0), 2.5)

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" rx="{rx}" fill="#0b5cad"/>'
    '<g fill="none" stroke="#fff" stroke-linecap="round">'
    '<circle cx="13" cy="11" r="4.5" fill="#fff" stroke="none"/>'
    '<path d="M15.5 14.5 20 26" stroke-width="4.5"/>'
    '<path d="M6 9c3-6 11-7 17 3" stroke-width="2.5"/></g></svg>\n'
)


def _cubic(p0, p1, p2, p3, steps: int = 32) -> list[tuple[float, float]]:
    points = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        x = u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0]
        y = u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1]
        points.append((x, y))
    return points


def _segment_distance(px: float, py: float, a, b) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _rounded_rect_distance(px: float, py: float, size: float, radius: float) -> float:
    """Signed distance to a size x size square with rounded corners (negative inside)."""
    half = size / 2
    qx = abs(px - half) - (half - radius)
    qy = abs(py - half) - (half - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


def render(size: int, *, radius: float = 7.0, glyph_scale: float = 1.0) -> bytes:
    """RGBA rows of the icon at `size` pixels (radius 0: full bleed, for maskable icons)."""
    unit = size / 32.0  # pixels per grid unit
    arc = _cubic(*ARC[:4])
    arc_segments = list(itertools.pairwise(arc))
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # PNG filter: none
        for x in range(size):
            gx, gy = (x + 0.5) / unit, (y + 0.5) / unit
            # background coverage
            if radius > 0:
                d = _rounded_rect_distance(gx, gy, 32.0, radius) * unit
                bg = max(0.0, min(1.0, 0.5 - d))
            else:
                bg = 1.0
            # glyph coordinates, scaled about the centre
            lx = 16 + (gx - 16) / glyph_scale
            ly = 16 + (gy - 16) / glyph_scale
            scale_px = unit * glyph_scale
            (cx, cy), r = HEAD
            d = (math.hypot(lx - cx, ly - cy) - r) * scale_px
            if 4 <= lx <= 26 and 0 <= ly <= 29:
                a, b, w = SHAFT
                d = min(d, (_segment_distance(lx, ly, a, b) - w / 2) * scale_px)
                w = ARC[4]
                if ly <= 14.5:
                    for s0, s1 in arc_segments:
                        d = min(d, (_segment_distance(lx, ly, s0, s1) - w / 2) * scale_px)
            fg = max(0.0, min(1.0, 0.5 - d)) * bg
            colour = [round(BLUE[i] * (1 - fg) + WHITE[i] * fg) for i in range(3)]
            rows.extend((*colour, round(255 * bg)))
    return bytes(rows)


def png(size: int, rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


# file name -> (size, corner radius on the 32 grid, glyph scale)
ICONS = {
    "favicon-32.png": (32, 7.0, 1.0),
    "apple-touch-icon.png": (180, 0.0, 0.9),  # iOS rounds the corners itself
    "icon-192.png": (192, 7.0, 1.0),
    "icon-512.png": (512, 7.0, 1.0),
    "icon-maskable-512.png": (512, 0.0, 0.72),  # the glyph inside the 80 % safe circle
}


class Command(BaseCommand):
    help = "Draw the app icons (PNG) and icon.svg into static/img/."

    def handle(self, *args, **options) -> None:
        out = Path(settings.BASE_DIR) / "static" / "img"
        (out / "icon.svg").write_text(SVG.format(rx=7))
        for name, (size, radius, scale) in ICONS.items():
            (out / name).write_bytes(png(size, render(size, radius=radius, glyph_scale=scale)))
            self.stdout.write(f"{name}: {size}x{size}")
