#!/usr/bin/env bash
# Both clocks: the invariant TSC (calibrated) and CLOCK_MONOTONIC (where
# the TSC is not invariant; forced here with MPROF_CLOCK=monotonic, which
# sends every emit through the slow path).  Each trace carries its clock,
# every value reads back through babeltrace2, and the events' wall-clock
# times fall between the moments just before and just after the recording.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
here=$(dirname "$0")
fails=0

for clock in tsc monotonic; do
	if [ "$clock" = tsc ] && ! grep -qw nonstop_tsc /proc/cpuinfo; then
		echo "$clock: no invariant TSC on this CPU: libprofile uses CLOCK_MONOTONIC (covered below)"
		continue
	fi
	before=$(date +%s)
	if [ "$clock" = monotonic ]; then
		MPROF_CLOCK=monotonic "$MPROF" record -q -o "$work/$clock" -- "$O/tests/progs/valuegen" 2 2000 > "$work/$clock.expected"
	else
		"$MPROF" record -q -o "$work/$clock" -- "$O/tests/progs/valuegen" 2 2000 > "$work/$clock.expected"
	fi
	after=$(date +%s)
	source=$("$MPROF" stats --json "$work/$clock"/*/ | python3 -c 'import json,sys; print(json.load(sys.stdin)["clock"]["source"])')
	want=$([ "$clock" = tsc ] && echo TSC || echo CLOCK_MONOTONIC)
	echo "$clock: the trace's clock is $source"
	[ "$source" = "$want" ] || { echo "FAIL: expected $want"; fails=$((fails + 1)); }
	babeltrace2 "$work/$clock" > "$work/$clock.out" 2> "$work/$clock.err"
	python3 "$here/bt_check.py" "$work/$clock.expected" "$work/$clock.out" "$work/$clock.err" exact || fails=$((fails + 1))
	# Wall-clock placement: first and last event within [before, after + 1].
	babeltrace2 --clock-seconds "$work/$clock" | sed -n 's/^\[\([0-9]*\)\..*/\1/p' > "$work/$clock.secs"
	first=$(head -n 1 "$work/$clock.secs")
	last=$(tail -n 1 "$work/$clock.secs")
	echo "$clock: events from $first to $last s, recording ran from $before to $after s"
	if [ "$first" -lt "$before" ] || [ "$last" -gt $((after + 1)) ] || [ "$first" -gt "$last" ]; then
		echo "FAIL: event times are not within the recording"; fails=$((fails + 1))
	fi
done
[ $fails -eq 0 ] && echo "ok"
exit $((fails > 0))
