#!/usr/bin/env bash
# mprof record of several processes: one trace per process under DIR
# (DIR/<name>-<pid>/), whether they run in sequence (sh -c 'a; b'), side by
# side, or are forked without exec (each child's events in its own trace,
# none in the parent's); exact event counts per process; babeltrace2 reads
# DIR whole.  Also: a program that never attached says so; a failed start
# leaves nothing behind and the corrected command works.
set -uo pipefail
work=$(mktemp -d)
export TMPDIR=$work # record's private socket directory too
trap 'rm -rf "$work"' EXIT
P=$(cd "$O/tests/progs" && pwd)/rec_procs
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Per trace of DIR: "<name-pid> <events per mprof stats> <events per
# babeltrace2 with pid == the trace's pid> <events of another pid>".
per_trace() {
	local d
	for d in "$1"/*/; do
		d=${d%/}
		local base=${d##*/} pid=${d##*-}
		local st bt_own bt_other
		st=$("$MPROF" stats --json "$d" | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
		bt_own=$(babeltrace2 "$d" | grep -c "procs.tick: .* pid = $pid,")
		bt_other=$(babeltrace2 "$d" | grep 'procs.tick' | grep -vc " pid = $pid,")
		echo "$base $st $bt_own $bt_other"
	done
}

# Check per_trace output against "count" per trace and n traces.
check() {
	local what=$1 dir=$2 ntraces=$3 want=$4 got
	got=$(per_trace "$dir")
	echo "$what:"; echo "$got" | sed 's/^/    /'
	[ "$(echo "$got" | grep -c .)" = "$ntraces" ] || fail "$what: expected $ntraces traces, got $(echo "$got" | grep -c .)"
	echo "$got" | while read -r name st own other; do
		[ "$st" = "$want" ] || echo "FAIL: $what: $name: mprof stats counts $st events, expected $want"
		[ "$own" = "$want" ] || echo "FAIL: $what: $name: babeltrace2 sees $own events of its own pid, expected $want"
		[ "$other" = 0 ] || echo "FAIL: $what: $name: $other events of another process"
	done | tee "$work/check.out"
	[ -s "$work/check.out" ] && fails=$((fails + 1))
	# babeltrace2 reads the directory of traces whole.
	local all
	all=$(babeltrace2 "$dir" 2>"$work/bt.err" | grep -c 'procs.tick') || true
	[ "$all" = $((ntraces * want)) ] || { fail "$what: babeltrace2 $dir reads $all events, expected $((ntraces * want))"; cat "$work/bt.err"; }
	[ ! -e "$dir/.mprof-incomplete" ] || fail "$what: $dir is still marked incomplete"
	[ -z "$(find "$dir" -name .mprof-incomplete)" ] || fail "$what: a trace is still marked incomplete"
}

echo "== in sequence: sh -c 'a; b; c'"
"$MPROF" record -o "$work/seq" -- sh -c "$P emit 3000; $P emit 3000; $P emit 3000" 2>"$work/seq.err"
rc=$?; cat "$work/seq.err"
[ $rc = 0 ] || fail "sequence: exit $rc"
check "sequence" "$work/seq" 3 3000

echo "== side by side: sh -c 'a & b & c & wait'"
"$MPROF" record -q -o "$work/conc" -- sh -c "$P emit 5000 & $P emit 5000 & $P emit 5000 & wait" || fail "concurrent: exit $?"
check "concurrent" "$work/conc" 3 5000

echo "== an orphan: the shell exits before its background child has even started"
"$MPROF" record -q -o "$work/orphan" -- sh -c "$P emit 2000 &" || fail "orphan: exit $?"
check "orphan" "$work/orphan" 1 2000

echo "== fork() without exec(): 4 children, each with a thread"
"$MPROF" record -o "$work/fork" -- "$P" fork 4 1500 2>"$work/fork.err"
rc=$?; cat "$work/fork.err"
[ $rc = 0 ] || fail "fork: exit $rc"
# The parent emits 1500 before and 1500 after; each child 1500 + 1500 from its thread.
check "fork" "$work/fork" 5 3000
n=$(grep -c '(forked)' "$work/fork.err")
[ "$n" = 4 ] || fail "fork: the summary names $n forked processes, expected 4"

echo "== fork() without exec() of a program that attached a region of its own: the child detaches"
env -u MPROF_REGION "$P" own-fork 1000 || fail "own region: the parent's region does not hold exactly its own 1000 events"

echo "== a program that never attached"
"$MPROF" record -o "$work/none" -- true 2>"$work/none.err"
rc=$?; cat "$work/none.err"
[ $rc = 0 ] || fail "never attached: exit $rc, expected the program's 0"
grep -q "true never attached to the region: is it linked with libprofile?" "$work/none.err" ||
	fail "never attached: no message saying so"
grep -q "wrote 0 events" "$work/none.err" && fail "never attached: says 'wrote 0 events'"

echo "== a failed start leaves nothing behind; the corrected command works"
"$MPROF" record -o "$work/d" -- "$work/missing" 2>"$work/missing.err"
rc=$?; cat "$work/missing.err"
[ $rc = 5 ] || fail "failed start: exit $rc, expected 5"
[ ! -e "$work/d" ] || { fail "failed start left $work/d behind:"; find "$work/d"; }
mkdir "$work/empty"
"$MPROF" record -o "$work/empty" -- "$work/missing" 2>/dev/null
[ -z "$(ls -A "$work/empty")" ] || fail "failed start left files in a directory it did not create: $(ls -A "$work/empty")"
"$MPROF" record -q -o "$work/d" -- "$P" emit 100 || fail "the corrected command: exit $?"
check "corrected" "$work/d" 1 100

if [ $fails -gt 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "ok"
