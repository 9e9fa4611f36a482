#!/usr/bin/env bash
# Recipe ablation of issue 10: the same UNet (fashion preset), seed and number of steps for each
# recipe, every step costing the same CPU time; each run is exported and scored by `ddpm fid --table`
# (n images against the Fashion-MNIST test split, with the project's extractor) with the default sampler (DPM-Solver++(2M) SDE, 20 steps), DPM-Solver++ 20
# and DDIM 50 steps. Writes docs/ablation/<recipe>-fid.txt and prints a markdown table; runs resume
# where they stopped, so the script can be re-run after an interruption.
#   tools/scripts/recipe-ablation.sh [steps, default 1500] [n, default 1000] [recipes...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
steps="${1:-1500}"
n="${2:-1000}"
shift $(( $# > 2 ? 2 : $# ))
runs="${DDPM_ABLATION_RUNS:-$here/runs/ablation}"
# PyTorch threads per training run (DDPM_ABLATION_THREADS=1 lets two recipes train side by side on
# two cores; a run's result does not depend on it beyond rounding)
threads=()
[ -z "${DDPM_ABLATION_THREADS:-}" ] || threads=(--threads "$DDPM_ABLATION_THREADS")
out="$here/docs/ablation"
mkdir -p "$runs" "$out"
# --flip: the table in docs/ABLATION.md was measured with random flips, the default then
common=(--data fashion-mnist --preset fashion --flip --batch 64 --seed 0 --ema-decay 0.999 --grad-clip 1.0
        --checkpoint-every 250 --sample-every 500 --sample-count 64 --keep 2)
declare -A recipe
recipe[shipped]="--dropout 0 --lr 4e-4 --warmup 200"
recipe[textbook]="--dropout 0.1 --lr 2e-4 --warmup 0"
recipe[eps-minsnr]="--dropout 0 --lr 4e-4 --warmup 200 --loss-weighting min-snr"
recipe[v-minsnr]="--dropout 0 --lr 4e-4 --warmup 200 --prediction v --loss-weighting min-snr"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(shipped textbook eps-minsnr v-minsnr)
for name in "${names[@]}"; do
  dir="$runs/$name"
  # shellcheck disable=SC2086
  if [ -d "$dir/checkpoints" ]; then
    "$here/ddpm" train --resume --out "$dir" --steps "$steps" --checkpoint-every 250 --sample-every 500 --keep 2 "${threads[@]}"
  else
    "$here/ddpm" train "${common[@]}" ${recipe[$name]} --steps "$steps" --out "$dir" "${threads[@]}"
  fi
  "$here/ddpm" export --checkpoint "$dir/last" --out "$dir/model.onnx"
  "$here/ddpm" fid --table --model "$dir/model.onnx" -n "$n" --settings dpmpp-sde-20,dpmpp-20,ddim-50 | tee "$out/$name-fid.txt"
done
# the table, from every recipe's FID file (recipes run in other invocations included)
first="$(ls "$out"/*-fid.txt | head -1)"
{
  echo "| recipe | options (besides the common ones) | $(awk '/^model /{printf "FID %s | ", $2}' "$first" | sed 's/ | $//') |"
  echo "| --- | --- |$(awk '/^model /{printf " --- |"}' "$first")"
  for f in "$out"/*-fid.txt; do
    name="$(basename "$f" -fid.txt)"
    echo "| $name | \`${recipe[$name]:-?}\` | $(awk '/^model /{printf "%s | ", $4}' "$f" | sed 's/ | $//') |"
  done
} | tee "$out/table.md"
echo "common options: ${common[*]} --steps $steps; FID of $n images against the test split (floor and noise rows in each file)"
