#!/usr/bin/python3
"""Sums a PyTorch profiler Chrome trace by operator: self time (an operator's time minus the
operators it called), total time and calls, per timed step. Reads the traces written by
`ddpm bench train --profile FILE` and by python-baseline/unet_train_bench.py --profile FILE, so
the two can be compared operator by operator.

  tools/scripts/profile-table.py TRACE.json [STEPS] [TOP]
"""
import json
import sys
from collections import defaultdict


def main():
    path = sys.argv[1]
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    with open(path) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    by_thread = defaultdict(list)
    for e in events:
        if e.get("ph") == "X" and "dur" in e and e.get("cat", "cpu_op") in ("cpu_op", "Operator", "operator", ""):
            by_thread[(e.get("pid"), e.get("tid"))].append(e)
    self_us = defaultdict(float)
    total_us = defaultdict(float)
    calls = defaultdict(int)
    for evs in by_thread.values():
        evs.sort(key=lambda e: (float(e["ts"]), -float(e["dur"])))
        for e in evs:
            total_us[e["name"]] += float(e["dur"])
            calls[e["name"]] += 1
    # self time: each event minus the events nested directly inside it, on the same thread
    for evs in by_thread.values():
        stack = []
        for e in evs:
            ts, dur, name = float(e["ts"]), float(e["dur"]), e["name"]
            while stack and stack[-1]["end"] <= ts:
                stack.pop()
            if stack:
                self_us[stack[-1]["name"]] -= dur
            self_us[name] += dur
            stack.append({"end": ts + dur, "name": name})
    all_self = sum(v for v in self_us.values())
    print(f"{'operator':<42} {'self ms/step':>12} {'share':>6} {'total ms/step':>13} {'calls/step':>10}")
    for name, v in sorted(self_us.items(), key=lambda kv: -kv[1])[:top]:
        print(f"{name[:42]:<42} {v / 1000 / steps:12.1f} {100 * v / all_self:5.1f}% {total_us[name] / 1000 / steps:13.1f}"
              f" {calls[name] / steps:10.1f}")
    print(f"{'(all operators, self)':<42} {all_self / 1000 / steps:12.1f}")


if __name__ == "__main__":
    main()
