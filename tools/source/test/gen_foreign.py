#!/usr/bin/env python3
# tools/source/test/gen_foreign.py DIR - writes the hand-made foreign traces
# t_source_foreign.sh reads:
#
#   DIR/mirage/    mirage-profile's own metadata (mirage-profile.metadata,
#                  verbatim from github.com/mirage/mirage-profile, whose
#                  trace block says major = 0, minor = 1) and one stream
#                  file in its exact layout (lib/mProf_trace_with_tracing.ml):
#                  packets of a 30-byte header {u32 magic 0xC1FC1FC1;
#                  u8 uuid[16]; u32 packet_size; u16 stream_packet_count;
#                  u32 content_size} (sizes in bits), then packed events
#                  {u64 timestamp; u8 id; [u64 thread]; fields}, little-endian.
#   DIR/mirage-ring/  the same metadata, and a buffer whose ring of 4
#                  packets wrapped (file order is not time order).
#   DIR/barectf/   a barectf 3 style trace: TSDL of explicit integer types,
#                  a 1 GHz clock, packet context with timestamps,
#                  events_discarded and packet_seq_num; spans (.begin/.end),
#                  every scalar type, a structure field (skipped), and
#                  losses: 3 discarded events and 1 missing packet.
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1]

# ---- mirage-profile ----
MAGIC = 0xC1FC1FC1
UUID = bytes.fromhex('05883b8d521a487bb397456ab150680c')
PKT = 512

def mirage_packet(count, events):
    body = b''.join(events)
    hdr_len = 4 + 16 + 4 + 2 + 4
    hdr = struct.pack('<I', MAGIC) + UUID + struct.pack('<IHI', PKT * 8, count, (hdr_len + len(body)) * 8)
    pkt = hdr + body
    assert len(pkt) < PKT
    return pkt + b'\0' * (PKT - len(pkt))

def ev(ts, op, thread=None, payload=b''):
    b = struct.pack('<QB', ts, op)
    if thread is not None:
        b += struct.pack('<Q', thread)
    return b + payload

mirage = os.path.join(out, 'mirage')
os.makedirs(mirage)
with open(os.path.join(here, 'mirage-profile.metadata'), 'rb') as f:
    meta = f.read()
with open(os.path.join(mirage, 'metadata'), 'wb') as f:
    f.write(meta)
p1 = [
    ev(1000, 0, 1, struct.pack('<QB', 2, 2)),              # creates child=2 Bind
    ev(2000, 7, 5),                                       # switch
    ev(2500, 5, 5, b'hello\0'),                           # label
    ev(3000, 6, 5, struct.pack('<q', -7) + b'ctr\0'),     # increase
    ev(3500, 3, 5, struct.pack('<Q', 9) + b'Not_found\0'),  # fails
]
p2 = [
    ev(4000, 8, None, struct.pack('<Q', 123456)),         # gc (no thread)
    ev(5000, 11, 5, struct.pack('<q', 42) + b'ctr\0'),    # counter
    ev(6000, 1, 5, struct.pack('<Q', 2)),                 # read
]
with open(os.path.join(mirage, 'trace.ctf'), 'wb') as f:
    f.write(mirage_packet(1, p1) + mirage_packet(2, p2) + mirage_packet(3, []))

# A ring that wrapped (as mirage-profile reuses its packets): file order
# holds counts 65535, 0, 65533, 65534, so time order is packets 2, 3, 0, 1.
ring = os.path.join(out, 'mirage-ring')
os.makedirs(ring)
with open(os.path.join(ring, 'metadata'), 'wb') as f:
    f.write(meta)
order = [(65535, 3), (0, 4), (65533, 1), (65534, 2)]   # (count, time rank)
with open(os.path.join(ring, 'trace.ctf'), 'wb') as f:
    for count, rank in order:
        f.write(mirage_packet(count, [ev(rank * 1000 + k * 10, 7, rank * 10 + k) for k in range(3)]))

# ---- barectf style ----
U = lambda bits, extra='': ('integer { signed = false; size = %d; align = 8; byte_order = native; base = 10;%s }'
                            % (bits, extra))
