#!/usr/bin/env bash
# Hand-made foreign traces through the trace source (gen_foreign.py):
# - a barectf-style trace: every event, field value, stream, packet
#   sequence and cumulative discarded count exactly as expected, equal to
#   babeltrace2's text, spans typed from their names, the structure field
#   skipped and counted, 3 discarded events and 1 lost packet counted; two
#   of them under one directory;
# - a mirage-profile trace (its own metadata, verbatim, and a stream in its
#   exact layout), which babeltrace2 itself refuses as it is: every event
#   exactly, and equal to babeltrace2's text on a copy whose metadata says
#   CTF 1.8; and a mirage-profile ring buffer that wrapped, in time order;
# - following a foreign trace is refused (-ENOTSUP) with a message;
# - damaged traces (truncated streams, garbage metadata, garbage packets,
#   a file that is no trace) end in a one-line error naming the path and
#   exit status 1, never a crash (make check runs this under ASan+UBSan too).
set -euo pipefail
O=${O:-build}
here=$(cd "$(dirname "$0")" && pwd)
dump=$O/tests/source_dump
for p in babeltrace2 python3; do
	command -v $p >/dev/null || { echo "SKIP: $p is not installed"; exit 77; }
done
[ -x "$dump" ] || { echo "FAIL: $dump not built"; exit 1; }
. "$here/../../../tests/lib_bt_asan.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/t_source_foreign.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
python3 "$here/gen_foreign.py" "$tmp"

same() { # NAME WANT-FILE GOT-FILE
	if ! diff -u "$2" "$3"; then echo "FAIL: $1: the dump differs from what is expected (above)"; exit 1; fi
}

# ---- barectf style ----
"$dump" "$tmp/barectf" >"$tmp/barectf.dump"
cat >"$tmp/barectf.want" <<EOT
100 work.begin trace=0 stream=0 tid=0 seq=0 disc=0 {job=1}
120 work.begin trace=0 stream=1 tid=0 seq=0 disc=0 {job=7}
150 value trace=0 stream=0 tid=0 seq=0 disc=0 {u8v=1, s16v=-1, s64v=-1099511627776, f64v=0.125, name="one", state=1}
200 work.end trace=0 stream=0 tid=0 seq=0 disc=0 {job=1}
300 work.begin trace=0 stream=0 tid=0 seq=1 disc=3 {job=2}
350 value trace=0 stream=0 tid=0 seq=1 disc=3 {u8v=2, s16v=-2, s64v=-2199023255552, f64v=0.25, name="two", state=0}
400 work.end trace=0 stream=1 tid=0 seq=0 disc=0 {job=7}
500 work.end trace=0 stream=0 tid=0 seq=3 disc=3 {job=2}
550 value trace=0 stream=0 tid=0 seq=3 disc=3 {u8v=3, s16v=-3, s64v=-3298534883328, f64v=0.375, name="", state=1}
kind ctf
schema work.begin 1 job:3
schema work.end 2 job:3
schema value 0 u8v:1 s16v:6 s64v:8 f64v:9 name:10 state:1
stats events=9 streams=2 packets=4 discarded=3 packets_lost=1 traces=1
skips fields=3 strings=0 untimed=0
note $tmp/barectf: event "value": field "point": a structure is not read (skipped and counted)
EOT
same barectf "$tmp/barectf.want" "$tmp/barectf.dump"
babeltrace2 --clock-seconds "$tmp/barectf" >"$tmp/barectf.bt" 2>/dev/null
python3 "$here/bt_compare.py" "$tmp/barectf.bt" "$tmp/barectf.dump" --skip point

# Two traces under one directory (barectf's have no UUID: one
# babeltrace2 source each): both read, each event definition once in the
# schema, events from trace 0 and trace 1, losses summed.
mkdir "$tmp/multi"
cp -r "$tmp/barectf" "$tmp/multi/a"
cp -r "$tmp/barectf" "$tmp/multi/b"
"$dump" "$tmp/multi" >"$tmp/multi.dump"
grep '^schema' "$tmp/barectf.want" >"$tmp/schema.want"
grep '^schema' "$tmp/multi.dump" >"$tmp/schema.got"
same "two traces: schema" "$tmp/schema.want" "$tmp/schema.got"
grep -q '^stats events=18 streams=4 packets=8 discarded=6 packets_lost=2 traces=2$' "$tmp/multi.dump" ||
	{ echo "FAIL: two traces: $(grep ^stats "$tmp/multi.dump")"; exit 1; }
for t in 0 1; do
	c=$(grep -c "^[0-9]* .* trace=$t " "$tmp/multi.dump" || true)
	[ "$c" = 9 ] || { echo "FAIL: two traces: trace $t has $c events, want 9"; exit 1; }
done

# ---- mirage-profile ----
if babeltrace2 "$tmp/mirage" >/dev/null 2>&1; then
	echo "NOTE: this babeltrace2 reads mirage-profile's metadata as it is"
else
	echo "babeltrace2 refuses mirage-profile's metadata as it is (major = 0, minor = 1), as expected"
