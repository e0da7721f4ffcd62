#!/usr/bin/env bash
# A real LTTng-UST trace, made here with a session daemon of our own
# (private LTTNG_HOME, --no-kernel; stopped by PID), read through the
# trace source: every event equal to babeltrace2's own text output
# (timestamp in ns, name, every payload field, vtid as the event's tid),
# exact counts, the array field skipped and counted, and
# lttng_ust_tracef:event with its message.  As bench/run.sh, a session
# daemon that already answers is used and left alone.
set -euo pipefail
O=${O:-build}
here=$(cd "$(dirname "$0")" && pwd)
emit=$O/tests/source_lttng_emit
dump=$O/tests/source_dump
for p in lttng lttng-sessiond babeltrace2 python3; do
	command -v $p >/dev/null || { echo "SKIP: $p is not installed"; exit 77; }
done
[ -x "$emit" ] || { echo "SKIP: $emit not built (no lttng-ust)"; exit 77; }
[ -x "$dump" ] || { echo "FAIL: $dump not built"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/t_source_lttng.XXXXXX")
session=mprof-source-$$
. "$here/../../../tests/lib_lttng.sh"
cleanup() {
	lttng destroy "$session" >/dev/null 2>&1 || true
	lttng_sessiond_stop
	rm -rf "$tmp"
}
trap cleanup EXIT
export LTTNG_HOME=$tmp/home
mkdir -p "$LTTNG_HOME"
if ! lttng list >/dev/null 2>&1; then
	lttng_sessiond_start "$tmp/sessiond.log" --no-kernel || { echo "SKIP: lttng-sessiond could not start: $(tail -3 "$tmp/sessiond.log")"; exit 77; }
fi

n=200
lttng create "$session" --output="$tmp/trace" >/dev/null
lttng enable-channel --userspace --session="$session" --subbuf-size=1M --num-subbuf=4 ch >/dev/null
lttng enable-event --userspace --session="$session" --channel=ch 'mprof_src:*' >/dev/null
lttng enable-event --userspace --session="$session" --channel=ch 'lttng_ust_tracef:*' >/dev/null
lttng add-context --userspace --session="$session" --channel=ch -t vtid >/dev/null
lttng start "$session" >/dev/null
"$emit" $n
lttng stop "$session" >/dev/null
lttng destroy "$session" >/dev/null

babeltrace2 --clock-seconds "$tmp/trace" >"$tmp/bt.txt"
"$dump" "$tmp/trace" >"$tmp/dump.txt"
python3 "$here/bt_compare.py" "$tmp/bt.txt" "$tmp/dump.txt" --skip arr

expect() { # LINE-PREFIX WANT
	got=$(grep "^$1" "$tmp/dump.txt" || true)
	[ "$got" = "$2" ] || { echo "FAIL: want '$2', got '$got'"; exit 1; }
}
expect "kind " "kind ctf"
# Streams and packets as babeltrace2's details sink counts them.
babeltrace2 -c sink.text.details "$tmp/trace" >"$tmp/details.txt"
streams=$(grep -c '^Stream beginning:' "$tmp/details.txt" || true)
packets=$(grep -c '^Packet beginning:' "$tmp/details.txt" || true)
expect "stats " "stats events=$((3 * n)) streams=$streams packets=$packets discarded=0 packets_lost=0 traces=1"
expect "skips " "skips fields=$n strings=0 untimed=0"
expect "schema mprof_src:sample" "schema mprof_src:sample 0 neg:8 idx:3 small:1 s16:6 ratio:9 label:10 color:7"
expect "schema lttng_ust_tracef:event" "schema lttng_ust_tracef:event 0 _msg_length:3 msg:10"
grep -q '^note .*event "mprof_src:sample": field "arr": an array is not read (skipped and counted)' "$tmp/dump.txt" ||
	{ echo "FAIL: the skipped array is not named"; grep '^note' "$tmp/dump.txt"; exit 1; }
# Each kind, exactly n times; two threads, each with its own tid.
for e in mprof_src:sample mprof_src:tick lttng_ust_tracef:event; do
	c=$(grep -c "^[0-9]* $e " "$tmp/dump.txt" || true)
	[ "$c" = "$n" ] || { echo "FAIL: $e: want $n events, got $c"; exit 1; }
done
tids=$(awk '$1 ~ /^[0-9]+$/ { print $5 }' "$tmp/dump.txt" | sort -u | wc -l)
[ "$tids" = 2 ] || { echo "FAIL: want 2 distinct tids, got $tids"; exit 1; }
grep -q '^[0-9]* mprof_src:sample .*{neg=-199000597, idx=199, small=113, s16=-199, ratio=49.75, label="label 199", color=1}$' \
	"$tmp/dump.txt" || { echo "FAIL: the last sample's fields"; grep 'idx=199' "$tmp/dump.txt"; exit 1; }
echo "t_source_lttng: ok ($((3 * n)) events)"
