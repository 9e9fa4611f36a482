#!/usr/bin/env bash
# Crash test of ddpm train's run folder (issue 9): trains the tiny preset with a checkpoint after
# every step, kills the JVM with SIGKILL at random moments (often in the middle of a checkpoint
# write), resumes, and checks that the run reaches its target with no temporary folders left and
# a loss.csv holding each step exactly once.
#   tools/scripts/kill-resume-test.sh [run folder] [kills]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
run="${1:-/tmp/ddpm-kill-test}"
kills="${2:-6}"
target=60
rm -rf "$run"
train() {
  "$here/ddpm" train --data fashion-mnist --preset tiny --batch 8 --steps "$target" --checkpoint-every 1 \
      --keep 2 --sample-count 0 --threads 1 --out "$run" "$@" > "$run.log" 2>&1
}
"$here/ddpm" --help > /dev/null   # build once, outside the timed kills
mkdir -p "$run"
for i in $(seq 1 "$kills"); do
  if [ -d "$run/checkpoints" ]; then train --resume & else train & fi
  pid=$!
  # wait until this attempt has written a checkpoint (start-up and data loading take a while on a
  # busy machine), then kill at a random moment of the checkpoint-every-step loop
  before=$(cat "$run/last/checkpoint.json" 2>/dev/null | grep '"step"' | head -1 | tr -dc '0-9' || true)
  for _ in $(seq 1 600); do
    now=$(cat "$run/last/checkpoint.json" 2>/dev/null | grep '"step"' | head -1 | tr -dc '0-9' || true)
    if [ -n "$now" ] && [ "$now" != "$before" ]; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.2
  done
  sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.2 + rand() * 2 }')"
  java_pid=$(pgrep -f "ddpm4j-tools.jar train .*--out $run" | head -1 || true)
  if [ -n "$java_pid" ]; then kill -9 "$java_pid"; fi
  wait "$pid" || true
  step=$(cat "$run/last/checkpoint.json" 2>/dev/null | grep '"step"' | head -1 | tr -dc '0-9' || echo none)
  echo "kill $i: last checkpoint step $step; hidden leftovers: $(ls -A "$run/checkpoints" 2>/dev/null | grep -c '^\.' || true)"
done
train --resume
leftovers=$(find "$run" -name '.step-*' -o -name '.last-*' -o -name '*.tmp' | wc -l)
rows=$(tail -n +2 "$run/loss.csv" | cut -d, -f1)
distinct=$(echo "$rows" | sort -u | wc -l)
total=$(echo "$rows" | wc -l)
final=$(grep '"step"' "$run/last/checkpoint.json" | head -1 | tr -dc '0-9')
echo "final step $final (target $target); temporary files left: $leftovers; loss.csv rows $total, distinct steps $distinct"
if [ "$final" = "$target" ] && [ "$leftovers" = 0 ] && [ "$total" = "$target" ] && [ "$distinct" = "$target" ]; then
  echo PASS
else
  find "$run" -name '.step-*' -o -name '.last-*' -o -name '*.tmp'
  echo FAIL
  exit 1
fi
