#!/usr/bin/env bash
# The socket shim (probes/sockets, `mprof record --sockets`) on real
# programs over loopback: what the trace says equals what the programs
# report.
#
# 1. probe_net (tests/probes/probe_net.c): an epoll server with
#    non-blocking sockets and accept4, and 3 clients it forks (no exec),
#    rotating over write/send/sendmsg/writev/sendfile and
#    read/recv/recvmsg/readv.  Per process: connections, calls (EAGAIN
#    returns included) and bytes; errno through the shim; one TCP_INFO
#    sample per call with --tcp-info 0, none with --tcp-info off; each
#    data call's start before its end, with the trace clock the TSC and
#    CLOCK_MONOTONIC; no event but the vocabulary's (one per data call).
# 2. curl against a local HTTP server (plain build only: a sanitized shim
#    cannot be preloaded into an unsanitized curl): connections, bytes
#    sent and received as curl counts them.
# 3. --sockets with no shim to find: exit 3, one line, nothing created.
set -u
source "$(dirname "$0")/gc/lib.sh"
source "$(dirname "$0")/probes/facts.sh"
NET=$O/tests/probes/probe_net
gc_tmpdir
# A sanitized build: the preloaded shim loads before the program's ASan
# runtime, which ASan's link-order check refuses; the runtime is the
# program's all the same (both are built with it).
[ -n "${SANITIZE:-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

for info in 0 off; do
	# The second run with the trace clock in nanoseconds (MPROF_CLOCK,
	# docs/ARCHITECTURE.md): each data call's start follows the clock.
	clock=tsc
	[ "$info" = off ] && clock=monotonic
	echo "== probe_net, --tcp-info $info, MPROF_CLOCK=$clock"
	d=$gc_tmp/net-$info
	if ! MPROF_CLOCK=$clock "$MPROF" record -q --sockets --tcp-info "$info" -o "$d" -- "$NET" 3 25 3000 \
		>"$d.out" 2>"$d.err"; then
		echo "FAIL: mprof record --sockets $NET"; cat "$d.err"; exit 1
	fi
	cat "$d.out"
	expect_eq "errno through the shim" "$(awk '$1 == "errno_checks" { print $2 }' "$d.out")" ok
	ntraces=$(ls -d "$d"/probe_net-* | wc -l)
	expect_eq "traces (server and 3 forked clients)" "$ntraces" 4
	server_trace="" ; csent=0; crecv=0; csends=0; crecvs=0; cconn=0
	for t in "$d"/probe_net-*; do
		sock_facts "$t" >"$t.facts"
		[ -s "$t.bt.err" ] && { echo "FAIL: babeltrace2 $t:"; cat "$t.bt.err"; gc_failed=1; }
		expect_eq "$(basename "$t"): data calls whose start is 0 or after their end" \
			"$(sfact "$t.facts" start_bad)" 0
		expect_eq "$(basename "$t"): events outside the vocabulary (one event per data call)" \
			"$(sfact "$t.facts" other)" 0
		if [ "$(sfact "$t.facts" opened.1)" -gt 0 ]; then
			server_trace=$t
			continue
		fi
		csent=$((csent + $(sfact "$t.facts" write_bytes)))
		crecv=$((crecv + $(sfact "$t.facts" read_bytes)))
		csends=$((csends + $(sfact "$t.facts" ev.sock.write)))
		crecvs=$((crecvs + $(sfact "$t.facts" ev.sock.read)))
		cconn=$((cconn + $(sfact "$t.facts" opened.0)))
		if [ "$info" = 0 ]; then
			expect_eq "$(basename "$t"): tcp.info samples = data calls + close" \
				"$(sfact "$t.facts" ev.tcp.info)" \
				$(($(sfact "$t.facts" ev.sock.write) + $(sfact "$t.facts" ev.sock.read) + $(sfact "$t.facts" ev.sock.close)))
		else
			expect_eq "$(basename "$t"): tcp.info samples with --tcp-info off" "$(sfact "$t.facts" ev.tcp.info)" 0
		fi
	done
	sum() { awk -v k="$1" '$1 == "client" { for (i = 2; i < NF; i++) if ($i == k) s += $(i + 1) } END { print s + 0 }' "$d.out"; }
	expect_eq "clients: connections (sock.open, role client)" "$cconn" "$(sum connects)"
	expect_eq "clients: bytes sent" "$csent" "$(sum sent_bytes)"
	expect_eq "clients: bytes received" "$crecv" "$(sum received_bytes)"
	expect_eq "clients: send calls" "$csends" "$(sum sends)"
	expect_eq "clients: receive calls" "$crecvs" "$(sum recvs)"
	srv() { awk -v k="$1" '$1 == "server" { for (i = 2; i < NF; i++) if ($i == k) print $(i + 1) }' "$d.out"; }
	if [ -z "$server_trace" ]; then
		echo "FAIL: no trace with an accepted connection"; gc_failed=1; continue
	fi
	sf=$server_trace.facts
	expect_eq "server: connections accepted" "$(sfact "$sf" opened.1)" "$(srv accepted)"
	expect_eq "server: bytes read" "$(sfact "$sf" read_bytes)" "$(srv read_bytes)"
	expect_eq "server: bytes written" "$(sfact "$sf" write_bytes)" "$(srv wrote_bytes)"
	expect_eq "server: read calls (EAGAIN and EOF included)" "$(sfact "$sf" ev.sock.read)" "$(srv reads)"
	expect_eq "server: write calls" "$(sfact "$sf" ev.sock.write)" "$(srv writes)"
	# The server answers a connection's first request with sendfile when
	# that request arrived whole in one read (timing decides): the calls
	# recorded equal the calls it made, and it made some.
	expect_eq "server: sendfile calls" "$(sfact "$sf" call.8)" "$(srv sendfiles)"
	expect_cmp "server: sendfile calls made" "$(srv sendfiles)" -ge 1
	expect_eq "server: sock.close of accepted connections" "$(sfact "$sf" ev.sock.close)" "$(srv accepted)"
done

if [ -z "${SANITIZE:-}" ]; then
	echo "== curl against a local HTTP server"
	mkdir -p "$gc_tmp/www"
	head -c 200000 /dev/urandom >"$gc_tmp/www/blob"
	python3 - "$gc_tmp/www" "$gc_tmp/port" <<'PY' &
import http.server, os, socketserver, sys
os.chdir(sys.argv[1])
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
with socketserver.TCPServer(("127.0.0.1", 0), H) as s:
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(s.server_address[1]))
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    s.handle_request()
PY
	gc_pids="$!"
	for _ in $(seq 1 200); do [ -s "$gc_tmp/port" ] && break; sleep 0.05; done
	port=$(cat "$gc_tmp/port" 2>/dev/null)
	if [ -z "$port" ]; then
		echo "FAIL: the HTTP server did not start"; gc_failed=1
	else
		d=$gc_tmp/curl
		if ! "$MPROF" record -q --sockets -o "$d" -- curl -s -o "$gc_tmp/got" \
			-w '%{num_connects} %{size_request} %{size_header} %{size_download}\n' \
			"http://127.0.0.1:$port/blob" >"$d.out" 2>"$d.err"; then
			echo "FAIL: mprof record --sockets curl"; cat "$d.err"; gc_failed=1
		else
			read -r nconn req hdr body <"$d.out"
			echo "curl: connects $nconn request $req header $hdr body $body"
			t=$(ls -d "$d"/curl-* | head -n 1)
			sock_facts "$t" >"$t.facts"
			expect_eq "curl: body downloaded" "$body" 200000
			expect_eq "curl: connections" "$(sfact "$t.facts" opened.0)" "$nconn"
			expect_eq "curl: bytes sent = size_request" "$(sfact "$t.facts" write_bytes)" "$req"
			expect_eq "curl: bytes received = size_header + size_download" \
				"$(sfact "$t.facts" read_bytes)" $((hdr + body))
		fi
	fi
	wait "$gc_pids" 2>/dev/null
	gc_pids=""
fi

echo "== --sockets with no shim"
MPROF_SOCKETS_LIB=$gc_tmp/nonexistent.so "$MPROF" record --sockets -o "$gc_tmp/none" -- true 2>"$gc_tmp/none.err"
expect_eq "exit status (bad input)" "$?" 3
expect_eq "one line naming the shim" "$(grep -c 'nonexistent.so' "$gc_tmp/none.err")" 1
expect_eq "no output directory" "$(test -e "$gc_tmp/none" && echo exists || echo absent)" absent
gc_finish
