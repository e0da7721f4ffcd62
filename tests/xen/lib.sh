# tests/xen/lib.sh - what the simulated-Xen test scripts share (sourced by
# tests/t_xen_sim.sh, t_xen_scrape.sh, t_xen_limits.sh; they get $O and
# $MPROF).  Sets $work (removed at exit, with every process in pids[]
# killed), $G (the xen_guest program), $X (the simulated Xen), and fail()
# counts into $fails.
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
G=$(cd "$O/tests/progs" && pwd)/xen_guest
X=$work/xen
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Poll (bounded: 60 s) until a command succeeds.
wait_for() {
	local i
	for ((i = 0; i < 1200; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	echo "timed out waiting for: $*"
	return 1
}

# start_collector ERR ARGS...: a collector on $X in the background ($cpid),
# once its first pass is done.
start_collector() {
	local err=$1; shift
	"$MPROF" collect --xen --sim "$X" "$@" 2>"$err" &
	cpid=$!; pids+=($cpid)
	wait_for grep -q "mprof collect: watching" "$err"
}

# The domid of the simulated domain named $1.
domid_of() { grep -lx "$1" "$X"/dom/*/name 2>/dev/null | head -1 | sed 's|.*/dom/\([0-9]*\)/name|\1|'; }

# stats_field TRACE FIELD: one number from mprof stats --json.
stats_field() { "$MPROF" stats --json "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"; }

# check_seq TRACE N WHAT: babeltrace2 reads xg.seq 0..N-1 in TRACE (or a
# directory of traces), each once, with check = seq * 3 + 7.
check_seq() {
	local dir=$1 n=$2 what=$3 out
	out=$(babeltrace2 "$dir" 2>&1 | python3 -c '
import re, sys
n = int(sys.argv[1]); seen = {}; bad = 0
for line in sys.stdin:
    m = re.search(r"xg\.seq: .*\{ seq = (\d+), check = (\d+) \}", line)
    if not m: continue
    s, c = int(m.group(1)), int(m.group(2))
    if c != s * 3 + 7: bad += 1
    seen[s] = seen.get(s, 0) + 1
missing = [s for s in range(n) if s not in seen]
dups = [s for s, k in seen.items() if k > 1]
extra = [s for s in seen if s >= n]
print("events=%d missing=%d dup=%d extra=%d badcheck=%d first_missing=%s first_dup=%s" % (sum(seen.values()), len(missing), len(dups), len(extra), bad, missing[:3], sorted(dups)[:3]))
sys.exit(0 if not missing and not dups and not extra and not bad else 1)
' "$n") || fail "$what: $out (expected seq 0..$((n - 1)) once each)"
	echo "$what: $out"
}

# start_guest NAME OUT N M: `mprof share` runs xen_guest N READY wait GO M
# in the background ($spid, with $SHARE_OPTS); returns once the guest
# emitted its N events and the collector writing under OUT made its trace
# ($id: the domid).  touch "$work/NAME.go" lets it emit M more and end.
start_guest() {
	local name=$1 out=$2 n=$3 m=$4
	"$MPROF" share --xen --sim "$X" $SHARE_OPTS --name "$name" -- "$G" "$n" "$work/$name.ready" wait \
		"$work/$name.go" "$m" &
	spid=$!; pids+=($spid)
	wait_for test -e "$work/$name.ready"
	id=$(domid_of "$name")
	wait_for test -e "$out/$name-$id/metadata"
}
