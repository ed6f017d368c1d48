#!/bin/bash
# fetch-debian-kernel.sh OUTDIR
#
# Downloads Debian's newest generic 6.1 kernel image package
# (linux-image-6.1.0-N-amd64-unsigned, else the signed linux-image-6.1.0-N-amd64)
# with `apt-get download` and unpacks it with `dpkg -x` (nothing is installed):
#
#   OUTDIR/root/boot/vmlinuz-REL, OUTDIR/root/lib/modules/REL/...
#   OUTDIR/release     REL
#   OUTDIR/package     the package name (also the cache key in OUTDIR/.stamp)
#   OUTDIR/*.deb       the downloaded package
#
# Nothing is done when OUTDIR/.stamp already names the newest package.
# Set SAVEDUMP_DEBIAN_OFFLINE=1 to use whatever is cached without asking apt.
set -euo pipefail

out=${1:?usage: fetch-debian-kernel.sh OUTDIR}
log() { echo "fetch-debian-kernel: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
script_key=$(sha256sum <"$here/fetch-debian-kernel.sh" | cut -d' ' -f1)

if [[ ${SAVEDUMP_DEBIAN_OFFLINE:-0} == 1 && -f $out/.stamp ]]; then
	exit 0
fi

newest() {
	apt-cache search --names-only "$1" | cut -d' ' -f1 | sort -V | tail -n1
}
pkg=$(newest '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$')
[[ -n $pkg ]] || pkg=$(newest '^linux-image-6\.1\.0-[0-9]+-amd64$')
[[ -n $pkg ]] || die "no linux-image-6.1.0-*-amd64 package known to apt (run apt-get update?)"

key="$pkg $script_key"
if [[ -f $out/.stamp && $(cat "$out/.stamp") == "$key" ]]; then
	log "cached ($pkg)"
	exit 0
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/.stamp" "$out/root" "$out"/*.deb
log "downloading $pkg"
(cd "$out" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2)
deb=$(ls "$out"/*.deb)
dpkg -x "$deb" "$out/root"

rel=$(basename "$(ls -d "$out"/root/lib/modules/*/)")
[[ -f $out/root/boot/vmlinuz-$rel ]] || die "no boot/vmlinuz-$rel in $deb"
if [[ ! -f $out/root/lib/modules/$rel/modules.dep ]]; then
	log "running depmod -b"
	depmod -b "$out/root" "$rel"
fi
echo "$rel" >"$out/release"
echo "$pkg" >"$out/package"
echo "$key" >"$out/.stamp"
log "unpacked $pkg: REL=$rel"
