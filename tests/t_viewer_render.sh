#!/usr/bin/env bash
# `mprof render` (mprof-render): PNG, SVG and PDF of a trace, headless; the
# GC span at its x range in its colour in the PNG; --from/--to/--width;
# usage errors (exit 2); missing, corrupt and truncated traces: one clear
# line naming the file, exit 3 and no output file, or (packets skipped) the
# picture with the count on its loss line and a warning; never a crash.
# mprof itself links neither cairo nor GTK.
set -euo pipefail
O=${O:-build}
MPROF=${MPROF:-$O/bin/mprof}
GEN=$O/tests/progs/gen_viewer_trace
PNG=$O/tests/progs/gen_viewer_png
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mprof-viewer-render.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
. "$(dirname "$0")/lib_bt_asan.sh" # corrupt traces reach libbabeltrace2
expect() { # status command... : runs it, checks the exit status, keeps stderr in $tmp/err
	local want=$1 rc=0
	shift
	"$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ $rc -eq "$want" ] || { cat "$tmp/out" "$tmp/err"; fail "$* exited $rc, expected $want"; }
}

for lib in gtk cairo; do
	if ldd "$MPROF" | grep -q "lib$lib"; then fail "mprof links lib$lib"; fi
done
if ldd "$O/bin/mprof-render" | grep -q libgtk; then fail "mprof-render links GTK"; fi

"$GEN" fixed "$tmp/fixed"
for ext in png svg pdf; do
	expect 0 "$MPROF" render "$tmp/fixed" -o "$tmp/f.$ext"
	[ -s "$tmp/f.$ext" ] || fail "no $ext written"
	grep -q "13 events" "$tmp/out" || fail "render's summary: $(cat "$tmp/out")"
done
head -c 8 "$tmp/f.png" | od -An -c | grep -q 'P   N   G' || fail "f.png is not a PNG"
grep -q '<svg' "$tmp/f.svg" || fail "f.svg is not SVG"
head -c 5 "$tmp/f.pdf" | grep -q '%PDF' || fail "f.pdf is not PDF"

# --from 1ms --to 6ms --width 1000: 200 pixels a millisecond, gc.minor [2, 3] ms at x [200, 399].
expect 0 "$MPROF" render "$tmp/fixed" -o "$tmp/z.png" --from 1ms --to 6ms --width 1000
read -r w h < <("$PNG" size "$tmp/z.png")
[ "$w" -eq 1000 ] || fail "width $w, expected 1000"
y=$((40 + 18 + 14 + 16 + 7)) # header, group, lane label, depth 1
read -r lo hi < <("$PNG" extent "$tmp/z.png" $y 230 159 0)
{ [ "$lo" -ge 199 ] && [ "$lo" -le 201 ] && [ "$hi" -ge 398 ] && [ "$hi" -le 400 ]; } ||
	fail "gc.minor drawn over x [$lo, $hi], expected [200, 399]"
echo "ok: gc.minor at x [$lo, $hi]"

# Usage errors: exit 2, one line.
expect 2 "$MPROF" render "$tmp/fixed"
grep -q "no output file" "$tmp/err" || fail "no -o: $(cat "$tmp/err")"
expect 2 "$MPROF" render "$tmp/fixed" -o "$tmp/x.jpg"
grep -q "x.jpg: the output must end in .png, .svg or .pdf" "$tmp/err" || fail "bad extension: $(cat "$tmp/err")"
expect 2 "$MPROF" render "$tmp/fixed" -o "$tmp/x.png" --from 5ms --to 1ms
expect 2 "$MPROF" render "$tmp/fixed" -o "$tmp/x.png" --from 5parsecs
grep -q "from '5parsecs'" "$tmp/err" || fail "bad time: $(cat "$tmp/err")"
expect 2 "$MPROF" render "$tmp/fixed" -o "$tmp/x.png" --width 3
[ ! -e "$tmp/x.png" ] || fail "a usage error left x.png"

# Missing, empty, corrupt metadata: exit 3, the file named, nothing written.
expect 3 "$MPROF" render "$tmp/nothere" -o "$tmp/x.png"
grep -q "nothere" "$tmp/err" || fail "missing trace: $(cat "$tmp/err")"
mkdir "$tmp/empty"
expect 3 "$MPROF" render "$tmp/empty" -o "$tmp/x.png"
grep -q "empty" "$tmp/err" || fail "empty dir: $(cat "$tmp/err")"
cp -r "$tmp/fixed" "$tmp/badmeta"
printf '/* CTF 1.8 */\ntrace { garbage' >"$tmp/badmeta/metadata"
expect 3 "$MPROF" render "$tmp/badmeta" -o "$tmp/x.png"
grep -q "badmeta/metadata" "$tmp/err" || fail "corrupt metadata: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "corrupt metadata: more than one line: $(cat "$tmp/err")"
[ -z "$(ls "$tmp" | grep '^x\.png')" ] || fail "a failed render left $(ls "$tmp" | grep '^x\.png')"

# Truncated and scribbled stream files: drawn, the skipped packets counted and shown.
"$GEN" bulk "$tmp/big" 20000 2 >/dev/null
cp -r "$tmp/big" "$tmp/trunc"
f=$(ls "$tmp/trunc" | grep -v metadata | head -n 1)
size=$(stat -c %s "$tmp/trunc/$f")
truncate -s $((size - 1000)) "$tmp/trunc/$f"
expect 0 "$MPROF" render "$tmp/trunc" -o "$tmp/t.png"
grep -q "trunc: warning: [1-9][0-9]* invalid packets skipped" "$tmp/err" || fail "truncated: $(cat "$tmp/err")"
grep -q "[1-9][0-9]* invalid packets" "$tmp/out" || fail "truncated: the loss line: $(cat "$tmp/out")"
cp -r "$tmp/big" "$tmp/scribble"
f=$(ls "$tmp/scribble" | grep -v metadata | head -n 1)
for off in 100 5000 20000 40000; do
	printf '\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$tmp/scribble/$f" bs=1 seek=$off conv=notrunc status=none
done
rc=0
"$MPROF" render "$tmp/scribble" -o "$tmp/sc.png" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "scribbled: exit $rc: $(cat "$tmp/err")"
echo "ok: scribbled trace: exit $rc: $(cat "$tmp/err" "$tmp/out")"

# An output that cannot be written: exit 4.
expect 4 "$MPROF" render "$tmp/fixed" -o "$tmp/no/such/dir/x.png"
grep -q "x.png" "$tmp/err" || fail "unwritable: $(cat "$tmp/err")"
echo "t_viewer_render: ok"
