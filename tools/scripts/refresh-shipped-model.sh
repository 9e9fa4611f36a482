#!/usr/bin/env bash
# Regenerates what models/fashion-mnist/ ships from a training run: the ONNX export (with its parity
# probe), the checkpoint copy, the loss curve and training grids, sample grids, the reverse-process
# GIF and the FID table that MODEL.md quotes. Run from the repository root:
#   tools/scripts/refresh-shipped-model.sh RUN_FOLDER [n for FID, default 500] [n for DDPM-1000, default 200]
# DDPM at 1,000 steps costs 50 times the default sampler per image (about 20 min for 200 images on
# 2 cores), so it gets its own, smaller n, and is compared with the default sampler on the same
# seeds, FID and speckle share (ddpm1000-vs-default.txt).
set -euo pipefail
run="${1:?usage: refresh-shipped-model.sh RUN_FOLDER [n]}"
n="${2:-500}"
n1000="${3:-200}"
dst=models/fashion-mnist
ddpm=./ddpm
$ddpm export --checkpoint "$run/last" --out "$dst/model.onnx"
$ddpm verify --model "$dst/model.onnx"
rm -rf "$dst/checkpoint" && mkdir -p "$dst/checkpoint"
cp "$run/last/"* "$dst/checkpoint/"
mkdir -p "$dst/training"
# a resumed run's loss.csv starts at its first step: keep the shipped rows before it
first=$(sed -n 2p "$run/loss.csv" | cut -d, -f1)
if [ -f "$dst/training/loss.csv" ] && [ -n "$first" ]; then
  { head -1 "$run/loss.csv"; tail -n +2 "$dst/training/loss.csv" | awk -F, -v f="$first" '$1 < f'
    tail -n +2 "$run/loss.csv"; } > "$dst/training/loss.csv.new"
  mv "$dst/training/loss.csv.new" "$dst/training/loss.csv"
else
  cp "$run/loss.csv" "$dst/training/loss.csv"
fi
cp "$run/loss.png" "$dst/loss.png"
tmp=$(mktemp -d)
conditional=$($ddpm inspect "$dst/model.onnx" | grep -c 'ddpm.class_count' || true)
# the run's last training grid (DDIM 50 from the EMA weights; one column per class for a conditional run)
last_grid=$(ls "$run/samples"/step-*.png 2>/dev/null | sort | tail -1 || true)
if [ -n "$last_grid" ]; then
  name=$(basename "$last_grid" .png)
  [ "$conditional" -gt 0 ] && name="$name-conditional"
  cp "$last_grid" "$dst/training/$name.png"
fi
if [ "$conditional" -gt 0 ]; then
  # one row per class, the same 8 seeds in every row, default sampler (20 model calls), w = 1 and w = 3
  $ddpm sample --model "$dst/model.onnx" --class all -n 8 --seed 0 --grid --no-images --out "$tmp/w1" --no-progress
  cp "$tmp/w1/grid.png" "$dst/grid-classes-w1.png"
  $ddpm sample --model "$dst/model.onnx" --class all -n 8 --seed 0 --guidance 3 --grid --no-images --out "$tmp/w3" --no-progress
  cp "$tmp/w3/grid.png" "$dst/grid-classes-w3.png"
  # @none: the null label (the model without a class), for every seed
  settings=dpmpp-sde-20,dpmpp-sde-20@w2,dpmpp-sde-20@w3,dpmpp-sde-20@none,dpmpp-sde-10,dpmpp-20,dpmpp-10,ddim-50
else
  settings=dpmpp-sde-20,dpmpp-sde-10,dpmpp-20,dpmpp-10,ddim-50
fi
$ddpm sample --model "$dst/model.onnx" -n 64 --seed 0 --batch 64 --grid --out "$tmp/default" --no-progress
cp "$tmp/default/grid.png" "$dst/grid-default.png"
# the README's grid: how many of its 64 images are speckled (real data: 5% above the threshold)
python3 tools/scripts/speckle.py -n 64 "$tmp/default/" | tee "$dst/grid-default-speckle.txt"
$ddpm sample --model "$dst/model.onnx" --sampler ddim --steps 50 -n 16 --seed 100 --gif --no-images --out "$tmp/gif" --no-progress
cp "$tmp/gif/reverse.gif" "$dst/reverse.gif"
$ddpm fid --table --model "$dst/model.onnx" -n "$n" --settings "$settings" --out "$tmp/fid" | tee "$dst/fid-table.txt"
cp "$tmp/fid/"*.csv "$dst/fid-table.csv" 2>/dev/null || true
cp "$tmp/fid/"*.png "$dst/fid-table.png" 2>/dev/null || true
if [ "$n1000" -gt 0 ]; then
  # the reference sampler on the same footing as the default: its own n, the same seeds (and, for a
  # conditional model, the same class of each seed, as the FID table draws them), each folder's FID
  # against the test set and the speckle measure of the very same images (tools/scripts/measure-samplers.sh)
  MODEL="$dst/model.onnx" DDPM="$ddpm" tools/scripts/measure-samplers.sh "$tmp/ddpm1000" "$n1000" \
    ddpm-1000:ddpm:1000:linspace dpmpp-sde-20:dpmpp-sde:20:trailing dpmpp-sde-10:dpmpp-sde:10:trailing \
    | tee "$dst/ddpm1000-vs-default.txt"
fi
rm -rf "$tmp"