S = lambda bits: 'integer { signed = true; size = %d; align = 8; byte_order = native; base = 10; }' % bits
CLK = ' map = clock.default.value;'
tsdl = f'''/* CTF 1.8 */
trace {{
	major = 1;
	minor = 8;
	byte_order = le;
	packet.header := struct {{
		{U(32)} magic;
		{U(64)} stream_id;
		{U(64)} stream_instance_id;
	}} align(8);
}};

env {{
	domain = "bare";
	tracer_name = "barectf";
	tracer_major = 3;
	tracer_minor = 1;
	hostname = "board";
}};

clock {{
	name = "default";
	freq = 1000000000;
	offset_s = 0;
	offset = 0;
	absolute = false;
}};

stream {{
	id = 0;
	packet.context := struct {{
		{U(64)} packet_size;
		{U(64)} content_size;
		{U(64, CLK)} timestamp_begin;
		{U(64, CLK)} timestamp_end;
		{U(64)} events_discarded;
		{U(64)} packet_seq_num;
	}} align(8);
	event.header := struct {{
		{U(64)} id;
		{U(64, CLK)} timestamp;
	}} align(8);
}};

event {{
	id = 0;
	stream_id = 0;
	name = "work.begin";
	fields := struct {{
		{U(32)} job;
	}};
}};

event {{
	id = 1;
	stream_id = 0;
	name = "work.end";
	fields := struct {{
		{U(32)} job;
	}};
}};

event {{
	id = 2;
	stream_id = 0;
	name = "value";
	fields := struct {{
		{U(8)} u8v;
		{S(16)} s16v;
		{S(64)} s64v;
		floating_point {{ exp_dig = 11; mant_dig = 53; align = 8; byte_order = native; }} f64v;
		string name;
		enum : {U(8)} {{ OFF = 0, ON = 1 }} state;
		struct {{ {U(32)} x; {U(32)} y; }} point;
	}};
}};
'''
barectf = os.path.join(out, 'barectf')
os.makedirs(barectf)
with open(os.path.join(barectf, 'metadata'), 'w') as f:
    f.write(tsdl)

def bev(eid, ts, payload):
    return struct.pack('<QQ', eid, ts) + payload

def bpacket(inst, seq, discarded, events):
    body = b''.join(e for _, e in events)
    hdr_len = 4 + 8 + 8 + 6 * 8
    size = 1024
    begin, end = events[0][0], events[-1][0]
    hdr = struct.pack('<IQQ', MAGIC, 0, inst) + struct.pack('<QQQQQQ', size * 8, (hdr_len + len(body)) * 8,
                                                              begin, end, discarded, seq)
    pkt = hdr + body
    assert len(pkt) <= size
    return pkt + b'\0' * (size - len(pkt))

def value(ts, i, name):
    return (ts, bev(2, ts, struct.pack('<BhqdB', i, -i, -(1 << 40) * i, i / 8.0, 0)[:-1] + name + b'\0' +
                     struct.pack('<BII', i % 2, i, 2 * i)))

# Stream 0: packets 0, 1 (3 events discarded in it), then 3 (packet 2 lost).
s0 = [
    bpacket(0, 0, 0, [(100, bev(0, 100, struct.pack('<I', 1))), value(150, 1, b'one'),
                      (200, bev(1, 200, struct.pack('<I', 1)))]),
    bpacket(0, 1, 3, [(300, bev(0, 300, struct.pack('<I', 2))), value(350, 2, b'two')]),
    bpacket(0, 3, 3, [(500, bev(1, 500, struct.pack('<I', 2))), value(550, 3, b'')]),
]
# Stream 1: one packet whose events interleave with stream 0's.
s1 = [bpacket(1, 0, 0, [(120, bev(0, 120, struct.pack('<I', 7))), (400, bev(1, 400, struct.pack('<I', 7)))])]
with open(os.path.join(barectf, 'stream_0'), 'wb') as f:
    f.write(b''.join(s0))
with open(os.path.join(barectf, 'stream_1'), 'wb') as f:
    f.write(b''.join(s1))
