#!/usr/bin/env bash
# mprof collect --xen / mprof share --xen on the simulated grant table and
# XenStore (collectors/xen/sim.c): discovery with --all, several guests at
# once, a guest crash (on_crash=preserve: the scrape recovers every
# completed event), a collector restart (nothing lost in discard mode), a
# guest restart (a new trace), and a malformed advertisement (refused,
# named, exit 3).  Every check is on exact counts and values.
set -uo pipefail
. "$(dirname "$0")/xen/lib.sh"

# Rings big enough that a guest never fills them between two polls (then
# every event must arrive); --linger-ms bounds a share whose collector failed.
SHARE_OPTS="--linger-ms 20000 -t 2 -n 128"


# ---- 1. discovery (--all), four guests at once, exact counts and values ----
out=$work/out1
start_collector "$work/c1.err" --all -o "$out" --exit-after 4
spids=()
for g in a b c d; do
	"$MPROF" share --xen --sim "$X" $SHARE_OPTS --name "guest-$g" -- "$G" 20000 &
	spids+=($!)
done
pids+=("${spids[@]}")
for p in "${spids[@]}"; do wait "$p" || fail "share exited $?"; done
wait "$cpid"; rc=$?
[ "$rc" = 0 ] || { fail "collect --all exited $rc"; cat "$work/c1.err"; }
n=$(ls -d "$out"/guest-*-* 2>/dev/null | wc -l)
[ "$n" = 4 ] || fail "four guests: $n trace directories: $(ls "$out")"
for d in "$out"/guest-*-*; do
	[ -e "$d/.mprof-incomplete" ] && fail "$d is marked incomplete"
	e=$(stats_field "$d" events)
	[ "$e" = 20000 ] || { fail "$d: mprof stats counts $e events, expected 20000"; "$MPROF" stats "$d" | grep -A3 lost:; }
	check_seq "$d" 20000 "four guests: ${d##*/}"
	grep -q 'hostname = "guest-' "$d/metadata" || fail "$d: the domain name is not the trace's hostname"
	grep -q 'cmdline = "xen domid=' "$d/metadata" || fail "$d: the domid is not in the trace's env"
done
for g in a b c d; do
	id=$(domid_of "guest-$g")
	[ -d "$out/guest-$g-$id" ] || fail "guest-$g: no trace named <name>-<domid> (guest-$g-$id)"
	[ "$(cat "$X/dom/$id/xs/data.mprof.state")" = collected ] || fail "guest-$g: state is not 'collected'"
done

# ---- 2. guest crash (on_crash=preserve): every completed event scraped ----
out=$work/out2
start_collector "$work/c2.err" --all -o "$out" --exit-after 1
"$MPROF" share --xen --sim "$X" $SHARE_OPTS --name crashy -- "$G" 7777 "$work/crash.ready" hang &
spid=$!; pids+=($spid)
wait_for test -e "$work/crash.ready"
id=$(domid_of crashy)
# The domain crashes: nothing in it runs any more (not even mprof share,
# which would say "done"); its memory stays.
prog=$(pgrep -P "$spid") # the program share started
kill -9 "$spid"; wait "$spid" 2>/dev/null
[ -n "$prog" ] && kill -9 "$prog"
echo crashed > "$X/dom/$id/state"
wait "$cpid"; rc=$?
[ "$rc" = 0 ] || { fail "collect after a crash exited $rc"; cat "$work/c2.err"; }
d="$out/crashy-$id"
e=$(stats_field "$d" events)
[ "$e" = 7777 ] || fail "crash: mprof stats counts $e events, expected 7777"
check_seq "$d" 7777 "crash"
grep -q "scraped" "$work/c2.err" || fail "crash: the collector did not report its scrape"
# A one-shot collector after that one took the crashed guest: its reader
# finds every packet taken (the consumer positions are in the guest's
# pages), so nothing is delivered twice.
"$MPROF" collect --xen --sim "$X" --once crashy -o "$work/out2b" 2>"$work/c2b.err" || fail "collect --once exited $?"
e=$(stats_field "$work/out2b/crashy-$id" events)
[ "$e" = 0 ] || { fail "collect --once after the crash was taken: $e events, expected 0 (none twice)"; cat "$work/c2b.err"; }

# ---- 3. collector restart: resumes from the consumer positions, loses nothing ----
out=$work/out3
start_collector "$work/c3a.err" --all -o "$out"
start_guest phased "$out" 30000 30000
kill -TERM "$cpid"; wait "$cpid"; rc=$?
[ "$rc" = 0 ] || { fail "first collector exited $rc on SIGTERM"; cat "$work/c3a.err"; }
[ -e "$out/phased-$id/.mprof-incomplete" ] && fail "restart: the first trace is marked incomplete"
start_collector "$work/c3b.err" phased -o "$out" --exit-after 1
touch "$work/phased.go"
wait "$spid"; rc=$?
[ "$rc" = 0 ] || fail "share exited $rc"
wait "$cpid"; rc=$?
[ "$rc" = 0 ] || { fail "second collector exited $rc"; cat "$work/c3b.err"; }
[ -d "$out/phased-$id.2" ] || fail "restart: no second trace phased-$id.2: $(ls "$out")"
e1=$(stats_field "$out/phased-$id" events); e2=$(stats_field "$out/phased-$id.2" events)
echo "restart: first collector $e1 events, second $e2"
[ "$((e1 + e2))" = 60000 ] || fail "restart: $e1 + $e2 events, expected 60000"
[ "$e1" -gt 0 ] && [ "$e2" -gt 0 ] || fail "restart: one collector took nothing ($e1, $e2)"
# The packets before the restart are in the first trace, not lost: neither
# trace may report lost packets or loss gaps.
for t in "$out/phased-$id" "$out/phased-$id.2"; do
	for k in packets_lost loss_gaps; do
		v=$(stats_field "$t" $k)
		[ "$v" = 0 ] || fail "restart: $t reports $k $v"
	done
