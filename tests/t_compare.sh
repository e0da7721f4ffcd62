#!/usr/bin/env bash
# mprof compare on synthetic traces with known distributions
# (tests/progs/compare_gen.c): identical distributions over 100 seeds are
# flagged at no more than the stated family-wise rate (alpha 0.05, Holm),
# a +15% shift is flagged on every seed, --fail-on picks the metric and
# statistic, loss makes the verdict "undecided" (exit 11) unless
# --allow-loss, windows and phases select the compared part, several runs
# per side (both spellings), reproducible JSON valid against
# docs/compare-json.schema.json, and bad input gives its documented exit.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$(dirname "$0")/lib_cli.sh"
gen="$O/tests/progs/compare_gen"

# ---- identical distributions: the false-positive rate ----
# 100 pairs of traces drawn from one distribution (1000 work spans each).
# Every metric of a pair is tested and Holm keeps the family-wise error at
# alpha = 0.05: at most 5% of the pairs should show any significant
# metric.  The seeds are fixed, so the count is exact and repeatable;
# the bound allows the binomial spread of 100 draws (mean 5, P(>10) < 2%).
pairs=100 sig=0 regressed=0
for s in $(seq 1 $pairs); do
	"$gen" "$work/a" $((2 * s)) 1000 1.0 && "$gen" "$work/b" $((2 * s + 1)) 1000 1.0 ||
		{ fail "compare_gen seed $s"; break; }
	"$MPROF" compare --json --iterations 200 "$work/a" "$work/b" > "$work/same.json"; rc=$?
	[ $rc -eq 10 ] && regressed=$((regressed + 1))
	[ $rc -ne 0 ] && [ $rc -ne 10 ] && fail "identical pair $s: exit $rc"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if any(m["significant"] for m in d["metrics"]) else 1)' \
		"$work/same.json" && sig=$((sig + 1))
	rm -rf "$work/a" "$work/b"
done
echo "identical distributions: $sig of $pairs pairs had a significant metric, $regressed called a regression"
[ $sig -le 10 ] && ok "false positives $sig <= 10 of $pairs (alpha 0.05)" || fail "false positives: $sig of $pairs > 10"
[ $regressed -eq 0 ] && ok "no identical pair called a regression" || fail "$regressed identical pairs called a regression"

# ---- a +15% shift is flagged ----
missed=0
for s in 1 2 3 4 5 6 7 8 9 10; do
	"$gen" "$work/a" $((1000 + s)) 3000 1.0 && "$gen" "$work/b" $((2000 + s)) 3000 1.15 || fail "compare_gen"
	"$MPROF" compare "$work/a" "$work/b" > "$work/shift.txt"; rc=$?
	if [ $rc -ne 10 ] || ! grep -Eq '^work .*regressed' "$work/shift.txt"; then
		missed=$((missed + 1)); echo "seed $s: exit $rc"; cat "$work/shift.txt"
	fi
	rm -rf "$work/a" "$work/b"
done
[ $missed -eq 0 ] && ok "+15% shift flagged on 10 of 10 seeds" || fail "+15% shift missed on $missed of 10 seeds"

# The traces the rest uses.
"$gen" "$work/base" 11 3000 1.0 && "$gen" "$work/base2" 12 3000 1.0 && "$gen" "$work/slow" 13 3000 1.15 &&
	"$gen" "$work/slow2" 14 3000 1.15 && "$gen" "$work/same" 15 3000 1.0 && "$gen" "$work/tail" 16 3000 1.3 tail &&
	"$gen" "$work/lossy" 17 3000 1.15 loss && "$gen" "$work/mismatch" 18 100 1.0 mismatch ||
	{ echo "FAIL: compare_gen"; exit 1; }

# ---- --fail-on ----
expect_rc "fail-on work.p90 +10% on a +15% shift" 10 "$MPROF" compare --fail-on 'work.p90>+10%' "$work/base" "$work/slow"
grep -q "work.p90>+10%" "$work/out" && ok "the table names the rule that fired" || fail "rule not named"
expect_rc "fail-on gc.minor.p99 +10% (gc unchanged, work slower)" 0 \
	"$MPROF" compare --fail-on 'gc.minor.p99>+10%' "$work/base" "$work/slow"
