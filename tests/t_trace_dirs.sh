#!/usr/bin/env bash
# A directory of trace directories (one per process, as `mprof record`
# writes DIR/<prog>-<pid>/) read by `mprof stats` and `mprof top` as one
# trace: event counts and the region counts carried in each part's
# metadata are the sums of the parts', spans pair within each part, and
# the number of traces is shown.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vg=$O/tests/progs/valuegen
mkdir -p "$work/all/nested"
# record_one DEST ARGS: record one process and put its trace at DEST
# (record writes DIR/<name>-<pid>/; the pid is not known in advance).
record_one() {
	local dest=$1
	shift
	rm -rf "$work/rec"
	"$MPROF" record -q -o "$work/rec" -- "$@" > /dev/null || { echo "FAIL: record $*"; exit 1; }
	mv "$work"/rec/*/ "$dest"
}
record_one "$work/all/valuegen-1" "$vg" 2 300
record_one "$work/all/nested/valuegen-2" "$vg" 1 500

json() { "$MPROF" stats --json "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
a=$(json "$work/all/valuegen-1" 'd["events"]')
b=$(json "$work/all/nested/valuegen-2" 'd["events"]')
all=$(json "$work/all" 'd["events"]')
traces=$(json "$work/all" 'd["traces"]')
spans=$(json "$work/all" 'd["spans"]["vg.work"]["count"]')
unmatched=$(json "$work/all" 'd["spans"]["vg.work"]["unmatched"]')
echo "events: $a + $b = $all; traces $traces; vg.work spans $spans, unmatched $unmatched"
[ "$all" -eq $((a + b)) ] || { echo "FAIL: events of the whole ($all) != sum of the parts ($((a + b)))"; exit 1; }
[ "$traces" -eq 2 ] || { echo "FAIL: traces $traces, want 2"; exit 1; }
[ "$spans" -eq 1100 ] || { echo "FAIL: vg.work spans $spans, want 1100"; exit 1; }
"$MPROF" stats "$work/all" | grep -q '2 traces (one per process)' || { echo "FAIL: stats does not say 2 traces"; exit 1; }
# The region counts the metadata carries reach stats, summed over the parts.
sed -i 's/mprof_dropped_no_slot = 0;/mprof_dropped_no_slot = 141;/' "$work/all/valuegen-1/metadata"
sed -i 's/mprof_dropped_no_slot = 0;/mprof_dropped_no_slot = 3;/; s/mprof_refused_events = 0;/mprof_refused_events = 44;/' \
	"$work/all/nested/valuegen-2/metadata"
one=$(json "$work/all/valuegen-1" 'd["dropped_no_slot"]')
sum=$(json "$work/all" 'd["dropped_no_slot"], d["refused_events"]')
echo "region counts: part $one, whole $sum"
[ "$one" = 141 ] && [ "$sum" = "144 44" ] || { echo "FAIL: region counts: part $one (want 141), whole $sum (want 144 44)"; exit 1; }
"$MPROF" stats "$work/all" > "$work/stats.txt"
grep -Eq '^  events without a stream slot +144  hint: .*-t' "$work/stats.txt" &&
	grep -Eq '^  event types refused \(schema full\) +44  hint: .*-e' "$work/stats.txt" ||
	{ echo "FAIL: stats text lacks the region counts:"; cat "$work/stats.txt"; exit 1; }
# top follows the same directory (finished: it reads everything at once).
"$MPROF" top --gc -n 1 "$work/all" > "$work/top.out"
grep -q "events $all " "$work/top.out" || { echo "FAIL: top's first refresh:"; cat "$work/top.out"; exit 1; }
echo ok
