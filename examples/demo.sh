#!/usr/bin/env bash
# make demo: record the demo program, summarise its trace, leave the trace
# directory for babeltrace2, render its timeline to a PNG next to it and,
# when a display is available, open it in the viewer.
set -euo pipefail
O=${1:-build}
MPROF=$O/bin/mprof
out=${DEMO_DIR:-demo-trace}
rm -rf "$out"
mkdir -p "$out"
echo "== mprof record -o $out/app -- $O/examples/demo_app 20000 4"
"$MPROF" record -o "$out/app" -- "$O/examples/demo_app" 20000 4
app=$(echo "$out"/app/demo_app-*) # one trace per process: DIR/<name>-<pid>
echo
echo "== mprof stats $app"
"$MPROF" stats "$app"
for extra in examples/demo.d/*.sh; do
	[ -f "$extra" ] || continue
	echo
	O=$O MPROF=$MPROF DEMO_DIR=$out bash "$extra"
done
echo
echo "== mprof render $out/app -o $out/app.png"
"$MPROF" render "$out/app" -o "$out/app.png"
echo
echo "== babeltrace2 $out/app | head -5"
babeltrace2 "$out/app" | head -5 || true
echo
echo "The traces are in $out/ (CTF 1.8), one per recorded process: try 'babeltrace2 $out/app' or 'mprof stats $app'."
echo "Their timeline is $out/app.png; 'mprof view $out/app' opens it in a window."
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${DEMO_NO_VIEW:-}" ]; then
	echo "== mprof view $out/app (a display is available; DEMO_NO_VIEW=1 to skip)"
	"$MPROF" view "$out/app" &
fi
