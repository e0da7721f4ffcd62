#!/usr/bin/env bash
# bench/run.sh - run every benchmark and write the results
# (`make bench` runs it; docs/PERFORMANCE.md explains the figures).
#
#   O=build bash bench/run.sh [--smoke] [-n EVENTS] [-r RUNS] [--no-lttng] [--no-callgrind] [--out DIR]
#
# 1. Starts its own lttng-sessiond with a private LTTNG_HOME under a
#    temporary directory (as root it still serves the system-wide socket
#    in /var/run/lttng, so if a session daemon is already running, that
#    one is used and left alone), unless --no-lttng; stops it, and any
#    consumer daemon it started, by PID at exit.
# 2. Counts instructions per event: the emit benchmark once under
#    callgrind, collecting only inside the loop_* functions (one per
#    variant), inclusive of what they call; divided by the events.  Prints
#    the disabled probe's instructions (the empty loop's subtracted)
#    beside LTTng-UST's no-session tracepoint.  The
#    profile is kept as callgrind.out next to the results
#    (callgrind_annotate --auto=yes, or with --dump-instr=yes for
#    per-instruction counts).
# 3. Runs bench/drain (collector throughput), bench/evsize (bytes per
#    event: the benchmark event, a u32 counter, a span begin/end) and,
#    with the session daemon, bench/evsize_lttng for the same three kinds
#    (LTTng-UST's consumer's bytes written / events, same run), and
#    bench/emit (per-event cost), which print their tables.
# 4. Writes $O/bench/results.txt (both tables) and $O/bench/results.json
#    (emit's results, with drain's nested under "drain"), or the same in
#    --out DIR.
#
# --smoke: tiny sizes, one run, no session daemon: proves that everything
# builds, runs and reports (make check).  No figure is asserted.
set -euo pipefail

O=${O:-build}
here=$(cd "$(dirname "$0")" && pwd)
EMIT=$O/bench/emit
DRAIN=$O/bench/drain
EVSIZE=$O/bench/evsize
EVSIZE_LTTNG=$O/bench/evsize_lttng # only when lttng-ust is installed
out=$O/bench
smoke=0
lttng=1
callgrind=1
n=10000000
runs=7
cg_n=500000
drain_args=()
command="O=$O bash bench/run.sh $*"

while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) smoke=1 ;;
	--no-lttng) lttng=0 ;;
	--no-callgrind) callgrind=0 ;;
	-n) n=$2; shift ;;
	-r) runs=$2; shift ;;
	--out) out=$2; shift ;;
	*) echo "usage: $0 [--smoke] [-n EVENTS] [-r RUNS] [--no-lttng] [--no-callgrind] [--out DIR]" >&2; exit 2 ;;
	esac
	shift
done
if [ $smoke -eq 1 ]; then
	n=20000
	runs=1
	cg_n=20000
	lttng=0
	drain_args=(--smoke)
	# Do not wait for a session daemon someone else may be running.
	export LTTNG_UST_REGISTER_TIMEOUT=0
fi
for b in "$EMIT" "$DRAIN" "$EVSIZE"; do
	[ -x "$b" ] || { echo "run.sh: $b is not built (make $b)" >&2; exit 1; }
done
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mprof-bench.XXXXXX")
. "$here/../tests/lib_lttng.sh"

cleanup() {
	lttng_sessiond_stop
	rm -rf "$tmp"
}
trap cleanup EXIT

# ---- 1. LTTng ----
lttng_note=
hook=()
if [ $lttng -eq 1 ]; then
	export LTTNG_HOME=$tmp/home
	mkdir -p "$LTTNG_HOME"
	if ! command -v lttng-sessiond >/dev/null || ! command -v lttng >/dev/null; then
		lttng_note="lttng-tools is not installed"
	elif lttng list >/dev/null 2>&1; then
		lttng_note="a session daemon was already running (not started by this script); the session was created in it"
		hook=(--lttng-hook "bash $here/lttng-session.sh $tmp/lttng")
	else
		if lttng_sessiond_start "$tmp/sessiond.log"; then
			hook=(--lttng-hook "bash $here/lttng-session.sh $tmp/lttng")
			lttng_note="lttng-sessiond started by run.sh (pid $lttng_sessiond_pid), private LTTNG_HOME"
		else
			lttng_note="lttng-sessiond could not start: $(grep -iE 'error|fatal' "$tmp/sessiond.log" | head -3 | tr '\n' ' ')"
			echo "run.sh: $lttng_note" >&2
			lttng_sessiond_stop
		fi
	fi
else
	lttng_note="not run (--no-lttng or --smoke)"
fi

