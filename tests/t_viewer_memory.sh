#!/usr/bin/env bash
# The viewer's memory against the trace's size (issue 10: at most 1.5
# times), on two generated traces of 10^6 events (gen_viewer_trace bulk:
# nested spans, GC spans, ticks, counters, messages over 4 threads): one
# with 12-byte event headers, and one with the 4-byte ("compact") headers
# `mprof record` writes, about half the size for the same events, so the
# harder of the two.  Each is loaded and indexed by viewer_bench with no
# frames; the program itself computes the model's bytes
# (prof_model_bytes()) and the process's peak anonymous memory (RssAnon,
# sampled every 65536 events and after each phase) over the trace's bytes,
# and fails naming both sides if either is above 1.5.  The mapped trace's
# page cache (RssFile) is reported apart, not counted.  Memory is a count,
# not a time: asserting it is allowed.  Under the sanitizers (shadow
# memory, quarantined frees) the figures are printed, not asserted.
set -euo pipefail
O=${O:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mprof-viewer-memory.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for kind in plain compact; do
	flags=
	[ "$kind" = compact ] && flags=--compact
	rm -rf "$tmp/trace"
	"$O/tests/progs/gen_viewer_trace" bulk "$tmp/trace" 1000000 4 $flags >/dev/null
	echo "== $kind trace ($(du -sb "$tmp/trace" | cut -f1) bytes)"
	if [ -n "${SANITIZE:-}" ]; then
		"$O/bench/viewer_bench" "$tmp/trace" 0 | tee "$tmp/out"
		echo "t_viewer_memory.sh: $kind: ratios printed, not asserted under SANITIZE=$SANITIZE"
	else
		"$O/bench/viewer_bench" "$tmp/trace" 0 1.5 | tee "$tmp/out" ||
			{ echo "FAIL: $kind trace: the viewer's memory is above 1.5 times the trace"; exit 1; }
	fi
	for key in events trace_bytes model_bytes peak_anon_bytes peak_file_bytes peak_rss_bytes model_ratio anon_ratio; do
		grep -q "^$key " "$tmp/out" || { echo "FAIL: $kind: viewer_bench printed no $key"; exit 1; }
	done
	ev=$(awk '$1 == "events" { print $2 }' "$tmp/out")
	[ "$ev" -ge 1000000 ] || { echo "FAIL: $kind: $ev events read, expected at least 1000000"; exit 1; }
	anon=$(awk '$1 == "peak_anon_bytes" { print $2 }' "$tmp/out")
	model=$(awk '$1 == "model_bytes" { print $2 }' "$tmp/out")
	# The sampling saw the model: the peak is at least what the model holds.
	[ "$anon" -ge "$model" ] || { echo "FAIL: $kind: peak anonymous memory $anon below the model's $model bytes"; exit 1; }
	eval "bytes_$kind=$(awk '$1 == "trace_bytes" { print $2 }' "$tmp/out")"
done
# The compact trace is the one with 4-byte headers: well under the plain one.
[ $((bytes_compact * 10)) -lt $((bytes_plain * 6)) ] ||
	{ echo "FAIL: the compact trace ($bytes_compact bytes) is not under 0.6 times the plain one ($bytes_plain)"; exit 1; }
echo "t_viewer_memory.sh: ok"
