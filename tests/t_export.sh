#!/usr/bin/env bash
# mprof export: Chrome trace-event JSON parsed back (python3 json), its
# complete events, counters, instants and metadata counted and its span
# durations summed against `mprof stats`, exactly; a recorded demo with
# several threads; CSV with one row per event; losses in otherData; the
# output written to a temporary file and renamed (nothing left behind on
# failure); bad input and usage give their documented exits.
set -uo pipefail
source "$(dirname "$0")/lib_cli.sh"

"$O/tests/progs/compare_gen" "$work/t" 5 2000 1.0 && "$O/tests/progs/compare_gen" "$work/lossy" 6 2000 1.0 loss ||
	{ echo "FAIL: compare_gen"; exit 1; }
"$MPROF" stats --json "$work/t" > "$work/t.stats.json" || fail "stats"

# ---- Chrome: counts and durations ----
expect_rc "export --format chrome" 0 "$MPROF" export --format chrome "$work/t" -o "$work/t.json"
python3 - "$work/t.json" "$work/t.stats.json" <<'PY' || fails=$((fails + 1))
import json, sys
from collections import Counter
doc = json.load(open(sys.argv[1]))
st = json.load(open(sys.argv[2]))
ev = doc["traceEvents"]
bad = 0
def expect(what, got, want):
    global bad
    if got != want:
        print(f"FAIL: {what}: got {got!r}, want {want!r}"); bad += 1
    else:
        print(f"ok: {what} = {got!r}")
ph = Counter((e["ph"], e["name"]) for e in ev)
expect("X work", ph[("X", "work")], 2000)
expect("X gc.minor", ph[("X", "gc.minor")], 500)
expect("C heap", ph[("C", "heap")], 2000)
expect("i tick", ph[("i", "tick")], 2000)
expect("i phase markers", ph[("i", "phase.start")] + ph[("i", "phase.end")], 2)
expect("no span begin/end events", sum(1 for e in ev if e["name"] in ("work.begin", "work.end", "gc.minor.begin", "gc.minor.end")), 0)
expect("M process_name", ph[("M", "process_name")], 1)
expect("M thread_name", ph[("M", "thread_name")], 1)
for span in ("work", "gc.minor"):
    durs = [round(e["dur"] * 1000) for e in ev if e["ph"] == "X" and e["name"] == span]
    expect(f"{span} durations summed (ns) = stats total_ns", sum(durs), st["spans"][span]["total_ns"])
    expect(f"{span} longest = stats max_ns", max(durs), st["spans"][span]["max_ns"])
    expect(f"{span} cat", {e["cat"] for e in ev if e["name"] == span}, {"gc" if span.startswith("gc.") else "span"})
ts = [e["ts"] for e in ev if e["ph"] != "M"]
expect("first ts is 0", min(ts), 0)
expect("every counter has a value", all("value" in e["args"] for e in ev if e["ph"] == "C"), True)
expect("otherData events", doc["otherData"]["events"], st["events"])
expect("otherData events_discarded", doc["otherData"]["events_discarded"], 0)
sys.exit(1 if bad else 0)
PY
ls "$work" | grep -q '\.tmp\.' && fail "a temporary file was left" || ok "no temporary file left"

