#!/usr/bin/env bash
# Runs each test named on the command line and prints a summary line
# "N passed, N failed".  A test is an executable (run with $O and $MPROF
# in the environment) or a make target.  Exit status 77 means skipped,
# printed with its reason.  Each test's output goes to $O/test-logs/;
# a failing test's log tail is printed.
set -u
O=${O:-build}
logdir=$O/test-logs
mkdir -p "$logdir"
export O MPROF
TEST_TIMEOUT=${TEST_TIMEOUT:-600}
pass=0 fail=0 skip=0
failed=()
for t in "$@"; do
	name=$(basename "$t")
	log=$logdir/$name.log
	start=$(date +%s%N)
	if [ -f "$t" ]; then
		case "$t" in
		*.sh) timeout -k 10 "$TEST_TIMEOUT" bash "$t" >"$log" 2>&1 ;;
		*) timeout -k 10 "$TEST_TIMEOUT" "$t" >"$log" 2>&1 ;;
		esac
	else
		timeout -k 10 "$TEST_TIMEOUT" make --no-print-directory "$t" >"$log" 2>&1
	fi
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 )); secs=$((ms / 1000)).$(( (ms % 1000) / 100 ))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); printf 'PASS %-40s %6ss\n' "$name" "$secs"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); printf 'SKIP %-40s %s\n' "$name" "$(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed+=("$name")
		printf 'FAIL %-40s %6ss (exit %d)\n' "$name" "$secs" "$rc"
		tail -n 30 "$log" | sed 's/^/    | /'
	fi
done
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
