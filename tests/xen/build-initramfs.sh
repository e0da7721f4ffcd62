#!/usr/bin/env bash
# Build the initramfs that is both dom0's root and the domU's: busybox, the
# Xen tools, mprof and the test programs with their libraries, the kernel
# modules, tests/xen/init.sh as /init.  Adapted from
# ../shared/xen-qemu/build-initramfs.sh.
#   build-initramfs.sh BUILD_DIR     (BUILD_DIR holds bin/mprof, tests/progs/)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
B=$(cd "$1" && pwd)
W=${XEN_CACHE:-$HOME/.cache/mprof-xen}
KVER=$(cat "$W/KVER")
KX=$W/x/linux-image-$KVER
XU=$W/x/xen-utils-4.17/usr/lib/xen-4.17/bin
R=$W/root
rm -rf "$R"; mkdir -p "$R"/{bin,sbin,lib/modules,lib64,proc,sys,dev,run,tmp,etc/xen,var/lib/xen,var/log/xen,boot}
ln -s ../run "$R/var/run"
cp /bin/busybox "$R/bin/busybox"
BINS="$XU/xenstored $XU/xen-init-dom0 $XU/xl $XU/xenconsoled /usr/bin/xenstore $B/bin/mprof $B/tests/progs/xen_guest $B/tests/progs/xen_check"
for b in $BINS; do cp "$b" "$R/bin/"; done
for t in read write ls list rm exists; do ln -s xenstore "$R/bin/xenstore-$t"; done
# Libraries, resolved on the host (the same Debian release); mprof loads
# libxenstore and libxenctrl with dlopen(), so name them too.
LIBS="$(ls /usr/lib/x86_64-linux-gnu/libxenstore.so.4 /usr/lib/x86_64-linux-gnu/libxenctrl.so.4.17)"
for b in $BINS $LIBS; do ldd "$b" | awk '/=> \//{print $3} /^\t\/lib64/{print $1}'; echo "$b"; done | grep '\.so' |
	sort -u | while read -r l; do d="$R$(dirname "$l")"; mkdir -p "$d"; cp -L "$l" "$d/"; done
cp -L /lib64/ld-linux-x86-64.so.2 "$R/lib64/"
cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$R/lib/x86_64-linux-gnu/" # glibc dlopens it (xs_close)
for m in xen-evtchn xen-privcmd xenfs/xenfs xen-gntdev xen-gntalloc; do
	cp "$KX/lib/modules/$KVER/kernel/drivers/xen/$m.ko" "$R/lib/modules/"
done
cp "$W/x/xen-utils-common/etc/xen/xl.conf" "$R/etc/xen/" 2>/dev/null || true
echo 'root:x:0:0:root:/root:/bin/sh' > "$R/etc/passwd"
install -m 755 "$HERE/init.sh" "$R/init"
(cd "$R" && find . | cpio -o -H newc --quiet) > "$W/base.cpio"
X=$W/bootextra; rm -rf "$X"; mkdir -p "$X/boot"
cp "$KX/boot/vmlinuz-$KVER" "$X/boot/vmlinuz"
cp "$W/base.cpio" "$X/boot/domU.cpio"
(cd "$X" && find . | cpio -o -H newc --quiet) > "$W/extra.cpio"
cat "$W/base.cpio" "$W/extra.cpio" > "$W/dom0.cpio"
cp "$KX/boot/vmlinuz-$KVER" "$W/vmlinuz"
