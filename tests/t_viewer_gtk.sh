#!/usr/bin/env bash
# The GTK viewer under Xvfb (`mprof view`, mprof-view): it opens the fixed
# trace (viewer/test/gen_trace.h), takes synthetic zoom (scroll), pan
# (drag), a key (fit) and a selection, and screenshots read back from the X
# server show the GC spans in their colours at the x ranges the printed
# viewport predicts, the lanes non-blank where print-lanes says they are,
# the selection statistics and search results in the panel; a corrupt trace
# opens an error dialog (exit 3), never a crash.
set -euo pipefail
O=${O:-build}
MPROF=${MPROF:-$O/bin/mprof}
GEN=$O/tests/progs/gen_viewer_trace
PNG=$O/tests/progs/gen_viewer_png
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mprof-viewer-gtk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../viewer/test/viewer_test_lib.sh"
viewer_need_xvfb

view() { xvfb-run -a -s "-screen 0 1280x800x24" "$MPROF" view --size 1000x600 "$@"; }

"$GEN" fixed "$tmp/fixed"
cat >"$tmp/script" <<SCRIPT
print-viewport
print-lanes
screenshot $tmp/s0.png
scroll 250 100 up
print-viewport
screenshot $tmp/s1.png
drag 500 100 400 100
print-viewport
screenshot $tmp/s2.png
key f
print-viewport
select 0 5000000
print-selection
search request B
print-status
next
print-status
search gc\\.m
print-status
next
print-status
find work
print-status
print-viewport
key n
print-status
key n
print-status
quit
SCRIPT
view --script "$tmp/script" "$tmp/fixed" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/out" "$tmp/err"; fail "mprof view exited $?"; }
cat "$tmp/out"