expect_rc "fail-on work.p50 +30% on a +15% shift" 0 "$MPROF" compare --fail-on 'work.p50>+30%' "$work/base" "$work/slow"
expect_rc "fail-on a glob: w*.p50>+5%" 10 "$MPROF" compare --fail-on 'w*.p50>+5%' "$work/base" "$work/slow"
expect_rc "fail-on a fall: work.p50<-5% (NEW is the base reversed)" 10 \
	"$MPROF" compare --fail-on 'work.p50<-5%' "$work/slow" "$work/base"
expect_rc "unchanged traces" 0 "$MPROF" compare "$work/base" "$work/same"

# ---- loss ----
expect_rc "a run lost events in the window: undecided" 11 "$MPROF" compare "$work/base" "$work/lossy"
grep -q "lost events" "$work/out" && ok "the report says events were lost" || fail "loss not reported"
grep -Eq '^work .*undecided' "$work/out" && ok "work is undecided" || fail "work not undecided"
expect_rc "--allow-loss judges anyway" 10 "$MPROF" compare --allow-loss "$work/base" "$work/lossy"
# The loss is in the second half: a window before it is complete.
dur=$("$MPROF" compare --json "$work/base" "$work/lossy" | python3 -c 'import json,sys; print(json.load(sys.stdin)["new"][0]["compared_ns"])')
half_ms=$((dur / 2000000 - 5))
expect_rc "a window before the loss (--to ${half_ms}ms) is judged" 10 \
	"$MPROF" compare --to ${half_ms}ms "$work/base" "$work/lossy"

# ---- windows and phases ----
# tail: work spans after phase.end (the second half) are 30% slower.
expect_rc "whole traces: the slow tail is a regression" 10 "$MPROF" compare "$work/base" "$work/tail"
expect_rc "--phase phase.start,phase.end: the phase did not change" 0 \
	"$MPROF" compare --phase phase.start,phase.end "$work/base" "$work/tail"
expect_rc "--to ${half_ms}ms: the first half did not change" 0 "$MPROF" compare --to ${half_ms}ms "$work/base" "$work/tail"
expect_rc "--from $((half_ms + 10))ms: the second half did" 10 \
	"$MPROF" compare --from $((half_ms + 10))ms "$work/base" "$work/tail"
"$MPROF" compare --json --phase phase.start,phase.end "$work/base" "$work/tail" > "$work/phase.json"
python3 - "$work/phase.json" <<'PY' || fails=$((fails + 1))
import json, sys
d = json.load(open(sys.argv[1]))
w = [m for m in d["metrics"] if m["name"] == "work"][0]
# The phase holds the first 1500 spans of 3000.
if w["base"]["count"] != 1500 or w["new"]["count"] != 1500:
    sys.exit(f"FAIL: phase counts: base {w['base']['count']} new {w['new']['count']}, want 1500 and 1500")
print("ok: the phase holds 1500 work spans per side")
PY

# ---- several runs per side ----
expect_rc "BASE... -- NEW..." 10 "$MPROF" compare --json "$work/base" "$work/base2" -- "$work/slow" "$work/slow2"
cp "$work/out" "$work/runs1.json"
expect_rc "--base/--new" 10 "$MPROF" compare --json --base "$work/base" --base "$work/base2" --new "$work/slow" \
	--new "$work/slow2"
cmp -s "$work/out" "$work/runs1.json" && ok "both spellings give the same report" || fail "spellings differ"
python3 - "$work/runs1.json" <<'PY' || fails=$((fails + 1))
import json, sys
d = json.load(open(sys.argv[1]))
w = [m for m in d["metrics"] if m["name"] == "work"][0]
if len(d["base"]) != 2 or len(d["new"]) != 2 or w["base"]["runs"] != 2 or w["base"]["count"] != 6000:
    sys.exit(f"FAIL: runs: {len(d['base'])} {len(d['new'])} runs, work base {w['base']}")
