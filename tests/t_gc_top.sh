#!/usr/bin/env bash
# mprof top --gc against live programs, synchronised through fifos:
#
# 1. A live region: boehm_live opens its own region as a shm object, runs
#    200 collections, says "ready" on a fifo and waits for a line on
#    another.  top drains the region (3 refreshes) while it waits: the
#    table must have its columns and a non-zero gc.major count (its
#    complete packets hold most of the 200 collections) and no more than
#    200.
# 2. A trace directory still being written: gc_alloc runs under `mprof
#    record` and, after its collections, waits on a fifo.  Once record has
#    written packets (a condition the script waits for, bounded), top
#    follows the directory for 2 refreshes and must show gc.minor and
#    gc.major_slice counts.  After the program quits, top on the finished
#    trace must count exactly what `mprof stats` counts.
set -u
source "$(dirname "$0")/gc/lib.sh"
live=$O/gc-hooks/boehm/test/boehm_live
ocaml=$O/gc-hooks/ocaml/test/gc_alloc
gc_tmpdir
gc_pids=

# wait_ready FIFO PID: the program's "ready" line, while PID lives (at
# most 60 s).  The fifo is opened read-write so that the open never
# blocks (Linux).
wait_ready() {
	local line= i
	exec 7<>"$1"
	for i in $(seq 60); do
		read -r -t 1 -u 7 line && break
		kill -0 "$2" 2>/dev/null || break
	done
	exec 7<&-
	[ "$line" = ready ]
}

# release FIFO: give the waiting program its line (read-write open: never blocks).
release() {
	exec 8<>"$1"
	echo quit >&8
	exec 8>&-
}

# row FILE REFRESH KIND: the count column of KIND in refresh REFRESH
row() {
	awk -v r="$2" -v k="$3" '/^mprof top / { n = $0; sub(/.* refresh /, "", n); sub(/ .*/, "", n) }
		n == r && $1 == k { print $2 }' "$1"
}

echo "== 1. live region"
shm=/mprof-gc-top-$$
gc_shm=$shm   # removed at exit if boehm_live could not
mkfifo "$gc_tmp/ready" "$gc_tmp/quit"
"$live" "$shm" 200 "$gc_tmp/ready" "$gc_tmp/quit" &
pid=$!
gc_pids="$pid"
if ! wait_ready "$gc_tmp/ready" "$pid"; then
	echo "FAIL: boehm_live did not get ready"
	exit 1
fi
"$MPROF" top --gc "shm:$shm" --interval 0.2 --count 3 >"$gc_tmp/top1" 2>&1
rc=$?
cat "$gc_tmp/top1"
expect_eq "top exit status" "$rc" 0
release "$gc_tmp/quit"
wait "$pid"
expect_eq "boehm_live exit status" "$?" 0
gc_pids=
expect_eq "refreshes printed" "$(grep -c '^mprof top --gc ' "$gc_tmp/top1")" 3
expect_eq "table columns" "$(awk '$1 == "kind" { print $2, $3, $4, $5, $6, $7, $8; exit }' "$gc_tmp/top1")" \
	"count +new total p50 p90 p99 max"
expect_eq "headline" "$(grep -c '^GC: [0-9]* collections, .* in GC = [0-9.]*% of ' "$gc_tmp/top1")" 3
n1=$(row "$gc_tmp/top1" 1 gc.major)
n3=$(row "$gc_tmp/top1" 3 gc.major)
expect_cmp "gc.major collections seen at refresh 1" "$n1" -gt 0
expect_cmp "gc.major collections seen at refresh 3" "$n3" -le 200
expect_cmp "gc.mark phases seen" "$(row "$gc_tmp/top1" 3 gc.mark)" -gt 0
expect_cmp "gc.heap_bytes shown" "$(grep -c '^gc.heap_bytes ' "$gc_tmp/top1")" -eq 3

echo "== 2. trace directory being written"
mkfifo "$gc_tmp/ready2" "$gc_tmp/quit2"
"$MPROF" record -q -s 4K -o "$gc_tmp/t" -- "$ocaml" 800 "$gc_tmp/ready2" "$gc_tmp/quit2" >"$gc_tmp/out2" &
pid=$!
gc_pids="$pid"
if ! wait_ready "$gc_tmp/ready2" "$pid"; then
	echo "FAIL: gc_alloc did not get ready"
	exit 1
fi
# The program is done collecting and waits; wait (at most 60 s) until the
# recorder has drained a complete packet into a stream file.
for _ in $(seq 600); do
	[ -n "$(find "$gc_tmp/t" -name 'stream_*' -size +0c 2>/dev/null)" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
t2=$(echo "$gc_tmp"/t/*-[0-9]*) # one trace per process
"$MPROF" top --gc "$t2" --interval 0.2 --count 2 >"$gc_tmp/top2" 2>&1
rc=$?
cat "$gc_tmp/top2"
expect_eq "top exit status" "$rc" 0
expect_eq "refreshes printed" "$(grep -c '^mprof top --gc ' "$gc_tmp/top2")" 2
expect_cmp "gc.minor collections seen at refresh 2" "$(row "$gc_tmp/top2" 2 gc.minor)" -gt 0
expect_cmp "gc.major_slice collections seen at refresh 2" "$(row "$gc_tmp/top2" 2 gc.major_slice)" -gt 0
release "$gc_tmp/quit2"
wait "$pid"
expect_eq "mprof record exit status" "$?" 0
gc_pids=

"$MPROF" top --gc "$t2" --count 1 >"$gc_tmp/top3" 2>&1
"$MPROF" stats "$t2" >"$gc_tmp/stats" 2>&1
minor=$(awk '$1 == "minor_collections" { print $2 }' "$gc_tmp/out2")
stats_minor=$(sed -n '/^GC: /,$p' "$gc_tmp/stats" | awk '$1 == "gc.minor" { print $2 }')
expect_eq "finished trace: top's gc.minor = mprof stats' gc.minor" "$(row "$gc_tmp/top3" 1 gc.minor)" "$stats_minor"
expect_eq "finished trace: top's gc.major_slice = mprof stats'" "$(row "$gc_tmp/top3" 1 gc.major_slice)" \
	"$(sed -n '/^GC: /,$p' "$gc_tmp/stats" | awk '$1 == "gc.major_slice" { print $2 }')"
# Opening the fifos may collect after the program's count was read.
expect_cmp "finished trace: gc.minor >= the program's minor_collections" "$stats_minor" -ge "$minor"
gc_finish
