#!/usr/bin/env bash
# The real-Xen test (tests/xen/run.sh): Xen 4.17 + a Linux dom0 + a PV domU
# under QEMU; `mprof share --xen` in the domU, `mprof collect --xen` in
# dom0; every event checked (counts and values), then a crashed domU's
# scrape.  Downloads cached in $XEN_CACHE (~/.cache/mprof-xen).  It skips
# (77) only when a needed Debian package is missing; under a sanitizer
# phase it skips too (the guest has no sanitizer runtime to run mprof's
# sanitized build with).
set -uo pipefail
if [ -n "${SANITIZE:-}" ]; then
	echo "SKIP: the real-Xen test runs in the plain build's phase only"
	exit 77
fi
exec bash "$(dirname "$0")/xen/run.sh" "$O"