# ---- 2. Instructions per event (callgrind) ----
# cg_n events of 24 bytes stay within one 16 MiB stream, so the discard
# variant never drops under callgrind (which runs one thread at a time,
# starving the collector) and the count is the recording path's.
instr=()
if [ $callgrind -eq 1 ] && command -v valgrind >/dev/null; then
	echo "run.sh: counting instructions with callgrind ($cg_n events per variant)"
	valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out" --collect-atstart=no \
		--toggle-collect='loop_*' "$EMIT" --callgrind -n "$cg_n" "${hook[@]}" >"$tmp/callgrind.log" 2>&1 ||
		{ echo "run.sh: the callgrind run failed:" >&2; tail -n 20 "$tmp/callgrind.log" >&2; exit 1; }
	if grep -E 'dropped [1-9]' "$tmp/callgrind.log"; then
		echo "run.sh: warning: events dropped under callgrind; the discard count includes the drop path" >&2
	fi
	{
		echo "n $cg_n"
		awk -f "$here/callgrind-sum.awk" "$tmp/callgrind.out"
	} >"$tmp/instr.txt"
	cp "$tmp/callgrind.out" "$out/callgrind.out"
	# The disabled probe's own cost, without the loop's: mprof's beside
	# LTTng-UST's tracepoint with no session (emit's targets repeat it).
	awk '$1 == "n" { n = $2 } { ir[$1] = $2 }
		END { if (n && ("loop_empty" in ir) && ("loop_mprof_disabled" in ir)) {
			printf "run.sh: disabled probe: mprof %.2f instructions", (ir["loop_mprof_disabled"] - ir["loop_empty"]) / n
			if ("loop_lttng_nosession" in ir)
				printf ", LTTng-UST (no session) %.2f", (ir["loop_lttng_nosession"] - ir["loop_empty"]) / n
			printf " (the loop'"'"'s own %.2f excluded)\n", ir["loop_empty"] / n } }' "$tmp/instr.txt"
	instr=(--instr "$tmp/instr.txt")
	cg_note="valgrind --tool=callgrind --collect-atstart=no --toggle-collect='loop_*' $EMIT --callgrind -n $cg_n; inclusive Ir of each loop_* function (bench/callgrind-sum.awk) / $cg_n"
else
	cg_note="not run (valgrind missing or --no-callgrind)"
fi

# ---- 3. The benchmarks ----
"$DRAIN" "${drain_args[@]}" --tmpdir "$tmp" --json "$tmp/drain.json" --table "$tmp/drain.txt"
echo
# Bytes per event by kind (exact, not timed): the benchmark event, a u32
# counter, a span begin/end.
"$EVSIZE" "$([ "$smoke" = 1 ] && echo 20000 || echo 1000000)" "$tmp/evsize.json" | tee "$tmp/evsize.txt"
# LTTng-UST's figure for the same kinds, from this run's session daemon:
# its consumer's bytes written (the trace directory: metadata, packet
# headers and all, as emit's trace_bytes_per_event) divided by the events
# it kept.  500000 events of each kind stay within the channel's 16 MiB.
evsize_merge=()
{
if [ ${#hook[@]} -gt 0 ] && [ -x "$EVSIZE_LTTNG" ]; then
	echo "LTTng-UST, same events, same run (its consumer's bytes written / events kept):"
	echo "{" >"$tmp/evsize_lttng.json"
	sep=
	for kind in bench counter span; do
		case $kind in
		bench) evs=mprof_bench:emit ;;
		counter) evs=mprof_bench:counter ;;
		span) evs=mprof_bench:span_begin,mprof_bench:span_end ;;
		esac
		bash "$here/lttng-session.sh" "$tmp/lttng-evsize" start "$evs"
		out_ev=$("$EVSIZE_LTTNG" "$kind" 500000) || out_ev=
		stats=$(bash "$here/lttng-session.sh" "$tmp/lttng-evsize" stop)
		ev=$(echo "$out_ev" | awk '$1 == "events" { print $2 }')
		disc=$(echo "$stats" | awk '$1 == "discarded" { print $2 }')
		tb=$(echo "$stats" | awk '$1 == "trace_bytes" { print $2 }')
		if [ -z "$ev" ] || [ "${tb:-0}" = 0 ] || [ "$ev" -le "${disc:-0}" ]; then
			echo "run.sh: LTTng-UST $kind: no figure (events '${ev}', discarded '${disc}', bytes '${tb}')" >&2
			continue
		fi
		bpe=$(awk -v b="$tb" -v e="$ev" -v d="$disc" 'BEGIN { printf "%.4f", b / (e - d) }')
		mp=$(sed -n 's/.*"'"$kind"'": \([0-9.]*\).*/\1/p' "$tmp/evsize.json")
		printf "  %-28s %6.2f B/event   (mprof %s B/event; %s events, %s discarded, %s bytes)\n" \
			"$kind" "$bpe" "${mp:-?}" "$ev" "$disc" "$tb"
		printf '%s"%s": {"bytes_per_event": %s, "events": %s, "discarded": %s, "trace_bytes": %s}' \
			"$sep" "$kind" "$bpe" "$ev" "$disc" "$tb" >>"$tmp/evsize_lttng.json"
		sep=", "
	done
	echo "}" >>"$tmp/evsize_lttng.json"
	evsize_merge=(--merge "bytes_per_event_lttng=$tmp/evsize_lttng.json")
else
	echo "LTTng-UST bytes per event: not measured ($lttng_note)"
fi
} >"$tmp/evsize_lttng.txt"
cat "$tmp/evsize_lttng.txt"
cat "$tmp/evsize_lttng.txt" >>"$tmp/evsize.txt"
echo
"$EMIT" -n "$n" -r "$runs" "${hook[@]}" "${instr[@]}" --table "$tmp/emit.txt" \
	--merge "drain=$tmp/drain.json" --merge "bytes_per_event=$tmp/evsize.json" "${evsize_merge[@]}" \
	--note "lttng=$lttng_note" --note "callgrind=$cg_note" \
	--note "command=$command" --json "$out/results.json"

# ---- 4. Results ----
cat "$tmp/emit.txt" "$tmp/drain.txt" "$tmp/evsize.txt" >"$out/results.txt"
echo
echo "run.sh: wrote $out/results.txt and $out/results.json"
