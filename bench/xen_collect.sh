#!/usr/bin/env bash
# One dom0 collector draining 16 guests at once, on the simulated transport
# (collectors/xen/sim.c): the collector's CPU time (user + system) per GB
# of trace it wrote, and per event.  Guests emit in bursts faster than a
# 10 ms poll drains 512 KiB rings, so they discard (counted, reported); the
# figure is per byte actually drained.  No time is asserted.
#   bash bench/xen_collect.sh [BUILD_DIR] [EVENTS_PER_GUEST]
set -uo pipefail
B=${1:-build}
N=${2:-400000}
GUESTS=${GUESTS:-16}
M=$B/bin/mprof
G=$B/tests/progs/xen_guest
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x "$M" ] && [ -x "$G" ] || { echo "build first: make all"; exit 2; }
# bash's time keyword gives the collector's CPU time: "user system".
( TIMEFORMAT='%U %S'
  { time "$M" collect --xen --sim "$work/xen" --all -o "$work/out" --exit-after "$GUESTS" 2>"$work/collect.err"; } \
	2>"$work/times" ) &
cpid=$!
for i in $(seq 200); do grep -q watching "$work/collect.err" && break; sleep 0.05; done
start=$(date +%s.%N)
for g in $(seq "$GUESTS"); do
	"$M" share --xen --sim "$work/xen" -t 2 -n 256 --poll-ms 10 --name "g$g" -- "$G" "$N" &
done
wait $(jobs -p | grep -v "^$cpid$")
wait "$cpid"
read -r cu cs < "$work/times"
end=$(date +%s.%N)
tail -1 "$work/collect.err"
bytes=$(find "$work/out" -name 'stream_*' -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
events=$(grep -o '[0-9]* events in' "$work/collect.err" | tail -1 | cut -d' ' -f1)
awk -v cu="$cu" -v cs="$cs" -v b="$bytes" -v e="$events" -v t0="$start" -v t1="$end" -v g="$GUESTS" 'BEGIN {
	cpu = cu + cs; gb = b / 1e9
	printf "xen_collect: %d guests, %.1f MB of trace, %d events, wall %.2f s\n", g, b / 1e6, e, t1 - t0
	printf "xen_collect: collector CPU %.2f s = %.2f CPU-s per GB drained (%.0f ns per event)\n", cpu, gb ? cpu / gb : 0, e ? cpu * 1e9 / e : 0
}'
