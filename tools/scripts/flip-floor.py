#!/usr/bin/env python3
"""The FID floor of random left-right flips on Fashion-MNIST.

Writes the first N training images, padded to 32x32 as the trainer pads them, three times: none
flipped (OUT/none), every second one flipped (OUT/half: what a model that learnt the flip-augmented
data perfectly would draw) and all flipped (OUT/all). Score each folder against the test set:

    python3 tools/scripts/flip-floor.py out/flip 1000
    for s in none half all; do ./ddpm fid out/flip/$s fashion-mnist-test; done

Needs numpy; the data comes from $DDPM_FASHION_MNIST or /usr/share/datasets/fashion-mnist.
"""
import gzip
import os
import struct
import sys
import zlib

import numpy as np


def write_png(path, a):
    """An 8-bit grayscale PNG of the 2-D uint8 array a."""
    h, w = a.shape
    raw = b''.join(b'\x00' + a[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data
                + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))

    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: flip-floor.py OUT N')
    out, n = sys.argv[1], int(sys.argv[2])
    data = os.environ.get('DDPM_FASHION_MNIST', '/usr/share/datasets/fashion-mnist')
    with gzip.open(os.path.join(data, 'train-images-idx3-ubyte.gz')) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    rules = {'none': lambda i: False, 'half': lambda i: i % 2 == 1, 'all': lambda i: True}
    for name, flipped in rules.items():
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        for i in range(n):
            img = x[i][:, ::-1] if flipped(i) else x[i]
            padded = np.zeros((32, 32), np.uint8)
            padded[2:30, 2:30] = img
            write_png(os.path.join(folder, 'img-%05d.png' % i), np.ascontiguousarray(padded))
    print('wrote %d images to each of %s' % (n, ', '.join(os.path.join(out, r) for r in rules)))


if __name__ == '__main__':
    main()
