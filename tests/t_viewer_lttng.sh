#!/usr/bin/env bash
# A foreign trace in the viewer: an LTTng-UST trace this test records with
# its own session daemon (50 tracef events), opened through the trace
# source into the viewer's model and rendered by `mprof render`.
#
# Skipped (exit 77, with the reason) only when the trace source returns
# -ENOTSUP for it (a kind this build cannot read: the foreign backends are
# tools/source's), or when no LTTng trace can be made here (no
# lttng-tools, or a session daemon that cannot start); any other failure
# fails the test.
set -euo pipefail
O=${O:-build}
MPROF=${MPROF:-$O/bin/mprof}
OPEN=$O/tests/progs/gen_viewer_open
TRACEF=$O/tests/progs/viewer_tracef
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mprof-viewer-lttng.XXXXXX")
sessiond_pid=
cleanup() {
	if [ -n "$sessiond_pid" ]; then
		children=$(pgrep -P "$sessiond_pid" 2>/dev/null || true)
		kill "$sessiond_pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$sessiond_pid" 2>/dev/null || break; sleep 0.1; done
		for c in $children; do kill "$c" 2>/dev/null || true; done
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
passed=0 skipped=()

# open_and_render NAME TRACE MIN_EVENTS
open_and_render() {
	local rc=0
	"$OPEN" "$2" >"$tmp/open.out" 2>&1 || rc=$?
	cat "$tmp/open.out"
	if [ $rc -eq 77 ]; then
		skipped+=("$1: the trace source returned -ENOTSUP ($(head -n 1 "$tmp/open.out"))")
		return 0
	fi
	[ $rc -eq 0 ] || fail "$1: the viewer's model cannot load it (exit $rc)"
	events=$(awk '$1 == "lanes" { print $4 }' "$tmp/open.out")
	[ "$events" -ge "$3" ] || fail "$1: $events events, expected at least $3"
	"$MPROF" render "$2" -o "$tmp/$1.png" || fail "$1: mprof render failed"
	[ -s "$tmp/$1.png" ] || fail "$1: no picture"
	passed=$((passed + 1))
	echo "ok: $1 opened ($events events) and rendered"
}

# ---- LTTng-UST ----
lttng_trace=
if ! command -v lttng-sessiond >/dev/null || ! command -v lttng >/dev/null || [ ! -x "$TRACEF" ]; then
	skipped+=("lttng-ust: lttng-tools or liblttng-ust is not installed")
else
	export LTTNG_HOME=$tmp/home
	mkdir -p "$LTTNG_HOME"
	lttng-sessiond >"$tmp/sessiond.log" 2>&1 &
	sessiond_pid=$!
	# Readiness: the daemon answers (bounded; it needs no time to be right, only to start).
	for _ in $(seq 100); do
		lttng list >/dev/null 2>&1 && break
		kill -0 "$sessiond_pid" 2>/dev/null || break
		sleep 0.1
	done
	if lttng list >/dev/null 2>&1; then
		lttng create viewer-foreign --output="$tmp/lttng" >/dev/null
		lttng enable-event --userspace 'lttng_ust_tracef:*' >/dev/null
		lttng start >/dev/null
		LTTNG_UST_REGISTER_TIMEOUT=-1 "$TRACEF" 50
		lttng stop >/dev/null
		lttng destroy >/dev/null
		lttng_trace=$(dirname "$(find "$tmp/lttng" -name metadata | head -n 1)")
		[ -n "$lttng_trace" ] && [ "$lttng_trace" != . ] || fail "lttng-ust: the session wrote no trace"
		open_and_render lttng-ust "$lttng_trace" 50
	else
		skipped+=("lttng-ust: lttng-sessiond could not start: $(head -n 3 "$tmp/sessiond.log" | tr '\n' ' ')")
	fi
fi

for s in "${skipped[@]}"; do echo "skipped: $s"; done
if [ $passed -eq 0 ]; then
	echo "SKIP: ${skipped[*]}"
	exit 77
fi
echo "t_viewer_lttng: ok ($passed opened)"
