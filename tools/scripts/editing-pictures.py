#!/usr/bin/env python3
"""The README's editing pictures, from the shipped model, with ./ddpm sample only (Python's standard library).

  python3 tools/scripts/editing-pictures.py [--out docs/editing] [--work tools/target/editing-pictures]

Writes to --out:
  inpaint.png      one column per class: the first Fashion-MNIST test image of the class at the model's size,
                   its left half (the right half hidden, mid-gray here), and two completions (seeds 0 and 1,
                   --class its own class, RePaint with ddim eta 1, 20 steps, jump length 10, jump n-sample 10)
  img2img.png      a test sneaker, then image-to-image at strengths 0.2, 0.4, 0.6, 0.8, 1.0 (the default
                   sampler, seed 0): first row --class sneaker, second row --class "ankle boot"
  interpolate.png  and interpolate.gif: seeds 7 to 27 (both sneakers), 10 frames, --class sneaker, dpmpp 20
The commands run are printed; every PNG that ./ddpm writes records its own settings.
"""
import argparse
import os
import struct
import subprocess
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAMES = ["t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]
SCALE = 2
PAD = 2


def read_png(path):
    """An 8-bit gray or RGB PNG (non-interlaced) as rows of gray values (R for RGB)."""
    d = open(path, "rb").read()
    i, idat = 8, b""
    while i < len(d):
        n = struct.unpack(">I", d[i:i + 4])[0]
        kind, c = d[i + 4:i + 8], d[i + 8:i + 8 + n]
        i += 12 + n
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", c[:10])
            assert depth == 8 and ctype in (0, 2, 6), (path, depth, ctype)
        elif kind == b"IDAT":
            idat += c
    raw = zlib.decompress(idat)
    bpp = {0: 1, 2: 3, 6: 4}[ctype]
    stride = w * bpp + 1
    rows, prev = [], bytes(w * bpp)
    for y in range(h):
        f = raw[y * stride]
        line = bytearray(raw[y * stride + 1:(y + 1) * stride])
        for x in range(len(line)):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([line[x * bpp] for x in range(w)])
        prev = bytes(line)
    return rows


def write_png(path, rows):
    h, w = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(r) for r in rows)

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                + chunk(b"tEXt", b"Software\x00ddpm4j tools/scripts/editing-pictures.py")
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def grid(cells):
    """Rows of equal-size images, scaled by SCALE, with PAD-pixel dark borders."""
    h, w = len(cells[0][0]), len(cells[0][0][0])
    cols = max(len(r) for r in cells)
    out = [[0] * (cols * w * SCALE + (cols + 1) * PAD) for _ in range(len(cells) * h * SCALE + (len(cells) + 1) * PAD)]
    for r, row in enumerate(cells):
        for c, img in enumerate(row):
            oy, ox = PAD + r * (h * SCALE + PAD), PAD + c * (w * SCALE + PAD)
            for y in range(h * SCALE):
                for x in range(w * SCALE):
                    out[oy + y][ox + x] = img[y // SCALE][x // SCALE]
    return out


def ddpm(*args):
    cmd = [os.path.join(ROOT, "ddpm"), "sample", "--no-progress", *args]
    print("+ " + " ".join(a if " " not in a else repr(a) for a in cmd[1:]), flush=True)
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(r.stderr)
    return r.stdout


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.path.join(ROOT, "docs", "editing"))
    p.add_argument("--work", default=os.path.join(ROOT, "tools", "target", "editing-pictures"))
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    tests = os.path.join(a.work, "test-images")
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "scripts", "fashion-test-images.py"), tests],
                   check=True, capture_output=True)
    files = {int(f.split("-")[1]): os.path.join(tests, f) for f in os.listdir(tests) if f.startswith("class-")}
    mask = os.path.join(tests, "mask-right-half.png")

    # inpainting, one column per class
    columns = []
    for c in range(10):
        out = os.path.join(a.work, f"inpaint-{c}")
        # strength 0.01 of 20 steps runs none: the test image as the model takes it (32x32)
        ddpm("--init", files[c], "--strength", "0.01", "-n", "1", "--class", str(c), "--out", out + "-input")
        given = read_png(os.path.join(out + "-input", "sample-0000-seed0.png"))
        ddpm("--init", files[c], "--mask", mask, "--sampler", "ddim", "--eta", "1", "--steps", "20", "--class", str(c),
             "-n", "2", "--out", out)
        done = [read_png(os.path.join(out, f"sample-000{k}-seed{k}.png")) for k in range(2)]
        hidden = [row[:16] + [128] * 16 for row in given]
        columns.append([given, hidden] + done)
    write_png(os.path.join(a.out, "inpaint.png"), grid([[col[r] for col in columns] for r in range(4)]))

    # image-to-image strength sweep on a sneaker, towards its own class and towards ankle boots
    rows = []
    for cls in ("sneaker", "ankle boot"):
        row = [read_png(os.path.join(a.work, "inpaint-7-input", "sample-0000-seed0.png"))]
        for s in ("0.2", "0.4", "0.6", "0.8", "1.0"):
            out = os.path.join(a.work, f"img2img-{cls.replace(' ', '-')}-{s}")
            ddpm("--init", files[7], "--strength", s, "--class", cls, "-n", "1", "--seed", "0", "--out", out)
            row.append(read_png(os.path.join(out, "sample-0000-seed0.png")))
        rows.append(row)
    write_png(os.path.join(a.out, "img2img.png"), grid(rows))

    # interpolation between two sneakers
    out = os.path.join(a.work, "interpolate")
    ddpm("--interpolate", "7,27", "--frames", "10", "--class", "sneaker", "--out", out)
    frames = [read_png(os.path.join(out, f"frame-{k:04d}.png")) for k in range(10)]
    write_png(os.path.join(a.out, "interpolate.png"), grid([frames]))
    with open(os.path.join(out, "interpolation.gif"), "rb") as f, open(os.path.join(a.out, "interpolate.gif"), "wb") as g:
        g.write(f.read())
    print("wrote inpaint.png, img2img.png, interpolate.png and interpolate.gif to " + a.out)


if __name__ == "__main__":
    main()
