#!/usr/bin/env bash
# mprof stats at the edges: exact integers in --json (u64 above INT64_MAX
# as a decimal string, s64 and INT64_MAX as integers, 0 as an integer),
# non-finite doubles as "NaN"/"Infinity"/"-Infinity", the report valid
# against docs/stats-json.schema.json, integers printed in full in the
# text, every loss count shown, no span timed across a discard gap, and a
# report that cannot be written (full disk, closed pipe) is exit 4.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

"$O/tests/progs/stats_trace" "$work/exact" exact || { echo "FAIL: stats_trace exact"; exit 1; }
"$O/tests/progs/stats_trace" "$work/gap" gap || { echo "FAIL: stats_trace gap"; exit 1; }

# ---- JSON: exact values, the schema ----
"$MPROF" stats --json "$work/exact" > "$work/exact.json"; rc=$?
[ $rc -eq 0 ] && ok "stats --json exit 0" || fail "stats --json exit $rc"
# The region-level counts reach stats through the metadata env once the
# trace reader carries them (issue 7); until then they read as 0.
if grep -q dropped_no_slot "$work/exact/metadata"; then env_counts=1; else env_counts=0; fi
echo "region counts in the metadata env: $env_counts"
python3 - "$work/exact.json" "$here/docs/stats-json.schema.json" "$env_counts" <<'PY' || fails=$((fails + 1))
import json, sys
try:
    import jsonschema
except ImportError:
    sys.exit("FAIL: python3 jsonschema is missing (python3-jsonschema: make deps)")
text = open(sys.argv[1]).read()
doc = json.loads(text)
schema = json.load(open(sys.argv[2]))
bad = 0
def expect(what, got, want):
    global bad
    # type too: 0 must be the integer 0, not 0.0 or false
    if got != want or type(got) is not type(want):
        print(f"FAIL: {what}: got {got!r} ({type(got).__name__}), want {want!r} ({type(want).__name__})")
        bad += 1
    else:
        print(f"ok: {what} = {got!r}")
c = doc["counters"]
c = {k: c.get(k) for k in ["c.u64_max", "c.i64_max", "c.two53_plus1", "c.zero", "c.s64_min", "c.minus_two53_plus1", "c.nan", "c.inf", "c.ninf", "c.half"]}
expect("u64 UINT64_MAX", c["c.u64_max"], "18446744073709551615")
expect("u64 INT64_MAX", c["c.i64_max"], 9223372036854775807)
expect("u64 2^53+1", c["c.two53_plus1"], 9007199254740993)
expect("u64 0", c["c.zero"], 0)
expect("s64 INT64_MIN", c["c.s64_min"], -9223372036854775808)
expect("s64 -(2^53+1)", c["c.minus_two53_plus1"], -9007199254740993)
expect("f64 NaN", c["c.nan"], "NaN")
expect("f64 +inf", c["c.inf"], "Infinity")
expect("f64 -inf", c["c.ninf"], "-Infinity")
expect("f64 0.5", c["c.half"], 0.5)
expect("span w max_ns", doc["spans"]["w"]["max_ns"], 100)
expect("zero count is an integer", doc["events_discarded"], 0)
# Bare NaN/Infinity tokens are not JSON.
for tok in ("NaN,", "Infinity,", ": NaN", ": Infinity", ": -Infinity"):
    if tok in text.replace('"NaN"', "").replace('"Infinity"', "").replace('"-Infinity"', ""):
        print(f"FAIL: a bare {tok!r} in the JSON"); bad += 1
counts = {"dropped_no_slot": "18446744073709551615", "refused_events": 9223372036854775807,
          "refused_invalid": 3, "schema_errors": 4, "strings_truncated": 9007199254740993}
for k, v in counts.items():
    expect(k, doc[k], v if sys.argv[3] == "1" else 0)
try:
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(doc)
    print("ok: valid against docs/stats-json.schema.json")
except jsonschema.ValidationError as e:
    print(f"FAIL: not valid against the schema: {e.message} at {list(e.absolute_path)}"); bad += 1
