#!/usr/bin/env bash
# OCaml 4.x GC hooks, end to end, with Debian's ocamlopt and runtime.
#
# gc_alloc (gc-hooks/ocaml/test/gc_alloc.ml, linked with nothing but
# mprof_gc_ocaml.o) runs allocation-heavy code under `mprof record` and
# prints Gc.quick_stat's minor_collections, read after its last
# collection.  The trace must hold exactly that many gc.minor spans
# (libprofile's reader, babeltrace2 and `mprof stats` agree), major slices
# and finalisation spans, every begin with its end, positive durations
# whose sum is below the program's wall time.
set -u
source "$(dirname "$0")/gc/lib.sh"
prog=$O/gc-hooks/ocaml/test/gc_alloc
gc_tmpdir

start=$(date +%s%N)
if ! "$MPROF" record -q -o "$gc_tmp/rec" -- "$prog" 1500 >"$gc_tmp/out"; then
	echo "FAIL: mprof record $prog"
	exit 1
fi
mv "$gc_tmp"/rec/*-[0-9]* "$gc_tmp/t" # one trace per process
wall_ns=$(( $(date +%s%N) - start ))
cat "$gc_tmp/out"
minor=$(awk '$1 == "minor_collections" { print $2 }' "$gc_tmp/out")
expect_cmp "the program collected (minor_collections)" "$minor" -ge 500

"$GC_CHECK" "$gc_tmp/t" >"$gc_tmp/facts" || { echo "FAIL: gc_check $gc_tmp/t"; exit 1; }
cat "$gc_tmp/facts"
check_trace_sanity "$gc_tmp/facts"
expect_eq "gc.minor spans = Gc.quick_stat minor_collections" "$(span_fact "$gc_tmp/facts" gc.minor complete)" "$minor"
expect_cmp "gc.major_slice spans" "$(span_fact "$gc_tmp/facts" gc.major_slice complete)" -gt 0
expect_cmp "gc.finalise spans (Gc.full_major ran the finalisers)" \
	"$(span_fact "$gc_tmp/facts" gc.finalise complete)" -gt 0
pause=$(fact "$gc_tmp/facts" pause_total_ns)
expect_cmp "time in collections (ns) below the trace's wall time" "$pause" -lt "$(fact "$gc_tmp/facts" wall_ns)"
expect_cmp "time in collections (ns) below the program's wall time" "$pause" -lt "$wall_ns"

# An independent reader: babeltrace2.
if ! babeltrace2 "$gc_tmp/t" >"$gc_tmp/bt" 2>"$gc_tmp/bt.err"; then
	echo "FAIL: babeltrace2 cannot read the trace:"
	cat "$gc_tmp/bt.err"
	gc_failed=1
fi
expect_eq "babeltrace2: gc.minor.begin events" "$(grep -c ' gc\.minor\.begin: ' "$gc_tmp/bt")" "$minor"
expect_eq "babeltrace2: gc.minor.end events" "$(grep -c ' gc\.minor\.end: ' "$gc_tmp/bt")" "$minor"
expect_cmp "babeltrace2: gc.heap_bytes samples" "$(grep -c ' gc\.heap_bytes: ' "$gc_tmp/bt")" -gt 0

# mprof stats prints the GC section with the same count.
"$MPROF" stats "$gc_tmp/t" >"$gc_tmp/stats" || { echo "FAIL: mprof stats"; gc_failed=1; }
sed -n '/^GC: /,$p' "$gc_tmp/stats"
expect_eq "mprof stats: GC section" "$(grep -c '^GC: [0-9]* collections' "$gc_tmp/stats")" 1
expect_eq "mprof stats: gc.minor count" \
	"$(sed -n '/^GC: /,$p' "$gc_tmp/stats" | awk '$1 == "gc.minor" { print $2 }')" "$minor"
expect_eq "mprof stats: pause percentile columns" \
	"$(sed -n '/^GC: /,$p' "$gc_tmp/stats" | awk '$1 == "kind" { print $2, $3, $4, $5, $6, $7 }')" \
	"count total p50 p90 p99 max"
gc_finish
