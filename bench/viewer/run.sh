#!/usr/bin/env bash
# bench/viewer/run.sh SIZE... - for each size, generate a trace of about
# SIZE events over 4 threads (gen_viewer_trace bulk: nested spans, GC
# spans, ticks, counters, messages), then measure it with viewer_bench in
# a fresh process (so its peak memory is the viewer's alone).  Results in
# $O/bench/viewer-results.txt, one "size key value" a line.
set -euo pipefail
O=${O:-build}
out=$O/bench/viewer-results.txt
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mprof-viewer-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$(dirname "$out")"
: >"$out"
for n in "$@"; do
	rm -rf "$tmp/trace"
	# VIEWER_BENCH_GEN_FLAGS=--compact: 4-byte event headers, as mprof record writes them.
	"$O/tests/progs/gen_viewer_trace" bulk "$tmp/trace" "$n" 4 ${VIEWER_BENCH_GEN_FLAGS:-} >/dev/null
	"$O/bench/viewer_bench" "$tmp/trace" "${VIEWER_BENCH_FRAMES:-20}" | sed "s/^/$n /" | tee -a "$out"
done
echo "bench/viewer: results in $out"
