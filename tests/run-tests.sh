#!/usr/bin/env bash
# Runs each test named on the command line and prints a summary line
# "N passed, N failed".  A test is an executable (run with $O and $MPROF
# in the environment) or a make target.  Exit status 77 means skipped,
# printed with its reason.  Each test's output goes to $O/test-logs/;
# a failing test's log tail is printed.
#
# With SANITIZE set (a sanitizer build's tests), every sanitized program a
# test starts runs with strict options (halt on the first error, leaks
# detected) and writes any report to $O/test-logs/<test>.san/: a test with
# a report there fails, even when the program that wrote it was one whose
# exit status the test does not look at.  LeakSanitizer's suppressions are
# tests/lsan.supp (each entry says why).
set -u
O=${O:-build}
logdir=$O/test-logs
mkdir -p "$logdir"
logdir=$(cd "$logdir" && pwd)
# RUN_TESTS_MPROF: the mprof the tests get, for sanitizer-runtime-check (a
# make target, in which make's own MPROF hides this one).
RUN_TESTS_MPROF=${MPROF:-}
export O MPROF RUN_TESTS_MPROF
TEST_TIMEOUT=${TEST_TIMEOUT:-600}
# A make target may be a whole phase (a sanitizer build and its tests).
PHASE_TIMEOUT=${PHASE_TIMEOUT:-1800}
SANITIZE=${SANITIZE:-}
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 skip=0
failed=()
for t in "$@"; do
	name=$(basename "$t")
	log=$logdir/$name.log
	san=$logdir/$name.san
	if [ -n "$SANITIZE" ]; then
		rm -rf "$san" && mkdir -p "$san"
		export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_string_checks=1:log_path=$san/asan"
		export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"
		export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$san/ubsan"
		export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$san/tsan"
	fi
	start=$(date +%s%N)
	if [ -f "$t" ]; then
		case "$t" in
		*.sh) timeout -k 10 "$TEST_TIMEOUT" bash "$t" >"$log" 2>&1 ;;
		*) timeout -k 10 "$TEST_TIMEOUT" "$t" >"$log" 2>&1 ;;
		esac
	else
		timeout -k 10 "$PHASE_TIMEOUT" make --no-print-directory "$t" >"$log" 2>&1
	fi
	rc=$?
	reports=
	if [ -n "$SANITIZE" ]; then
		reports=$(find "$san" -type f 2>/dev/null | sort)
		[ -z "$reports" ] && rmdir "$san"
		[ -n "$reports" ] && [ $rc -eq 0 -o $rc -eq 77 ] && rc=86
	fi
	ms=$(( ($(date +%s%N) - start) / 1000000 )); secs=$((ms / 1000)).$(( (ms % 1000) / 100 ))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); printf 'PASS %-40s %6ss\n' "$name" "$secs"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); printf 'SKIP %-40s %s\n' "$name" "$(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed+=("$name")
		printf 'FAIL %-40s %6ss (exit %d)\n' "$name" "$secs" "$rc"
		tail -n 30 "$log" | sed 's/^/    | /'
		for r in $reports; do
			echo "    sanitizer report $r:"
			head -n 30 "$r" | sed 's/^/    | /'
		done
	fi
done
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
