#!/usr/bin/env bash
# Hostile files in a trace directory, for `mprof stats` and `mprof top`:
# a FIFO in place of `metadata` or of a stream file (must not block), a
# stream file that is a link to /dev/zero (must not read it), a sparse
# 4 GiB stream file (must not read it into memory: top's peak RSS stays
# small).  Each gives a one-line error naming the file and exit status 3;
# a 20 s timeout turns a hang into a failure.
set -uo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

"$MPROF" record -q -o "$work/rec" -- "$O/tests/progs/valuegen" 2 200 > /dev/null || { echo "FAIL: record"; exit 1; }
mv "$work"/rec/*/ "$work/good" # the one process's trace (record writes DIR/<name>-<pid>/)
stream=$(cd "$work/good" && ls stream_* | head -n 1)

# expect3 NAME FILE-IN-MESSAGE WORDS CMD...: exit 3, stderr names the file and says WORDS.
expect3() {
	local name=$1 file=$2 words=$3
	shift 3
	timeout -k 5 20 "$@" > "$work/out" 2> "$work/err"
	local rc=$?
	if [ $rc -ne 3 ] || ! grep -qF -- "$file" "$work/err" || ! grep -qiF -- "$words" "$work/err"; then
		echo "FAIL: $name: exit $rc (want 3; 124 is a hang), stderr:"
		sed 's/^/    /' "$work/err"
		fail=1
	else
		echo "ok: $name: $(head -n 1 "$work/err")"
	fi
}

both() { # NAME DIR FILE WORDS
	expect3 "stats: $1" "$2/$3" "$4" "$MPROF" stats "$2"
	expect3 "top: $1" "$2/$3" "$4" "$MPROF" top --gc -n 1 -i 0.01 "$2"
}

echo "== a FIFO as metadata"
cp -r "$work/good" "$work/fifo-meta"
rm "$work/fifo-meta/metadata" && mkfifo "$work/fifo-meta/metadata"
both "FIFO metadata" "$work/fifo-meta" metadata "FIFO"

echo "== a FIFO as a stream file"
cp -r "$work/good" "$work/fifo-stream"
rm "$work/fifo-stream/$stream" && mkfifo "$work/fifo-stream/$stream"
both "FIFO stream" "$work/fifo-stream" "$stream" "FIFO"

echo "== a stream file that is a link to /dev/zero"
cp -r "$work/good" "$work/zero"
ln -s /dev/zero "$work/zero/stream_99"
both "/dev/zero stream" "$work/zero" stream_99 "character device"

echo "== a metadata file beyond the size limit"
cp -r "$work/good" "$work/bigmeta"
truncate -s 65M "$work/bigmeta/metadata"
both "65 MiB metadata" "$work/bigmeta" metadata "metadata limit"

echo "== a sparse 4 GiB stream file"
cp -r "$work/good" "$work/sparse"
truncate -s 4G "$work/sparse/stream_98"
both "sparse stream" "$work/sparse" stream_98 "bad packet magic"
# top maps the file, never reads it into memory: its peak RSS stays far
# below the file's size.
rss=$(python3 - "$MPROF" "$work/sparse" <<'EOF'
import resource, subprocess, sys
subprocess.run([sys.argv[1], "top", "--gc", "-n", "2", "-i", "0.01", sys.argv[2]],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
)
if [ -z "$rss" ] || [ "$rss" -gt 262144 ]; then
	echo "FAIL: top's peak RSS on a sparse 4 GiB stream: ${rss:-?} KiB (want < 256 MiB)"
	fail=1
else
	echo "ok: top's peak RSS on a sparse 4 GiB stream: $rss KiB"
fi

echo "== a trace mprof did not write"
mkdir "$work/foreign"
printf '/* CTF 1.8 */\ntrace { major = 1; minor = 8; byte_order = le; };\nenv { tracer_name = "lttng-ust"; };\n' \
	> "$work/foreign/metadata"
both "foreign CTF" "$work/foreign" metadata "babeltrace2"

[ $fail -eq 0 ] && echo "PASSED"
exit $fail
