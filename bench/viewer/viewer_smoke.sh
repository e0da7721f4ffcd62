#!/usr/bin/env bash
# make check's smoke run of the viewer benchmark: 10^4 events, 2 frames;
# every figure is printed (none is asserted: a test never asserts a time).
set -euo pipefail
O=${O:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mprof-viewer-smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
VIEWER_BENCH_FRAMES=2 O=$O bash "$(dirname "$0")/run.sh" 10000 | tee "$tmp/out"
for key in events load_threads trace_bytes ready_s ready_cpu_s ready_thread_cpu_s load_s index_s \
	frame_ms_1 frame_ms_16 frame_ms_1024 frame_ms_65536 model_bytes peak_anon_bytes base_anon_bytes \
	peak_file_bytes peak_rss_bytes model_ratio anon_ratio rss_ratio; do
	grep -q "^10000 $key " "$tmp/out" || { echo "FAIL: no $key"; exit 1; }
done
ev=$(awk '$2 == "events" { print $3 }' "$tmp/out")
[ "$ev" -ge 10000 ] || { echo "FAIL: $ev events read, expected 10000"; exit 1; }
echo "bench/viewer/viewer_smoke.sh: ok"
