# tests/gc/lib.sh - helpers of the t_gc_*.sh scripts (sourced).
#
# Each check prints "ok: ..." or "FAIL: ..." with both sides, and a failed
# one makes gc_finish exit 1.

O=${O:-build}
MPROF=${MPROF:-$O/bin/mprof}
GC_CHECK=$O/tests/gc/gc_check
gc_failed=0

gc_tmpdir() {
	gc_tmp=$(mktemp -d "${TMPDIR:-/tmp}/mprof-gc.XXXXXX") || exit 1
	trap 'gc_cleanup' EXIT
}

# Kill what a test started (by pid) and remove its files.
gc_cleanup() {
	local p
	for p in ${gc_pids:-}; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -n "${gc_shm:-}" ] && rm -f "/dev/shm$gc_shm"
	[ -n "${gc_tmp:-}" ] && rm -rf "$gc_tmp"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then
		echo "ok: $1: $2"
	else
		echo "FAIL: $1: got '$2', want '$3'"
		gc_failed=1
	fi
}

# expect_cmp WHAT A OP B: integer comparison (OP: -lt -le -gt -ge -eq -ne)
expect_cmp() {
	if [ -n "$2" ] && [ -n "$4" ] && [ "$2" "$3" "$4" ] 2>/dev/null; then
		echo "ok: $1: $2 $3 $4"
	else
		echo "FAIL: $1: expected '$2' $3 '$4'"
		gc_failed=1
	fi
}

# fact FILE KEY: a "key value" line of gc_check's output
fact() {
	awk -v k="$2" '$1 == k { print $2 }' "$1"
}

# span_fact FILE SPAN FIELD: a field of gc_check's "span" line
span_fact() {
	awk -v s="$2" -v f="$3" '$1 == "span" && $2 == s { for (i = 3; i < NF; i += 2) if ($i == f) print $(i + 1) }' "$1"
}

# The common checks of a trace: every begin has its end, spans nest,
# durations are positive, nothing was lost.
check_trace_sanity() {
	local facts=$1 k b e c n
	for k in gc.minor gc.major gc.major_slice gc.compact gc.mark gc.sweep gc.stop_world gc.start_world gc.finalise; do
		b=$(span_fact "$facts" $k begins)
		e=$(span_fact "$facts" $k ends)
		c=$(span_fact "$facts" $k complete)
		n=$(span_fact "$facts" $k nonpositive)
		[ "$b" = 0 ] && [ "$e" = 0 ] && continue
		expect_eq "$k: ends = begins" "$e" "$b"
		expect_eq "$k: complete spans = begins" "$c" "$b"
		expect_eq "$k: spans with a duration <= 0" "$n" 0
	done
	expect_eq "ends that do not close the innermost span" "$(fact "$facts" nest_errors)" 0
	expect_eq "collections inside a collection" "$(fact "$facts" nested_pauses)" 0
	expect_eq "spans never ended" "$(fact "$facts" unended)" 0
	expect_eq "invalid packets" "$(fact "$facts" invalid_packets)" 0
	expect_eq "events discarded" "$(fact "$facts" discarded)" 0
}

gc_finish() {
	if [ "$gc_failed" != 0 ]; then
		echo "FAILED"
		exit 1
	fi
	echo "PASSED"
	exit 0
}