# ---- a real recording: several threads ----
if "$MPROF" record -q -o "$work/demo" -- "$O/examples/demo_app" 4000 3 > /dev/null; then
	d=$(ls -d "$work"/demo/*/ | head -n 1)
	"$MPROF" stats --json "$d" > "$work/demo.stats.json"
	expect_rc "export the demo" 0 "$MPROF" export --format chrome "$d" -o "$work/demo.json"
	python3 - "$work/demo.json" "$work/demo.stats.json" <<'PY' || fails=$((fails + 1))
import json, sys
doc = json.load(open(sys.argv[1])); st = json.load(open(sys.argv[2]))
ev = doc["traceEvents"]
x = [e for e in ev if e["ph"] == "X" and e["name"] == "request"]
tids = {e["tid"] for e in ev if e["ph"] != "M"}
named = {e["tid"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
pids = {e["pid"] for e in ev}
problems = []
if len(x) != st["spans"]["request"]["count"]:
    problems.append(f"{len(x)} request spans, stats says {st['spans']['request']['count']}")
if sum(round(e["dur"] * 1000) for e in x) != st["spans"]["request"]["total_ns"]:
    problems.append("request durations do not sum to stats' total_ns")
if len(tids) < 3 or tids != named:
    problems.append(f"threads {sorted(tids)} named {sorted(named)}")
if len(pids) != 1:
    problems.append(f"pids {pids}")
if problems:
    sys.exit("FAIL: demo export: " + "; ".join(problems))
print(f"ok: demo export: {len(x)} request spans summed exactly, {len(tids)} threads named, one process")
PY
else
	fail "record the demo"
fi

# ---- a directory of traces: every process named by its own trace ----
P="$O/tests/progs/rec_procs"
if "$MPROF" record -q -o "$work/procs" -- sh -c "$P emit 1000; $P emit 1000" > /dev/null; then
	expect_rc "export a directory of two traces" 0 "$MPROF" export --format chrome "$work/procs" -o "$work/procs.json"
	python3 - "$work/procs.json" "$work/procs" <<'PY' || fails=$((fails + 1))
import json, os, sys
doc = json.load(open(sys.argv[1]))
want = sorted(tuple(d.rsplit("-", 1)) for d in os.listdir(sys.argv[2]) if os.path.isdir(os.path.join(sys.argv[2], d)))
got = sorted((e["args"]["name"], str(e["pid"])) for e in doc["traceEvents"] if e["ph"] == "M" and e["name"] == "process_name")
used = sorted({str(e["pid"]) for e in doc["traceEvents"] if e["ph"] != "M"})
if len(want) != 2 or got != want or used != sorted(p for _, p in want):
    sys.exit(f"FAIL: processes named {got}, events under pids {used}, traces {want}")
print(f"ok: both processes named by their traces: {got}")
PY
else
	fail "record two processes"
fi

# ---- CSV: one row per event ----
expect_rc "export --format csv" 0 "$MPROF" export --format csv "$work/t" -o "$work/t.csv"
python3 - "$work/t.csv" "$work/t.stats.json" <<'PY' || fails=$((fails + 1))
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
st = json.load(open(sys.argv[2]))
head = rows[0]
if head != ["timestamp_ns", "process", "stream", "tid", "event", "kind", "fields"]:
    sys.exit(f"FAIL: csv header {head}")
body = rows[1:]
per = {}
for r in body:
    per[r[4]] = per.get(r[4], 0) + 1
if len(body) != st["events"] or per != st["event_counts"]:
    sys.exit(f"FAIL: csv rows {len(body)} vs {st['events']} events; {per} vs {st['event_counts']}")
heap = [r for r in body if r[4] == "heap"]
if not all(r[5] == "counter" and r[6].startswith("value=") for r in heap):
    sys.exit(f"FAIL: heap rows {heap[:2]}")
ts = [int(r[0]) for r in body]
if ts != sorted(ts):
    sys.exit("FAIL: rows out of time order")
print(f"ok: csv: {len(body)} rows, one per event, counts per event as stats'")
PY

# ---- losses reach the export ----
expect_rc "export a lossy trace" 0 "$MPROF" export --format chrome "$work/lossy" -o "$work/lossy.json"
grep -q "7 events discarded" "$work/err" && ok "stderr says 7 events were discarded" || fail "no loss note: $(cat "$work/err")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["otherData"]; sys.exit(0 if d["events_discarded"] == 7 else "FAIL: %r" % d)' \
	"$work/lossy.json" && ok "otherData.events_discarded = 7" || fail "otherData"

# ---- a progress line on a terminal, none otherwise ----
# 250000 spans make 1125000 events: one progress line (every 2^20).
"$O/tests/progs/compare_gen" "$work/big" 7 250000 1.0 || fail "compare_gen big"
python3 - "$MPROF" "$work/big" "$work/big.json" <<'PY' || fails=$((fails + 1))
import os, pty, sys
mprof, trace, out = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    # stderr (and stdout) are the terminal.
    os.execv(mprof, [mprof, "export", "--format", "chrome", trace, "-o", out])
text = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    text += chunk
_, status = os.waitpid(pid, 0)
if os.waitstatus_to_exitcode(status) != 0 or b"mprof export: 1048576 events" not in text:
    sys.exit(f"FAIL: export on a terminal: status {status}, output {text!r}")
print("ok: a progress line on the terminal")
PY
"$MPROF" export --format chrome "$work/big" -o "$work/big.json" 2> "$work/err" || fail "export big"
[ -s "$work/err" ] && fail "stderr not a terminal, yet: $(cat "$work/err")" || ok "no progress line when stderr is not a terminal"
rm -rf "$work/big" "$work/big.json"

# ---- failures leave nothing that looks complete ----
expect_rc "a missing trace" 3 "$MPROF" export --format chrome "$work/nothere" -o "$work/none.json"
[ -e "$work/none.json" ] && fail "none.json exists" || ok "no output for a missing trace"
grep -q nothere "$work/err" && ok "the message names the trace" || fail "message: $(cat "$work/err")"
expect_rc "an output directory that does not exist" 4 \
	"$MPROF" export --format csv "$work/t" -o "$work/no/such/dir/t.csv"
grep -q "no/such/dir" "$work/err" && ok "the message names the output" || fail "message: $(cat "$work/err")"
cp -r "$work/t" "$work/corrupt"
printf 'garbage!' | dd of="$work/corrupt/stream_0" bs=1 seek=200 conv=notrunc status=none
expect_rc "a corrupt stream" 3 "$MPROF" export --format chrome "$work/corrupt" -o "$work/corrupt.json"
[ -e "$work/corrupt.json" ] && fail "corrupt.json exists" || ok "no output for a corrupt trace"
grep -q "corrupt" "$work/err" && ok "the message says corrupt" || fail "message: $(cat "$work/err")"
ls "$work" | grep -q '\.tmp\.' && fail "a temporary file was left: $(ls "$work")" || ok "no temporary file left after failures"
expect_rc "no --format" 2 "$MPROF" export "$work/t" -o "$work/x.json"
expect_rc "--format xml" 2 "$MPROF" export --format xml "$work/t" -o "$work/x.json"
expect_rc "no -o" 2 "$MPROF" export --format csv "$work/t"

finish t_export
