#!/usr/bin/env bash
# A foreign trace in the viewer: a hand-made trace in the seed's
# mirage-profile format (tests/mirage_trace.py: 5 events, a GC of 2 ms among them), opened
# through the trace source into the viewer's model and rendered by
# `mprof render`.
#
# Skipped (exit 77, with the reason) only when the trace source returns
# -ENOTSUP for it (the mirage backend is tools/source's); any other
# failure fails the test.
set -euo pipefail
O=${O:-build}
MPROF=${MPROF:-$O/bin/mprof}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mprof-viewer-mirage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../viewer/test/viewer_test_lib.sh"

# ---- mirage-profile: a directory with mirage-profile's own metadata and
# the buffer as its stream file (tests/mirage_trace.py) ----
python3 "$(dirname "$0")/mirage_trace.py" "$tmp/mirage"
viewer_open_and_render mirage "$tmp/mirage" 5

viewer_foreign_end t_viewer_mirage
