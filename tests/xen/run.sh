#!/usr/bin/env bash
# The real-Xen test: boot Debian's Xen 4.17 with a Linux dom0 and a PV domU
# under QEMU (software emulation), run xen_guest in the domU under
# `mprof share --xen`, collect in dom0 with `mprof collect --xen --all`,
# and check every event (counts and values), then the scrape of a crashed
# domU (on_crash=preserve).  Adapted from ../shared/xen-qemu.
#   run.sh BUILD_DIR    exit 0 pass, 1 fail, 77 skip (no Xen packages)
# dom0 sends its traces over the console; the host checks them again
# (xen_check), reads them with mprof stats and mprof render (DIR.png) and,
# with XEN_KEEP=DIR, keeps them there (make demo-xen).
# Downloads are cached in $XEN_CACHE (default ~/.cache/mprof-xen).  Every
# step is bounded by a timeout; the verdict needs every marker.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
B=$1
W=${XEN_CACHE:-$HOME/.cache/mprof-xen}
export XEN_CACHE=$W
for t in qemu-system-x86_64 cpio; do
	command -v $t >/dev/null || { echo "SKIP: $t is missing (make deps installs collectors/xen/deps.txt)"; exit 77; }
done
[ -x /bin/busybox ] || { echo "SKIP: /bin/busybox is missing (busybox-static)"; exit 77; }
[ -e /usr/lib/x86_64-linux-gnu/libxenctrl.so.4.17 ] || { echo "SKIP: libxen-dev (4.17) is missing"; exit 77; }
timeout 900 bash "$HERE/fetch.sh" || { echo "FAIL: fetching Xen and the kernel (tests/xen/fetch.sh)"; exit 1; }
timeout 300 bash "$HERE/build-initramfs.sh" "$B" || { echo "FAIL: building the initramfs"; exit 1; }
LOG=$B/xen-qemu.log
XENARGS="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M dom0_max_vcpus=1 loglvl=all guest_loglvl=all ucode=no smap=0"
timeout "${XEN_TIMEOUT:-300}" qemu-system-x86_64 -machine pc -cpu max -m 2048 -smp 2 \
	-display none -monitor none -serial stdio -no-reboot -net none \
	-kernel "$W/xen-4.17" -append "$XENARGS" \
	-initrd "$W/vmlinuz console=hvc0 earlyprintk=xen loglevel=4,$W/dom0.cpio" < /dev/null > "$LOG" 2>&1
echo "qemu exit $? (log: $LOG)"
fails=0
for m in "@@DOM0_UP" "@@DOMU_CREATED" "@@DOMU_UP" "@@DOMU_RUN1 rc=0" "@@DOMU_READY" "@@DOMU_CRASHING" \
	"@@COLLECT rc=0" "@@CHECK_RUN rc=0" "@@CHECK_CRASH rc=0" "@@RESULT rc=0"; do
	grep -qF -- "$m" "$LOG" || { echo "FAIL: marker '$m' missing"; fails=1; }
done
grep -E "^(@@|xen_check|mprof collect)" "$LOG" | grep -v "^@@TRACE" | tr -d '\r' | sed 's/^/    /'
keep=${XEN_KEEP:-$B/xen-traces}
rm -rf "$keep"; mkdir -p "$keep"
if tr -d '\r' < "$LOG" | sed -n '/^@@TRACE_BEGIN$/,/^@@TRACE_END$/p' | grep -E '^[A-Za-z0-9+/=]+$' | base64 -d |
	tar -xz -C "$keep" --strip-components=1; then
	for d in "$keep"/mprof-guest-*; do
		case $d in *.2) n=7777 ;; *) n=20000 ;; esac
		"$B/tests/progs/xen_check" "$d" "$n" | sed 's/^/    host: /' || { echo "FAIL: host check of $d"; fails=1; }
	done
	[ "$(ls -d "$keep"/mprof-guest-* | wc -l)" = 2 ] || { echo "FAIL: expected 2 traces in $keep"; fails=1; }
	# What make demo-xen leaves must be readable by mprof stats and mprof
	# render, as a directory of traces: both runs, every event.
	ev=$("$B/bin/mprof" stats --json "$keep" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["events"], d["traces"], d["packets_lost"] + d["invalid_packets"])')
	[ "$ev" = "27777 2 0" ] || { echo "FAIL: mprof stats $keep: events, traces, lost+invalid = '$ev', expected '27777 2 0'"; fails=1; }
	echo "    host: mprof stats $keep: events, traces, lost+invalid: $ev"
	rm -f "$keep.png"
	"$B/bin/mprof" render "$keep" -o "$keep.png" | sed 's/^/    host: mprof render: /' || { echo "FAIL: mprof render $keep"; fails=1; }
	[ "$(head -c 4 "$keep.png" 2>/dev/null | tail -c 3)" = PNG ] || { echo "FAIL: mprof render $keep made no PNG"; fails=1; }
else
	echo "FAIL: the traces did not come out of dom0"; fails=1
fi
[ "$fails" = 0 ] && echo "xen: ok"
exit $fails
