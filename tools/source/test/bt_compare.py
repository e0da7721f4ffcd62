#!/usr/bin/env python3
# tools/source/test/bt_compare.py BT_TEXT DUMP [--skip FIELD]...
#
# Compares babeltrace2's text output (babeltrace2 --clock-seconds TRACE)
# with source_dump's (the trace source's events), event by event: the
# timestamp in nanoseconds, the event name, every payload field's value
# (integers exact, reals as floats, strings exact, an enumeration as its
# integer), and the vtid context where babeltrace2 shows one.  Fields named
# with --skip (types the source skips and counts) must be absent from the
# dump.  Prints both sides of the first difference; exit 1 on any.
import re
import sys

def split_top(s):
    """Split 'a = 1, b = [ .. ], c = "x, y"' at top-level commas."""
    out, depth, cur, q = [], 0, '', False
    i = 0
    while i < len(s):
        c = s[i]
        if q:
            cur += c
            if c == '\\':
                cur += s[i + 1]
                i += 1
            elif c == '"':
                q = False
        elif c == '"':
            q = True
            cur += c
        elif c in '[({':
            depth += 1
            cur += c
        elif c in '])}':
            depth -= 1
            cur += c
        elif c == ',' and depth == 0:
            out.append(cur.strip())
            cur = ''
        else:
            cur += c
        i += 1
    if cur.strip():
        out.append(cur.strip())
    return out

def groups(s):
    """The top-level { ... } groups of a babeltrace2 line's tail."""
    out, depth, start = [], 0, None
    q = False
    for i, c in enumerate(s):
        if q:
            if c == '"' and s[i - 1] != '\\':
                q = False
            continue
        if c == '"':
            q = True
        elif c == '{':
            if depth == 0:
                start = i + 1
            depth += 1
        elif c == '}':
            depth -= 1
            if depth == 0:
                out.append(s[start:i].strip())
    return out

def fields(group, sep=' = '):
    d = {}
    for item in split_top(group):
        k, _, v = item.partition(sep)
        d[k.strip()] = v.strip()
    return d

def bt_value(v):
    m = re.match(r'^\( "[^"]*" : container = (-?\d+) \)$', v)
    if m:
        return ('i', int(m.group(1)))
    if v.startswith('"'):
        return ('s', v[1:-1])
    if v.startswith('['):
        return ('a', v)
    if re.match(r'^-?\d+$', v):
        return ('i', int(v))
    if re.match(r'^0x[0-9A-Fa-f]+$', v):
        return ('i', int(v, 16))
    return ('f', float(v))

def dump_value(v):
    if v.startswith('"'):
        return ('s', v[1:-1])
    if re.match(r'^-?\d+$', v):
        return ('i', int(v))
    return ('f', float(v))

def main():
    args = sys.argv[1:]
    skip = set()
    while '--skip' in args:
        i = args.index('--skip')
        skip.add(args[i + 1])
        del args[i:i + 2]
    bt = [l.rstrip('\n') for l in open(args[0]) if l.startswith('[')]
    dump = [l.rstrip('\n') for l in open(args[1]) if re.match(r'^\d+ ', l)]
    if len(bt) != len(dump):
        print(f'event count: babeltrace2 {len(bt)}, source {len(dump)}')
        return 1
    line_re = re.compile(r'^\[(\d+)\.(\d{9})\] \(\S+\) (?:\S+ )?(\S+): (.*)$')
    dump_re = re.compile(r'^(\d+) (\S+) trace=\d+ stream=\d+ tid=(\d+) seq=\d+ disc=\d+ \{(.*)\}$')
    for n, (b, d) in enumerate(zip(bt, dump)):
        mb, md = line_re.match(b), dump_re.match(d)
        if not mb or not md:
            print(f'event {n}: cannot parse:\n  babeltrace2: {b}\n  source:      {d}')
            return 1
        ts = int(mb.group(1)) * 1000000000 + int(mb.group(2))
        g = groups(mb.group(4))
        payload = fields(g[-1]) if g else {}
        ctx = {}
        for grp in g[:-1]:
            ctx.update(fields(grp))
        want = {k: bt_value(v) for k, v in payload.items() if k not in skip}
        got = {k: dump_value(v) for k, v in fields(md.group(4), '=').items()}
        problems = []
        if ts != int(md.group(1)):
            problems.append(f'timestamp {ts} != {md.group(1)}')
        if mb.group(3) != md.group(2):
            problems.append(f'name {mb.group(3)} != {md.group(2)}')
        if 'vtid' in ctx and int(ctx['vtid']) != int(md.group(3)):
            problems.append(f'vtid {ctx["vtid"]} != tid {md.group(3)}')
        for k in skip:
            if k in got:
                problems.append(f'field {k} should have been skipped')
        for k, v in want.items():
            if k not in got:
                problems.append(f'field {k} missing')
            elif v[0] == 'f' or got[k][0] == 'f':
                if float(v[1]) != float(got[k][1]):
                    problems.append(f'field {k}: {v[1]} != {got[k][1]}')
            elif v != got[k]:
                problems.append(f'field {k}: {v[1]!r} != {got[k][1]!r}')
        if problems:
            print(f'event {n}: ' + '; '.join(problems) + f'\n  babeltrace2: {b}\n  source:      {d}')
            return 1
    print(f'bt_compare: {len(bt)} events equal')
    return 0

sys.exit(main())
