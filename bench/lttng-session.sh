#!/usr/bin/env bash
# bench/lttng-session.sh DIR start|stop [EVENTS] - the LTTng session the
# emit benchmark measures against (emit --lttng-hook "bash bench/lttng-session.sh DIR"),
# and bench/run.sh's bytes per event of bench/evsize_lttng.
#
#   start  create a session writing under DIR, with one user-space channel
#          in discard mode of 16 sub-buffers of 1 MiB per CPU (16 MiB, the
#          ring mprof is given), enable EVENTS (comma-separated; default
#          mprof_bench:emit) and start it.
#   stop   stop it (which waits for the consumer to flush), print
#          "discarded N" (the channel's discarded-event count, the figure
#          that keeps the comparison honest), destroy it and delete its
#          trace.
#
# A session daemon must be running (bench/run.sh starts one); LTTNG_HOME
# is honoured, so the session list stays private to the run.
set -euo pipefail

dir=$1
verb=$2
events=${3:-mprof_bench:emit}
mkdir -p "$dir"
session="mprof-bench-$(basename "$dir")"

case "$verb" in
start)
	seq=$(( $(cat "$dir/seq" 2>/dev/null || echo 0) + 1 ))
	echo "$seq" >"$dir/seq"
	lttng create "$session" --output="$dir/trace-$seq" >/dev/null
	lttng enable-channel --userspace --session="$session" --buffers-uid --discard \
		--subbuf-size=1M --num-subbuf=16 bench >/dev/null
	lttng enable-event --userspace --session="$session" --channel=bench "$events" >/dev/null
	lttng start "$session" >/dev/null
	;;
stop)
	seq=$(cat "$dir/seq")
	lttng stop "$session" >/dev/null
	# "Discarded events: N" per channel in the listing's statistics.
	discarded=$(lttng list "$session" | awk '/Discarded events:/ { n += $3 } END { print n + 0 }')
	lost=$(lttng list "$session" | awk '/Lost packets:/ { n += $3 } END { print n + 0 }')
	lttng destroy "$session" >/dev/null
	bytes=$(du -sb "$dir/trace-$seq" 2>/dev/null | awk '{ print $1 }')
	rm -rf "$dir/trace-$seq"
	echo "discarded $discarded"
	echo "lost_packets $lost"
	echo "trace_bytes ${bytes:-0}"
	;;
*)
	echo "usage: $0 DIR start|stop [EVENTS]" >&2
	exit 2
	;;
esac
