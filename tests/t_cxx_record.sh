#!/usr/bin/env bash
# A C++17 program (tests/cxx/cxx_events.cpp: every public header, the
# definition and emit macros) records under `mprof record`, and babeltrace2
# reads back every event with its values.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prog=$O/tests/cxx/cxx_events
[ -x "$prog" ] || { echo "FAIL: $prog is not built"; exit 1; }

"$MPROF" record -q -o "$work/t" -- "$prog"
babeltrace2 "$work/t" > "$work/out" 2> "$work/err"
check() {
	local what=$1 want=$2 got
	got=$(grep -c -- "$what" "$work/out" || true)
	echo "$what: $got (expected $want)"
	[ "$got" = "$want" ] || { echo "FAIL"; cat "$work/out" "$work/err"; exit 1; }
}
check 'cxx.work.begin:' 5
check 'cxx.work.end:' 5
check 'cxx.count:' 5
check 'cxx.mark:' 1
check 'cxx.value:' 5
check '{ n = 3, neg = -3, half = 1.5, label = "from-c++" }' 1
check '{ value = 40 }' 1
check '{ item = 4 }' 1
echo "ok"
