#!/usr/bin/env bash
# Fetch (download and extract, never install) Debian's Xen 4.17 hypervisor,
# its tools and a Debian kernel into the cache $XEN_CACHE (default
# ~/.cache/mprof-xen): kept between runs, so a second run downloads nothing.
# Adapted from ../shared/xen-qemu/fetch.sh.
set -euo pipefail
W=${XEN_CACHE:-$HOME/.cache/mprof-xen}
mkdir -p "$W/debs" "$W/x"
if [ -s "$W/KVER" ] && [ -s "$W/xen-4.17" ] && [ -d "$W/x/linux-image-$(cat "$W/KVER")" ]; then
	echo "fetch: cached in $W"
	exit 0
fi
KVER=${KVER:-$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: linux-image-\(.*-amd64\)$/\1/p' | head -1)}
[ -n "$KVER" ] || { echo "fetch: cannot find the Debian kernel version (apt-cache depends linux-image-amd64)"; exit 1; }
cd "$W/debs"
chmod 777 "$W/debs" # apt-get download runs as _apt
timeout 600 apt-get download -qq xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common "linux-image-$KVER"
ex() { # ex <deb-glob> <dest> [tar member patterns...]
	local deb d
	deb=$(ls $1 | head -1); d=$W/x/$2; rm -rf "$d"; mkdir -p "$d"; shift 2
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$d" --wildcards "$@"
}
ex 'xen-hypervisor-4.17-amd64_*.deb' xen-hypervisor-4.17-amd64 './boot/*'
ex 'xen-utils-4.17_*.deb' xen-utils-4.17 './usr/lib/xen-4.17/bin/*'
ex 'xen-utils-common_*.deb' xen-utils-common './etc/xen/*'
ex "linux-image-${KVER}_*.deb" "linux-image-$KVER" "./boot/vmlinuz-$KVER" "./boot/config-$KVER" \
	"./lib/modules/$KVER/kernel/drivers/xen/*"
zcat "$W/x/xen-hypervisor-4.17-amd64/boot/xen-4.17-amd64.gz" > "$W/xen-4.17"
echo "$KVER" > "$W/KVER"
du -sh "$W/debs" "$W/x"
