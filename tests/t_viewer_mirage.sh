#!/usr/bin/env bash
# A foreign trace in the viewer: a hand-made trace in the seed's
# mirage-profile format (its own metadata and one stream file of packets: header { u32 magic
# 0xC1FC1FC1; u8 uuid[16]; u32 packet_size; u16 stream_packet_count; u32
# content_size }, then events { u64 timestamp; u8 id; fields }: a thread
# switch, a label, a GC of 2 ms, a counter increase, a switch), opened
# through the trace source into the viewer's model and rendered by
# `mprof render`.
#
# Skipped (exit 77, with the reason) only when the trace source returns
# -ENOTSUP for it (the mirage backend is tools/source's); any other
# failure fails the test.
set -euo pipefail
O=${O:-build}
MPROF=${MPROF:-$O/bin/mprof}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mprof-viewer-mirage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../viewer/test/viewer_test_lib.sh"

# ---- mirage-profile: a directory with mirage-profile's own metadata
# (verbatim, tools/source/test/) and the buffer as its stream file ----
mkdir "$tmp/mirage"
cp "$(dirname "$0")/../tools/source/test/mirage-profile.metadata" "$tmp/mirage/metadata"
python3 - "$tmp/mirage/trace.ctf" <<'PY'
import struct, sys
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
open(sys.argv[1], 'wb').write(data + b'\0' * (size - len(data)))
PY
viewer_open_and_render mirage "$tmp/mirage" 5

viewer_foreign_end t_viewer_mirage
