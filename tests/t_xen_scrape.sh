#!/usr/bin/env bash
# mprof collect --xen: scraping open packets on demand (SIGUSR1 and
# --scrape-every), on the simulated grant table and XenStore.  A guest
# emits a few events that stay in its open packet and keeps running; after
# the request they are in the trace (mprof stats and babeltrace2 read them)
# while the guest still runs; when the packet later completes nothing is
# written twice (exact counts, every seq once, no packet out of order).
# Then the same across a collector restart right after a scrape: the next
# collector delivers only the rest of the packet (the reader's peek record
# in the guest's consumer page).
set -uo pipefail
. "$(dirname "$0")/xen/lib.sh"

# One packet of 16 KiB holds hundreds of xg.seq events: the first few stay
# in the open packet.
SHARE_OPTS="--linger-ms 20000 -t 2 -n 64 -p 16384"

# check_trace TRACE N WHAT: mprof stats agrees (N events, nothing lost,
# skipped or out of order), and babeltrace2 too.
check_trace() {
	local d=$1 n=$2 what=$3 f v
	v=$(stats_field "$d" events)
	[ "$v" = "$n" ] || fail "$what: mprof stats counts $v events, expected $n"
	for f in packets_lost invalid_packets packets_out_of_order events_discarded; do
		v=$(stats_field "$d" $f)
		[ "$v" = 0 ] || fail "$what: mprof stats: $f = $v, expected 0"
	done
	check_seq "$d" "$n" "$what"
}

# Wait for the collector's report of on-demand scrape number $2 in $1 and
# print the events it took.
scrapes_ge() { [ "$(grep -c "scraped on demand" "$1")" -ge "$2" ]; }
scraped() {
	local err=$1 k=$2
	wait_for scrapes_ge "$err" "$k" >&2 || return 1
	grep "scraped on demand" "$err" | sed -n "${k}p" | sed 's/.*scraped on demand: \([0-9]*\) events.*/\1/'
}

# ---- 1. SIGUSR1: the open packet's events now, the rest once, later ----
out=$work/out1
start_collector "$work/c1.err" --all -o "$out" --exit-after 1
start_guest scrapy "$out" 10 30000
d="$out/scrapy-$id"
prog=$(pgrep -P "$spid")
kill -USR1 "$cpid"
n=$(scraped "$work/c1.err" 1)
[ "$n" = 10 ] || { fail "SIGUSR1: the scrape took '$n' events, expected the open packet's 10"; cat "$work/c1.err"; }
kill -0 "$prog" 2>/dev/null || fail "the guest's program is not running any more after the scrape"
[ "$(cat "$X/dom/$id/xs/data.mprof.state")" = running ] || fail "the guest's state is not 'running' after the scrape"
# The trace is still being written (marked incomplete), and readable.
check_trace "$d" 10 "after SIGUSR1, guest running"
# A second request with nothing new adds nothing.
kill -USR1 "$cpid"
n=$(scraped "$work/c1.err" 2)
[ "$n" = 0 ] || fail "a second scrape with no new events took '$n' events, expected 0"
check_trace "$d" 10 "after a second SIGUSR1"
kill -0 "$prog" 2>/dev/null || fail "the guest's program is not running any more after the second scrape"
# The guest goes on: the scraped packet completes, many more follow.
touch "$work/scrapy.go"
wait "$spid" || fail "share exited $?"
wait "$cpid"; rc=$?
[ "$rc" = 0 ] || { fail "collect exited $rc"; cat "$work/c1.err"; }
[ -e "$d/.mprof-incomplete" ] && fail "$d is marked incomplete"
check_trace "$d" 30010 "SIGUSR1 then completion"
grep -q "1 on-demand scrapes\|2 on-demand scrapes" "$work/c1.err" || fail "the summary does not count the scrapes: $(tail -1 "$work/c1.err")"

# ---- 2. a collector restart right after a scrape: nothing twice ----
out=$work/out2
start_collector "$work/c2a.err" --all -o "$out"
start_guest restarty "$out" 25 5000
kill -USR1 "$cpid"
n=$(scraped "$work/c2a.err" 1)
[ "$n" = 25 ] || fail "restart: the scrape took '$n' events, expected 25"
kill -TERM "$cpid"; wait "$cpid"; rc=$?
[ "$rc" = 0 ] || { fail "first collector exited $rc on SIGTERM"; cat "$work/c2a.err"; }
start_collector "$work/c2b.err" restarty -o "$out" --exit-after 1
touch "$work/restarty.go"
wait "$spid" || fail "share exited $?"
wait "$cpid"; rc=$?
[ "$rc" = 0 ] || { fail "second collector exited $rc"; cat "$work/c2b.err"; }
e1=$(stats_field "$out/restarty-$id" events); e2=$(stats_field "$out/restarty-$id.2" events)
echo "restart after a scrape: first collector $e1 events, second $e2"
[ "$e1" = 25 ] || fail "restart: the first trace holds $e1 events, expected the 25 scraped"
[ "$e2" = 5000 ] || fail "restart: the second trace holds $e2 events, expected 5000 (the scraped 25 again?)"
check_seq "$out" 5025 "restart after a scrape (both traces)"

# ---- 3. --scrape-every: open packets reach the trace without a request ----
out=$work/out3
start_collector "$work/c3.err" --all -o "$out" --exit-after 1 --scrape-every 50
start_guest periodic "$out" 7 3000
d="$out/periodic-$id"
events_are() { [ "$(stats_field "$1" events)" = "$2" ]; }
wait_for events_are "$d" 7 || fail "--scrape-every: the open packet's 7 events never reached the trace"
check_trace "$d" 7 "--scrape-every, guest running"
touch "$work/periodic.go"
wait "$spid" || fail "share exited $?"
wait "$cpid"; rc=$?
[ "$rc" = 0 ] || { fail "collect --scrape-every exited $rc"; cat "$work/c3.err"; }
check_trace "$d" 3007 "--scrape-every then completion"

# ---- 4. bad values ----
"$MPROF" collect --xen --sim "$X" --all --scrape-every 0 -o "$work/out4" 2>"$work/c4.err"; rc=$?
[ "$rc" = 2 ] || fail "--scrape-every 0: exit $rc, expected 2"
grep -q -- "--scrape-every" "$work/c4.err" || fail "--scrape-every 0: $(cat "$work/c4.err")"

[ "$fails" = 0 ] && echo "t_xen_scrape: ok"
exit $((fails > 0))
