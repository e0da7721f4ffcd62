#!/usr/bin/env bash
# t_kerneldoc.sh - kernel-doc lives in the public headers only, and covers
# every public function (house style, docs/ARCHITECTURE.md; issue 7: the
# header and .c copies disagreed, -ENOTSUP vs -EINVAL for an unknown
# version).
#
#  - no /** kernel-doc block in libprofile/src/*/*.c or tools/mprof/*.c
#    (a .c file keeps implementation notes in plain /* */ comments);
#  - every PROF_EXPORT function of libprofile/include/profile/*.h (but the
#    prof__ internals the macros call) has a kernel-doc block right before
#    its declaration that opens with "name() - ", documents each of its
#    parameters and no other, and has a Return: section exactly when it
#    returns a value;
#  - each definition's parameter names match its header's.
#
# The checker is also run on a copy of the tree with one defect of each
# kind planted, and must find each: a check that cannot fail proves
# nothing.  That the documented return values are the code's is
# tests/unit/test_doc_returns.c's job.
set -u
O=${O:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
command -v python3 >/dev/null || { echo "python3 not found"; exit 77; }
work=$O/t_kerneldoc
rm -rf "$work" && mkdir -p "$work"

cat >"$work/check.py" <<'EOF'
import glob, os, re, sys

os.chdir(sys.argv[1])
problems = []

def blank_comments(s):
    return re.sub(r'/\*.*?\*/', lambda m: re.sub(r'[^\n]', ' ', m.group(0)), s, flags=re.S)

decl_re = re.compile(r'PROF_EXPORT\s+[^;{()]*?\b(prof_\w+)\s*\(([^;{]*?)\)\s*'
                     r'(?:__attribute__\s*\(\(.*?\)\)\s*)?([;{])', re.S)

def params(plist):
    plist = ' '.join(plist.split())
    if plist in ('', 'void'):
        return []
    out = []
    for p in plist.split(','):
        p = p.strip()
        if p == '...':
            continue
        m = re.search(r'\(\s*\*\s*(\w+)\s*\)', p)  # a function pointer
        if not m:
            m = re.search(r'(\w+)\s*(\[[^\]]*\])?$', p)
        out.append(m.group(1) if m else p)
    return out

header = {}
for h in sorted(glob.glob('libprofile/include/profile/*.h')):
    text = open(h).read()
    code = blank_comments(text)
    for m in decl_re.finditer(code):
        name = m.group(1)
        if m.group(3) != ';' or name.startswith('prof__'):
            continue
        ps = params(m.group(2))
        header[name] = (h, ps)
        before = text[:m.start()].rstrip()
        if not before.endswith('*/'):
            problems.append(f'{h}: {name}(): no kernel-doc right before its declaration')
            continue
        block = before[before.rfind('/*'):]
        if not block.startswith('/**'):
            problems.append(f'{h}: {name}(): the comment before it is not kernel-doc (/**)')
            continue
        if not re.match(r'/\*\*\s*(\*\s*)?' + re.escape(name) + r'\(\) - ', block):
            problems.append(f'{h}: {name}(): its kernel-doc does not open with "{name}() - "')
            continue
        documented = re.findall(r'^\s*\*\s*@(\w+):', block, re.M)
        for d in documented:
            if d not in ps:
                problems.append(f'{h}: {name}(): documents @{d}, not a parameter '
                                f'(parameters: {", ".join(ps) or "none"})')
        for p in ps:
            if p not in documented:
                problems.append(f'{h}: {name}(): parameter {p} is not documented (no "@{p}:")')
        has_return = re.search(r'^\s*\*\s*Return:', block, re.M) is not None
        rtype = code[m.start():m.start(1)].split()
        returns_void = 'void' in rtype and not any('*' in t for t in rtype)
        if returns_void and has_return:
            problems.append(f'{h}: {name}(): returns void but has a Return: section')
        if not returns_void and not has_return:
            problems.append(f'{h}: {name}(): returns a value but has no Return: section')

if len(header) < 50:
    problems.append(f'only {len(header)} public functions found in the headers: the checker is broken')

for c in sorted(glob.glob('libprofile/src/*/*.c') + glob.glob('tools/mprof/*.c')):
    text = open(c).read()
    for i, line in enumerate(text.split('\n'), 1):
        if re.match(r'\s*/\*\*', line):
            problems.append(f'{c}:{i}: kernel-doc in a .c file: it belongs in the header '
                            f'(keep implementation notes as /* */)')
    for m in decl_re.finditer(blank_comments(text)):
        name = m.group(1)
        if m.group(3) != '{' or name not in header:
            continue
        ps = params(m.group(2))
        if ps != header[name][1]:
            problems.append(f'{c}: {name}(): parameters ({", ".join(ps)}) are not named as in '
                            f'{header[name][0]} ({", ".join(header[name][1])})')

for p in problems:
    print(p)
print(f'{len(header)} public functions checked, {len(problems)} problems')
sys.exit(1 if problems else 0)
EOF

fail=0

# 1. The real tree.
if python3 "$work/check.py" "$here" >"$work/tree.out" 2>&1; then
	echo "ok: $(tail -n 1 "$work/tree.out")"
else
	echo "FAIL: kernel-doc problems in the tree:"; cat "$work/tree.out"; fail=1
fi

# 2. The checker catches each kind of defect, planted in a copy of the
# sources (a message the tree itself already has does not count).
copy=$work/tree
mkdir -p "$copy"
(cd "$here" && tar cf - libprofile/include/profile libprofile/src tools/mprof) | (cd "$copy" && tar xf -)
plant() { # plant NAME FILE PYTHON-REPLACEMENT(old, new) EXPECTED-MESSAGE
	local name=$1 file=$2 old=$3 new=$4 want=$5
	rm -rf "$copy.$name" && cp -r "$copy" "$copy.$name"
	python3 - "$copy.$name/$file" "$old" "$new" <<'EOF' || { echo "FAIL: cannot plant $name"; fail=1; rm -rf "$copy.$name"; return; }
import sys
p, old, new = sys.argv[1:]
s = open(p).read()
if old not in s:
    sys.exit(f'{old!r} not in {p}')
open(p, 'w').write(s.replace(old, new, 1))
EOF
	if python3 "$work/check.py" "$copy.$name" >"$work/$name.out" 2>&1; then
		echo "FAIL: planted defect '$name' not found by the checker"; fail=1
	elif ! grep -qF -- "$want" "$work/$name.out" || grep -qF -- "$want" "$work/tree.out"; then
		echo "FAIL: planted defect '$name': expected a message containing '$want', got:"
		cat "$work/$name.out"; fail=1
	else
		echo "ok: planted defect '$name' found: $(grep -F -- "$want" "$work/$name.out" | head -n 1)"
	fi
	rm -rf "$copy.$name"
}
plant c-copy libprofile/src/read/packet.c \
	'PROF_EXPORT int prof_packet_check(' \
	$'/**\n * prof_packet_check() - a copy.\n */\nPROF_EXPORT int prof_packet_check(' \
	'libprofile/src/read/packet.c:'
plant undocumented-param libprofile/include/profile/read.h \
	' * @uuid: the trace UUID the packet must carry, or NULL to skip.' '' \
	'prof_packet_check(): parameter uuid is not documented'
plant stale-param libprofile/include/profile/read.h \
	' * @max: its capacity.' ' * @cap: its capacity.' \
	'documents @cap, not a parameter'
plant no-return libprofile/include/profile/read.h \
	' * Return: the number of unusable records remembered (may exceed @max).' '' \
	'prof_region_reader_schema_problems(): returns a value but has no Return: section'
plant no-doc libprofile/include/profile/read.h \
	'/**
 * prof_region_reader_close()' '/*
 * prof_region_reader_close()' \
	'prof_region_reader_close(): the comment before it is not kernel-doc'
plant renamed-param libprofile/src/read/drain.c \
	'size_t prof_region_reader_schema_problems(const struct prof_region_reader *r,' \
	'size_t prof_region_reader_schema_problems(const struct prof_region_reader *reader,' \
	'are not named as in libprofile/include/profile/read.h'

rm -rf "$copy"
exit $fail
