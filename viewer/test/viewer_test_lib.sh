# viewer/test/viewer_test_lib.sh - shared by the viewer's test scripts
# (sourced, with O, MPROF and tmp set).

fail() { echo "FAIL: $*"; exit 1; }

# The programs read foreign and corrupt traces through libbabeltrace2.
. "$(dirname "${BASH_SOURCE[0]}")/../../tests/lib_bt_asan.sh"

# The window's tests need an X server: Xvfb through xvfb-run.  GTK,
# fontconfig and pango keep caches for the process's life that
# LeakSanitizer reports as leaks that are not ours, so leak detection is
# off for the window (the model and render tests keep it on).
viewer_need_xvfb() {
	command -v xvfb-run >/dev/null || { echo "SKIP: xvfb-run is not installed (viewer/deps.txt)"; exit 77; }
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
}

# viewer_open_and_render NAME TRACE MIN_EVENTS: load TRACE into the
# viewer's model (gen_viewer_open) and render it; a trace the source
# refuses with -ENOTSUP is added to the skipped list, anything else that
# fails fails the test.  Counts the traces opened in viewer_passed.
viewer_passed=0
viewer_skipped=()
viewer_open_and_render() {
	local rc=0 events
	"$O/tests/progs/gen_viewer_open" "$2" >"$tmp/open.out" 2>&1 || rc=$?
	cat "$tmp/open.out"
	if [ $rc -eq 77 ]; then
		viewer_skipped+=("$1: the trace source returned -ENOTSUP ($(head -n 1 "$tmp/open.out"))")
		return 0
	fi
	[ $rc -eq 0 ] || fail "$1: the viewer's model cannot load it (exit $rc)"
	events=$(awk '$1 == "lanes" { print $4 }' "$tmp/open.out")
	[ "$events" -ge "$3" ] || fail "$1: $events events, expected at least $3"
	"$MPROF" render "$2" -o "$tmp/$1.png" || fail "$1: mprof render failed"
	[ -s "$tmp/$1.png" ] || fail "$1: no picture"
	viewer_passed=$((viewer_passed + 1))
	echo "ok: $1 opened ($events events) and rendered"
}

# viewer_foreign_end NAME: exit 77 with the reasons if nothing was opened.
viewer_foreign_end() {
	local s
	for s in "${viewer_skipped[@]}"; do echo "skipped: $s"; done
	if [ "$viewer_passed" -eq 0 ]; then
		echo "SKIP: ${viewer_skipped[*]}"
		exit 77
	fi
	echo "$1: ok ($viewer_passed opened)"
}
