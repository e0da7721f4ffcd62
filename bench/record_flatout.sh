#!/usr/bin/env bash
# bench/record_flatout.sh - `mprof record` of a producer running flat out
# (make bench; docs/PERFORMANCE.md "Under mprof record").
#
#   O=build bash bench/record_flatout.sh [--smoke] [-s SECONDS] [-r RUNS] [--dir DIR]
#                                        [--baseline MPROF]
#
# For 16 MiB and 64 MiB per stream (512 KiB packets, -n 32 and -n 128),
# RUNS times each (3; interleaved), records build/bench/flatout (one thread
# emitting the benchmark event back to back for SECONDS, 2 by default) into
# a trace under DIR (default $TMPDIR: the file system the trace goes to is
# part of the measure), and prints per run: events emitted, written and
# dropped, the producer's rate, and (when perf is installed) the collector's
# own CPU seconds per GB written (`perf stat --no-inherit`: mprof record
# alone, not the program).  The collector keeps up when it needs less CPU
# per GB than the producer makes GB per CPU-second.  No time is asserted;
# what is asserted is conservation: every event emitted is written or
# counted as dropped (exit 1 otherwise).
# --smoke: 0.2 s, one run each (make check's bench/smoke.sh).
# --baseline MPROF: also run another mprof (an older build: "before"),
# alternating with this one within each round, on the same producer.
set -euo pipefail
O=${O:-build}
MPROF=${MPROF:-$O/bin/mprof}
FLATOUT=$O/bench/flatout
secs=2
runs=3
dir=${TMPDIR:-/tmp}
baseline=
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) secs=0.2; runs=1 ;;
	-s) secs=$2; shift ;;
	-r) runs=$2; shift ;;
	--dir) dir=$2; shift ;;
	--baseline) baseline=$2; shift ;;
	*) echo "usage: $0 [--smoke] [-s SECONDS] [-r RUNS] [--dir DIR] [--baseline MPROF]" >&2; exit 2 ;;
	esac
	shift
done
work=$(mktemp -d "$dir/mprof-flatout.XXXXXX")
trap 'rm -rf "$work"' EXIT
perf=()
if command -v perf >/dev/null && perf stat --no-inherit -x, -e task-clock true >/dev/null 2>&1; then
	perf=(perf stat --no-inherit -x, -o "$work/perf" -e task-clock)
fi

echo "mprof record of a flat-out producer: $secs s a run, 512 KiB packets, trace under $dir (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-10s %-4s %-8s %12s %12s %12s %9s %12s %18s\n' "per stream" run mprof emitted written dropped "dropped%" "producer" "collector GB/cpu-s"
for r in $(seq "$runs"); do
	for n in 32 128; do
	for which in this ${baseline:+baseline}; do
		bin=$MPROF
		[ "$which" = this ] || bin=$baseline
		rm -rf "$work/t"
		"${perf[@]}" "$bin" record -s 524288 -n "$n" -o "$work/t" -- "$FLATOUT" "$secs" >"$work/out" 2>"$work/err" ||
			{ echo "bench/record_flatout.sh: mprof record failed:"; cat "$work/err"; exit 1; }
		python3 - "$work/out" "$work/err" "${perf:+$work/perf}" "$n" "$r" "$secs" "$which" <<'PY'
import re, sys
out, err, perf, n, r, secs, which = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3], int(sys.argv[4]), sys.argv[5], float(sys.argv[6]), sys.argv[7]
emitted = int(re.search(r"flatout: (\d+) events emitted", out).group(1))
m = re.search(r"wrote \S+: (\d+) events in \d+ packets.*?, (\d+) bytes", err)
written, nbytes = int(m.group(1)), int(m.group(2))
lost = re.search(r"lost: (\d+) events discarded", err)
dropped = int(lost.group(1)) if lost else 0
coll = "-"
if perf:
    ms = [float(l.split(",")[0]) for l in open(perf) if "task-clock" in l]
    if ms and ms[0] > 0:
        coll = f"{nbytes / 1e9 / (ms[0] / 1e3):.2f}"
if emitted != written + dropped:
    sys.exit(f"bench/record_flatout.sh: {emitted} emitted but {written} written + {dropped} dropped")
print(f"{n * 512 // 1024:>3} MiB     {r:<4} {which:<8} {emitted:>12} {written:>12} {dropped:>12} {100 * dropped / max(emitted, 1):>8.2f}% "
      f"{emitted / secs / 1e6:>8.1f} Mev/s {coll:>18}")
PY
		[ $? -eq 0 ] || exit 1
	done
	done
done
