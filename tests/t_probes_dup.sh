#!/usr/bin/env bash
# The socket shim and descriptors made from a TCP socket
# (tests/probes/probe_dup.c): dup(), dup2(), fcntl(F_DUPFD_CLOEXEC) of a
# connection's descriptor, and a dup2() onto another connection's
# descriptor, which closes it.  From the trace (read by babeltrace2):
#  - every write through any of the five descriptors is on the one
#    connection, with its bytes (5 writes, 500 bytes; the server read 500);
#  - one sock.dup per new descriptor (4), each naming the connection;
#  - the descriptor dup2() reused: its own connection's sock.close, before
#    the sock.dup onto its number;
#  - a sock.close for each of the connection's five descriptors;
#  - four connections opened in all (two clients, two accepted);
#  - with a shim that tracks descriptors below 64 only, the dups to 100 and
#    200 record sock.untracked (the trace says what it does not follow).
set -u
source "$(dirname "$0")/gc/lib.sh"
gc_tmpdir
[ -n "${SANITIZE:-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
d=$gc_tmp/dup
"$MPROF" record -q --sockets -o "$d" -- "$O/tests/probes/probe_dup" >"$d.out" 2>"$d.err" ||
	{ echo "FAIL: mprof record --sockets probe_dup"; cat "$d.out" "$d.err"; exit 1; }
cat "$d.out"
babeltrace2 "$d"/probe_dup-* >"$d.bt" 2>"$d.bt.err" || { echo "FAIL: babeltrace2"; cat "$d.bt.err"; exit 1; }
python3 - "$d.bt" "$d.out" <<'PY' >"$d.facts" || { echo "FAIL: reading the trace"; exit 1; }
import re, sys
ev = []
for line in open(sys.argv[1]):
    m = re.search(r" (sock\.[a-z]+): \{[^}]*\}, \{ (.*) \}", line)
    if m:
        ev.append((m.group(1), dict(kv.split(" = ") for kv in m.group(2).split(", "))))
opens = [f for n, f in ev if n == "sock.open"]
client = [f for f in opens if f["role"] == "0"]
a, b = client[0]["conn"], client[1]["conn"]
bfd = client[1]["fd"]
writes = [f for n, f in ev if n == "sock.write"]
print("opened", len(opens))
print("a_writes", sum(f["conn"] == a for f in writes))
print("a_bytes", sum(int(f["bytes"]) for f in writes if f["conn"] == a))
print("other_writes", sum(f["conn"] != a for f in writes))
print("server_bytes", sum(int(f["bytes"]) for n, f in ev if n == "sock.read" and int(f["bytes"]) > 0))
dups = [f for n, f in ev if n == "sock.dup"]
print("dups", len(dups), "dups_on_a", sum(f["conn"] == a for f in dups))
closes = [(i, f) for i, (n, f) in enumerate(ev) if n == "sock.close"]
print("a_closes", sum(f["conn"] == a for _, f in closes))
bclose = [i for i, f in closes if f["conn"] == b and f["fd"] == bfd]
onto_b = [i for i, (n, f) in enumerate(ev) if n == "sock.dup" and f["newfd"] == bfd]
print("b_closed_before_reuse", int(len(bclose) == 1 and len(onto_b) == 1 and bclose[0] < onto_b[0]))
PY
cat "$d.facts"
f() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$d.facts"; }
o() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$d.out"; }
expect_eq "connections opened (two clients, two accepted)" "$(f opened)" 4
expect_eq "writes through every descriptor, on the one connection" "$(f a_writes)" "$(o writes)"
expect_eq "their bytes" "$(f a_bytes)" "$(o bytes)"
expect_eq "no write on another connection" "$(f other_writes)" 0
expect_eq "bytes the server read" "$(f server_bytes)" "$(o server_bytes)"
expect_eq "sock.dup events" "$(f dups)" "$(o dups)"
expect_eq "sock.dup events naming the connection" "$(f dups_on_a)" "$(o dups)"
expect_eq "sock.close of the connection's descriptors" "$(f a_closes)" 5
expect_eq "the descriptor dup2() reused: closed, then the dup onto it" "$(f b_closed_before_reuse)" 1

# ---- descriptors beyond the shim's table ----
# The same program under a shim that tracks descriptors below 64 only
# (MPROF_SOCKETS_MAX_FDS=64): dup2(c, 100) and fcntl(c, F_DUPFD_CLOEXEC,
# 200) are not followed, and each records sock.untracked naming the
# connection; the writes through c, dup(c) and B's old number still are.
d=$gc_tmp/dup64
MPROF_SOCKETS_LIB=$O/lib/mprof-test/libmprof_sockets_64fds.so \
	"$MPROF" record -q --sockets -o "$d" -- "$O/tests/probes/probe_dup" >"$d.out" 2>"$d.err" ||
	{ echo "FAIL: mprof record --sockets (64-descriptor shim) probe_dup"; cat "$d.out" "$d.err"; exit 1; }
babeltrace2 "$d"/probe_dup-* >"$d.bt" 2>"$d.bt.err" || { echo "FAIL: babeltrace2"; cat "$d.bt.err"; exit 1; }
python3 - "$d.bt" <<'PY' >"$d.facts" || { echo "FAIL: reading the trace"; exit 1; }
import re, sys
ev = []
for line in open(sys.argv[1]):
    m = re.search(r" (sock\.[a-z]+): \{[^}]*\}, \{ (.*) \}", line)
    if m:
        ev.append((m.group(1), dict(kv.split(" = ") for kv in m.group(2).split(", "))))
a = [f for n, f in ev if n == "sock.open" and f["role"] == "0"][0]["conn"]
un = [f for n, f in ev if n == "sock.untracked"]
print("untracked_fds", ",".join(f["fd"] for f in un), "untracked_on_a", sum(f["conn"] == a for f in un))
print("a_writes", sum(n == "sock.write" and f["conn"] == a for n, f in ev))
PY
cat "$d.facts"
expect_eq "64-descriptor shim: sock.untracked for the descriptors 100 and 200" "$(f untracked_fds)" 100,200
expect_eq "64-descriptor shim: sock.untracked names the connection" "$(f untracked_on_a)" 2
expect_eq "64-descriptor shim: the writes it could follow" "$(f a_writes)" 3
gc_finish
