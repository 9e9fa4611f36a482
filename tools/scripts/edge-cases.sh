#!/usr/bin/env bash
# Edge cases of ./ddpm (issue 19, and the bad inputs of earlier issues): runs each case against this
# checkout's ./ddpm in a scratch folder and prints one line per case:
#   exit code | stack trace? | command | first line of output [ || last line, when it failed later]
# A refusal should be exit 2, no stack trace, and one line that says what is wrong and where.
#   tools/scripts/edge-cases.sh [scratch folder]        (about 2-4 minutes; needs no data set)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ddpm="$here/ddpm"
work="${1:-$(mktemp -d "${TMPDIR:-/tmp}/ddpm-edge-cases.XXXXXX")}"
mkdir -p "$work"
cd "$work" || exit 1
model="$here/models/fashion-mnist/model.onnx"
"$ddpm" --version > /dev/null || { echo "ddpm does not build" >&2; exit 1; }

cases=0
# case CMD...: runs ./ddpm CMD in $work, prints exit code, stack trace or not, the command, its first line
case_() {
  local log="$work/.case.log"
  "$ddpm" "$@" > "$log" 2>&1 < /dev/null
  report $? "$log" "$@"
}
report() {
  local code="$1" log="$2"
  shift 2
  local trace=no
  if grep -qE '^[[:space:]]+at [a-zA-Z_$][a-zA-Z0-9_$.]*\(|^Exception in thread|^Caused by: ' "$log"; then trace=YES; fi
  local first last
  first="$(grep -v '^ddpm: building' "$log" | head -1)"
  last="$(grep -v '^ddpm: building' "$log" | tail -1)"
  if [ "$code" != 0 ] && [ "$last" != "$first" ]; then first="$first || last: $last"; fi
  local shown="${*//$work\//}"
  shown="${shown//$here\//}"
  first="${first//$work\//}"
  first="${first//$here\//}"
  first="${first:0:400}"
  printf '%s | trace %s | ddpm %s | %s\n' "$code" "$trace" "$shown" "$first"
  cases=$((cases + 1))
}

# retext IN OUT KEY VALUE: a copy of PNG IN whose tEXt chunk KEY holds VALUE (python3; else a plain copy)
retext() {
  python3 - "$@" <<'EOF' 2>/dev/null || cp "$1" "$2"
import sys, zlib, struct
src, dst, key, value = sys.argv[1:5]
data = open(src, 'rb').read()
out, i = data[:8], 8
while i < len(data):
    n = struct.unpack('>I', data[i:i+4])[0]; kind = data[i+4:i+8]; body = data[i+8:i+8+n]
    if kind == b'tEXt' and body.startswith(key.encode() + b'\0'):
        body = key.encode() + b'\0' + value.encode()
    out += struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body) & 0xffffffff)
    i += 12 + n
open(dst, 'wb').write(out)
EOF
}

# a few shared inputs
echo "not a model" > garbage.onnx
: > empty.onnx
echo x > existingfile
mkdir -p readonly-parent && echo x > readonly-parent/file
"$ddpm" sample --model "$model" -n 6 --steps 2 --no-progress --threads 1 --out data/a > /dev/null 2>&1
png="$work/data/a/sample-0001-seed1.png"

echo "== 2. one writer per run folder"
"$ddpm" sample --model "$model" -n 200000 --batch 1 --steps 20 --no-images --grid --no-progress --threads 1 \
    --out busy > holder.log 2>&1 &
holder=$!
for _ in $(seq 1 300); do grep -q "pid $holder" busy/.ddpm.lock 2>/dev/null && break; sleep 0.1; done
case_ sample --model "$model" -n 1 --no-progress --out busy
kill -9 "$holder"; wait "$holder" 2> /dev/null
case_ sample --model "$model" -n 1 --steps 2 --no-progress --threads 1 --out busy
"$ddpm" train --data data --preset tiny --steps 1 --batch 2 --sample-count 0 --threads 1 --out run > /dev/null 2>&1
"$ddpm" train --resume --out run --steps 100000 --checkpoint-every 1000000 --sample-count 0 --threads 1 > trainer.log 2>&1 &
trainer=$!
for _ in $(seq 1 600); do grep -q "pid $trainer" run/.ddpm.lock 2>/dev/null && break; sleep 0.1; done
case_ train --resume --out run --steps 100000 --threads 1
case_ train --data data --preset tiny --out run --steps 5
kill -9 "$trainer"; wait "$trainer" 2> /dev/null
case_ train --resume --out run --steps 2 --sample-count 0 --threads 1

