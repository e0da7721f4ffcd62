#!/usr/bin/env bash
# A program built with -fsanitize=address and recorded by mprof record
# exits 0 with no LeakSanitizer report caused by libprofile (the region
# attached at load lives as long as the process and must stay reachable),
# also across fork() without exec() (the child's new region), and its
# events are all in the traces.  Linked with $O's libprofile.a: the plain
# -O2 build in `make check`, an ASan+UBSan build in the sanitizer phase
# (hence -fsanitize=address,undefined here, which links with either).
set -uo pipefail
work=$(mktemp -d)
export TMPDIR=$work # record's private socket directory too
trap 'rm -rf "$work"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

if ! echo 'int main(void){return 0;}' | gcc -fsanitize=address,undefined -x c - -o "$work/probe" 2>/dev/null; then
	echo "skipped: gcc cannot build with -fsanitize=address here"
	exit 77
fi
gcc -std=c11 -O1 -g -D_GNU_SOURCE -fsanitize=address,undefined -fno-omit-frame-pointer -I"$here/../libprofile/include" \
	-o "$work/procs_asan" "$here/progs/rec_procs.c" "$O/lib/libprofile.a" -lpthread -lrt -lm ||
	{ echo "FAIL: cannot build the ASan program"; exit 1; }
n=$(nm "$work/procs_asan" | grep -c '__asan_init' || true)
[ "$n" -gt 0 ] || { echo "FAIL: the program carries no ASan runtime: the test would prove nothing"; exit 1; }

for args in "emit 1000" "fork 2 500"; do
	d=$work/t-${args// /-}
	echo "== mprof record -- procs_asan $args"
	ASAN_OPTIONS=detect_leaks=1 "$MPROF" record -o "$d" -- "$work/procs_asan" $args >"$work/out" 2>"$work/err"
	rc=$?
	cat "$work/err"
	[ $rc = 0 ] || fail "$args: exit $rc, expected 0"
	grep -q "LeakSanitizer" "$work/err" && fail "$args: LeakSanitizer reported a leak"
	total=$(babeltrace2 "$d" | grep -c 'procs.tick')
	case $args in
	emit*) want=1000 ;;
	fork*) want=$((2 * 500 + 2 * 1000)) ;; # the parent 2 x 500, each child 500 + 500 from its thread
	esac
	[ "$total" = "$want" ] || fail "$args: $total events in the traces, expected $want"
done

if [ $fails -gt 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "ok"
