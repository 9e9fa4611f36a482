#!/usr/bin/env bash
# Trainer throughput of ddpm4j against the same UNet and step in plain eager PyTorch (issue 10):
# runs `ddpm bench train --json` and tools/scripts/python-baseline/unet_train_bench.py in turn,
# ROUNDS times each (alternating, so both see the same machine), and prints each run's s/step,
# the medians, the ratio ddpm4j / PyTorch and each one's share of this CPU's SGEMM rate.
# Run it on an idle machine; Debian's python3-torch (PyTorch 1.13) provides the baseline.
#   tools/scripts/throughput-compare.sh [preset=fashion] [batch=64] [threads=2] [rounds=3] [repeat=5]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
preset="${1:-fashion}"; batch="${2:-64}"; threads="${3:-2}"; rounds="${4:-3}"; repeat="${5:-5}"
python="${PYTHON:-/usr/bin/python3}"
"$python" -c 'import torch' 2>/dev/null || { echo "the baseline needs PyTorch for $python: apt-get install python3-torch" >&2; exit 2; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for r in $(seq 1 "$rounds"); do
  "$here/ddpm" bench train --preset "$preset" --batch "$batch" --threads "$threads" --warmup 2 --repeat "$repeat" --json \
    > "$out/ddpm-$r.json"
  "$python" "$here/tools/scripts/python-baseline/unet_train_bench.py" --preset "$preset" --batch "$batch" \
    --threads "$threads" --warmup 2 --repeat "$repeat" > "$out/python-$r.json"
done
"$python" - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
d = [json.load(open(f"{out}/ddpm-{r}.json")) for r in range(1, rounds + 1)]
p = [json.load(open(f"{out}/python-{r}.json")) for r in range(1, rounds + 1)]
ds = [x["median_seconds_per_step"] for x in d]
ps = [x["secondsPerStep"] for x in p]
print(f"preset {d[0]['preset']}, batch {d[0]['batch']}, threads {d[0]['threads']} (ddpm4j) / {p[0]['threads']} (PyTorch {p[0]['torch']}), {rounds} rounds")
print("round  ddpm4j s/step  PyTorch s/step")
for r in range(rounds):
    print(f"{r + 1:5d}  {ds[r]:13.3f}  {ps[r]:14.3f}")
dm, pm = statistics.median(ds), statistics.median(ps)
print(f"median {dm:13.3f}  {pm:14.3f}")
print(f"ratio ddpm4j / PyTorch: {dm / pm:.2f} (below 1: ddpm4j is faster)")
# the CPU's SGEMM rate as libtorch reaches it (Debian's PyTorch 1.13 multiplies matrices with the
# reference BLAS, far below the CPU's rate, though its convolutions use oneDNN); both shares use it
rate = statistics.median(x["sgemm_flops_per_second"] for x in d)
work = 3 * d[0]["forward_flops_per_image"] * d[0]["batch"]
print(f"SGEMM share (3 x {d[0]['forward_flops_per_image'] / 1e6:.0f} MFLOP per image, against {rate / 1e9:.0f} GFLOP/s,"
      f" libtorch's 1024x1024 matMul): ddpm4j {100 * work / dm / rate:.0f}%, PyTorch {100 * work / pm / rate:.0f}%")
PY
