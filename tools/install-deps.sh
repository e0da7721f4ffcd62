#!/usr/bin/env bash
# Installs the Debian packages mprof needs, if any are missing.
# Idempotent and quick when all are present.  Needs root to install.
set -euo pipefail

PACKAGES=(
	build-essential pkg-config clang libclang-rt-14-dev llvm valgrind binutils
	babeltrace2 libbabeltrace2-dev python3
	libjansson-dev
	liblttng-ust-dev lttng-tools
	ocaml-nox
	libgc-dev
)
# Modules may list more in */deps.txt (one package a line, # comments).
here=$(cd "$(dirname "$0")/.." && pwd)
for f in "$here"/*/deps.txt "$here"/*/*/deps.txt; do
	[ -f "$f" ] || continue
	while read -r p _; do
		case "$p" in ''|\#*) continue ;; esac
		PACKAGES+=("$p")
	done < "$f"
done

# Each package once, in first-seen order.
mapfile -t PACKAGES < <(printf '%s\n' "${PACKAGES[@]}" | awk '!seen[$0]++')
missing=()
for p in "${PACKAGES[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PACKAGES[@]} Debian packages present"
	exit 0
fi
echo "deps: missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: installed ${missing[*]}"
