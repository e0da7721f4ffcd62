#!/usr/bin/env bash
# The TCP vocabulary's LTTng-UST backend (probes/lttng): the socket shim
# built with -DMPROF_TCP_LTTNG (libmprof_sockets_lttng.so) emits to an
# LTTng session instead of an mprof region.  The test starts its own
# lttng-sessiond (private LTTNG_HOME; stopped by PID, with the consumer
# daemons it started), records probe_net (an epoll server and 3 forked
# clients; liblttng-ust-fork.so preloaded, as LTTng-UST needs for fork
# without exec), and reads the events back with babeltrace2: connections,
# calls and bytes equal what the programs report, each data call's start
# is before its event (both CLOCK_MONOTONIC), and the session discarded
# nothing.  As root, a session daemon that already serves
# /var/run/lttng is used (and left alone), as bench/run.sh does.
set -u
source "$(dirname "$0")/gc/lib.sh"
NET=$O/tests/probes/probe_net
SHIM=$O/lib/mprof/libmprof_sockets_lttng.so
gc_tmpdir
# A sanitized build: the preloaded shim loads before the program's ASan
# runtime, which ASan's link-order check refuses; the runtime is the
# program's all the same (both are built with it).
[ -n "${SANITIZE:-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
[ -f "$SHIM" ] || { echo "FAIL: $SHIM not built (pkg-config lttng-ust)"; exit 1; }
fork_lib=$(ldconfig -p | awk '/liblttng-ust-fork\.so\.1 / { print $NF; exit }')
[ -n "$fork_lib" ] || { echo "FAIL: liblttng-ust-fork.so.1 not found"; exit 1; }

export LTTNG_HOME=$gc_tmp/home
mkdir -p "$LTTNG_HOME"
source "$(dirname "$0")/lib_lttng.sh"
stop_sessiond() {
	lttng_sessiond_stop
	gc_cleanup
}
trap stop_sessiond EXIT
if lttng list >/dev/null 2>&1; then
	echo "note: a session daemon was already running; using it"
else
	lttng_sessiond_start "$gc_tmp/sessiond.log" ||
		{ echo "FAIL: lttng-sessiond did not start:"; cat "$gc_tmp/sessiond.log"; exit 1; }
	echo "lttng-sessiond started (pid $lttng_sessiond_pid)"
fi
session=mprof-probes-$$
lttng create "$session" --output="$gc_tmp/trace" >/dev/null || { echo "FAIL: lttng create"; exit 1; }
lttng enable-channel --userspace --session="$session" --discard --subbuf-size=1M --num-subbuf=8 tcp >/dev/null
lttng enable-event --userspace --session="$session" --channel=tcp 'mprof_tcp:*' >/dev/null
lttng start "$session" >/dev/null
LD_PRELOAD="$fork_lib:$SHIM" "$NET" 3 25 3000 >"$gc_tmp/out" 2>"$gc_tmp/err"
rc=$?
lttng stop "$session" >/dev/null
discarded=$(lttng list "$session" | awk '/Discarded events:/ { n += $3 } END { print n + 0 }')
lttng destroy "$session" >/dev/null
cat "$gc_tmp/out"
expect_eq "probe_net under the LTTng shim: exit status" "$rc" 0
expect_eq "errno through the shim" "$(awk '$1 == "errno_checks" { print $2 }' "$gc_tmp/out")" ok
expect_eq "events the session discarded" "$discarded" 0
babeltrace2 --clock-cycles "$gc_tmp/trace" >"$gc_tmp/bt" 2>"$gc_tmp/bt.err" || { echo "FAIL: babeltrace2:"; cat "$gc_tmp/bt.err"; exit 1; }
awk '
function fld(k,   i, v) { for (i = 1; i < NF; i++) if ($i == k && $(i + 1) == "=") { v = $(i + 2); sub(/[,}]$/, "", v); return v } return "" }
{ for (i = 1; i <= NF; i++) if ($i ~ /^mprof_tcp:/) { n = $i; sub(/:$/, "", n); ev[n]++
	# start (CLOCK_MONOTONIC, ns, as the session clock) before the event.
	if (n == "mprof_tcp:sock_write" || n == "mprof_tcp:sock_read") {
		ts = $1; gsub(/[^0-9]/, "", ts)
		if (fld("start") + 0 <= 0 || fld("start") + 0 > ts + 0) start_bad++
	}
	if (n == "mprof_tcp:sock_write" && fld("bytes") > 0) wb += fld("bytes")
	if (n == "mprof_tcp:sock_read" && fld("bytes") > 0) rb += fld("bytes")
	if (n == "mprof_tcp:sock_open" && fld("err") == 0) opened[fld("role")]++
	break } }
END { for (n in ev) print n, ev[n]; print "write_bytes", wb + 0; print "read_bytes", rb + 0; print "start_bad", start_bad + 0
	print "opened.0", opened[0] + 0; print "opened.1", opened[1] + 0 }' "$gc_tmp/bt" >"$gc_tmp/facts"
cat "$gc_tmp/facts"
f() { awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' "$gc_tmp/facts"; }
sum() { awk -v k="$1" '$1 == "client" || $1 == "server" { for (i = 2; i < NF; i++) if ($i == k) s += $(i + 1) } END { print s + 0 }' "$gc_tmp/out"; }
expect_eq "client connections (sock_open, role 0)" "$(f opened.0)" 3
expect_eq "server connections (sock_open, role 1)" "$(f opened.1)" "$(sum accepted)"
expect_eq "bytes written (all processes)" "$(f write_bytes)" $(($(sum sent_bytes) + $(sum wrote_bytes)))
expect_eq "bytes read (all processes)" "$(f read_bytes)" $(($(sum received_bytes) + $(sum read_bytes)))
expect_eq "write calls" "$(f mprof_tcp:sock_write)" $(($(sum sends) + $(sum writes)))
expect_eq "read calls" "$(f mprof_tcp:sock_read)" $(($(sum recvs) + $(sum reads)))
expect_eq "sock_connect spans: begins = ends" "$(f mprof_tcp:sock_connect_begin)" "$(f mprof_tcp:sock_connect_end)"
expect_eq "data calls whose start is 0 or after their end" "$(f start_bad)" 0
gc_finish