sys.exit(1 if bad else 0)
PY

# ---- Text: integers in full, every loss count ----
"$MPROF" stats "$work/exact" > "$work/exact.txt"; rc=$?
[ $rc -eq 0 ] || fail "stats exit $rc"
for want in "c.u64_max +18446744073709551615$" "c.i64_max +9223372036854775807$" \
	"c.two53_plus1 +9007199254740993$" "c.s64_min +-9223372036854775808$" "c.nan +nan$" \
	"events discarded \(ring full\) +0$" "packets lost \(sequence gaps\) +0$" \
	"invalid packets skipped +0$" "events without a stream slot +[0-9]+" \
	"event types refused \(schema full\) +[0-9]+" "event definitions refused \(invalid\) +[0-9]+" \
	"schema records unusable +[0-9]+" "strings truncated +[0-9]+" "spans broken by loss +0$"; do
	grep -Eq -e "$want" "$work/exact.txt" && ok "text: /$want/" || fail "text lacks /$want/"
done
if [ $env_counts = 1 ]; then
	grep -Eq "events without a stream slot +18446744073709551615 +hint: .*record -t" "$work/exact.txt" &&
		ok "text: no-slot count in full with its hint" || fail "text: no-slot count or hint"
fi

# ---- No span across a discard gap; a begin that never ends is unmatched ----
"$MPROF" stats --json "$work/gap" > "$work/gap.json" || fail "stats --json gap"
python3 - "$work/gap.json" <<'PY' || fails=$((fails + 1))
import json, sys
d = json.load(open(sys.argv[1]))
w = d["spans"]["w"]
want = {"count": 1, "max_ns": 100, "broken_by_loss": 1, "unmatched": 1, "unmatched_begin": 1}
got = {k: w[k] for k in want}
got_top = (d["events_discarded"], d["spans_broken_by_loss"])
if got != want or got_top != (5, 1):
    sys.exit(f"FAIL: gap: span w {got}, want {want}; (discarded, broken) {got_top}, want (5, 1)")
print(f"ok: gap: the span across the discard gap is not timed: {got}")
PY
"$MPROF" stats "$work/gap" > "$work/gap.txt"
grep -Eq "^w +1 +100ns +100ns +100ns +100ns +100ns +1 +1$" "$work/gap.txt" && ok "gap: text row" ||
	{ fail "gap: text row"; grep -E "^(span|w) " "$work/gap.txt"; }
grep -Eq "spans broken by loss +1 +hint" "$work/gap.txt" && ok "gap: lost section" || fail "gap: lost section"

# ---- A report that cannot be written is an error ----
for form in "" "--json"; do
	"$MPROF" stats $form "$work/exact" > /dev/full 2> "$work/err"; rc=$?
	if [ $rc -eq 4 ] && grep -q "writing the report" "$work/err"; then
		ok "stats $form > /dev/full: exit 4: $(cat "$work/err")"
	else
		fail "stats $form > /dev/full: exit $rc (want 4): $(cat "$work/err")"
	fi
	# A pipe whose reader is gone, SIGPIPE ignored: the write fails with EPIPE.
	rc=$(python3 - "$MPROF" "$work/exact" $form 2> "$work/err" <<'PY'
import os, signal, subprocess, sys
r, w = os.pipe()
os.close(r)
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
p = subprocess.run([sys.argv[1], "stats"] + sys.argv[3:] + [sys.argv[2]], stdout=w, stderr=subprocess.PIPE,
                   restore_signals=False)
sys.stderr.write(p.stderr.decode())
print(p.returncode)
PY
)
	if [ "$rc" = 4 ] && grep -q "writing the report: Broken pipe" "$work/err"; then
		ok "stats $form into a closed pipe: exit 4: $(cat "$work/err")"
	else
		fail "stats $form into a closed pipe: exit $rc (want 4): $(cat "$work/err")"
	fi
done

if [ $fails -ne 0 ]; then
	echo "$fails failed"
	exit 1
fi
echo PASSED
