#!/usr/bin/env bash
# "Which requests did GC delay": mprof stats joins the socket shim's
# request/response exchanges with the GC time of the same process
# (docs/PROBES.md, profile/analysis.h).  probe_gc_server (Boehm GC) serves
# 40 requests from its forked client and stalls requests 3, 17 and 30 with
# a forced collection; the report must name exactly those exchanges of the
# server's connection, none of the client's (another process), and count
# the GC time they absorbed.  Then a run with no stall: nothing delayed.
set -u
source "$(dirname "$0")/gc/lib.sh"
SRV=$O/tests/probes/probe_gc_server
gc_tmpdir
# A sanitized build: the preloaded shim loads before the program's ASan
# runtime, which ASan's link-order check refuses; the runtime is the
# program's all the same (both are built with it).
[ -n "${SANITIZE:-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

run() { # run NAME STALLS...
	local d=$gc_tmp/$1
	shift
	if ! "$MPROF" record -q --sockets -o "$d" -- "$SRV" 40 2000 "$@" >"$d.out" 2>"$d.err"; then
		echo "FAIL: mprof record --sockets $SRV 40 2000 $*"; cat "$d.err"; exit 1
	fi
	cat "$d.out"
	"$MPROF" stats --json "$d" >"$d.json" || { echo "FAIL: mprof stats --json $d"; exit 1; }
	"$MPROF" stats "$d" >"$d.txt" || { echo "FAIL: mprof stats $d"; exit 1; }
}

echo "== stalls at 3 17 30"
run stalled 3 17 30
d=$gc_tmp/stalled
sed -n '/^requests and GC/,$p' "$d.txt"
expect_eq "stalled requests reported by the program" "$(awk '$1 == "stalled" { printf "%s ", $2 }' "$d.out")" "3 17 30 "
expect_eq "collections in the serving loop = stalls" "$(awk '$1 == "collections" { print $2 }' "$d.out")" 3
expect_eq "connections (server side and client side)" "$(jq .net_gc.connections "$d.json")" 2
expect_eq "exchanges timed (40 on each side)" "$(jq .net_gc.exchanges "$d.json")" 80
expect_eq "unanswered" "$(jq .net_gc.unanswered "$d.json")" 0
expect_eq "delayed exchanges" "$(jq .net_gc.delayed "$d.json")" 3
srvpid=$(jq -r '[.net_gc.delayed_exchanges[].trace] | unique | join(" ")' "$d.json")
expect_eq "the delayed exchanges are the server's (GC of the same process only)" \
	"$(jq -r '[.net_gc.delayed_exchanges[].trace] | unique | length' "$d.json")" 1
expect_eq "server trace: its connection's exchanges" \
	"$(jq --arg t "$srvpid" '[.net_gc.per_connection[] | select(.trace == $t) | .exchanges] | add' "$d.json")" 40
expect_eq "which exchanges were delayed (exchange numbers)" \
	"$(jq -r '[.net_gc.delayed_exchanges[].index] | join(" ")' "$d.json")" "3 17 30"
expect_eq "each delayed exchange absorbed GC time" \
	"$(jq '[.net_gc.delayed_exchanges[] | select(.gc_ns > 0 and .gc_ns <= .latency_ns)] | length' "$d.json")" 3
expect_eq "absorbed GC time = the sum over the delayed exchanges" \
	"$(jq '[.net_gc.delayed_exchanges[].gc_ns] | add' "$d.json")" "$(jq .net_gc.gc_ns "$d.json")"
expect_cmp "absorbed GC time within the process's GC time" \
	"$(jq .net_gc.gc_ns "$d.json")" -le "$(jq .gc.gc_ns "$d.json")"
expect_eq "latency split: clean + delayed = all" \
	"$(jq '.net_gc.latency.clean.count + .net_gc.latency.delayed.count' "$d.json")" "$(jq .net_gc.latency.all.count "$d.json")"
python3 - "$d.json" "$(dirname "$0")/../docs/stats-json.schema.json" <<'PY' || gc_failed=1
import json, sys
try:
    import jsonschema
except ImportError:
    sys.exit("FAIL: python3 jsonschema is missing (python3-jsonschema: make deps)")
jsonschema.Draft202012Validator(json.load(open(sys.argv[2]))).validate(json.load(open(sys.argv[1])))
print("ok: the report is valid against docs/stats-json.schema.json")
PY
for i in 3 17 30; do
	expect_eq "text report lists exchange #$i" "$(grep -c "conn [0-9]* #$i: " "$d.txt")" 1
done

echo "== no stall"
run calm
d=$gc_tmp/calm
expect_eq "no stall: exchanges timed" "$(jq .net_gc.exchanges "$d.json")" 80
expect_eq "no stall: delayed exchanges" "$(jq .net_gc.delayed "$d.json")" 0
expect_eq "no stall: absorbed GC time" "$(jq .net_gc.gc_ns "$d.json")" 0
gc_finish
