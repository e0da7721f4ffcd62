#!/usr/bin/env bash
# `mprof view --live`: the window follows a trace being written (follow
# mode of the trace source).  The writer (gen_viewer_trace live) writes
# the first part of the fixed trace and waits; the window shows it, with
# the view ending at the newest event; the test lets the writer go on;
# the window appends the rest and the view follows the end, where the
# major GC (7-9 ms) is drawn at the x range the printed viewport predicts.
# Synchronisation is by messages (the window's "events N" lines and the
# writer's stdin), never by sleeping.
set -euo pipefail
O=${O:-build}
MPROF=${MPROF:-$O/bin/mprof}
GEN=$O/tests/progs/gen_viewer_trace
PNG=$O/tests/progs/gen_viewer_png
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mprof-viewer-live.XXXXXX")
writer_pid=
viewer_pid=
cleanup() {
	[ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null
	[ -n "$viewer_pid" ] && kill "$viewer_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/../viewer/test/viewer_test_lib.sh"
viewer_need_xvfb

mkfifo "$tmp/go" "$tmp/ready" "$tmp/vout"
"$GEN" live "$tmp/trace" <"$tmp/go" >"$tmp/ready" &
writer_pid=$!
exec 3>"$tmp/go" 4<"$tmp/ready"
read -r line <&4
[ "$line" = ready ] || fail "writer said '$line'"

cat >"$tmp/script" <<SCRIPT
wait-events 5
print-viewport
print-lanes
screenshot $tmp/s0.png
wait-events 13
print-viewport
screenshot $tmp/s1.png
quit
SCRIPT
xvfb-run -a -s "-screen 0 1280x800x24" "$MPROF" view --live --size 1000x600 --script "$tmp/script" "$tmp/trace" \
	>"$tmp/vout" 2>"$tmp/verr" &
viewer_pid=$!
exec 5<"$tmp/vout"
out=()
while read -r line <&5; do
	out+=("$line")
	echo "$line"
	# The first part is on the screen: let the writer finish.
	if [[ $line == screenshot*s0.png ]]; then echo go >&3; fi
done
wait "$viewer_pid" || { cat "$tmp/verr"; fail "mprof view --live exited $?"; }
viewer_pid=
wait "$writer_pid" || fail "the writer failed"
writer_pid=

mapfile -t vps < <(printf '%s\n' "${out[@]}" | awk '$1 == "viewport" { print $2, $3, $4 }')
mapfile -t evs < <(printf '%s\n' "${out[@]}" | awk '$1 == "events" { print $2 }')
[ ${#vps[@]} -eq 2 ] || fail "expected 2 viewports, got ${#vps[@]}"
[ "${evs[0]}" -ge 5 ] && [ "${evs[0]}" -lt 13 ] || fail "first part: ${evs[0]} events"
[ "${evs[1]}" -eq 13 ] || fail "whole trace: ${evs[1]} events, expected 13"
t1a=$(echo "${vps[0]}" | cut -d' ' -f2); t1b=$(echo "${vps[1]}" | cut -d' ' -f2)
# Follow the end: the view ends just after the newest event (8 ms or less, then 10 ms).
[ "$t1a" -le 9000000 ] || fail "first view ends at $t1a ns, after the newest event"
[ "$t1b" -ge 10000000 ] && [ "$t1b" -le 11000000 ] || fail "the view did not follow the end: ends at $t1b ns"
lane0=$(printf '%s\n' "${out[@]}" | awk '$1 == "lane" && $2 == 0 { print $4 }')
xof() { awk -v t="$2" -v v="$1" 'BEGIN { split(v, a, " "); x = (t - a[1]) * a[3] / (a[2] - a[1]); if (x < 0) x = 0; if (x >= a[3]) x = a[3] - 1; printf "%d", x }'; }
read -r lo hi < <("$PNG" extent "$tmp/s1.png" $((lane0 + 14 + 7)) 213 94 0)
want_lo=$(xof "${vps[1]}" 7000000); want_hi=$(xof "${vps[1]}" 9000000)
{ [ $((lo - want_lo)) -ge -2 ] && [ $((lo - want_lo)) -le 2 ] && [ $((hi - want_hi)) -ge -2 ] && [ $((hi - want_hi)) -le 2 ]; } ||
	fail "gc.major after the second part: x [$lo, $hi], expected [$want_lo, $want_hi]"
read -r lo hi < <("$PNG" extent "$tmp/s0.png" $((lane0 + 14 + 7)) 213 94 0)
[ "$lo" -eq -1 ] || fail "gc.major drawn before it was written (x [$lo, $hi])"
echo "t_viewer_live: ok"
