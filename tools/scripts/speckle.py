#!/usr/bin/env python3
"""Speckle measure of sample folders (ddpm4j, docs/SAMPLERS.md).

score(image) = mean |x - median3x3(x)| over the image, x in [0, 1], edges replicated.
threshold    = the 95th percentile of the scores of the real Fashion-MNIST test images, each
               28x28 image padded to 32x32 with 0 (black), as the trainer pads them.
speckled     = the share of a folder's images whose score exceeds the threshold
               (about 5% for images like the real ones).

Needs only Python 3 and numpy; reads 8-bit grayscale PNG files (as ddpm sample writes them) and the
gzip IDX test file. Usage:
    speckle.py [--data DIR] [-n N] FOLDER...
"""
import argparse
import gzip
import os
import struct
import sys
import zlib

import numpy as np


def read_png_gray(path):
    """Decodes an 8-bit grayscale, non-interlaced PNG into a float array in [0, 1]."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    pos, idat, width, height = 8, [], None, None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or color != 0 or interlace != 0:
                raise ValueError(f"{path}: expected 8-bit grayscale non-interlaced PNG, found depth {depth} color type {color}")
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    raw = zlib.decompress(b"".join(idat))
    img = np.zeros((height, width), dtype=np.int32)
    prev = np.zeros(width, dtype=np.int32)
    stride = width + 1
    for y in range(height):
        ftype = raw[y * stride]
        line = np.frombuffer(raw, dtype=np.uint8, count=width, offset=y * stride + 1).astype(np.int32)
        out = np.zeros(width, dtype=np.int32)
        for x in range(width):
            a = out[x - 1] if x > 0 else 0
            b = prev[x]
            c = prev[x - 1] if x > 0 else 0
            if ftype == 0:
                p = 0
            elif ftype == 1:
                p = a
            elif ftype == 2:
                p = b
            elif ftype == 3:
                p = (a + b) // 2
            elif ftype == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            else:
                raise ValueError(f"{path}: unknown PNG filter {ftype}")
            out[x] = (line[x] + p) & 0xFF
        img[y] = out
        prev = out
    return img.astype(np.float64) / 255.0


def scores(images):
    """mean |x - median3x3(x)| per image; images is [N, H, W] in [0, 1]."""
    p = np.pad(images, ((0, 0), (1, 1), (1, 1)), mode="edge")
    h, w = images.shape[1:]
    shifted = np.stack([p[:, dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3)])
    return np.abs(images - np.median(shifted, axis=0)).mean(axis=(1, 2))


def real_test_images(folder):
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
                if magic != 2051:
                    raise ValueError(f"{path}: IDX magic 2051 expected, found {magic}")
                x = np.frombuffer(f.read(n * rows * cols), dtype=np.uint8).reshape(n, rows, cols)
            pad = (32 - rows) // 2
            return np.pad(x, ((0, 0), (pad, pad), (pad, pad))).astype(np.float64) / 255.0
    raise FileNotFoundError(f"no t10k-images-idx3-ubyte(.gz) in {folder}; apt-get install dataset-fashion-mnist "
                            "or pass --data DIR")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="+")
    ap.add_argument("--data", default=os.environ.get("DDPM_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))
    ap.add_argument("-n", type=int, default=0, help="at most N images per folder, by file name order (0: all)")
    args = ap.parse_args()
    real = scores(real_test_images(args.data))
    threshold = float(np.percentile(real, 95))
    print(f"threshold (95th percentile of {len(real)} real test images): {threshold:.5f}")
    print("folder,images,speckled_share,median_score")
    for folder in args.folders:
        files = sorted(f for f in os.listdir(folder) if f.startswith("sample-") and f.endswith(".png"))
        if args.n > 0:
            files = files[:args.n]
        if not files:
            print(f"{folder}: no sample-*.png files", file=sys.stderr)
            return 2
        s = scores(np.stack([read_png_gray(os.path.join(folder, f)) for f in files]))
        print(f"{folder},{len(files)},{(s > threshold).mean():.3f},{np.median(s):.5f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
