#!/usr/bin/env python3
"""Check babeltrace2's text output of a valuegen trace against what
valuegen emitted.  Usage: bt_check.py EXPECTED_FILE BT_STDOUT BT_STDERR MODE

EXPECTED_FILE: valuegen's stdout ("name count" lines).
MODE: 'exact'   every event is present and every field value is right;
      'discard' events present + discarded reported by babeltrace2 == emitted,
                and each present event's fields are right.
Prints both sides of every failed comparison; exits 1 on failure."""
import re
import sys

expected_file, bt_out, bt_err, mode = sys.argv[1:5]
fails = []


def fail(msg):
    fails.append(msg)


expected = {}
for line in open(expected_file):
    name, count = line.split()
    expected[name] = int(count)

line_re = re.compile(r'^\[(\d\d):(\d\d):(\d\d)\.(\d{9})\] \(\+[^)]*\) (?:\S+ )?(\S+): \{ tid = (\d+), content_bytes = \d+ \}, \{ ?(.*?) ?\}$')
field_re = re.compile(r'(\w+) = ("(?:[^"\\]|\\.)*"|[^,]+)(?:, |$)')

counts = {}
last_ts = {}
for n, line in enumerate(open(bt_out), 1):
    line = line.rstrip('\n')
    m = line_re.match(line)
    if not m:
        fail(f'{bt_out}:{n}: unexpected line: {line!r}')
        continue
    h, mi, s, ns, name, tid, body = m.groups()
    ts = ((int(h) * 60 + int(mi)) * 60 + int(s)) * 10**9 + int(ns)
    if tid in last_ts and ts < last_ts[tid]:
        fail(f'{bt_out}:{n}: time went backwards on tid {tid}')
    last_ts[tid] = ts
    counts[name] = counts.get(name, 0) + 1
    f = {k: v for k, v in field_re.findall(body)}
    if name == 'vg.ints':
        u64 = int(f['u64v'])
        i, t = u64 >> 33, u64 & ((1 << 33) - 1)
        want = {'u8v': i & 0xff, 'u16v': (i * 7) & 0xffff, 'u32v': (i * 131) & 0xffffffff,
                's8v': -(i % 100), 's16v': -(i & 0x7fff), 's32v': -i * 1000, 's64v': -i * (1 << 40)}
        for k, v in want.items():
            if int(f[k]) != v:
                fail(f'{bt_out}:{n}: {name}.{k} = {f[k]}, want {v} (i={i}, t={t})')
    elif name == 'vg.mixed':
        i, t = int(f['index']), int(f['thread'])
        label = f't{t}-{i}' + ('-this-is-longer-than-sixteen' if i % 10 == 0 else '')
        want_label = '"' + label[:16] + '"'
        if f['label'] != want_label:
            fail(f'{bt_out}:{n}: label = {f["label"]}, want {want_label}')
        want_ratio = (-1.0 if i % 2 else 1.0) * (i % 1000) / 8.0
        if float(f['ratio']) != want_ratio:
            fail(f'{bt_out}:{n}: ratio = {f["ratio"]}, want {want_ratio}')
    elif name == 'vg.work.begin':
        int(f['index'])
    elif name == 'vg.total':
        if int(f['value']) < 1:
            fail(f'{bt_out}:{n}: vg.total value {f["value"]}')

discarded = 0
for line in open(bt_err):
    m = re.search(r'Tracer discarded (\d+) events', line)
    if m:
        discarded += int(m.group(1))

total_expected = sum(expected.values())
total_seen = sum(counts.values())
if mode == 'exact':
    for name, c in expected.items():
        if counts.get(name, 0) != c:
            fail(f'{name}: babeltrace2 shows {counts.get(name, 0)}, valuegen emitted {c}')
    if discarded:
        fail(f'babeltrace2 reports {discarded} discarded events, expected none')
else:
    if total_seen + discarded != total_expected:
        fail(f'seen {total_seen} + discarded {discarded} = {total_seen + discarded}, emitted {total_expected}')
    if discarded == 0:
        fail('expected some discarded events in this configuration (the test needs drops)')
print(f'babeltrace2: {total_seen} events, {discarded} discarded; emitted {total_expected}')
for msg in fails[:20]:
    print('FAIL', msg)
sys.exit(1 if fails else 0)