mapfile -t vps < <(awk '$1 == "viewport" { print $2, $3, $4 }' "$tmp/out")
[ ${#vps[@]} -eq 5 ] || fail "expected 5 viewports, got ${#vps[@]}"
lane0=$(awk '$1 == "lane" && $2 == 0 { print $4 }' "$tmp/out")
lane1=$(awk '$1 == "lane" && $2 == 1 { print $4, $6 }' "$tmp/out")
lane2=$(awk '$1 == "lane" && $2 == 2 { print $4, $6 }' "$tmp/out")
[ -n "$lane0" ] || fail "no lane 0 in print-lanes"

# x of time t (ns) in viewport "t0 t1 width".
xof() { awk -v t="$2" -v v="$1" 'BEGIN { split(v, a, " "); printf "%d", (t - a[1]) * a[3] / (a[2] - a[1]) }'; }
# The span of colour rgb along row y of a screenshot is [x(t0), x(t1)] within 2 pixels.
check_span() { # png viewport y "r g b" t0 t1 what
	local got lo hi want_lo want_hi
	got=$("$PNG" extent "$1" "$3" $4)
	lo=${got% *}; hi=${got#* }
	want_lo=$(xof "$2" "$5"); want_hi=$(xof "$2" "$6")
	[ "$want_lo" -lt 0 ] && want_lo=0
	local w=${2##* }; [ "$want_hi" -ge "$w" ] && want_hi=$((w - 1))
	if [ "$lo" -lt $((want_lo - 2)) ] || [ "$lo" -gt $((want_lo + 2)) ] || \
	   [ "$hi" -lt $((want_hi - 2)) ] || [ "$hi" -gt $((want_hi + 2)) ]; then
		fail "$7 in $(basename "$1"): drawn over x [$lo, $hi], expected [$want_lo, $want_hi] (viewport $2)"
	fi
	echo "ok: $7 in $(basename "$1") at x [$lo, $hi]"
}
minor="230 159 0"; major="213 94 0"
for i in 0 1 2; do
	png=$tmp/s$i.png
	[ -f "$png" ] || fail "no screenshot s$i"
	check_span "$png" "${vps[$i]}" $((lane0 + 14 + 16 + 7)) "$minor" 2000000 3000000 gc.minor
	check_span "$png" "${vps[$i]}" $((lane0 + 14 + 7)) "$major" 7000000 9000000 gc.major
	# Every lane has ink where it is; below the last lane, only the grid.
	for l in "$lane0 60" "$lane1" "$lane2"; do
		set -- $l
		ink=$("$PNG" ink "$png" 0 $(($1 + 14)) 600 $(($1 + $2)))
		[ "$ink" -gt 200 ] || fail "lane at y $1 nearly blank in s$i ($ink pixels)"
	done
done

# Zoom: the time under the pointer (x 250) stays, the range is 0.8 times.
awk -v a="${vps[0]}" -v b="${vps[1]}" 'BEGIN {
	split(a, p, " "); split(b, q, " ");
	ta = p[1] + 250 * (p[2] - p[1]) / p[3]; tb = q[1] + 250 * (q[2] - q[1]) / q[3];
	r = (q[2] - q[1]) / (p[2] - p[1]);
	if (ta - tb > 2 * (p[2] - p[1]) / p[3] || tb - ta > 2 * (p[2] - p[1]) / p[3] || r < 0.79 || r > 0.81) {
		printf "FAIL: zoom around x 250: time there %d -> %d, range ratio %.3f\n", ta, tb, r; exit 1 }
	print "ok: zoom kept the time under the pointer, range x" r }'
# Pan: a drag 100 pixels left moves the view 100 pixels' worth later.
awk -v a="${vps[1]}" -v b="${vps[2]}" 'BEGIN {
	split(a, p, " "); split(b, q, " "); want = 100 * (p[2] - p[1]) / p[3];
	if (q[1] - p[1] < want - 2 * want / 100 || q[1] - p[1] > want + 2 * want / 100 || q[2] - q[1] != p[2] - p[1]) {
		printf "FAIL: pan: t0 %d -> %d, expected +%d\n", p[1], q[1], want; exit 1 }
	print "ok: drag panned by", q[1] - p[1], "ns" }'
# Fit (key f): the whole trace again.
[ "${vps[3]}" = "${vps[0]}" ] || fail "fit: viewport ${vps[3]}, expected ${vps[0]}"
# The selection [0, 5 ms]: both works and the minor GC, from the shared analysis.
grep -Eq '^work +2 ' "$tmp/out" || fail "selection: no 'work 2' line"
grep -Eq '^gc.minor +1 ' "$tmp/out" || fail "selection: no 'gc.minor 1' line"
# Search: request B, then nothing later; gc.m: the minor, then the major.
mapfile -t st < <(grep '^status' "$tmp/out")
[[ ${st[0]} == *'what = "request B"'* ]] || fail "search: ${st[0]}"
[[ ${st[1]} == *"no later match"* ]] || fail "search next: ${st[1]}"
[[ ${st[2]} == *"gc.minor"* ]] || fail "search gc.m: ${st[2]}"
[[ ${st[3]} == *"gc.major"* ]] || fail "search gc.m next: ${st[3]}"
# Find span: work has 2 instances, the slowest (request A, [0, 5] ms) first, shown
# whole in a view at most 3 times as long; n goes to the next slower (request B),
# and no further.
[[ ${st[4]} == "status work: 2 instances; the slowest"* ]] || fail "find work: ${st[4]}"
awk -v v="${vps[4]}" 'BEGIN { split(v, a, " ");
	if (a[1] > 0 || a[2] < 5000000 || a[2] - a[1] > 15000000) {
		printf "FAIL: find work: view [%d, %d] ns, expected [0, 5 ms] in at most 15 ms\n", a[1], a[2]; exit 1 } }'
[[ ${st[5]} == "status work: instance 2 of 2 (slowest first)" ]] || fail "find work, n: ${st[5]}"
[[ ${st[6]} == "${st[5]}" ]] || fail "find work, n past the last: ${st[6]}"

# A corrupt trace: an error dialog naming the file, exit 3, no crash.
"$GEN" fixed "$tmp/bad"
printf '/* CTF 1.8 */\ntrace { garbage' >"$tmp/bad/metadata"
echo quit >"$tmp/quit"
set +e
view --script "$tmp/quit" "$tmp/bad" >"$tmp/out2" 2>"$tmp/err2"
rc=$?
set -e
cat "$tmp/out2"
[ $rc -eq 3 ] || { cat "$tmp/err2"; fail "corrupt trace: exit $rc, expected 3"; }
grep -q "^error-dialog .*metadata" "$tmp/out2" || fail "corrupt trace: no error dialog naming the metadata"
echo "t_viewer_gtk: ok"
