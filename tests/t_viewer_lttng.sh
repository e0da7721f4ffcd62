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
. "$(dirname "$0")/../viewer/test/viewer_test_lib.sh"

# ---- LTTng-UST ----
lttng_trace=
if ! command -v lttng-sessiond >/dev/null || ! command -v lttng >/dev/null || [ ! -x "$TRACEF" ]; then
	viewer_skipped+=("lttng-ust: lttng-tools or liblttng-ust is not installed")
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
		viewer_open_and_render lttng-ust "$lttng_trace" 50
	else
		viewer_skipped+=("lttng-ust: lttng-sessiond could not start: $(head -n 3 "$tmp/sessiond.log" | tr '\n' ' ')")
	fi
fi

viewer_foreign_end t_viewer_lttng
