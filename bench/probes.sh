#!/usr/bin/env bash
# bench/probes.sh - overhead of the TCP probes, measured in one run against
# a baseline of the same run (docs/PERFORMANCE.md, "TCP probes").
#
#   O=build bash bench/probes.sh [-r RUNS] [--bytes N] [--reqs N]
#
# 1. lwIP echo (tests/probes/lwip_echo, no loss) of --bytes (default 200 MB)
#    through two lwIP endpoints: lwIP built without the probes
#    ($(O)/bench/lwip_echo_noprobes), with the probes but no region
#    (disabled probes), and with the probes recorded by `mprof record`.
# 2. Socket request/response loop (tests/probes/probe_net: 1 client,
#    --reqs (default 20000) requests of 64 bytes, echoed): plain, with the
#    shim preloaded but no region, and under `mprof record --sockets`.
# Each variant runs RUNS times (default 5), interleaved; the best CPU time
# (user + system) of the measured program itself is kept (the recorder's
# own CPU, in its own process, is not counted: on a loaded machine wall
# time says more about the neighbours than about the probes), and the
# overhead against the baseline printed.  Then, unless --no-callgrind, the
# same six variants once each under callgrind (smaller: --cg-bytes,
# default 5 MB, and --cg-reqs, default 2000): the program's user-space
# instructions, exact and independent of the machine's load (the kernel's
# work in the socket calls is not in them, so the socket ratios there are
# upper bounds).  Prints tables; a test never asserts these numbers.
set -euo pipefail
O=${O:-build}
O=$(cd "$O" && pwd)
MPROF=$O/bin/mprof
runs=5 bytes=200000000 reqs=20000 cg=1 cg_bytes=5000000 cg_reqs=2000
while [ $# -gt 0 ]; do
	case $1 in
	-r) runs=$2; shift ;;
	--bytes) bytes=$2; shift ;;
	--reqs) reqs=$2; shift ;;
	--cg-bytes) cg_bytes=$2; shift ;;
	--cg-reqs) cg_reqs=$2; shift ;;
	--no-callgrind) cg=0 ;;
	*) echo "usage: $0 [-r RUNS] [--bytes N] [--reqs N] [--cg-bytes N] [--cg-reqs N] [--no-callgrind]" >&2; exit 2 ;;
	esac
	shift
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mprof-bench-probes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# measure MODE NAME [PREFIX...] -- PROG ARGS: run PREFIX TOOL PROG ARGS, TOOL
# /usr/bin/time (MODE cpu: keep the smallest CPU time of PROG, ns, in
# best[NAME]) or callgrind (MODE ir: its instruction count in ir[NAME]).
declare -A best ir
measure() {
	local mode=$1 name=$2 d pre=() tool
	shift 2
	while [ "$1" != -- ]; do pre+=("$1"); shift; done
	shift
	rm -rf "$tmp/rec"
	if [ "$mode" = cpu ]; then
		tool=(/usr/bin/time -f '%U %S' -o "$tmp/time")
	else
		tool=(valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" --log-file="$tmp/time")
	fi
	"${pre[@]}" "${tool[@]}" "$@" >"$tmp/out" 2>&1 ||
		{ echo "bench/probes.sh: $name ($mode) failed:"; cat "$tmp/out" "$tmp/time"; exit 1; }
	if [ "$mode" = ir ]; then
		ir[$name]=$(awk '/Collected :/ { print $NF }' "$tmp/time" | tail -n 1)
		return
	fi
	d=$(awk '{ printf "%d", ($1 + $2) * 1e9 }' "$tmp/time")
	if [ -z "${best[$name]:-}" ] || [ "$d" -lt "${best[$name]}" ]; then best[$name]=$d; fi
}
echo_np=$O/bench/lwip_echo_noprobes
echo_p=$O/tests/probes/lwip_echo
net=$O/tests/probes/probe_net
shim=$O/lib/mprof/libmprof_sockets.so
# variants MODE BYTES REQS: each variant once.
variants() {
	measure "$1" lwip_base env -- "$echo_np" "$2" 0
	measure "$1" lwip_off env -- "$echo_p" "$2" 0
	measure "$1" lwip_rec "$MPROF" record -q -o "$tmp/rec" -- -- "$echo_p" "$2" 0
	measure "$1" sock_base env -- "$net" 1 "$3" 64
	measure "$1" sock_off env LD_PRELOAD="$shim" -- "$net" 1 "$3" 64
	measure "$1" sock_rec "$MPROF" record -q --sockets -o "$tmp/rec" -- -- "$net" 1 "$3" 64
}
# table MODE TITLE UNIT BYTES REQS: the six rows, against each group's baseline.
table() {
	local -n v=$1
	local r labels=("lwIP echo $4 B: no probes (baseline)" "lwIP echo: probes compiled in, not recording"
		"lwIP echo: probes recorded (mprof record)" "sockets $5 x 64 B req/resp: no shim (baseline)"
		"sockets: shim preloaded, not recording" "sockets: mprof record --sockets")
	local names=(lwip_base lwip_off lwip_rec sock_base sock_off sock_rec)
	printf '%-52s %14s %9s\n' "$2" "$3" "overhead"
	for r in 0 1 2 3 4 5; do
		awk -v l="${labels[$r]}" -v t="${v[${names[$r]}]}" -v b="${v[${names[$((r / 3 * 3))]}]}" -v ns="$3" \
			'BEGIN { printf (ns == "CPU ms" ? "%-52s %14.1f %8.2f%%\n" : "%-52s %14d %8.2f%%\n"), l,
				(ns == "CPU ms" ? t / 1e6 : t), (b > 0 ? (t / b - 1) * 100 : 0) }'
	done
}
for ((i = 0; i < runs; i++)); do
	variants cpu "$bytes" "$reqs"
done
table best "variant (best of $runs)" "CPU ms" "$bytes" "$reqs"
[ "$cg" = 1 ] && command -v valgrind >/dev/null || exit 0
variants ir "$cg_bytes" "$cg_reqs"
echo
table ir "variant (callgrind, user-space instructions)" Ir "$cg_bytes" "$cg_reqs"
