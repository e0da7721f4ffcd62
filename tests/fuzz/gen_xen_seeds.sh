#!/usr/bin/env bash
# gen_xen_seeds.sh BUILD_DIR - write corpus/fuzz_xen_pages/: real guest
# pages, as `mprof share --xen --sim` grants them to dom0 while
# tests/progs/xen_guest records into them (the guest-side code a domU
# runs), each behind the flags byte fuzz_xen_pages.c reads.
set -euo pipefail
B=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
C=$HERE/corpus/fuzz_xen_pages
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$C"
# seed NAME FLAGS EVENTS SHARE-OPTIONS...: the pages once the guest emitted EVENTS.
seed() {
	local name=$1 flags=$2 n=$3 pid id; shift 3
	"$B/bin/mprof" share --xen --sim "$work/x" --linger-ms 0 --name "$name" "$@" -- \
		"$B/tests/progs/xen_guest" "$n" "$work/$name.ready" hang &
	pid=$!
	for _ in $(seq 200); do [ -e "$work/$name.ready" ] && break; sleep 0.05; done
	id=$(grep -lx "$name" "$work"/x/dom/*/name | sed 's|.*/dom/\([0-9]*\)/name|\1|')
	{ printf "\\x$(printf %02x "$flags")"; cat "$work/x/dom/$id/grants"; } > "$C/$name"
	kill "$(pgrep -P "$pid")" "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
# (A stream's ring is whole pages: packet size x packets a multiple of 4096.)
seed open-packet 0 3 -p 256 -n 16 -t 1 -e 4
seed ring-full 0 300 -p 256 -n 16 -t 1 -e 4
seed scrape-rewrite 3 12 -p 512 -n 8 -t 1 -e 4
seed crashed 4 25 -p 1024 -n 4 -t 2 -e 4
seed legacy 8 9 -p 256 -n 16 -t 1 -e 4
seed scrape-crash 5 150 -p 2048 -n 2 -t 2 -e 8
ls -l "$C"
