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
# Each variant runs RUNS times (default 5), interleaved; the best wall time
# of each is kept, and throughput ratios are printed against the baseline.
# Prints a table; a test never asserts these numbers.
set -euo pipefail
O=${O:-build}
O=$(cd "$O" && pwd)
MPROF=$O/bin/mprof
runs=5 bytes=200000000 reqs=20000
while [ $# -gt 0 ]; do
	case $1 in
	-r) runs=$2; shift ;;
	--bytes) bytes=$2; shift ;;
	--reqs) reqs=$2; shift ;;
	*) echo "usage: $0 [-r RUNS] [--bytes N] [--reqs N]" >&2; exit 2 ;;
	esac
	shift
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mprof-bench-probes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# best NAME CMD...: run CMD, keep the smallest wall time in ns for NAME.
declare -A best
timeit() {
	local name=$1 t0 t1 d
	shift
	rm -rf "$tmp/rec"
	t0=$(date +%s%N)
	"$@" >"$tmp/out" 2>&1 || { echo "bench/probes.sh: $name failed:"; cat "$tmp/out"; exit 1; }
	t1=$(date +%s%N)
	d=$((t1 - t0))
	if [ -z "${best[$name]:-}" ] || [ "$d" -lt "${best[$name]}" ]; then best[$name]=$d; fi
}
echo_np=$O/bench/lwip_echo_noprobes
echo_p=$O/tests/probes/lwip_echo
net=$O/tests/probes/probe_net
shim=$O/lib/mprof/libmprof_sockets.so
for ((i = 0; i < runs; i++)); do
	timeit lwip_base "$echo_np" "$bytes" 0
	timeit lwip_off "$echo_p" "$bytes" 0
	timeit lwip_rec "$MPROF" record -q -o "$tmp/rec" -- "$echo_p" "$bytes" 0
	timeit sock_base "$net" 1 "$reqs" 64
	timeit sock_off env LD_PRELOAD="$shim" "$net" 1 "$reqs" 64
	timeit sock_rec "$MPROF" record -q --sockets -o "$tmp/rec" -- "$net" 1 "$reqs" 64
done
row() { # row LABEL NAME BASE
	awk -v l="$1" -v t="${best[$2]}" -v b="${best[$3]}" \
		'BEGIN { printf "%-52s %10.1f ms %8.2f%%\n", l, t / 1e6, (t / b - 1) * 100 }'
}
printf '%-52s %13s %9s\n' "variant (best of $runs)" "wall" "overhead"
row "lwIP echo $bytes B: no probes (baseline)" lwip_base lwip_base
row "lwIP echo: probes compiled in, not recording" lwip_off lwip_base
row "lwIP echo: probes recorded (mprof record)" lwip_rec lwip_base
row "sockets $reqs x 64 B req/resp: no shim (baseline)" sock_base sock_base
row "sockets: shim preloaded, not recording" sock_off sock_base
row "sockets: mprof record --sockets" sock_rec sock_base
