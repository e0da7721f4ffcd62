#!/usr/bin/env bash
# bench/smoke.sh - make check: one tiny iteration of every benchmark
# (bench/run.sh --smoke), to keep them building, running and reporting.
# Times are printed, never asserted.
set -euo pipefail
O=${O:-build}
cd "$(dirname "$0")/.."
out=$O/bench/smoke   # not $O/bench: make bench's results stay
bash bench/run.sh --smoke --out "$out"
for f in "$out/results.txt" "$out/results.json"; do
	[ -s "$f" ] || { echo "smoke: $f is missing or empty"; exit 1; }
done
# The JSON must hold every variant and the drain figures (and the
# instruction counts, where valgrind is installed).
keys=('"mprof_discard"' '"floor"' '"mprof_compiled_out"' '"drain"' '"capacity"' '"sustained"')
command -v valgrind >/dev/null && keys+=('"instructions_per_event"')
for key in "${keys[@]}"; do
	grep -q "$key" "$out/results.json" || { echo "smoke: $key not in $out/results.json"; exit 1; }
done
echo "smoke: the benchmarks build, run and report"
