#!/usr/bin/env bash
# Ctrl-C on a terminal reaches the program once: the terminal sends SIGINT
# to the whole foreground process group (record and the program), so
# record does not forward it again; a signal sent to record by a process
# (here SIGUSR1, then SIGHUP) is forwarded.  Run in a pseudo-terminal.
set -uo pipefail
work=$(mktemp -d)
export TMPDIR=$work # record's private socket directory too
trap 'rm -rf "$work"' EXIT
P=$(cd "$O/tests/progs" && pwd)/rec_procs
python3 - "$MPROF" "$P" "$work/t" <<'PY'
import os, pty, select, signal, sys

mprof, prog, out = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(mprof, [mprof, "record", "-q", "-o", out, "--", prog, "signal", "10"])
buf = b""

def read_until(pat):
    global buf
    while pat not in buf:
        r, _, _ = select.select([fd], [], [], 120)  # a guard against a hang, not a wait
        if not r:
            sys.exit("FAIL: timeout waiting for %r; the terminal shows %r" % (pat, buf))
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            sys.exit("FAIL: end of output waiting for %r; the terminal shows %r" % (pat, buf))
        buf += data

read_until(b"ready")
os.write(fd, b"\x03")              # Ctrl-C
read_until(b"got signal 2")
os.kill(pid, signal.SIGUSR1)       # from a process: forwarded
read_until(b"got signal 10")
os.kill(pid, signal.SIGHUP)
read_until(b"sigpipe")
_, status = os.waitpid(pid, 0)
text = buf.decode(errors="replace").replace("\r", "")
print(text)
ints = text.count("got signal 2\n")
fails = 0
if ints != 1:
    print("FAIL: the program got SIGINT %d times for one Ctrl-C, expected 1" % ints); fails += 1
if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
    print("FAIL: mprof record ended with status %#x, expected exit 0" % status); fails += 1
sys.exit(1 if fails else 0)
PY
rc=$?
[ $rc = 0 ] || exit 1
n=$(babeltrace2 "$work/t" | grep -c 'procs.signal')
[ "$n" = 3 ] || { echo "FAIL: $n procs.signal events in the trace, expected 3 (INT, USR1, HUP)"; exit 1; }
echo "ok"
