#!/usr/bin/env bash
# The viewer's lanes per TCP connection on a real recording: probe_net
# (tests/probes/probe_net.c: an epoll server and 3 forked clients over
# loopback) under `mprof record --sockets`.  The model (gen_viewer_open)
# has a lane per (process, conn); every sock.read/sock.write the programs
# report is in a connection lane's reads/writes band (none left on a
# thread); 6 lanes carry data (3 on the server, 1 per client); and
# `mprof render` draws the recording.
set -euo pipefail
O=${O:-build}
MPROF=${MPROF:-$O/bin/mprof}
NET=$O/tests/probes/probe_net
OPEN=$O/tests/progs/gen_viewer_open
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mprof-viewer-sockets.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../viewer/test/viewer_test_lib.sh"
[ -n "${SANITIZE:-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

"$MPROF" record -q --sockets -o "$tmp/net" -- "$NET" 3 5 1000 >"$tmp/net.out" 2>"$tmp/net.err" ||
	{ cat "$tmp/net.err"; fail "mprof record --sockets $NET"; }
cat "$tmp/net.out"
"$OPEN" "$tmp/net" >"$tmp/open.out" || { cat "$tmp/open.out"; fail "the viewer's model cannot load the recording"; }
cat "$tmp/open.out"

# "server ... reads N writes N", "client I ... sends N recvs N": calls, EAGAIN returns included.
calls() { awk -v a="$1" -v b="$2" '$1 == "server" || $1 == "client" { for (i = 2; i < NF; i++) if ($i == a || $i == b) n += $(i + 1) } END { print n + 0 }' "$tmp/net.out"; }
want_reads=$(calls reads recvs)
want_writes=$(calls writes sends)
reads=$(awk '$1 == "conn" { n += $7 } END { print n + 0 }' "$tmp/open.out")
writes=$(awk '$1 == "conn" { n += $9 } END { print n + 0 }' "$tmp/open.out")
data_lanes=$(awk '$1 == "conn" && $7 > 0 && $9 > 0 { n++ } END { print n + 0 }' "$tmp/open.out")
[ "$want_reads" -gt 0 ] || fail "probe_net reported no reads"
[ "$reads" -eq "$want_reads" ] || fail "connection lanes hold $reads reads, the programs made $want_reads"
[ "$writes" -eq "$want_writes" ] || fail "connection lanes hold $writes writes, the programs made $want_writes"
[ "$data_lanes" -eq 6 ] || fail "$data_lanes connection lanes with reads and writes, expected 6 (3 server, 3 clients)"

"$MPROF" render "$tmp/net" -o "$tmp/net.png" >"$tmp/render.out" 2>&1 || { cat "$tmp/render.out"; fail "mprof render"; }
[ -s "$tmp/net.png" ] || fail "mprof render wrote no picture"
echo "t_viewer_sockets: ok ($data_lanes connection lanes, $reads reads, $writes writes)"
