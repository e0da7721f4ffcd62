#!/usr/bin/env bash
# mprof compare end to end on a real regression: the demo workload
# (examples/demo_app.c) recorded twice as it is and twice with
# MPROF_DEMO_SLOWDOWN=4 (every request checksums its buffer four times):
# the slow runs are a regression of the "request" span (exit 10), two more
# unchanged runs are not (exit 0), with the machine's run-to-run noise in
# the test (two runs per side, resampled by the bootstrap).  The rule's
# threshold, +25%, sits far below the slowdown's effect (about +300% at
# the median) because a rule fires only when the whole interval lies
# beyond it, and with two runs per side the run-level bootstrap's interval
# is wide on a busy machine (a lower bound of +49% was seen).
set -uo pipefail
source "$(dirname "$0")/lib_cli.sh"

rec() { # rec NAME SLOWDOWN: the trace directory of one demo run
	MPROF_DEMO_SLOWDOWN=$2 "$MPROF" record -q -o "$work/$1" -- "$O/examples/demo_app" 20000 2 > /dev/null ||
		{ echo "FAIL: record $1" >&2; return 1; }
	ls -d "$work/$1"/*/ | head -n 1
}
b1=$(rec b1 1) && b2=$(rec b2 1) && s1=$(rec s1 4) && s2=$(rec s2 4) && u1=$(rec u1 1) && u2=$(rec u2 1) ||
	{ echo "FAIL: recording the demo"; exit 1; }

"$MPROF" compare --fail-on 'request.p50>+25%' "$b1" "$b2" -- "$s1" "$s2" > "$work/slow.txt"; rc=$?
cat "$work/slow.txt"
[ $rc -eq 10 ] && ok "slowed demo: regression (exit 10)" || fail "slowed demo: exit $rc, want 10"
grep -Eq '^request .*regressed' "$work/slow.txt" && ok "the request span is the regression" || fail "request not regressed"
"$MPROF" compare "$b1" "$b2" -- "$s1" "$s2" > /dev/null; rc=$?
[ $rc -eq 10 ] && ok "slowed demo, default rule: exit 10" || fail "slowed demo, default rule: exit $rc, want 10"

"$MPROF" compare --fail-on 'request.p50>+25%' "$b1" "$b2" -- "$u1" "$u2" > "$work/same.txt"; rc=$?
cat "$work/same.txt"
[ $rc -eq 0 ] && ok "unchanged demo: no regression (exit 0)" || fail "unchanged demo: exit $rc, want 0"

finish t_compare_demo