print("ok: two runs per side, 6000 work spans per side")
PY
expect_rc "two unchanged runs per side" 0 "$MPROF" compare "$work/base" "$work/base2" -- "$work/same" "$work/base"

# ---- JSON: schema, reproducible ----
"$MPROF" compare --json --seed 7 "$work/base" "$work/slow" > "$work/r1.json"
"$MPROF" compare --json --seed 7 "$work/base" "$work/slow" > "$work/r2.json"
cmp -s "$work/r1.json" "$work/r2.json" && ok "same seed, same report" || fail "same seed gave another report"
# A u64 above INT64_MAX is written exactly, as stats --json does (a string).
"$MPROF" compare --json --seed 18446744073709551615 "$work/base" "$work/slow" > "$work/r3.json"
python3 - "$work/r3.json" <<'PY' && ok "a u64 seed is exact in the report" || fail "u64 seed in the report"
import json, sys
seed = json.load(open(sys.argv[1]))["bootstrap"]["seed"]
if seed != "18446744073709551615":
    sys.exit(f"FAIL: seed {seed!r}, expected '18446744073709551615'")
PY
for j in r1 r3 runs1 phase; do
	python3 - "$work/$j.json" "$here/docs/compare-json.schema.json" <<'PY' && ok "$j.json is valid against the schema" || fail "$j.json against the schema"
import json, sys
try:
    import jsonschema
except ImportError:
    sys.exit("FAIL: python3 jsonschema is missing (python3-jsonschema: make deps)")
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
PY
done
"$MPROF" compare --json "$work/base" "$work/lossy" > "$work/lossy.json"
python3 - "$work/lossy.json" "$here/docs/compare-json.schema.json" <<'PY' || fails=$((fails + 1))
import json, sys, jsonschema
d = json.load(open(sys.argv[1]))
jsonschema.validate(d, json.load(open(sys.argv[2])))
w = [m for m in d["metrics"] if m["name"] == "work"][0]
want = (d["verdict"], d["exit"], w["status"], w["lossy"], d["new"][0]["lossy"], d["new"][0]["loss_gaps"] > 0)
if want != ("undecided", 11, "undecided", True, True, True):
    sys.exit(f"FAIL: lossy report: {want}")
print("ok: the lossy report is valid and says undecided, lossy, with its gaps")
PY

# ---- bad input and usage ----
expect_rc "a missing directory" 3 "$MPROF" compare "$work/base" "$work/nothere"
grep -q "nothere" "$work/err" && ok "the message names it" || fail "message: $(cat "$work/err")"
cp -r "$work/base" "$work/corrupt"
printf 'garbage!' | dd of="$work/corrupt/stream_0" bs=1 seek=200 conv=notrunc status=none
expect_rc "a corrupt stream" 3 "$MPROF" compare "$work/base" "$work/corrupt"
grep -q "corrupt" "$work/err" && ok "the message says corrupt" || fail "message: $(cat "$work/err")"
expect_rc "mismatched schemas" 3 "$MPROF" compare "$work/base" "$work/mismatch"
grep -q "mismatched schemas: event 'heap'" "$work/err" && ok "the message names the event" || fail "message: $(cat "$work/err")"
expect_rc "one trace only" 2 "$MPROF" compare "$work/base"
expect_rc "a bad --fail-on" 2 "$MPROF" compare --fail-on 'work.p42>+10%' "$work/base" "$work/slow"
expect_rc "a --fail-on that fires on no change" 2 "$MPROF" compare --fail-on 'work.p50>-10%' "$work/base" "$work/slow"
expect_rc "--to before --from" 2 "$MPROF" compare --from 10ms --to 5ms "$work/base" "$work/slow"
expect_rc "a bad --phase" 2 "$MPROF" compare --phase onlyone "$work/base" "$work/slow"

finish t_compare
