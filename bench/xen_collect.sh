#!/usr/bin/env bash
# One dom0 collector draining 16 guests at once, on the simulated transport
# (collectors/xen/sim.c): the collector's CPU time (user + system) per GB
# of trace it wrote, and per event.  Each guest emits EVENTS_PER_GUEST
# events spread over SECONDS (xen_guest's pace mode: a steady producer, so
# the collector drains while the guests run and the figure is its
# steady-state cost, the guests' mapping and trace set-up included; they
# start together once the collector has mapped them all) into
# 2 streams of PACKETS packets of 16 KiB, polled every 10 ms.  Events a
# guest discards are counted and reported; the figure is per byte drained.
# No time is asserted.
#   bash bench/xen_collect.sh [BUILD_DIR] [EVENTS_PER_GUEST [SECONDS]]
#   (environment: GUESTS, default 16; PACKETS, default 256; PACKET_SIZE, default 16384)
set -uo pipefail
B=${1:-build}
N=${2:-2000000}
SECS=${3:-2}
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
	"$M" share --xen --sim "$work/xen" -t 2 -p "${PACKET_SIZE:-16384}" -n "${PACKETS:-256}" --poll-ms 10 --name "g$g" -- "$G" "$N" pace "$SECS" "$work/go" &
done
# The guests start emitting together once the collector maps them all
# (without a XenStore watch the simulated collector looks for new domains
# once a second).
for i in $(seq 600); do
	[ "$(grep -c ': collecting ' "$work/collect.err")" -ge "$GUESTS" ] && break
	sleep 0.05
done
touch "$work/go"
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
