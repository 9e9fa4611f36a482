#!/usr/bin/env bash
# Issue 9's bar for the trainer: N short `ddpm train` runs in a row (the README's command, default
# dropout, one fresh JVM each, seeds 1..N) must all finish; prints each run's outcome and the count.
#   tools/scripts/train-loop-test.sh [runs] [steps] [preset] [extra ddpm train options...]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-12}"
steps="${2:-30}"
preset="${3:-fashion}"
shift $(( $# < 3 ? $# : 3 ))
"$here/ddpm" --help > /dev/null   # build once, outside the loop
work="$(mktemp -d /tmp/ddpm-loop.XXXXXX)"
diverged=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if "$here/ddpm" train --data fashion-mnist --preset "$preset" --steps "$steps" --seed "$i" --sample-count 0 \
      --out "$work/r$i" "$@" > "$work/r$i.log" 2>&1; then
    echo "run $i (seed $i): finished $steps steps in $(( $(date +%s) - start )) s"
  else
    diverged=$((diverged + 1))
    echo "run $i (seed $i): FAILED: $(grep -m1 -E 'diverged|rror' "$work/r$i.log")"
  fi
done
echo "$diverged of $runs runs failed ($preset preset, $steps steps each; logs in $work)"
rm -rf "$work"/r*/checkpoints
[ "$diverged" -eq 0 ]
