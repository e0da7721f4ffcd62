#!/usr/bin/env bash
# One bad schema record published into a region (a field named "a-b")
# costs only that record: `mprof record` keeps recording, exits with the
# program's status, writes every valid event, and names the bad record in
# its summary; babeltrace2 and `mprof stats` read the trace.  Also: event
# types beyond --max-events are reported with the option to raise.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prog=$O/tests/progs/scribble_schema

rc=0
"$MPROF" record -o "$work/t" -- "$prog" 2000 > "$work/out" 2> "$work/err" || rc=$?
cat "$work/err"
[ $rc -eq 0 ] || { echo "FAIL: mprof record exited $rc"; exit 1; }
grep -q "event id 2 not recorded: event 'scribbled.bad' (id 2): field 0 ('a-b'): the field name is not a C identifier" "$work/err" ||
	{ echo "FAIL: the summary does not name the bad record"; exit 1; }
babeltrace2 "$work/t" > "$work/bt" 2> "$work/bt.err" || { cat "$work/bt.err"; echo "FAIL: babeltrace2"; exit 1; }
a=$(grep -c 'scribble.a:' "$work/bt" || true)
b=$(grep -c 'scribble.b:' "$work/bt" || true)
echo "babeltrace2: scribble.a $a, scribble.b $b (expected 2000 each)"
[ "$a" = 2000 ] && [ "$b" = 2000 ] || { echo "FAIL: events lost"; exit 1; }
"$MPROF" stats "$work/t" > "$work/stats" || { echo "FAIL: mprof stats"; exit 1; }

echo "== more event types than --max-events"
rc=0
# valuegen defines 5 event types: 3 do not fit in 2.
"$MPROF" record -e 2 -o "$work/e" -- "$O/tests/progs/valuegen" 1 10 > /dev/null 2> "$work/err2" || rc=$?
cat "$work/err2"
[ $rc -eq 0 ] || { echo "FAIL: mprof record -e 2 exited $rc"; exit 1; }
grep -q "3 event types were not recorded: raise --max-events/-e (2 now)" "$work/err2" ||
	{ echo "FAIL: no hint naming -e"; exit 1; }
echo "ok"