done
check_seq "$out" 60000 "restart (both traces)"

# ---- 4. guest restart: a new domid, a new trace ----
out=$work/out4
start_collector "$work/c4.err" --all -o "$out" --exit-after 2
"$MPROF" share --xen --sim "$X" $SHARE_OPTS --name again -- "$G" 100 || fail "share (first boot) failed"
"$MPROF" share --xen --sim "$X" $SHARE_OPTS --name again -- "$G" 200 || fail "share (second boot) failed"
wait "$cpid"
n=$(ls -d "$out"/again-* 2>/dev/null | wc -l)
[ "$n" = 2 ] || fail "guest restart: $n traces, expected 2: $(ls "$out")"
ls -d "$out"/again-* | while read -r d; do
	e=$(stats_field "$d" events); [ "$e" = 100 ] || [ "$e" = 200 ] || echo "FAIL: $d: $e events"
done | grep FAIL && fails=$((fails + 1))

# ---- 5. a malformed or unmappable advertisement: refused, named, exit 3 ----
mkdir -p "$X/dom/900/xs"
echo -n evil > "$X/dom/900/name"; echo -n running > "$X/dom/900/state"
for kv in layout=1 pages=6 rw-pages=3,1 refs=8,9,x,11,12,13 poll-ms=100 state=running; do
	echo -n "${kv#*=}" > "$X/dom/900/xs/data.mprof.${kv%%=*}"
done
"$MPROF" collect --xen --sim "$X" --once evil -o "$work/out5" 2>"$work/c5.err"; rc=$?
cat "$work/c5.err"
[ "$rc" = 3 ] || fail "malformed advertisement: exit $rc, expected 3"
grep -q "mprof collect: domain 900 (evil): data/mprof/refs: ref 2: 'x' is not a grant ref" "$work/c5.err" ||
	fail "malformed advertisement: the message does not name the domain and the key"
[ "$(ls "$work/out5" | wc -l)" = 0 ] || fail "malformed advertisement: a trace was made"
# Well-formed, but a ref not granted (901), or the consumer page granted
# read-only (902): the mapping is refused, named, exit 3, no trace.
for d in 901 902; do
	mkdir -p "$X/dom/$d/xs"
	echo -n "bad$d" > "$X/dom/$d/name"; echo -n running > "$X/dom/$d/state"
	: > "$X/dom/$d/grants"; truncate -s $((6 * 4096)) "$X/dom/$d/grants"
	python3 - "$X/dom/$d/grants.tab" "$d" <<'PY'
import struct, sys
d = int(sys.argv[2])
# {ref, page, writable} for refs 8..13; 901 lacks ref 13, 902 grants page 3 read-only.
rows = [(8 + i, i, 1 if (i == 3 and d == 901) else 0) for i in range(6) if not (d == 901 and i == 5)]
open(sys.argv[1], "wb").write(b"".join(struct.pack("<III", *r) for r in rows))
PY
	for kv in layout=1 pages=6 rw-pages=3,1 refs=8,9,10,11,12,13 poll-ms=100 state=running; do
		echo -n "${kv#*=}" > "$X/dom/$d/xs/data.mprof.${kv%%=*}"
	done
	"$MPROF" collect --xen --sim "$X" --once "bad$d" -o "$work/out5.$d" 2>"$work/c5.$d.err"; rc=$?
	[ "$rc" = 3 ] || fail "domain $d: exit $rc, expected 3: $(cat "$work/c5.$d.err")"
	[ "$(ls "$work/out5.$d" 2>/dev/null | wc -l)" = 0 ] || fail "domain $d: a trace was made"
done
grep -q "domain 901 (bad901).*ref 13 (page 5) is not granted" "$work/c5.901.err" ||
	fail "ungranted ref: $(cat "$work/c5.901.err")"
grep -q "domain 902 (bad902).*ref 11 (page 3) is granted read-only" "$work/c5.902.err" ||
	fail "read-only consumer page: $(cat "$work/c5.902.err")"
# The seed's key alone (legacy): read, rw pages found from the header.
"$MPROF" collect --xen --sim "$X" --once --scrape nosuch -o "$work/out6" 2>"$work/c6.err"; rc=$?
[ "$rc" = 2 ] || fail "unknown domain: exit $rc, expected 2"
grep -q "no domain named 'nosuch'" "$work/c6.err" || fail "unknown domain: $(cat "$work/c6.err")"

[ "$fails" = 0 ] && echo "t_xen_sim: ok"
exit $((fails > 0))