echo "== 3. fail fast on I/O"
case_ train --out existingfile --steps 1
case_ train --out existingfile/run --steps 1
case_ train --data nowhere --checkpoint-every 0 --out fresh-run
case_ train --data nowhere --keep 0 --out fresh-run
case_ train --data nowhere --out fresh-run
printf '   (fresh-run left behind: %s)\n' "$([ -e fresh-run ] && echo YES || echo no)"
case_ sample --model "$model" --out existingfile
case_ sample --model "$model" --out readonly-parent/file/sub
# the --out folder turns into a file while images are being written
"$ddpm" sample --model "$model" -n 200000 --batch 1 --steps 20 --no-progress --threads 1 --out vanishing > vanish.log 2>&1 &
writer=$!
for _ in $(seq 1 300); do [ -e vanishing/sample-0000-seed0.png ] && break; sleep 0.1; done
mv vanishing vanishing-moved && echo x > vanishing
wait "$writer"
report $? vanish.log "sample -n 200000 --out vanishing  (the folder becomes a file after the first image)"
printf '   (images written before the failure: %s of 200000)\n' "$(ls vanishing-moved | grep -c png)"
case_ fid --table --model "$model" --out existingfile
case_ fid --save-stats existingfile/x.fidstats noise
case_ bench sample --model "$model" --steps 2 --batch 1 --warmup 0 --runs 1 --csv data
case_ bench sample --model "$model" --steps 2 --batch 1 --warmup 0 --runs 1 --json existingfile/b.json
case_ sample --model empty.onnx --out o
case_ verify --model empty.onnx
case_ inspect empty.onnx
case_ sample --model garbage.onnx --out o
retext "$png" bad-seed.png ddpm.seed abc
case_ sample --like bad-seed.png --out o
case_ sample --like existingfile --out o

echo "== 5. bounds"
case_ sample --model "$model" --guidance 1e30 --out o
case_ sample --model "$model" --guidance NaN --out o
case_ sample --model "$model" --guidance -1 --out o
case_ sample --model "$model" --class sneaker --guidance 31 --out o
case_ sample --model "$model" --seed 9223372036854775807 -n 2 --out o
case_ sample --model "$model" --gif --gif-every 0 --out o
case_ sample --model "$model" --grid --columns 0 --out o
case_ sample --model "$model" -n 0 --out o
case_ sample --model "$model" --batch 0 --out o
case_ sample --model "$model" --scale 0 --out o
case_ fid "noise:n=0" noise
case_ fid "model:$model?n=0" noise
case_ fid "noise:n=5&n=6" noise
case_ fid "model:$model?steps=5&steps=6" noise
case_ fid "model:$model?guidance=1e30" noise
case_ fid "model:$model?seed=9223372036854775807&n=2" noise

echo "== 6. --like finds its model"
mkdir -p shared && cp "$png" shared/liked.png && cp "$model" shared/renamed.onnx
case_ sample --like shared/liked.png --no-progress --threads 1 --out liked
mkdir -p lonely && cp "$png" lonely/liked.png
(cd / && "$ddpm" sample --like "$work/lonely/liked.png" --out "$work/o" > "$work/.case.log" 2>&1)
report $? "$work/.case.log" "sample --like lonely/liked.png  (from /: the shipped model is found)"
# drawn by a model that is nowhere here (its PNG names another sha256)
mkdir -p far && retext "$png" far/x.png ddpm.model_sha256 "$(printf '%064d' 7)"
case_ sample --like far/x.png --out o

echo "== earlier bad inputs"
case_ sample --model missing.onnx
case_ sample --sampler euler --model "$model"
case_ sample --steps 0 --model "$model"
case_ sample --steps -5 --model "$model"
case_ sample --eta 2 --sampler ddim --model "$model"
case_ sample --spacing sideways --model "$model"
case_ sample --variance huge --sampler ddpm --model "$model"
case_ sample --device tpu --model "$model"
case_ sample --threads 0 --model "$model"
case_ sample --parallel-batches -1 --model "$model"
case_ fid "model:$model?n=10" fashion-mnist-test --parallel-batches -2
case_ bench sample --model "$model" --vs-one-batch --threads 1 --batch 4
case_ sample --class nothing --model "$model"
case_ sample --class 10 --model "$model"
case_ sample --class all --guidance 2 --model "$model" -n 0
case_ sample -n abc --model "$model"
case_ sample --no-such-option
case_ train --preset huge
case_ train --steps 0
case_ train --lr abc
case_ train --schedule wavy
case_ train --loss l3
case_ train --resume --steps 5
case_ train --resume=nowhere
case_ train --override lr
case_ train --device tpu
case_ export --checkpoint nowhere --out m.onnx
case_ verify --model missing.onnx
case_ verify --model garbage.onnx
case_ inspect missing.onnx
case_ adopt --model garbage.onnx --out x.onnx
case_ adopt --model "$model" --out data --set ddpm.x=1
case_ fid
case_ fid nowhere noise
case_ fid noise noise noise
case_ fid "model:missing.onnx" noise
case_ fid "model:$model?sampler=euler" noise
case_ fid "model:$model?w=2" noise
case_ fid --table
case_ bench sample --model "$model" --batch 0
case_ bench sample --model "$model" --backend tpu
case_ bogus-command

echo "$cases cases; scratch folder $work"
