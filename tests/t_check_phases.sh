#!/usr/bin/env bash
# make check runs what it claims: the two sanitizer phases, each in its own
# tree (not $O: an exported O once made them rebuild and rerun the plain
# binaries), each starting with the sanitizer-runtime check; the ASan+UBSan
# phase runs every test script that exercises the code (record, crash,
# stats on corrupt input, CLI errors, clock, GC) besides the unit tests; and
# one fuzz-<target> line per tests/fuzz/fuzz_*.c.  Asked with
# `make print-check-list` and `make -n` (nothing is built).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
has() { grep -qx -- "$2" <<< "$1"; }

# Asked as on a clean `make check`, whatever the caller skipped.
plain=$(make -s --no-print-directory print-check-list O="$O" SKIP_SANITIZERS= SKIP_FUZZ=)
for t in freestanding-test asan-ubsan-test tsan-test; do
	has "$plain" "$t" && echo "ok: make check runs $t" || fail "make check does not run $t: $(echo $plain)"
done
for f in tests/fuzz/fuzz_*.c; do
	t=fuzz-$(basename "$f" .c | sed 's/^fuzz_//')
	has "$plain" "$t" && echo "ok: make check has a $t line" || fail "make check has no $t line: $(echo $plain)"
done

# Each phase's own tree, whatever O the environment exports.
for phase in asan-ubsan-test:address,undefined:address-undefined tsan-test:thread:thread; do
	IFS=: read -r target san dir <<< "$phase"
	out=$(O="$O" make -n --no-print-directory "$target" 2>&1)
	cmd=$(grep -m 1 -- "SANITIZE=$san" <<< "$out")
	case "$cmd" in
	*"O=$O-$dir "*) echo "ok: $target builds and runs in $O-$dir" ;;
	*) fail "$target does not use its own tree $O-$dir: $cmd" ;;
	esac
	list=$(make -s --no-print-directory print-check-list SANITIZE="$san" O="$O-$dir")
	[ "$(head -n 1 <<< "$list")" = sanitizer-runtime-check ] && echo "ok: $target starts with sanitizer-runtime-check" ||
		fail "$target does not start with sanitizer-runtime-check: $(echo $list)"
	if [ "$target" = asan-ubsan-test ]; then
		for s in t_record_babeltrace.sh t_crash.sh t_cli_errors.sh t_clock.sh t_gc_boehm.sh t_gc_ocaml.sh t_gc_top.sh; do
			[ -f "tests/$s" ] || continue
			has "$list" "tests/$s" && echo "ok: $target runs $s" || fail "$target does not run $s: $(echo $list)"
		done
		has "$list" "$O-$dir/tests/test_core" && echo "ok: $target runs $O-$dir/tests/test_core" ||
			fail "$target does not run its own test_core: $(echo $list)"
	else
		has "$list" "$O-$dir/tests/test_emit_stress" && echo "ok: $target runs $O-$dir/tests/test_emit_stress" ||
			fail "$target does not run its own test_emit_stress: $(echo $list)"
	fi
done
[ $fails -eq 0 ] && echo "ok"
exit $((fails > 0))
