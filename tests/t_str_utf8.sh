#!/usr/bin/env bash
# str(N) truncation keeps UTF-8 valid, end to end: a program emits strings
# whose multi-byte characters straddle their bound; babeltrace2 prints every
# value as the program says it must be cut (before the straddling
# character), its output decodes as strict UTF-8, and it complains about
# nothing on stderr.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$MPROF" record -q -o "$work/t" -- "$O/tests/progs/utf8gen" > "$work/expected"
babeltrace2 "$work/t" > "$work/out" 2> "$work/err"
if [ -s "$work/err" ]; then
	echo "FAIL: babeltrace2 complained:"; cat "$work/err"; exit 1
fi
python3 - "$work/expected" "$work/out" <<'PY'
import re, sys
expected = {}
with open(sys.argv[1], 'rb') as f:
    for line in f.read().decode('utf-8').splitlines():
        idx, s, t = line.split('\t')
        expected[int(idx)] = (s, t)
raw = open(sys.argv[2], 'rb').read()
try:
    out = raw.decode('utf-8')   # strict: any invalid sequence fails here
except UnicodeDecodeError as e:
    sys.exit("FAIL: babeltrace2 output is not valid UTF-8: %s" % e)
got = {}
for m in re.finditer(r'idx = (\d+), s = "((?:[^"\\]|\\.)*)", t = "((?:[^"\\]|\\.)*)"', out):
    got[int(m.group(1))] = (m.group(2), m.group(3))
bad = 0
for idx, want in sorted(expected.items()):
    if got.get(idx) != want:
        print("FAIL idx %d: babeltrace2 shows %r, want %r" % (idx, got.get(idx), want))
        bad += 1
print("%d values checked, %d wrong" % (len(expected), bad))
sys.exit(1 if bad or len(got) != len(expected) else 0)
PY
echo ok
