# tests/lib_lttng.sh - sourced by the scripts that run a session daemon
# of their own (tests/t_probes_lttng.sh, tests/t_viewer_lttng.sh,
# tools/source/test/t_source_lttng.sh, bench/run.sh): start
# lttng-sessiond and wait until it answers, and stop it, with the
# consumer daemons it started, by PID.  The caller sets LTTNG_HOME (a
# private one keeps the session list its own) and calls
# lttng_sessiond_stop from its EXIT trap.
#
# The bench's session itself (channel, events, discarded count) is
# bench/lttng-session.sh's.

lttng_sessiond_pid=

# lttng_sessiond_start LOG [ARG...]: run `lttng-sessiond ARG...` in the
# background, its output in LOG, and poll (bounded, a readiness poll, not
# a timing assumption) until `lttng list` answers or the daemon ends.
# Sets lttng_sessiond_pid.  Returns 0 when the daemon answers, 1 when it
# does not (it is then still to be stopped with lttng_sessiond_stop).
lttng_sessiond_start() {
	local log=$1
	shift
	lttng-sessiond "$@" >"$log" 2>&1 &
	lttng_sessiond_pid=$!
	for _ in $(seq 100); do
		lttng list >/dev/null 2>&1 && break
		kill -0 "$lttng_sessiond_pid" 2>/dev/null || break
		sleep 0.1
	done
	lttng list >/dev/null 2>&1
}

# lttng_sessiond_stop: stop the daemon lttng_sessiond_start started, if
# any.  The consumer daemons are its children: it stops them when it gets
# SIGTERM; any left are ended by PID.
lttng_sessiond_stop() {
	local children c
	if [ -n "$lttng_sessiond_pid" ]; then
		children=$(pgrep -P "$lttng_sessiond_pid" 2>/dev/null || true)
		kill "$lttng_sessiond_pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$lttng_sessiond_pid" 2>/dev/null || break; sleep 0.1; done
		for c in $children; do kill "$c" 2>/dev/null || true; done
		lttng_sessiond_pid=
	fi
}
