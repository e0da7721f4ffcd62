#!/usr/bin/env bash
# bench/compare.sh - mprof compare and export at scale (make bench;
# docs/PERFORMANCE.md "Compare and export").
#
#   O=build bash bench/compare.sh [--smoke] [-n EVENTS] [-r RUNS] [--out DIR]
#
# Writes two synthetic traces of EVENTS events each (10^7 by default;
# tests/progs/compare_gen: spans, GC spans, instants, counters), then
# times, best of RUNS (3): `mprof compare A B` (target: under 2 s),
# `mprof stats A` and `mprof export --format chrome A` (target: export at
# no less than half the speed of stats on the same trace), and prints the
# ratio of export's speed to stats'.  CPU seconds (user + system) are
# reported beside the wall clock, the machine being shared.  Times are
# printed, never asserted.  --smoke: 10^4 events, one run (make check).
set -euo pipefail
O=${O:-build}
MPROF=${MPROF:-$O/bin/mprof}
n=10000000
runs=3
out=$O/bench
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) n=10000; runs=1 ;;
	-n) n=$2; shift ;;
	-r) runs=$2; shift ;;
	--out) out=$2; shift ;;
	*) echo "usage: $0 [--smoke] [-n EVENTS] [-r RUNS] [--out DIR]" >&2; exit 2 ;;
	esac
	shift
done
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# compare_gen writes 4.5 events per work span.
spans=$((n * 2 / 9))
"$O/tests/progs/compare_gen" "$work/a" 1 $spans 1.0
"$O/tests/progs/compare_gen" "$work/b" 2 $spans 1.05
events=$("$MPROF" stats --json "$work/a" | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')

# best WHAT CMD...: the best wall and CPU seconds of RUNS runs of CMD.
best() {
	python3 - "$runs" "$@" <<'PY'
import os, subprocess, sys, time
runs = int(sys.argv[1]); cmd = sys.argv[2:]
best_wall = best_cpu = None
for _ in range(runs):
    r0 = os.times(); t0 = time.monotonic()
    rc = subprocess.call(cmd, stdout=subprocess.DEVNULL)
    t1 = time.monotonic(); r1 = os.times()
    if rc not in (0, 10):
        sys.exit(f"bench: {cmd} exited {rc}")
    wall = t1 - t0
    cpu = (r1.children_user - r0.children_user) + (r1.children_system - r0.children_system)
    best_wall = wall if best_wall is None else min(best_wall, wall)
    best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
print(f"{best_wall:.3f} {best_cpu:.3f}")
PY
}
read -r cmp_wall cmp_cpu < <(best "$MPROF" compare "$work/a" "$work/b")
read -r st_wall st_cpu < <(best "$MPROF" stats "$work/a")
read -r ex_wall ex_cpu < <(best "$MPROF" export --format chrome "$work/a" -o "$work/a.json")
size=$(stat -c %s "$work/a.json")
python3 - "$out" "$events" "$cmp_wall" "$cmp_cpu" "$st_wall" "$st_cpu" "$ex_wall" "$ex_cpu" "$size" <<'PY'
import json, sys
out, events = sys.argv[1], int(sys.argv[2])
cw, cc, sw, sc, ew, ec = map(float, sys.argv[3:9]); size = int(sys.argv[9])
ratio = sw / ew if ew > 0 else 0.0
lines = [
    f"compare and export, {events} events a trace (best of runs; wall s / cpu s)",
    f"  compare A B (2 x {events} events)     {cw:8.3f} / {cc:8.3f}   target < 2 s: {'PASS' if cw < 2 else 'MISS'}",
    f"  stats A                              {sw:8.3f} / {sc:8.3f}   {events / sw / 1e6 if sw else 0:8.2f} M events/s",
    f"  export --format chrome A             {ew:8.3f} / {ec:8.3f}   {events / ew / 1e6 if ew else 0:8.2f} M events/s, {size / 1e6:.0f} MB",
    f"  export speed / stats speed           {ratio:8.2f}              target >= 0.5: {'PASS' if ratio >= 0.5 else 'MISS'}",
]
print("\n".join(lines))
open(f"{out}/compare.txt", "w").write("\n".join(lines) + "\n")
json.dump({"events": events, "compare_wall_s": cw, "compare_cpu_s": cc, "stats_wall_s": sw, "stats_cpu_s": sc,
           "export_wall_s": ew, "export_cpu_s": ec, "export_bytes": size, "export_over_stats_speed": ratio},
          open(f"{out}/compare.json", "w"), indent=2)
PY
