#!/usr/bin/env bash
# Boehm GC hooks, end to end, with Debian's libgc.
#
# boehm_alloc (gc-hooks/boehm/test/boehm_alloc.c) allocates from 1 and
# then 4 threads under `mprof record` and prints how many collections
# GC_get_gc_no() counted since the hooks were installed.  The trace must
# hold exactly that many gc.major spans, each with one mark, one sweep
# (reclaim), one stop-the-world and one start-the-world phase inside it
# (on the same thread, properly nested), and, with threads, the thread
# suspend/resume events.
set -u
source "$(dirname "$0")/gc/lib.sh"
prog=$O/gc-hooks/boehm/test/boehm_alloc
gc_tmpdir

for threads in 1 4; do
	echo "== $threads thread(s)"
	t=$gc_tmp/t$threads
	if ! "$MPROF" record -q -o "$t.rec" -- "$prog" "$threads" 300 >"$gc_tmp/out$threads"; then
		echo "FAIL: mprof record $prog $threads 300"
		exit 1
	fi
	mv "$t.rec"/*-[0-9]* "$t" # one trace per process
	cat "$gc_tmp/out$threads"
	n=$(awk '$1 == "gc_no_delta" { print $2 }' "$gc_tmp/out$threads")
	expect_cmp "$threads thread(s): the program collected (gc_no_delta)" "$n" -gt 10

	"$GC_CHECK" "$t" >"$gc_tmp/facts$threads" || { echo "FAIL: gc_check $t"; exit 1; }
	cat "$gc_tmp/facts$threads"
	check_trace_sanity "$gc_tmp/facts$threads"
	expect_eq "$threads thread(s): gc.major spans = GC_get_gc_no() difference" \
		"$(span_fact "$gc_tmp/facts$threads" gc.major complete)" "$n"
	for phase in gc.mark gc.sweep gc.stop_world gc.start_world; do
		expect_eq "$threads thread(s): $phase spans = collections" \
			"$(span_fact "$gc_tmp/facts$threads" $phase complete)" "$n"
	done
	expect_eq "$threads thread(s): phases outside a collection" "$(fact "$gc_tmp/facts$threads" orphan_phases)" 0
	expect_cmp "$threads thread(s): time in collections below the trace's wall time" \
		"$(fact "$gc_tmp/facts$threads" pause_total_ns)" -lt "$(fact "$gc_tmp/facts$threads" wall_ns)"

	babeltrace2 "$t" >"$gc_tmp/bt$threads" 2>"$gc_tmp/bt.err" || { echo "FAIL: babeltrace2:"; cat "$gc_tmp/bt.err"; gc_failed=1; }
	expect_eq "$threads thread(s): babeltrace2 gc.major.begin events" \
		"$(grep -c ' gc\.major\.begin: ' "$gc_tmp/bt$threads")" "$n"
	if [ "$threads" -gt 1 ]; then
		# Every collection a worker runs suspends at least the main thread.
		expect_cmp "$threads threads: gc.thread_suspend events" \
			"$(grep -c ' gc\.thread_suspend: ' "$gc_tmp/bt$threads")" -gt 0
		expect_eq "$threads threads: gc.thread_resume events = gc.thread_suspend events" \
			"$(grep -c ' gc\.thread_resume: ' "$gc_tmp/bt$threads")" \
			"$(grep -c ' gc\.thread_suspend: ' "$gc_tmp/bt$threads")"
		expect_cmp "$threads threads: streams with collections" \
			"$(grep ' gc\.major\.begin: ' "$gc_tmp/bt$threads" | grep -o 'tid = [0-9]*' | sort -u | wc -l)" -gt 1
	fi
done
gc_finish
