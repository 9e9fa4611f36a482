#!/usr/bin/env bash
# The measurement behind docs/SAMPLERS.md: samples of the shipped model with each candidate sampler
# (same seeds), the FID of each folder against the Fashion-MNIST test set, and the speckle share.
#
#   tools/scripts/measure-samplers.sh OUT N [SETTING...]
#
# A SETTING is NAME:SAMPLER:STEPS:SPACING[:ETA], e.g. dpmpp-sde-karras-20:dpmpp-sde:20:karras.
# Without settings, the candidates of docs/SAMPLERS.md. $DDPM is the command (default ./ddpm),
# $MODEL the model (default models/fashion-mnist/model.onnx). The FID of a folder equals the FID of
# the same samples drawn inside `ddpm fid` (both quantise to 8 bits), so the table can be remade with
# `ddpm fid --table --settings sampler-steps@spacing` as well; folders also feed the speckle measure.
set -euo pipefail
out=${1:?usage: measure-samplers.sh OUT N [SETTING...]}
n=${2:?usage: measure-samplers.sh OUT N [SETTING...]}
shift 2
ddpm=${DDPM:-./ddpm}
model=${MODEL:-models/fashion-mnist/model.onnx}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
settings=("$@")
if [ ${#settings[@]} -eq 0 ]; then
  settings=(
    dpmpp-trailing-20:dpmpp:20:trailing
    dpmpp-karras-20:dpmpp:20:karras
    dpmpp-sde-trailing-20:dpmpp-sde:20:trailing
    dpmpp-sde-karras-20:dpmpp-sde:20:karras
    ddim-karras-20:ddim:20:karras
    dpmpp-lu-20:dpmpp:20:lu
  )
fi
mkdir -p "$out"
# the reference statistics once, from all 10,000 test images (-n below limits only the samples)
if [ ! -f "$out/reference.fidstats" ]; then
  $ddpm fid fashion-mnist-test --save-stats "$out/reference.fidstats" --no-progress | tail -1
fi
for s in "${settings[@]}"; do
  IFS=: read -r name sampler steps spacing eta <<<"$s"
  dir="$out/$name"
  if [ ! -f "$dir/sample-$(printf %04d $((n - 1)))-seed$((n - 1)).png" ]; then
    rm -rf "$dir"
    $ddpm sample --model "$model" --sampler "$sampler" --steps "$steps" --spacing "$spacing" --eta "${eta:-0}" \
        -n "$n" --seed 0 --batch 50 --out "$dir" --no-progress --threads 2 | tail -1
  fi
  echo "$name fid: $($ddpm fid "$dir" "$out/reference.fidstats" -n "$n" --no-progress | tail -1)"
done
python3 "$here/speckle.py" -n "$n" "$out"/*/
