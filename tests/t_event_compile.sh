#!/usr/bin/env bash
# The public headers and the definition macros at compile time:
#  1. every public header alone, and a file using PROF_EVENT, PROF_INSTANT,
#     PROF_COUNTER, PROF_SPAN and every emit macro, compile without a
#     warning as C11 with -pedantic -Wall -Wextra -Werror and as C++17
#     (g++ -std=c++17 -pedantic ..., and clang/clang++ when installed);
#  2. each invalid definition whose values are constants fails to compile,
#     with a message that says what is wrong (a _Static_assert in the
#     macro), in C and in C++; the same file with valid values compiles,
#     so the failure is the check's.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
inc=-Ilibprofile/include
cc=${CC:-gcc}
cxx=${CXX:-g++}
fail=0

compilers=("$cc -std=c11 -pedantic -Wall -Wextra -Werror -Wshadow" "$cxx -std=c++17 -pedantic -Wall -Wextra -Werror -Wshadow")
command -v clang >/dev/null && compilers+=("clang -std=c11 -pedantic -Wall -Wextra -Werror")
command -v clang++ >/dev/null && compilers+=("clang++ -std=c++17 -pedantic -Wall -Wextra -Werror")

lang_of() { case "$1" in *++*) echo c++ ;; *) echo c ;; esac; }

echo "== 1. headers and macros, warning-free"
for h in libprofile/include/profile/*.h; do
	for c in "${compilers[@]}"; do
		printf '#include "profile/%s"\nint prof_test_unused;\n' "$(basename "$h")" > "$work/h.src"
		if ! $c -x "$(lang_of "$c")" $inc -fsyntax-only "$work/h.src" 2> "$work/err"; then
			echo "FAIL: $(basename "$h") alone with '$c':"; cat "$work/err"; fail=1
		fi
	done
done
cat > "$work/use.src" <<'SRC'
#include "profile/profile.h"
PROF_EVENT(u_plain, "use.plain", (u8, a), (u16, b), (u32, c), (u64, d), (s8, e), (s16, f), (s32, g), (s64, h),
	   (f64, i), (str(1), j), (str(4095), k), (u8, l), (u8, m), (u8, abcdefghijklmnopqrstuvwxyz0));
PROF_EVENT(u_none, "use.none");
PROF_INSTANT(u_instant, "use.instant", (u32, x));
PROF_COUNTER(u_counter, "use.counter", s64);
PROF_SPAN(u_span, "use.span");
PROF_SPAN(u_span2, "use.span2", (str(8), s));
PROF_EVENT(u_name63, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk");
int main(void)
{
	PROF_EMIT(u_plain, 1, 2, 3, 4, -5, -6, -7, -8, 9.5, "j", "k", 12, 13, 14);
	PROF_EMIT(u_none);
	PROF_EMIT(u_instant, 1);
	PROF_EMIT(u_counter, -2);
	PROF_SPAN_BEGIN(u_span);
	PROF_SPAN_END(u_span);
	PROF_SPAN_BEGIN(u_span2, "x");
	PROF_SPAN_END(u_span2);
	PROF_EMIT(u_name63);
	return 0;
}
SRC
for c in "${compilers[@]}"; do
	if ! $c -x "$(lang_of "$c")" $inc -fsyntax-only "$work/use.src" 2> "$work/err"; then
		echo "FAIL: the macros with '$c':"; cat "$work/err"; fail=1
	else
		echo "ok: $c"
	fi
done

echo "== 2. invalid definitions are refused by the compiler, readably"
# name | definition | expected message ("" = any error)
cases=(
	'empty name|PROF_EVENT(x, "", (u8, a));|the event name is empty'
	'64-byte name|PROF_EVENT(x, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl");|PROF_EVENT abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl: the event name is longer than 63 bytes'
	'span name too long with .begin|PROF_SPAN(x, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefgh");|longer than 63 bytes'
	'28-byte field name|PROF_EVENT(x, "e", (u8, abcdefghijklmnopqrstuvwxyz01));|field abcdefghijklmnopqrstuvwxyz01: the field name is longer than 27 bytes'
	'str(0)|PROF_EVENT(x, "e", (str(0), s));|field s: str(N) needs 1 <= N <= 4095'
	'str(4096)|PROF_EVENT(x, "e", (str(4096), s));|str(N) needs 1 <= N <= 4095'
	'str(65537)|PROF_EVENT(x, "e", (str(65537), s));|str(N) needs 1 <= N <= 4095'
	'15 fields|PROF_EVENT(x, "e", (u8, a), (u8, b), (u8, c), (u8, d), (u8, e), (u8, f), (u8, g), (u8, h), (u8, i), (u8, j), (u8, k), (u8, l), (u8, m), (u8, n), (u8, o));|PROF_EVENT e: more than 14 fields'
	'non-identifier field name|PROF_EVENT(x, "e", (u8, a-b));|'
	'repeated field name|PROF_EVENT(x, "e", (u8, a), (u16, a));|'
	'name not a literal|static const char *nm = "e"; PROF_EVENT(x, nm);|'
)
for c in "$cc -std=c11 -Wall -Wextra" "$cxx -std=c++17 -Wall -Wextra"; do
	for k in "${cases[@]}"; do
		IFS='|' read -r what def msg <<< "$k"
		printf '#include "profile/profile.h"\n%s\nint main(void) { return 0; }\n' "$def" > "$work/bad.src"
		if $c -x "$(lang_of "$c")" $inc -fsyntax-only "$work/bad.src" > "$work/err" 2>&1; then
			echo "FAIL ($c): $what compiled"; fail=1
		elif [ -n "$msg" ] && ! grep -qF -- "$msg" "$work/err"; then
			echo "FAIL ($c): $what: no \"$msg\" in:"; head -n 20 "$work/err"; fail=1
		else
			echo "ok ($(lang_of "$c")): $what refused${msg:+: $(grep -oF -- "$msg" "$work/err" | head -n 1)}"
		fi
	done
done
[ $fail -eq 0 ] || exit 1
echo "ok"
