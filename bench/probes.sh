#!/usr/bin/env bash
# bench/probes.sh - overhead of the TCP probes, measured in one run against
# a baseline of the same run (docs/PERFORMANCE.md, "TCP probes").
#
#   O=build bash bench/probes.sh [-r ROUNDS] [--bytes N] [--reqs N]
#                                [--calls N] [--cg-bytes N] [--no-callgrind]
#
# 1. lwIP echo (tests/probes/lwip_echo, no loss) of --bytes (default 200 MB)
#    through two lwIP endpoints: lwIP built without the probes
#    ($(O)/bench/lwip_echo_noprobes), with the probes but no region (not
#    recording), and with the probes recorded by `mprof record`.
# 2. Socket request/response loop (tests/probes/probe_net: 1 client,
#    --reqs (default 20000) requests of 64 bytes, echoed by an epoll
#    server): plain, with the shim preloaded but no region, and under
#    `mprof record --sockets`.
#    Both recorded twice: with record's default ring (16 MiB per stream,
#    more than these runs write, so every page of it is touched for the
#    first time while they run: a page fault each, about 7 us on the
#    build machine), and with a smaller ring (lwIP: 2 MiB, -n 4; sockets:
#    1 MiB, -s 64K -n 16), whose pages are mapped once and then reused,
#    as they are in any run that outlasts its ring: the probes' own cost
#    per segment or call.  A run that lost events (a ring full while the
#    loaded machine did not run the recorder) is counted under the table.
# 3. The shim's cost per data call: tests/probes/probe_pingpong's calls
#    that move no bytes (the cheapest call on a connection; --calls
#    rounds of four, default 200000), plain, not recording and
#    recording; the smallest batch of each (interference only adds
#    time).
#
# The variants of 1 and 2 run in ROUNDS rounds (default 11), their order
# rotated each round; each program reports its own CPU time (user +
# system; the recorder's, in its own process, is not counted), and the
# table gives the median and the quartiles of each round's ratio to the
# round's baseline, with the load average: on a shared machine only many
# rounds say anything below a few percent.  Then, unless --no-callgrind,
# the lwIP echo under callgrind at --cg-bytes (default 5 MB) and twice
# that: its instructions, exact whatever the load, whole and per extra
# --cg-bytes (the throughput's share, without the fixed cost of starting
# and attaching).  Prints tables; a test never asserts these numbers.
set -euo pipefail
O=${O:-build}
O=$(cd "$O" && pwd)
MPROF=$O/bin/mprof
rounds=11 bytes=200000000 reqs=20000 calls=200000 cg=1 cg_bytes=5000000
while [ $# -gt 0 ]; do
	case $1 in
	-r) rounds=$2; shift ;;
	--bytes) bytes=$2; shift ;;
	--reqs) reqs=$2; shift ;;
	--calls) calls=$2; shift ;;
	--cg-bytes) cg_bytes=$2; shift ;;
	--no-callgrind) cg=0 ;;
	*) echo "usage: $0 [-r ROUNDS] [--bytes N] [--reqs N] [--calls N] [--cg-bytes N] [--no-callgrind]" >&2; exit 2 ;;
	esac
	shift
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mprof-bench-probes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo_np=$O/bench/lwip_echo_noprobes
echo_p=$O/tests/probes/lwip_echo
net=$O/tests/probes/probe_net
pp=$O/tests/probes/probe_pingpong
shim=$O/lib/mprof/libmprof_sockets.so

# run NAME PREFIX... -- PROG ARGS: run it (under `mprof record` for a
# recording variant) and keep its output in $tmp/NAME.out; exit on failure.
run() {
	local name=$1 pre=()
	shift
	while [ "$1" != -- ]; do pre+=("$1"); shift; done
	shift
	rm -rf "$tmp/rec"
	"${pre[@]}" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" ||
		{ echo "bench/probes.sh: $name failed:"; cat "$tmp/$name.out" "$tmp/$name.err"; exit 1; }
	if grep -q 'discarded' "$tmp/$name.err"; then lost[$name]=$((${lost[$name]:-0} + 1)); fi
}
declare -A lost
REC=("$MPROF" record -q -o "$tmp/rec")
variant() {
	case $1 in
	lwip_base) run "$1" env -- "$echo_np" "$2" 0 ;;
	lwip_off) run "$1" env -- "$echo_p" "$2" 0 ;;
	lwip_rec) run "$1" "${REC[@]}" -- "$echo_p" "$2" 0 ;;
	lwip_ring) run "$1" "${REC[@]}" -n 4 -- "$echo_p" "$2" 0 ;;
	sock_base) run "$1" env -- "$net" 1 "$2" 64 ;;
	sock_off) run "$1" env LD_PRELOAD="$shim" -- "$net" 1 "$2" 64 ;;
	sock_rec) run "$1" "${REC[@]}" --sockets -- "$net" 1 "$2" 64 ;;
	sock_ring) run "$1" "${REC[@]}" -s 64K -n 16 --sockets -- "$net" 1 "$2" 64 ;;
	call_base) run "$1" env -- "$pp" "$2" 0 40 ;;
	call_off) run "$1" env LD_PRELOAD="$shim" -- "$pp" "$2" 0 40 ;;
	call_rec) run "$1" "${REC[@]}" --sockets -- "$pp" "$2" 0 40 ;;
	esac
}
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$tmp/$2.out"; }

