#!/usr/bin/env bash
# mprof compare and export on foreign CTF traces, through the same trace
# source as the viewer: two LTTng-UST traces this test records with its own
# session daemon (50 and 80 tracef events) are compared, their metric
# matched by name with its counts on each side, and exported to Chrome JSON
# with every event; a hand-made mirage-profile trace (tests/mirage_trace.py)
# is compared with itself (no regression) and exported.
#
# The LTTng part is skipped (said, and exit 77 when nothing else ran) only
# when no LTTng trace can be made here (no lttng-tools or viewer_tracef, or
# a session daemon that cannot start); any other failure fails the test.
set -uo pipefail
source "$(dirname "$0")/lib_cli.sh"
. "$(dirname "$0")/lib_lttng.sh"
trap 'lttng_sessiond_stop; rm -rf "$work"' EXIT
TRACEF=$O/tests/progs/viewer_tracef

# chrome_count FILE PH: events of phase PH in a Chrome export.
chrome_count() {
	python3 -c 'import json, sys; print(sum(e["ph"] == sys.argv[2] for e in json.load(open(sys.argv[1]))["traceEvents"]))' "$1" "$2"
}

# ---- LTTng-UST ----
skipped=
if ! command -v lttng-sessiond >/dev/null || ! command -v lttng >/dev/null || [ ! -x "$TRACEF" ]; then
	skipped="lttng-tools or liblttng-ust is not installed"
else
	export LTTNG_HOME=$work/home
	mkdir -p "$LTTNG_HOME"
	if lttng_sessiond_start "$work/sessiond.log"; then
		for n in 50 80; do
			lttng create "cmp$n" --output="$work/lttng$n" >/dev/null &&
				lttng enable-event --userspace 'lttng_ust_tracef:*' >/dev/null &&
				lttng start >/dev/null &&
				LTTNG_UST_REGISTER_TIMEOUT=-1 "$TRACEF" "$n" &&
				lttng stop >/dev/null && lttng destroy >/dev/null || fail "lttng session of $n events"
		done
	else
		skipped="lttng-sessiond could not start: $(head -n 3 "$work/sessiond.log" | tr '\n' ' ')"
	fi
fi
if [ -z "$skipped" ]; then
	base=$(dirname "$(find "$work/lttng50" -name metadata | head -n 1)")
	new=$(dirname "$(find "$work/lttng80" -name metadata | head -n 1)")
	expect_rc "compare two LTTng-UST traces" 0 "$MPROF" compare --json "$base" "$new"
	python3 - "$work/out" "$(dirname "$0")/../docs/compare-json.schema.json" <<'PY' || fails=$((fails + 1))
import json, sys, jsonschema
d = json.load(open(sys.argv[1]))
jsonschema.validate(d, json.load(open(sys.argv[2])))
m = {x["name"]: x for x in d["metrics"]}
t = m.get("lttng_ust_tracef:event")
got = (d["base"][0]["events"], d["new"][0]["events"], t and t["base"]["count"], t and t["new"]["count"], t and t["class"])
if got != (50, 80, 50, 80, "rate"):
    sys.exit(f"FAIL: LTTng compare: events, tracef counts and class {got}, want (50, 80, 50, 80, 'rate')")
print("ok: the LTTng traces' tracef metric matched: 50 against 80 events, schema-valid report")
PY
	expect_rc "export an LTTng-UST trace" 0 "$MPROF" export --format chrome "$new" -o "$work/lttng.json"
	got=$(chrome_count "$work/lttng.json" i)
	[ "$got" = 80 ] && ok "the LTTng export has its 80 events" || fail "the LTTng export has $got instants, want 80"
else
	echo "skip: LTTng part: $skipped"
fi

# ---- mirage-profile ----
python3 "$(dirname "$0")/mirage_trace.py" "$work/mirage" || fail "mirage_trace.py"
expect_rc "compare a mirage-profile trace with itself" 0 "$MPROF" compare --json "$work/mirage" "$work/mirage"
python3 - "$work/out" <<'PY' || fails=$((fails + 1))
import json, sys
d = json.load(open(sys.argv[1]))
names = sorted(m["name"] for m in d["metrics"])
if d["base"][0]["events"] != 5 or names != ["gc", "increase", "label", "switch"] or d["verdict"] != "ok":
    sys.exit(f"FAIL: mirage compare: {d['base'][0]['events']} events, metrics {names}, verdict {d['verdict']}")
print("ok: the mirage trace's 5 events and 4 metrics, no regression")
PY
expect_rc "export a mirage-profile trace" 0 "$MPROF" export --format chrome "$work/mirage" -o "$work/mirage.json"
got=$(chrome_count "$work/mirage.json" i)
[ "$got" = 5 ] && ok "the mirage export has its 5 events" || fail "the mirage export has $got instants, want 5"

finish t_compare_foreign
