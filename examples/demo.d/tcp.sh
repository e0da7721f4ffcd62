#!/usr/bin/env bash
# make demo, TCP part (docs/PROBES.md): a Boehm GC program serving TCP
# requests on loopback, recorded with the socket shim (mprof record
# --sockets); it stalls requests 10, 50, 120 and 170 with a forced
# collection, and mprof stats names them in its "requests and GC" section,
# beside the sock.* spans and the GC summary of the same trace.
set -euo pipefail
O=${O:-build}
MPROF=${MPROF:-$O/bin/mprof}
out=${DEMO_DIR:-demo-trace}
server=$O/tests/probes/probe_gc_server
mkdir -p "$out"
rm -rf "$out/tcp"

echo "== TCP: mprof record --sockets -o $out/tcp -- $server 200 4000 10 50 120 170   (Boehm GC server + its client)"
"$MPROF" record --sockets -o "$out/tcp" -- "$server" 200 4000 10 50 120 170
echo
echo "== mprof stats $out/tcp   (both processes: the span table, GC, and which requests GC delayed)"
"$MPROF" stats "$out/tcp" | sed -n '/^span /,$p'
echo
echo "== babeltrace2 $out/tcp | grep -m 6 -E 'sock\\.|gc\\.major'"
babeltrace2 "$out/tcp" | grep -m 6 -E 'sock\.|gc\.major' || true
