#!/usr/bin/env python3
"""tests/mirage_trace.py DIR: write a hand-made trace in the seed's
mirage-profile format into DIR (its own metadata, verbatim from
tools/source/test/, and one stream file of one packet: header { u32 magic
0xC1FC1FC1; u8 uuid[16]; u32 packet_size; u16 stream_packet_count; u32
content_size }, then events { u64 timestamp; u8 id; fields }: a thread
switch, a label, a GC of 2 ms, a counter increase, a switch: 5 events).
Used by tests/t_viewer_mirage.sh and tests/t_compare_foreign.sh."""
import os, shutil, struct, sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tools', 'source', 'test',
                         'mirage-profile.metadata'), os.path.join(out, 'metadata'))
uuid = bytes.fromhex('05883b8d521a487bb397456ab150680c')
ev = b''
def e(ts, i, body):
    global ev
    ev += struct.pack('<QB', ts, i) + body
e(1000, 7, struct.pack('<Q', 1))                                   # switch to thread 1
e(2000, 5, struct.pack('<Q', 1) + b'main\0')                       # label
e(5000000, 8, struct.pack('<Q', 2000000))                          # gc of 2 ms
e(6000000, 6, struct.pack('<Q', 1) + struct.pack('<q', 5) + b'requests\0')
e(9000000, 7, struct.pack('<Q', 2))                                # switch to thread 2
size = 4096
hdr = struct.pack('<I', 0xC1FC1FC1) + uuid + struct.pack('<IHI', size * 8, 1, (30 + len(ev)) * 8)
data = hdr + ev
open(os.path.join(out, 'trace.ctf'), 'wb').write(data + b'\0' * (size - len(data)))
