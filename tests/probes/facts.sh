# tests/probes/facts.sh - read a trace's socket events back (sourced by the
# t_probes_*.sh scripts, after tests/gc/lib.sh for expect_eq/expect_cmp).
#
# sock_facts TRACE: one "key value" a line, from babeltrace2's text (the
# reference CTF reader, not ours; timestamps in clock cycles, the unit of
# sock.write's and sock.read's start):
#   ev.<name> N                    events of each sock.* / tcp.* name
#   start_bad N                    sock.write / sock.read whose start is 0 or
#                                  after the event's own timestamp
#   other N                        sock.* / tcp.* events outside the
#                                  vocabulary of docs/PROBES.md (a span
#                                  around each data call, as before issue
#                                  8's performance work, would count here)
#   write_bytes / read_bytes B     bytes of sock.write / sock.read that moved data
#   call.<n> N                     sock.write and sock.read events per call code
#   opened.<role> N                sock.open with err 0 or EINPROGRESS (115: a non-blocking
#                                  connect) per role (0 client, 1 server)
sock_facts() {
	babeltrace2 --clock-cycles "$1" 2>"$1.bt.err" | awk '
	{
		name = ""
		ts = $1; gsub(/[^0-9]/, "", ts)
		for (i = 1; i <= NF; i++) if ($i ~ /^(sock|tcp)\.[a-z_.]*:$/) { name = substr($i, 1, length($i) - 1); break }
		if (name == "") next
		ev[name]++
		if (name !~ /^(sock\.(read|write|open|close|connect\.begin|connect\.end|accept\.begin|accept\.end)|tcp\.info)$/)
			other++
		delete f
		for (i = 1; i < NF; i++) if ($(i + 1) == "=") { v = $(i + 2); sub(/[,}]$/, "", v); f[$i] = v }
		if (name == "sock.write" && f["bytes"] > 0) wb += f["bytes"]
		if (name == "sock.read" && f["bytes"] > 0) rb += f["bytes"]
		if (name == "sock.write" || name == "sock.read") {
			call[f["call"]]++
			# Compared as strings of digits: 20-digit cycles exceed
			# awk'"'"'s exact integers.
			st = f["start"]; sub(/^0+/, "", ts)
			if (st == "" || st == "0" || length(st) > length(ts) || (length(st) == length(ts) && st > ts))
				start_bad++
		}
		if (name == "sock.open" && (f["err"] == 0 || f["err"] == 115)) opened[f["role"]]++
	}
	END {
		for (n in ev) print "ev." n, ev[n]
		print "start_bad", start_bad + 0
		print "other", other + 0
		print "write_bytes", wb + 0
		print "read_bytes", rb + 0
		for (c in call) print "call." c, call[c]
		print "opened.0", opened[0] + 0
		print "opened.1", opened[1] + 0
	}'
}

# sfact FILE KEY: the value of KEY in a facts file (0 if absent).
sfact() {
	awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' "$1"
}
