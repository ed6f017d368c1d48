#!/bin/bash
# fetch-distro-kernel.sh SUITE OUTDIR      (SUITE: bullseye | trixie)
#
# Downloads the newest generic amd64 kernel image of another Debian release
# with the private apt of distro-apt.sh (the system's apt state is not
# touched) and unpacks it with dpkg-deb -x (nothing is installed):
#
#   bullseye (Debian 11)  linux-image-5.10.0-NN-amd64
#   trixie   (Debian 13)  linux-image-6.12.NN+deb13-amd64
#
#   OUTDIR/root/         the package as a system has it: boot/vmlinuz-REL,
#                        boot/System.map-REL (Debian's one-line stub),
#                        boot/config-REL, lib/modules/REL (bullseye) or
#                        usr/lib/modules/REL with .ko.xz (trixie, usr-merged:
#                        root/lib, bin, sbin, lib64 are symlinks into usr/ as
#                        on an installed system), plus depmod's modules.dep
#   OUTDIR/release OUTDIR/package OUTDIR/version
#   OUTDIR/*.deb         the downloaded package
#   OUTDIR/.stamp        package name and the hash of the scripts
#
# Nothing is done when the stamp is current.  Which package is "newest" only
# changes after SAVEDUMP_FIXTURES_REFRESH=1 refreshed the private lists.
set -euo pipefail

suite=${1:?usage: fetch-distro-kernel.sh bullseye|trixie OUTDIR}
out=${2:?usage: fetch-distro-kernel.sh bullseye|trixie OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/kernel/distro-apt.sh
. "$here/distro-apt.sh"
renice -n 10 -p $$ >/dev/null
log() { echo "fetch-distro-kernel[$suite]: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

case $suite in
bullseye) regex='^linux-image-5\.10\.0-[0-9]+-amd64$' ;;
trixie) regex='^linux-image-6\.12\.[0-9]+\+deb13-amd64$' ;;
*) die "SUITE must be bullseye or trixie" ;;
esac
script_key=$(cat "$here/fetch-distro-kernel.sh" "$here/distro-apt.sh" | sha256sum | cut -d' ' -f1)
if [[ ${SAVEDUMP_FIXTURES_REFRESH:-0} != 1 && -f $out/.stamp && $(cat "$out/.stamp") == *" $script_key" ]]; then
	log "cached ($(cat "$out/package"))"
	exit 0
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
cache=$(dirname "$out")

papt_setup "$cache/apt/$suite" "$suite"
pkg=$(papt_newest "$regex")
[[ -n $pkg ]] || die "no package matching $regex in $suite"
key="$pkg $script_key"
if [[ -f $out/.stamp && $(cat "$out/.stamp") == "$key" ]]; then
	log "cached ($pkg)"
	exit 0
fi
rm -f "$out/.stamp"
deb=$(papt_fetch "$out" "$pkg")
for f in "$out"/*.deb; do
	[[ $f == "$deb" ]] || rm -f "$f"
done
rm -rf "$out/root"
dpkg-deb -x "$deb" "$out/root"
r=$out/root
if [[ -d $r/usr/lib/modules && ! -e $r/lib ]]; then
	# usr-merged release: what base-files/usrmerge give an installed system
	for d in lib bin sbin lib64; do
		ln -s "usr/$d" "$r/$d"
	done
fi
rel=$(basename "$(ls -d "$r"/lib/modules/*/)")
for f in vmlinuz System.map config; do
	[[ -f $r/boot/$f-$rel ]] || die "no boot/$f-$rel in $deb"
done
[[ -f $r/lib/modules/$rel/modules.dep ]] || depmod -b "$r" "$rel"
grep -q 'crc-itu-t\.ko' "$r/lib/modules/$rel/modules.dep" || die "depmod made no usable modules.dep"
echo "$rel" >"$out/release"
echo "$pkg" >"$out/package"
dpkg-deb -f "$deb" Version >"$out/version"
echo "$key" >"$out/.stamp"
log "unpacked $pkg $(cat "$out/version"): REL=$rel, $(du -sh "$r" | cut -f1)"