# do_rounds GROUP ARG: the four variants of GROUP (lwip, sock) ROUNDS
# times, rotated; one line per round: base off rec ring CPU (us), in
# $tmp/GROUP.rounds.
do_rounds() {
	local g=$1 arg=$2 i j v names=(base off rec ring)
	declare -A c
	: >"$tmp/$g.rounds"
	for ((i = 0; i < rounds; i++)); do
		for ((j = 0; j < 4; j++)); do
			v=${names[$(((i + j) % 4))]}
			variant "${g}_$v" "$arg"
			c[$v]=$(field cpu_us "${g}_$v")
		done
		echo "${c[base]} ${c[off]} ${c[rec]} ${c[ring]}" >>"$tmp/$g.rounds"
	done
}
# table GROUP LABEL...: median CPU of each variant, and the median and the
# quartiles of the per-round ratios to the baseline.
table() {
	local g=$1
	shift
	awk -v labels="$1|$2|$3|$4" '
	function sortn(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t } }
	function q(a, n, f) { return a[int(f * (n - 1) + 1.5)] }
	{ n++; for (v = 1; v <= 4; v++) { cpu[v, n] = $v; r[v, n] = $v / $1 } }
	END {
		split(labels, lab, "|")
		for (v = 1; v <= 4; v++) {
			for (i = 1; i <= n; i++) { c[i] = cpu[v, i]; x[i] = r[v, i] }
			sortn(c, n); sortn(x, n)
			if (v == 1) printf "%-50s %10.1f ms\n", lab[v], q(c, n, 0.5) / 1000
			else printf "%-50s %10.1f ms %+7.2f%%  (quartiles %+.2f%% .. %+.2f%%)\n", lab[v], q(c, n, 0.5) / 1000,
				(q(x, n, 0.5) - 1) * 100, (q(x, n, 0.25) - 1) * 100, (q(x, n, 0.75) - 1) * 100
		}
	}' "$tmp/$g.rounds"
}

echo "== CPU time, $rounds rounds, medians (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
do_rounds lwip "$bytes"
do_rounds sock "$reqs"
printf '%-50s %13s %8s\n' "variant (median CPU; median ratio to base)" "CPU" "vs base"
table lwip "lwIP echo $bytes B: no probes (baseline)" "lwIP echo: probes compiled in, not recording" \
	"lwIP echo: recorded, default ring (first touch)" "lwIP echo: recorded, 2 MiB ring per stream"
table sock "sockets $reqs x 64 B req/resp: no shim" "sockets: shim preloaded, not recording" \
	"sockets: --sockets, default ring (first touch)" "sockets: --sockets, 1 MiB ring per stream"
calls=$(awk '$1 == "server" || $1 == "client" { for (i = 2; i < NF; i++) if ($i ~ /^(reads|writes|sends|recvs)$/) n += $(i + 1) } END { print n + 0 }' "$tmp/sock_base.out")
echo "(load average after: $(cut -d' ' -f1-3 /proc/loadavg); the last request/response run made $calls data calls)"
for k in "${!lost[@]}"; do echo "note: $k lost events in ${lost[$k]} of its runs"; done

echo
echo "== the shim's cost per data call (probe_pingpong, calls of 0 bytes, smallest of 40 batches, best of $rounds runs)"
declare -A best
for ((i = 0; i < rounds; i++)); do
	for v in base off rec; do
		variant "call_$v" "$calls"
		ns=$(field min "call_$v")
		if [ -z "${best[$v]:-}" ] || [ "$ns" -lt "${best[$v]}" ]; then best[$v]=$ns; fi
	done
done
awk -v b="${best[base]}" -v o="${best[off]}" -v r="${best[rec]}" 'BEGIN {
	printf "four calls of 0 bytes (a round), no shim: %d ns; shim not recording: %+.1f ns a call; recording: %+.1f ns a call\n",
		b, (o - b) / 4, (r - b) / 4 }'

[ "$cg" = 1 ] && command -v valgrind >/dev/null || exit 0
echo
echo "== lwIP echo under callgrind: user-space instructions (exact)"
declare -A ir
for n in "$cg_bytes" $((2 * cg_bytes)); do
	for v in base off rec; do
		case $v in
		base) pre=(env) prog=$echo_np ;;
		off) pre=(env) prog=$echo_p ;;
		rec) pre=("${REC[@]}" --) prog=$echo_p ;;
		esac
		run "cg_$v" "${pre[@]}" -- valgrind --tool=callgrind --callgrind-out-file=/dev/null \
			--log-file="$tmp/cg.log" "$prog" "$n" 0
		ir[$v,$n]=$(awk '/Collected :/ { print $NF }' "$tmp/cg.log" | tail -n 1)
	done
done
printf '%-46s %14s %9s %16s %9s\n' "variant" "Ir ($cg_bytes B)" "vs base" "per extra $cg_bytes B" "vs base"
for v in base off rec; do
	case $v in
	base) l="lwIP echo: no probes (baseline)" ;;
	off) l="lwIP echo: probes compiled in, not recording" ;;
	rec) l="lwIP echo: probes recorded (mprof record)" ;;
	esac
	awk -v l="$l" -v w="${ir[$v,$cg_bytes]}" -v w2="${ir[$v,$((2 * cg_bytes))]}" \
		-v b="${ir[base,$cg_bytes]}" -v b2="${ir[base,$((2 * cg_bytes))]}" 'BEGIN {
		printf "%-46s %14d %+8.2f%% %16d %+8.2f%%\n", l, w, (w / b - 1) * 100, w2 - w, ((w2 - w) / (b2 - b) - 1) * 100 }'
done
