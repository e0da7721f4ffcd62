#!/usr/bin/env bash
# make install PREFIX= LIBDIR= DESTDIR= installs libprofile (shared and
# static), its headers (all under include/profile/, the GC hooks' too),
# libprofile.pc, mprof and its man page, the GC hook objects; make
# uninstall with the same variables removes every file again.
#
# 1. A staged install (DESTDIR, PREFIX=/usr): a program builds against it
#    with pkg-config alone, runs under the installed mprof, and its trace
#    reads back; the versions of libprofile.pc, mprof --version,
#    prof_version() and PROF_VERSION_STRING are one.
# 2. A prefix outside the linker's search path (a real install into a
#    temporary directory, with its own LIBDIR): the README's
#    `cc prog.c $(pkg-config --cflags --libs libprofile)` gives a program
#    that starts as it is, with no LD_LIBRARY_PATH.
# 3. make uninstall leaves no file behind, in both.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cat > "$work/prog.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <profile/profile.h>
#include <profile/mprof_gc_boehm.h>
PROF_EVENT(hello, "installed.hello", (u32, n), (str(16), who));
int main(void)
{
	for (unsigned i = 0; i < 100; i++)
		PROF_EMIT(hello, i, "world");
	/* The header's version and the library's run-time version. */
	printf("%s %s\n", PROF_VERSION_STRING, prof_version());
	return strcmp(PROF_VERSION_STRING, prof_version()) != 0;
}
C

echo "== 1. staged install: DESTDIR=$work/stage PREFIX=/usr"
dest=$work/stage
make --no-print-directory -s install O="$O" PREFIX=/usr DESTDIR="$dest" > /dev/null
for f in usr/lib/libprofile.a usr/lib/libprofile.so.1 usr/lib/libprofile.so usr/lib/pkgconfig/libprofile.pc \
	usr/include/profile/profile.h usr/include/profile/event.h usr/include/profile/version.h \
	usr/include/profile/mprof_gc_boehm.h usr/lib/mprof/mprof_gc_ocaml.o usr/lib/mprof/mprof_gc_boehm.o \
	usr/bin/mprof usr/share/man/man1/mprof.1; do
	[ -e "$dest/$f" ] || fail "$f not installed"
done
[ ! -e "$dest/usr/include/mprof" ] || fail "headers installed outside include/profile/: $(ls "$dest/usr/include/mprof")"
export PKG_CONFIG_PATH=$dest/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
cflags=$(pkg-config --cflags libprofile)
libs=$(pkg-config --libs libprofile)
echo "pkg-config: $cflags $libs"
case "$libs" in *rpath*) fail "an rpath for the system directory /usr/lib: $libs" ;; esac
cc -std=c11 -Wall -Wextra -Werror $cflags -o "$work/prog" "$work/prog.c" $libs
cc -std=c11 -Wall -Wextra -Werror $cflags -o "$work/prog-static" "$work/prog.c" "$dest/usr/lib/libprofile.a" -lpthread -lrt
# No exported symbol outside the prof_ namespace.
bad=$(nm -D --defined-only "$dest/usr/lib/libprofile.so.1" | awk '{print $3}' | grep -v '^prof_' | grep -v '^_' || true)
[ -z "$bad" ] || fail "symbols outside prof_*: $bad"
for p in prog prog-static; do
	LD_LIBRARY_PATH=$dest/usr/lib "$dest/usr/bin/mprof" record -q -o "$work/trace-$p" -- "$work/$p" > "$work/$p.out"
	n=$(babeltrace2 "$work/trace-$p" | grep -c 'installed.hello: .*who = "world"')
	echo "$p: babeltrace2 reads $n events"
	[ "$n" = 100 ] || fail "$p: expected 100 events, babeltrace2 read $n"
done
pc_version=$(pkg-config --modversion libprofile)
mprof_version=$("$dest/usr/bin/mprof" --version)
read -r header_version run_version < "$work/prog.out"
echo "versions: libprofile.pc $pc_version, mprof --version '$mprof_version', PROF_VERSION_STRING $header_version, prof_version() $run_version"
[ "$mprof_version" = "mprof $pc_version" ] || fail "mprof --version '$mprof_version' != 'mprof $pc_version' (libprofile.pc)"
[ "$header_version" = "$pc_version" ] || fail "PROF_VERSION_STRING $header_version != $pc_version (libprofile.pc)"
[ "$run_version" = "$pc_version" ] || fail "prof_version() $run_version != $pc_version (libprofile.pc)"
man_version=$(sed -n 's/^\.TH MPROF 1 "[^"]*" "mprof \([^"]*\)".*/\1/p' "$dest/usr/share/man/man1/mprof.1")
[ "$man_version" = "$pc_version" ] || fail "the man page says mprof '$man_version', libprofile.pc $pc_version"
make --no-print-directory -s uninstall O="$O" PREFIX=/usr DESTDIR="$dest" > /dev/null
left=$(cd "$dest" && find . -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left: $left"
unset PKG_CONFIG_SYSROOT_DIR

echo "== 2. a prefix outside the linker's search path: PREFIX=$work/prefix LIBDIR=$work/prefix/lib64"
prefix=$work/prefix
make --no-print-directory -s install O="$O" PREFIX="$prefix" LIBDIR="$prefix/lib64" > /dev/null
[ -e "$prefix/lib64/libprofile.so.1" ] && [ -e "$prefix/lib64/pkgconfig/libprofile.pc" ] && [ -e "$prefix/lib64/mprof/mprof_gc_ocaml.o" ] ||
	fail "LIBDIR=$prefix/lib64 not honoured: $(cd "$prefix" && find . -type f | tr '\n' ' ')"
export PKG_CONFIG_PATH=$prefix/lib64/pkgconfig
echo "pkg-config: $(pkg-config --cflags --libs libprofile)"
# The README's line, word for word.
cc -o "$work/prog-prefix" "$work/prog.c" $(pkg-config --cflags --libs libprofile)
if env -u LD_LIBRARY_PATH "$work/prog-prefix" > "$work/prefix.out" 2> "$work/prefix.err"; then
	echo "the program starts with no LD_LIBRARY_PATH: $(cat "$work/prefix.out")"
else
	fail "a program built with pkg-config against $prefix does not start: $(cat "$work/prefix.err")"
fi
lib=$(ldd "$work/prog-prefix" | awk '$1 == "libprofile.so.1" { print $3 }')
[ "$lib" = "$prefix/lib64/libprofile.so.1" ] || fail "the program loads libprofile from '$lib', not $prefix/lib64"
env -u LD_LIBRARY_PATH "$prefix/bin/mprof" record -q -o "$work/trace-prefix" -- "$work/prog-prefix" > /dev/null ||
	fail "mprof record of the prefix-built program"
n=$(babeltrace2 "$work/trace-prefix" | grep -c 'installed.hello: ' || true)
[ "$n" = 100 ] || fail "prefix: expected 100 events, babeltrace2 read $n"
make --no-print-directory -s uninstall O="$O" PREFIX="$prefix" LIBDIR="$prefix/lib64" > /dev/null
left=$(cd "$prefix" && find . -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left: $left"

[ $fails -eq 0 ] && echo "ok"
exit $((fails > 0))
