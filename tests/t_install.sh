#!/usr/bin/env bash
# make install PREFIX= DESTDIR= installs libprofile (shared and static), its
# headers, libprofile.pc, mprof and its man page; a program builds against
# the installed copy with pkg-config alone, runs under the installed mprof,
# and its trace reads back.
set -euo pipefail
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make --no-print-directory -s install O="$O" PREFIX=/usr DESTDIR="$dest" > /dev/null
for f in usr/lib/libprofile.a usr/lib/libprofile.so.1 usr/lib/libprofile.so usr/lib/pkgconfig/libprofile.pc \
	usr/include/profile/profile.h usr/include/profile/event.h usr/bin/mprof usr/share/man/man1/mprof.1; do
	[ -e "$dest/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
export PKG_CONFIG_PATH=$dest/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
cflags=$(pkg-config --cflags libprofile)
libs=$(pkg-config --libs libprofile)
echo "pkg-config: $cflags $libs"
cat > "$dest/prog.c" <<'C'
#include <profile/profile.h>
PROF_EVENT(hello, "installed.hello", (u32, n), (str(16), who));
int main(void)
{
	for (unsigned i = 0; i < 100; i++)
		PROF_EMIT(hello, i, "world");
	return 0;
}
C
cc -std=c11 -Wall -Wextra -Werror $cflags -o "$dest/prog" "$dest/prog.c" $libs
cc -std=c11 -Wall -Wextra -Werror $cflags -o "$dest/prog-static" "$dest/prog.c" "$dest/usr/lib/libprofile.a" -lpthread -lrt
# No exported symbol outside the prof_ namespace.
bad=$(nm -D --defined-only "$dest/usr/lib/libprofile.so.1" | awk '{print $3}' | grep -v '^prof_' | grep -v '^_' || true)
[ -z "$bad" ] || { echo "FAIL: symbols outside prof_*: $bad"; exit 1; }
for p in prog prog-static; do
	LD_LIBRARY_PATH=$dest/usr/lib "$dest/usr/bin/mprof" record -q -o "$dest/trace-$p" -- "$dest/$p"
	n=$(babeltrace2 "$dest/trace-$p" | grep -c 'installed.hello: .*who = "world"')
	echo "$p: babeltrace2 reads $n events"
	[ "$n" = 100 ] || { echo "FAIL: $p: expected 100 events"; exit 1; }
done
echo "ok"
