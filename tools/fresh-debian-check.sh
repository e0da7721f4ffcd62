#!/usr/bin/env bash
# Checks the README's contract on a fresh Debian 12: debootstraps a minimal
# bookworm into a directory, clones this repository's committed main into
# it, installs make (the one thing the README's commands presuppose), and
# runs `make check` and `make demo` there as root.  Needs root, network
# access to Debian's mirror and about 3 GB; takes 5 to 10 minutes.  Not
# part of `make check` (CI runs on a machine that has the packages already,
# so it cannot tell whether tools/install-deps.sh misses one: this can).
#
#   sudo tools/fresh-debian-check.sh [WORKDIR]      (default /tmp/mprof-fresh)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/mprof-fresh}
root=$work/root
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ "$(id -u)" -eq 0 ] || { echo "fresh-debian-check: run as root" >&2; exit 1; }
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null

cleanup() {
	for m in dev/shm dev sys proc; do
		mountpoint -q "$root/$m" && umount -l "$root/$m" || true
	done
}
trap cleanup EXIT
if [ ! -x "$root/bin/bash" ]; then
	mkdir -p "$work"
	debootstrap --variant=minbase bookworm "$root" "$mirror" > "$work/debootstrap.log"
fi
cp /etc/resolv.conf "$root/etc/"
rm -rf "$root/work/main"
mkdir -p "$root/work"
git clone -q "$here" "$root/work/main"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t sysfs sys "$root/sys"
mountpoint -q "$root/dev/shm" || mount -t tmpfs shm "$root/dev/shm"
chroot "$root" /bin/bash -c '
	set -e
	export DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin
	apt-get update -qq
	apt-get install -y -qq make > /dev/null
	cd /work/main
	make check
	make demo
'
echo "fresh-debian-check: make check and make demo pass on a fresh Debian 12"