fi
"$dump" "$tmp/mirage" >"$tmp/mirage.dump"
cat >"$tmp/mirage.want" <<'EOT'
1000 creates trace=0 stream=0 tid=0 seq=0 disc=0 {child=2, thread_type=2, thread=1}
2000 switch trace=0 stream=0 tid=0 seq=0 disc=0 {thread=5}
2500 label trace=0 stream=0 tid=0 seq=0 disc=0 {label="hello", thread=5}
3000 increase trace=0 stream=0 tid=0 seq=0 disc=0 {amount=-7, counter="ctr", thread=5}
3500 fails trace=0 stream=0 tid=0 seq=0 disc=0 {resolvee=9, exn="Not_found", thread=5}
4000 gc trace=0 stream=0 tid=0 seq=1 disc=0 {duration_ns=123456}
5000 counter trace=0 stream=0 tid=0 seq=1 disc=0 {value=42, counter="ctr", thread=5}
6000 read trace=0 stream=0 tid=0 seq=1 disc=0 {source=2, thread=5}
kind mirage
schema creates 0 child:4 thread_type:1 thread:4
schema read 0 source:4 thread:4
schema fulfills 0 resolvee:4 thread:4
schema fails 0 resolvee:4 exn:10 thread:4
schema becomes 0 sleeper:4 thread:4
schema label 0 label:10 thread:4
schema increase 0 amount:8 counter:10 thread:4
schema switch 0 thread:4
schema gc 0 duration_ns:4
schema signal 0 source:4 thread:4
schema try_read 0 source:4 thread:4
schema counter 0 value:8 counter:10 thread:4
stats events=8 streams=1 packets=3 discarded=0 packets_lost=0 traces=1
skips fields=0 strings=0 untimed=0
EOT
same mirage "$tmp/mirage.want" "$tmp/mirage.dump"
mkdir "$tmp/mirage18"
sed 's/major = 0;/major = 1;/; s/minor = 1;/minor = 8;/' "$tmp/mirage/metadata" >"$tmp/mirage18/metadata"
cp "$tmp/mirage/trace.ctf" "$tmp/mirage18/"
babeltrace2 --clock-seconds "$tmp/mirage18" >"$tmp/mirage.bt"
python3 "$here/bt_compare.py" "$tmp/mirage.bt" "$tmp/mirage.dump"
# A ring buffer that wrapped: its packets are read in count order, so the
# events come in time order (file order would give 3000.. before 1000..).
"$dump" "$tmp/mirage-ring" >"$tmp/ring.dump"
got=$(awk '$1 ~ /^[0-9]+$/ { printf "%s ", $1 }' "$tmp/ring.dump")
want="1000 1010 1020 2000 2010 2020 3000 3010 3020 4000 4010 4020 "
[ "$got" = "$want" ] || { echo "FAIL: wrapped ring: want timestamps '$want', got '$got'"; exit 1; }
grep -q '^stats events=12 streams=1 packets=4 discarded=0 packets_lost=0 traces=1$' "$tmp/ring.dump" ||
	{ echo "FAIL: wrapped ring stats: $(grep ^stats "$tmp/ring.dump")"; exit 1; }
# The prepared directory is gone once the source is closed.
left=$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'mprof-mirage.*' -newer "$tmp/mirage.want" 2>/dev/null | head -1)
[ -z "$left" ] || { echo "FAIL: $left was left behind"; exit 1; }

# ---- follow mode: refused for foreign traces ----
set +e
"$dump" --follow "$tmp/barectf" >/dev/null 2>"$tmp/err"
rc=$?
set -e
[ $rc -eq 1 ] && grep -q "cannot be followed" "$tmp/err" || { echo "FAIL: follow: exit $rc: $(cat "$tmp/err")"; exit 1; }

# ---- damaged traces: an error naming the path, never a crash ----
bad() { # NAME PATH
	set +e
	"$dump" "$2" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
	if [ $rc -ne 1 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -qF "$2" "$tmp/err"; then
		echo "FAIL: $1: exit $rc (want 1 and one line naming $2):"; cat "$tmp/err"; exit 1
	fi
	echo "$1: $(cat "$tmp/err")"
}
cp -r "$tmp/barectf" "$tmp/trunc"
truncate -s 1100 "$tmp/trunc/stream_0"          # inside the second packet's events
bad "truncated stream" "$tmp/trunc"
cp -r "$tmp/barectf" "$tmp/badmeta"
printf '/* CTF 1.8 */\ntrace { major = 1; minor = 8; byte_order = le; ' >"$tmp/badmeta/metadata"
bad "cut metadata" "$tmp/badmeta"
cp -r "$tmp/barectf" "$tmp/garbage"
head -c 3000 /dev/urandom >"$tmp/garbage/stream_0"
bad "garbage stream" "$tmp/garbage"
cp -r "$tmp/barectf" "$tmp/badid"
# Event id 9 (no such event) in the first event header of stream_1.
printf '\x09' | dd of="$tmp/badid/stream_1" bs=1 seek=68 conv=notrunc status=none
bad "unknown event id" "$tmp/badid"
cp -r "$tmp/mirage" "$tmp/mtrunc"
truncate -s 100 "$tmp/mirage/trace.ctf"
cp "$tmp/mirage/trace.ctf" "$tmp/mtrunc/trace.ctf"
bad "truncated mirage-profile stream" "$tmp/mtrunc"
bad "a file that is no trace" "$tmp/barectf.want"
bad "a mirage-profile buffer without its metadata" "$tmp/mirage-ring/trace.ctf"
grep -q "without its metadata" "$tmp/err" || { echo "FAIL: the buffer's message: $(cat "$tmp/err")"; exit 1; }
mkdir "$tmp/empty"
bad "an empty directory" "$tmp/empty"
echo "t_source_foreign: ok"
