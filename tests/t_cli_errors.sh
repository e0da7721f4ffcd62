#!/usr/bin/env bash
# Bad input to mprof: a clear one-line message naming the file (and offset
# where there is one), a distinct exit status, no crash, and a partial
# trace still read as far as it is good.
set -uo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0

# expect STATUS PATTERN -- COMMAND...: run it, check exit status and that
# stderr matches PATTERN (an extended regex).
expect() {
	local want=$1 pattern=$2
	shift 3
	"$@" > "$work/out" 2> "$work/err"
	local got=$?
	if [ "$got" != "$want" ] || ! grep -Eq -e "$pattern" "$work/err"; then
		echo "FAIL: $*: exit $got (want $want), stderr:"; sed 's/^/    /' "$work/err"
		echo "    (wanted /$pattern/)"
		fails=$((fails + 1))
	else
		echo "ok: $* -> $got: $(head -n 1 "$work/err")"
	fi
}

expect 2 "usage: mprof" -- "$MPROF"
expect 2 "unknown command 'bogus'" -- "$MPROF" bogus
expect 2 "missing -o DIR" -- "$MPROF" record -- true
expect 2 "missing the program" -- "$MPROF" record -o "$work/t0"
expect 2 "power of two" -- "$MPROF" record -o "$work/t1" --packet-size 1000 -- true
expect 2 "--packets: 'x' is not a number" -- "$MPROF" record -o "$work/t1" --packets x -- true
expect 2 "neither 'discard' nor 'overwrite'" -- "$MPROF" record -o "$work/t1" -m sometimes -- true
expect 2 "--period must be" -- "$MPROF" record -o "$work/t1" --period 0 -- true
mkdir -p "$work/full" && touch "$work/full/something"
expect 2 "$work/full" -- "$MPROF" record -o "$work/full" -- true
expect 5 "cannot run '/nonexistent/prog'" -- "$MPROF" record -o "$work/t2" -- /nonexistent/prog
# The program's own exit status comes through.
expect 7 "exited with status 7" -- "$MPROF" record -o "$work/t3" -- sh -c 'exit 7'
expect 137 "killed by signal 9" -- "$MPROF" record -o "$work/t4" -- sh -c 'kill -9 $$'

expect 3 "/nonexistent/trace" -- "$MPROF" stats /nonexistent/trace
mkdir -p "$work/nometa"
expect 3 "$work/nometa/metadata" -- "$MPROF" stats "$work/nometa"
expect 2 "expected one trace directory" -- "$MPROF" stats

# A good trace, then damaged copies of it.
"$MPROF" record -q -o "$work/rec-good" -- "$O/tests/progs/valuegen" 2 500 > /dev/null || { echo "FAIL: record"; exit 1; }
mv "$work"/rec-good/valuegen-* "$work/good" # one trace per process
good_events=$("$MPROF" stats --json "$work/good" | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')

cp -r "$work/good" "$work/badmeta"
printf 'garbage' | dd of="$work/badmeta/metadata" bs=1 seek=40 conv=notrunc 2>/dev/null
expect 3 "$work/badmeta/metadata: offset [0-9]+" -- "$MPROF" stats "$work/badmeta"

# Corrupt an event id in the middle of the first packet of one stream: that
# packet is skipped and reported with its file and offset; the rest reads.
cp -r "$work/good" "$work/badpkt"
victim=$(ls "$work/badpkt"/stream_* | head -n 1)
# (An extended header, 255, whose 24-bit id 0x7fffff no schema has.)
printf '\xff\xff\xff\x7f' | dd of="$victim" bs=1 seek=88 conv=notrunc 2>/dev/null
expect 3 "invalid packets? skipped.*stream_[0-9]+: offset 0" -- "$MPROF" stats "$work/badpkt"
left=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' <("$MPROF" stats --json "$work/badpkt" 2>/dev/null))
echo "damaged trace: $left of $good_events events still read"
if [ "$left" -le 0 ] || [ "$left" -ge "$good_events" ]; then
	echo "FAIL: expected the undamaged part to be read ($left of $good_events)"; fails=$((fails + 1))
fi

# A stream file cut in the middle of a packet.
cp -r "$work/good" "$work/trunc"
victim=$(ls "$work/trunc"/stream_* | head -n 1)
truncate -s -7 "$victim"
expect 3 "truncated packet" -- "$MPROF" stats "$work/trunc"

# mprof record itself killed: the trace says it is incomplete; a clean one
# does not.
TMPDIR="$work" "$MPROF" record -q -o "$work/rec-cut" -- "$O/tests/progs/rec_procs" kill-parent 100 2>/dev/null
mv "$work"/rec-cut/rec_procs-* "$work/cut"
expect 3 "did not finish" -- "$MPROF" stats "$work/cut"
babeltrace2 "$work/cut" > /dev/null 2>&1 || { echo "FAIL: babeltrace2 cannot read a cut-short trace"; fails=$((fails + 1)); }
if [ -e "$work/good/.mprof-incomplete" ] || [ ! -e "$work/cut/.mprof-incomplete" ]; then
	echo "FAIL: the incomplete marker is wrong"; fails=$((fails + 1))
fi

[ $fails -eq 0 ] && echo "all CLI error checks passed"
exit $((fails > 0))
