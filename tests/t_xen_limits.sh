#!/usr/bin/env bash
# mprof share --xen / mprof collect --xen on the simulated Xen: the
# advertisement carries the polling interval (data/mprof/poll-ms) and the
# collector says which interval it uses (clamped to 10..60000 ms); share
# refuses a geometry above what a collector takes per guest.  The exact
# drain counts and the memory bound are in tests/unit/test_xen_limits.c.
set -uo pipefail
. "$(dirname "$0")/xen/lib.sh"

# ---- 1. poll-ms in the advertisement, honoured within bounds ----
for ask in 5 250; do
	"$MPROF" share --xen --sim "$X" --linger-ms 20000 --poll-ms $ask --name "poll$ask" -- \
		"$G" 10 "$work/p$ask.ready" wait "$work/p$ask.go" 10 &
	spid=$!; pids+=($spid)
	wait_for test -e "$work/p$ask.ready"
	id=$(domid_of "poll$ask")
	v=$(cat "$X/dom/$id/xs/data.mprof.poll-ms")
	[ "$v" = "$ask" ] || fail "--poll-ms $ask: data/mprof/poll-ms is '$v'"
	# Its first pass maps the guest (still running: it waits for go).
	start_collector "$work/c$ask.err" "poll$ask" -o "$work/out$ask" --exit-after 1
	touch "$work/p$ask.go"
	wait "$spid" || fail "share exited $?"
	wait "$cpid" || { fail "collect exited $?"; cat "$work/c$ask.err"; }
	case $ask in 5) want=10 ;; *) want=$ask ;; esac
	grep -q "domain $id (poll$ask): collecting .* every $want ms (data/mprof/poll-ms: $ask)" "$work/c$ask.err" ||
		{ fail "--poll-ms $ask: the collector does not say it drains every $want ms"; cat "$work/c$ask.err"; }
done

# ---- 2. share refuses what the guest side cannot advertise or a collector would refuse ----
"$MPROF" share --xen --sim "$X" --poll-ms 0 -- "$G" 1 2>"$work/s1.err"; rc=$?
[ "$rc" = 2 ] || fail "--poll-ms 0: exit $rc, expected 2"
grep -q -- "--poll-ms: 0 is not from 1 to 60000" "$work/s1.err" || fail "--poll-ms 0: $(cat "$work/s1.err")"
"$MPROF" share --xen --sim "$X" -t 300 -n 2 -- "$G" 1 2>"$work/s2.err"; rc=$?
[ "$rc" = 2 ] || fail "-t 300: exit $rc, expected 2"
grep -q "a collector takes at most 256 streams" "$work/s2.err" || fail "-t 300: $(cat "$work/s2.err")"

[ "$fails" = 0 ] && echo "t_xen_limits: ok"
exit $((fails > 0))
