# tests/lib_bt_asan.sh - sourced by the test scripts whose programs read
# foreign traces through libbabeltrace2 (the trace source, the viewer).
# Under ASan: babeltrace2's plugins stay loaded and stacks are unwound
# without frame pointers, so that tests/lsan.supp's entry for babeltrace2's
# own leak (16 bytes of its metadata parser on a syntax error) can match:
# a stack through an unloaded plugin has no names.
if [ -n "${SANITIZE:-}" ]; then
	export LIBBABELTRACE2_NO_DLCLOSE=1
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:fast_unwind_on_malloc=0"
	export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"
fi
