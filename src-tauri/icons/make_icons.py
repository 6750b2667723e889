#!/usr/bin/env python3
"""Draws the desk's icon (a white wrench on a calm blue rounded square) and writes the
PNG and ICO files that tauri.conf.json lists. Standard library only (zlib, struct).

Run from anywhere: python3 src-tauri/icons/make_icons.py  — the files are committed,
so this is only needed when the drawing changes.
"""

import math
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

BLUE = (47, 109, 181)  # background
WHITE = (255, 255, 255)
SAMPLES = 4  # supersampling per axis, for smooth edges


def inside_background(x, y):
    """Rounded square filling the canvas with a small margin (coordinates 0..1)."""
    margin, radius = 0.04, 0.18
    lo, hi = margin + radius, 1 - margin - radius
    cx = min(max(x, lo), hi)
    cy = min(max(y, lo), hi)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def distance_to_segment(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)
    t = min(max(t, 0.0), 1.0)
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def inside_wrench(x, y):
    """An open-end wrench lying from bottom-left to top-right."""
    # handle: a capsule
    hx0, hy0, hx1, hy1 = 0.27, 0.73, 0.58, 0.42
    if distance_to_segment(x, y, hx0, hy0, hx1, hy1) <= 0.075:
        # a small hole near the end of the handle
        return math.hypot(x - hx0, y - hy0) > 0.03
    # head: a disc with a slot cut out, opening away from the handle
    cx, cy, r = 0.66, 0.34, 0.17
    if math.hypot(x - cx, y - cy) > r:
        return False
    ux, uy = (cx - hx0), (cy - hy0)
    length = math.hypot(ux, uy)
    ux, uy = ux / length, uy / length
    along = (x - cx) * ux + (y - cy) * uy
    across = abs(-(x - cx) * uy + (y - cy) * ux)
    return not (along > -0.02 and across < 0.065)


def render(size):
    """Returns rows of RGBA bytes."""
    rows = []
    for j in range(size):
        row = bytearray()
        for i in range(size):
            bg = fg = 0
            for sj in range(SAMPLES):
                for si in range(SAMPLES):
                    x = (i + (si + 0.5) / SAMPLES) / size
                    y = (j + (sj + 0.5) / SAMPLES) / size
                    if inside_background(x, y):
                        bg += 1
                        if inside_wrench(x, y):
                            fg += 1
            n = SAMPLES * SAMPLES
            alpha = bg / n
            if bg == 0:
                row += bytes((0, 0, 0, 0))
                continue
            share = fg / bg
            color = [round(b + (w - b) * share) for b, w in zip(BLUE, WHITE)]
            row += bytes(color + [round(255 * alpha)])
        rows.append(bytes(row))
    return rows


def png(size):
    rows = render(size)
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def ico(images):
    """An ICO whose entries are PNG images (allowed since Windows Vista)."""
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    body = b""
    for size, data in images:
        dim = 0 if size >= 256 else size
        out += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        body += data
    return out + body


def main():
    cache = {size: png(size) for size in (16, 32, 48, 128, 256)}
    files = {
        "32x32.png": cache[32],
        "128x128.png": cache[128],
        "128x128@2x.png": cache[256],
        "icon.png": cache[256],
        "icon.ico": ico([(s, cache[s]) for s in (16, 32, 48, 256)]),
    }
    for name, data in files.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
        print(f"wrote {name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
