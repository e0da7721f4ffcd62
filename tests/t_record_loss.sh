#!/usr/bin/env bash
# Loss is loud, and the defaults keep an ordinary program's events:
#  - record's default buffers keep most of a busy 4-thread program's events
#    (the library's 64 KiB x 16 lost more than half), with
#    recorded + discarded == emitted exactly, and every event of the demo;
#  - whatever was lost ends record with a warning naming the trace and what
#    to change: -s/-n/-p for a full ring, -t for threads without a stream
#    slot; --quiet keeps the warnings; a run that lost nothing has none.
set -uo pipefail
work=$(mktemp -d)
export TMPDIR=$work # record's private socket directory too
trap 'rm -rf "$work"' EXIT
vg=$O/tests/progs/valuegen
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
json() { "$MPROF" stats --json "$1" 2>/dev/null | python3 -c "import json,sys; print(json.load(sys.stdin)[\"$2\"])"; }

echo "== defaults: 4 threads x 100000 iterations (5 events each) as fast as they can"
"$MPROF" record -o "$work/def" -- "$vg" 4 100000 >/dev/null 2>"$work/def.err" || fail "record: exit $?"
cat "$work/def.err"
t=$(echo "$work"/def/valuegen-*)
ev=$(json "$t" events); disc=$(json "$t" events_discarded)
echo "defaults: $ev recorded, $disc discarded of 2000000"
[ $((ev + disc)) = 2000000 ] || fail "recorded $ev + discarded $disc != emitted 2000000"
[ "$disc" -lt "$ev" ] || fail "the defaults lost most of the events: $disc discarded, $ev recorded"
if [ "$disc" = 0 ]; then
	grep -q "warning" "$work/def.err" && fail "a run that lost nothing warns"
else
	grep -q "warning: $t lost: $disc events discarded" "$work/def.err" || fail "no warning for $disc discarded events"
fi

echo "== defaults: the demo (4 workers) keeps every event"
"$MPROF" record -q -o "$work/demo" -- "$O/examples/demo_app" 20000 4 >/dev/null 2>"$work/demo.err" || fail "record: exit $?"
cat "$work/demo.err"
t=$(echo "$work"/demo/demo_app-*)
ev=$(json "$t" events); disc=$(json "$t" events_discarded)
echo "demo: $ev recorded, $disc discarded"
[ "$ev" = 80000 ] && [ "$disc" = 0 ] || fail "the demo recorded $ev of 80000 events ($disc discarded)"
[ -s "$work/demo.err" ] && fail "record -q printed something for a run that lost nothing"

echo "== a full ring: 2 x 4 KiB packets"
"$MPROF" record -q -o "$work/small" -s 4K -n 2 -- "$vg" 2 20000 >/dev/null 2>"$work/small.err" || fail "record: exit $?"
cat "$work/small.err"
t=$(echo "$work"/small/valuegen-*)
disc=$(json "$t" events_discarded)
[ "$disc" -gt 0 ] || fail "2 x 4 KiB packets discarded nothing ($disc): the test proves nothing"
grep -q "warning: $t lost: $disc events discarded (ring full)" "$work/small.err" ||
	fail "--quiet: no warning naming $t and its $disc discarded events"
grep -q "hint: $disc events were discarded.*--packet-size/-s 4096, --packets/-n 2 now.*--period/-p 10 ms now" \
	"$work/small.err" || fail "the hint does not name -s, -n and -p with their values"

echo "== threads without a stream slot: 4 threads alive at once, 1 slot: 3 x 1000 events find none"
"$MPROF" record -o "$work/slots" -t 1 -- "$O/tests/progs/rec_procs" threads 4 1000 2>"$work/slots.err" || fail "record: exit $?"
cat "$work/slots.err"
grep -Eq "warning: .*/slots/rec_procs-[0-9]+ lost: 3000 events without a stream slot" "$work/slots.err" ||
	fail "no warning for the 3000 events without a stream slot"
grep -q "raise --streams/-t (1 now)" "$work/slots.err" || fail "the hint does not name -t"
t=$(echo "$work"/slots/rec_procs-*)
ev=$(json "$t" events)
[ "$ev" = 1000 ] || fail "the thread with the slot recorded $ev events, expected 1000"

if [ $fails -gt 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "ok"
