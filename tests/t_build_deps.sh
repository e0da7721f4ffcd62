#!/usr/bin/env bash
# Automatic dependency tracking (-MMD -MP): touching a header rebuilds
# exactly the C sources that include it, directly or through another
# header, and nothing else; an up-to-date tree rebuilds nothing.
#
# Works on a scratch copy of the sources (modification times kept) whose
# build directory is $O itself, asked with `make -n` (nothing is built or
# changed): the compiled sources make would rebuild after `touch HEADER`
# are compared with those that include HEADER, found by following the
# #include lines of every source and header.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$(cd "$(dirname "$0")/.." && pwd)
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

src=$work/src
mkdir -p "$src"
(cd "$root" && tar --exclude=./.git --exclude='./build*' --exclude="./$O" -cf - .) | tar -xf - -C "$src"
# The .d files name objects by the O they were built with: keep that name.
case "$O" in
/*) ;;
*) mkdir -p "$(dirname "$src/$O")"; ln -s "$(cd "$root" && cd "$O" && pwd)" "$src/$O" ;;
esac

# compiled: the C sources a `make -n` run would compile (sorted, unique).
compiled() {
	(cd "$src" && make -n --no-print-directory O="$O" "$@" all 2>&1) |
		awk '$1 ~ /(^|\/)(gcc|cc|clang|c99)(-[0-9]+)?$/ { for (i = 2; i <= NF; i++) if ($i ~ /\.c$/) print $i }' | sort -u
}

# includers HEADER: the C sources that include HEADER, directly or through
# other headers (matched by file name: an over-approximation only when two
# headers share a name).
includers() {
	(cd "$src" && python3 - "$1" <<'PY'
import os, re, sys
# "x.h" anywhere, <profile/x.h> (the public headers) too; not system headers.
inc = re.compile(r'^\s*#\s*include\s*(?:"([^"]+)"|<(profile/[^>]+)>)', re.M)
files = {}
for d, dirs, names in os.walk('.'):
    dirs[:] = [x for x in dirs if not x.startswith(('build', '.git'))]
    for n in names:
        if n.endswith(('.c', '.h')):
            p = os.path.normpath(os.path.join(d, n))
            with open(p, errors='replace') as f:
                files[p] = {os.path.basename(a or b) for a, b in inc.findall(f.read())}
names = {os.path.basename(sys.argv[1])}
while True:
    more = {os.path.basename(p) for p, incs in files.items() if p.endswith('.h') and incs & names}
    if more <= names:
        break
    names |= more
for p in sorted(p for p, incs in files.items() if p.endswith('.c') and incs & names):
    print(p)
PY
	)
}

universe=$(compiled -B)
echo "$(wc -l <<< "$universe") C sources compiled by 'make all'"
[ "$(wc -l <<< "$universe")" -gt 10 ] || fail "make -n -B all compiles almost nothing: $universe"

stale=$(compiled)
[ -z "$stale" ] && echo "ok: an up-to-date tree rebuilds nothing" || fail "an up-to-date $O rebuilds: $stale"

for h in tests/unit/test_ctf_util.h libprofile/src/read/read_private.h libprofile/src/posix/posix.h \
	libprofile/include/profile/version.h; do
	[ -f "$src/$h" ] || { echo "skip: $h does not exist"; continue; }
	want=$(comm -12 <(includers "$h") <(echo "$universe"))
	ref=$work/ref
	touch -r "$src/$h" "$ref"
	touch "$src/$h"
	got=$(compiled)
	touch -r "$ref" "$src/$h"
	if [ "$got" = "$want" ]; then
		echo "ok: touch $h rebuilds the $(grep -c . <<< "$got") sources that include it: $(echo $got)"
	else
		fail "touch $h: make would rebuild [$(echo $got)], the sources that include it are [$(echo $want)]"
	fi
	[ -n "$want" ] || fail "no compiled source includes $h: a test that cannot fail"
done
[ $fails -eq 0 ] && echo "ok"
exit $((fails > 0))
