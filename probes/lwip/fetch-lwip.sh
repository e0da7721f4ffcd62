#!/usr/bin/env bash
# probes/lwip/fetch-lwip.sh DEST - put lwIP 2.1's source (Debian's source
# package, with Debian's patches) in DEST, for the build to compile with
# mprof's lwipopts.h and hooks.  lwIP's code is never committed here.
#
# The downloaded package is cached in $LWIP_CACHE (default
# ~/.cache/mprof/lwip), so a clean build tree does not download again.
# `apt-get source` needs a deb-src entry: when none is configured and we run
# as root, one is added that mirrors the configured Debian sources
# (/etc/apt/sources.list.d/mprof-deb-src.sources), and the lists updated.
set -euo pipefail
dest=$1
cache=${LWIP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mprof/lwip}
[ -f "$dest/src/core/tcp.c" ] && exit 0
mkdir -p "$cache"
if ! ls "$cache"/lwip_*.dsc >/dev/null 2>&1; then
	if ! apt-get source --print-uris lwip >/dev/null 2>&1; then
		src=/etc/apt/sources.list.d/debian.sources
		if [ "$(id -u)" -ne 0 ] || [ ! -f "$src" ]; then
			echo "fetch-lwip: no deb-src entry for lwip; add one mirroring your Debian sources (as root: make deps)," >&2
			echo "fetch-lwip: or put Debian's lwip source package (lwip_*.dsc and its tarballs) in $cache" >&2
			exit 1
		fi
		sed 's/^Types: deb$/Types: deb-src/' "$src" >/etc/apt/sources.list.d/mprof-deb-src.sources
		apt-get update -qq
	fi
	(cd "$cache" && apt-get source --download-only lwip >/dev/null 2>&1) || {
		echo "fetch-lwip: apt-get source --download-only lwip failed (network?)" >&2
		exit 1
	}
fi
dsc=$(ls "$cache"/lwip_*.dsc | sort | tail -n 1)
tmp=$(mktemp -d "${dest%/}.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-source --no-check -x "$dsc" "$tmp/lwip" >/dev/null
rm -rf "$dest"
mv "$tmp/lwip" "$dest"
echo "fetch-lwip: lwIP $(basename "$dsc" .dsc) in $dest"
