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
. "$(dirname "$0")/lib_lttng.sh"
cleanup() {
	lttng_sessiond_stop
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
	if lttng_sessiond_start "$tmp/sessiond.log"; then
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
