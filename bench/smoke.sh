#!/usr/bin/env bash
# bench/smoke.sh - make check: one tiny iteration of every benchmark
# (bench/run.sh --smoke), to keep them building, running and reporting.
# Times are printed, never asserted; instruction counts (exact, from
# callgrind) are.
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
# Instruction counts are exact (callgrind), so they are checked: a
# disabled probe is 3 instructions, no more than LTTng-UST's, and an
# enabled event at most 30 (emit's targets).
if command -v valgrind >/dev/null; then
	for t in "mprof disabled probe instructions" "mprof discard instructions/event"; do
		line=$(grep -F "  $t " "$out/results.txt" | head -n 1)
		echo "smoke: $line"
		case "$line" in
		*PASS) ;;
		*) echo "smoke: target \"$t\" not met"; exit 1 ;;
		esac
	done
fi
# mprof compare and export at 10^4 events (bench/compare.sh --smoke).
O=$O MPROF=${MPROF:-$O/bin/mprof} bash bench/compare.sh --smoke --out "$out"
for key in '"compare_wall_s"' '"export_over_stats_speed"'; do
	grep -q "$key" "$out/compare.json" || { echo "smoke: $key not in $out/compare.json"; exit 1; }
done
echo "smoke: the benchmarks build, run and report"
