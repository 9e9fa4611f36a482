#!/usr/bin/env python3
"""Writes Fashion-MNIST test images as 28x28 gray PNGs, and right-half masks, for the editing examples.

  python3 tools/scripts/fashion-test-images.py OUT_DIR [--data /usr/share/datasets/fashion-mnist]

OUT_DIR gets class-<label>-<index>.png for the first test image of every class (index = its position in
t10k-images), and mask-right-half.png (white = regenerate) of the same size. Python's standard library only.
"""
import argparse
import gzip
import os
import struct
import zlib

NAMES = ["t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]


def png_gray(path, rows):
    """An 8-bit grayscale PNG of the given rows of bytes."""
    h, w = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(r) for r in rows)

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    with gzip.open(os.path.join(a.data, "t10k-images-idx3-ubyte.gz")) as f:
        _, n, h, w = struct.unpack(">IIII", f.read(16))
        pixels = f.read(n * h * w)
    with gzip.open(os.path.join(a.data, "t10k-labels-idx1-ubyte.gz")) as f:
        f.read(8)
        labels = f.read(n)
    for c in range(10):
        i = labels.index(c)
        img = pixels[i * h * w:(i + 1) * h * w]
        png_gray(os.path.join(a.out, f"class-{c}-{i}.png"), [img[y * w:(y + 1) * w] for y in range(h)])
        print(f"class-{c}-{i}.png  {NAMES[c]}")
    png_gray(os.path.join(a.out, "mask-right-half.png"), [[0] * (w // 2) + [255] * (w - w // 2) for _ in range(h)])
    print("mask-right-half.png")


if __name__ == "__main__":
    main()
