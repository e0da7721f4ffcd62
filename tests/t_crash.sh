#!/usr/bin/env bash
# SIGKILL a traced program at 60 random points: every event it completed
# before the kill must be in the trace, and babeltrace2 must read it.
# CRASH_RUNS (default 60) sets the number of runs: make check's ASan+UBSan
# phase runs fewer.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$O/tests/progs/crash_driver" "$MPROF" "$O/tests/progs/crashy" "$work" "${CRASH_RUNS:-60}" ${CRASH_SEED:-}
