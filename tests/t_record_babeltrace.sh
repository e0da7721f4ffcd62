#!/usr/bin/env bash
# mprof record + babeltrace2: every event, every field value (integers of
# each width and sign, doubles, bounded strings), and the discarded-event
# counts babeltrace2 reports, against what the program emitted; and
# `mprof stats` agrees with babeltrace2.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
here=$(dirname "$0")
vg=$O/tests/progs/valuegen

echo "== exact: 3 threads x 3000 iterations, roomy buffers"
"$MPROF" record -q -o "$work/exact" -- "$vg" 3 3000 > "$work/exact.expected"
babeltrace2 "$work/exact" > "$work/exact.out" 2> "$work/exact.err"
python3 "$here/bt_check.py" "$work/exact.expected" "$work/exact.out" "$work/exact.err" exact

echo "== discard: 2 threads x 100000 iterations into 2 x 4 KiB packets"
"$MPROF" record -q -o "$work/drop" --packet-size 4K --packets 2 --period 20 -- "$vg" 2 100000 > "$work/drop.expected"
babeltrace2 "$work/drop" > "$work/drop.out" 2> "$work/drop.err"
python3 "$here/bt_check.py" "$work/drop.expected" "$work/drop.out" "$work/drop.err" discard
# mprof stats must count the same discarded events as babeltrace2.
bt_discarded=$(grep -o 'Tracer discarded [0-9]* events' "$work/drop.err" | awk '{s += $3} END {print s + 0}')
st_discarded=$("$MPROF" stats --json "$work"/drop/*/ | python3 -c 'import json,sys; print(json.load(sys.stdin)["events_discarded"])')
echo "discarded: babeltrace2 $bt_discarded, mprof stats $st_discarded"
[ "$bt_discarded" = "$st_discarded" ] || { echo "FAIL: discarded counts differ"; exit 1; }

echo "== overwrite: flight recorder keeps the newest packets; babeltrace2 reads them"
"$MPROF" record -q -o "$work/ovw" -m overwrite --packet-size 4K --packets 4 --period 1000 -- "$vg" 2 50000 > /dev/null
babeltrace2 "$work/ovw" > "$work/ovw.out" 2> "$work/ovw.err"
lost=$("$MPROF" stats --json "$work"/ovw/*/ | python3 -c 'import json,sys; print(json.load(sys.stdin)["packets_lost"])')
echo "overwrite: $(wc -l < "$work/ovw.out") events kept, $lost packets overwritten"
[ "$lost" -gt 0 ] || { echo "FAIL: overwrite mode must report overwritten packets"; exit 1; }
[ "$(wc -l < "$work/ovw.out")" -gt 0 ] || { echo "FAIL: no events kept"; exit 1; }
echo "ok"
