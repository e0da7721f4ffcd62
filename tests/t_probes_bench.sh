#!/usr/bin/env bash
# bench/probes.sh (docs/PERFORMANCE.md, "TCP probes") in one tiny round,
# to keep it building, running and reporting: every row of its three
# tables is printed, the lwIP instruction counts are numbers, and the
# recorded echo runs more instructions than the one without probes.
# Times are printed, never asserted.
set -u
source "$(dirname "$0")/gc/lib.sh"
gc_tmpdir
out=$gc_tmp/bench.out
cg=(--cg-bytes 100000)
# A sanitized build: the shim is preloaded into sanitized programs (as in
# t_probes_sockets.sh), and valgrind cannot run them.
if [ -n "${SANITIZE:-}" ]; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	cg=(--no-callgrind)
fi
if ! O=$O bash "$(dirname "$0")/../bench/probes.sh" -r 1 --bytes 200000 --reqs 50 --calls 2000 \
	"${cg[@]}" >"$out" 2>&1; then
	echo "FAIL: bench/probes.sh:"; cat "$out"; exit 1
fi
cat "$out"
for row in "no probes (baseline)" "probes compiled in, not recording" "recorded, default ring" \
	"recorded, 2 MiB ring" "no shim" "shim preloaded, not recording" "--sockets, default ring" \
	"--sockets, 1 MiB ring" "shim not recording:"; do
	expect_cmp "rows with '$row'" "$(grep -cF -- "$row" "$out")" -ge 1
done
if [ -z "${SANITIZE:-}" ] && command -v valgrind >/dev/null; then
	base=$(grep -A4 'under callgrind' "$out" | awk '/no probes \(baseline\)/ { print $(NF - 3) }')
	rec=$(grep -A4 'under callgrind' "$out" | awk '/probes recorded/ { print $(NF - 3) }')
	expect_cmp "rows with 'probes recorded (mprof record)'" "$(grep -cF 'probes recorded (mprof record)' "$out")" -ge 1
	expect_cmp "instructions, no probes (a number)" "${base:-0}" -gt 0
	expect_cmp "instructions recorded > without probes" "${rec:-0}" -gt "${base:-0}"
fi
gc_finish
