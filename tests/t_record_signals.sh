#!/usr/bin/env bash
# mprof record and signals (docs/mprof.1, SIGNALS):
#  - SIGHUP, SIGUSR1 (and the others record catches) sent to record are
#    forwarded to the program once each; record waits for it and writes a
#    complete trace; the program starts with SIGPIPE at its default;
#  - SIGTERM forwarded: the program dies of it, record exits 128+15 with
#    the trace complete;
#  - after the program has exited, SIGINT stops the recording of the
#    processes it left running: their traces are written, record says they
#    keep running untraced;
#  - record failing mid-run (a trace it cannot write) stops the program
#    with SIGTERM and says so, names what keeps running, and leaves the
#    recording and the open traces marked incomplete (exit 4).
# Synchronised through fifos; a read timeout only guards against a hang.
set -uo pipefail
work=$(mktemp -d)
export TMPDIR=$work # record's private socket directory too
sleeper=
trap '[ -n "$sleeper" ] && kill -KILL "$sleeper" 2>/dev/null; rm -rf "$work"' EXIT
P=$(cd "$O/tests/progs" && pwd)/rec_procs
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
events() { babeltrace2 "$1" | grep -c "$2"; }

# readline FD PATTERN: read lines from FD until one matches; prints it.
readline() {
	local line
	while IFS= read -r -t 120 -u "$1" line; do
		echo "    < $line" >&2
		if [[ $line =~ $2 ]]; then echo "$line"; return 0; fi
	done
	return 1
}

echo "== SIGUSR1 then SIGHUP to record: forwarded once each; the trace is complete"
mkfifo "$work/out1"
exec 3<>"$work/out1"
"$MPROF" record -o "$work/hup" -- "$P" signal 500 >&3 2>"$work/hup.err" &
rec=$!
readline 3 '^ready' >/dev/null || fail "the program never got ready"
kill -USR1 "$rec"
readline 3 '^got signal' | grep -q "got signal 10" || fail "SIGUSR1 was not forwarded"
kill -HUP "$rec"
readline 3 '^got signal' | grep -q "got signal 1$" || fail "SIGHUP was not forwarded"
readline 3 '^sigpipe' | grep -q "sigpipe default" || fail "the program did not start with SIGPIPE at its default"
wait "$rec"
rc=$?
exec 3>&-
cat "$work/hup.err"
[ $rc = 0 ] || fail "record exit $rc after SIGHUP, expected the program's 0"
t=$(echo "$work"/hup/rec_procs-*)
[ -d "$t" ] || fail "no trace"
[ -z "$(find "$work/hup" -name .mprof-incomplete)" ] || fail "the trace is marked incomplete"
n=$(events "$t" 'procs.tick'); [ "$n" = 500 ] || fail "$n procs.tick events, expected 500"
s=$(babeltrace2 "$t" | grep 'procs.signal' | sed 's/.*signo = \([0-9]*\).*/\1/' | tr '\n' ' ')
[ "$s" = "10 1 " ] || fail "signals in the trace: '$s', expected '10 1 ' (each once)"

echo "== SIGTERM to record: forwarded; the program dies of it; exit 143, trace complete"
mkfifo "$work/out2"
exec 3<>"$work/out2"
"$MPROF" record -q -o "$work/term" -- "$P" signal 300 >&3 2>"$work/term.err" &
rec=$!
readline 3 '^ready' >/dev/null || fail "the program never got ready"
kill -TERM "$rec"
wait "$rec"
rc=$?
exec 3>&-
cat "$work/term.err"
[ $rc = 143 ] || fail "record exit $rc after SIGTERM, expected 128+15"
t=$(echo "$work"/term/rec_procs-*)
n=$(events "$t" 'procs.tick'); [ "$n" = 300 ] || fail "$n procs.tick events, expected 300"
[ -z "$(find "$work/term" -name .mprof-incomplete)" ] || fail "the trace is marked incomplete"

echo "== SIGINT after the program exited: stops the recording of what it left running"
mkfifo "$work/out3" "$work/err3"
exec 3<>"$work/out3" 4<>"$work/err3"
"$MPROF" record -o "$work/left" -- sh -c "$P sleep &" >&3 2>&4 &
rec=$!
sleeper=$(readline 3 '^ready' | awk '{print $2}')
[ -n "$sleeper" ] || fail "the background process never got ready"
readline 4 'exited; waiting for the processes it left running' >/dev/null || fail "record did not say it waits"
kill -INT "$rec"
wait "$rec"
rc=$?
readline 4 "pid $sleeper \\(rec_procs\\) keeps running untraced" >/dev/null || fail "record did not say what keeps running"
exec 4>&-
[ $rc = 0 ] || fail "record exit $rc, expected sh's 0"
kill -0 "$sleeper" 2>/dev/null || fail "the background process did not keep running"
t=$work/left/rec_procs-$sleeper
[ -d "$t" ] || fail "no trace $t"
n=$(events "$t" 'procs.tick'); [ "$n" = 10 ] || fail "$n procs.tick events, expected 10"
[ ! -e "$work/left/.mprof-incomplete" ] || fail "the recording is marked incomplete"
kill -TERM "$sleeper"
exec 3>&-

echo "== record fails mid-run: the program is stopped, not left running untraced; traces stay marked incomplete"
# Two processes: a sleeper (its trace stays) and the program record started,
# whose trace directory is removed; at SIGUSR1 it fills several 4 KiB
# packets (none was complete before), so record must create its first
# stream file in the removed directory, which fails.
mkfifo "$work/out4"
exec 3<>"$work/out4"
"$MPROF" record -s 4K -o "$work/fail" -- sh -c "$P sleep & exec $P signal 100 2000" >&3 2>"$work/fail.err" &
rec=$!
a=$(readline 3 '^ready'); b=$(readline 3 '^ready')
sleeper=$(echo "$a $b" | grep -o 'ready [0-9][0-9]*' | awk '{print $2}')
[ -n "$sleeper" ] || fail "the background process never got ready"
victim=$(ls "$work/fail" | grep -v "rec_procs-$sleeper\$" | sed -n 's/^rec_procs-//p')
[ -n "$victim" ] || fail "no trace for the program"
rm -rf "$work/fail/rec_procs-$victim"
kill -USR1 "$rec"
# A bound, not a synchronisation: should record never fail, the test fails
# in a minute instead of hanging until the runner's timeout.
( sleep 60; kill -KILL "$rec" 2>/dev/null ) &
watchdog=$!
wait "$rec"
rc=$?
kill "$watchdog" 2>/dev/null
exec 3>&-
cat "$work/fail.err"
[ $rc = 4 ] || fail "record exit $rc after failing, expected 4"
grep -q "stopping .*rec_procs (pid $victim) with SIGTERM: it would run untraced" "$work/fail.err" ||
	fail "record did not say it stopped the program"
kill -0 "$victim" 2>/dev/null && fail "the program (pid $victim) still runs"
grep -q "pid $sleeper (rec_procs) keeps running untraced; its trace .*rec_procs-$sleeper is incomplete" "$work/fail.err" ||
	fail "record did not name the process that keeps running"
[ -e "$work/fail/.mprof-incomplete" ] || fail "the recording is not marked incomplete"
[ -e "$work/fail/rec_procs-$sleeper/.mprof-incomplete" ] || fail "the sleeper's trace is not marked incomplete"
kill -TERM "$sleeper"

if [ $fails -gt 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "ok"
