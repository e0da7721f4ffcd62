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
keys=('"mprof_discard"' '"floor"' '"mprof_compiled_out"' '"drain"' '"capacity"' '"sustained"' '"bytes_per_event"')
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
# Bytes per event are exact too: the benchmark event (u64, u32) takes a
# 4-byte compact header, so 16 bytes, plus the extended headers that open
# packets and epochs, a few per ten thousand events (LTTng-UST: 18).
python3 - "$out/results.json" <<'PY' || exit 1
import json, sys
b = json.load(open(sys.argv[1]))["bytes_per_event"]
print("smoke: bytes per event: bench %.3f, counter %.3f, span %.3f" % (b["bench"], b["counter"], b["span"]))
if not (16 <= b["bench"] <= 16.05 and 8 <= b["counter"] <= 8.05 and 4 <= b["span"] <= 4.05):
    print("smoke: bytes per event above the compact header's (16, 8, 4)")
    sys.exit(1)
PY
# Smoke starts no LTTng session, so LTTng-UST's bytes per event are not
# measured, and run.sh says so in the table (make bench measures them).
grep -q '^LTTng-UST bytes per event: not measured' "$out/results.txt" ||
	{ echo "smoke: no line on LTTng-UST's bytes per event in $out/results.txt"; exit 1; }
# mprof compare and export at 10^4 events (bench/compare.sh --smoke).
O=$O MPROF=${MPROF:-$O/bin/mprof} bash bench/compare.sh --smoke --out "$out"
for key in '"compare_wall_s"' '"export_over_stats_speed"'; do
	grep -q "$key" "$out/compare.json" || { echo "smoke: $key not in $out/compare.json"; exit 1; }
done
# mprof record of a flat-out producer: every event written or counted.
O=$O MPROF=${MPROF:-$O/bin/mprof} bash bench/record_flatout.sh --smoke ||
	{ echo "smoke: bench/record_flatout.sh"; exit 1; }
echo "smoke: the benchmarks build, run and report"
