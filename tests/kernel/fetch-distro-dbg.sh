#!/bin/bash
# fetch-distro-dbg.sh SUITE KDIR DUMPS OUTDIR [TOOLS]
#
# The -dbg package of the kernel fetched by fetch-distro-kernel.sh into KDIR
# (linux-image-REL-dbg, 0.8-1 GB: vmlinux with DWARF, the real System.map,
# unstripped modules), and roots made from it for savedump's tests.  DUMPS
# is that kernel's make-distro-dumps.sh output: its truth says which modules
# were loaded, and the oracles must agree with it.
#
#   OUTDIR/*.deb         the -dbg package (same version as KDIR's)
#   OUTDIR/debug/usr/lib/debug/...   part of the package, as dpkg would
#                        install it: boot/vmlinux-REL, boot/System.map-REL,
#                        vmlinux-REL and lib/modules/REL/vmlinux (links),
#                        .build-id/, lib/modules/REL/{modules.*,vdso/}, and of
#                        lib/modules/REL/kernel/ the .ko of every loaded module
#                        plus, as neighbours that were not loaded, all of
#                        kernel/lib/ and kernel/fs/nls/.  Everything with
#                        SAVEDUMP_FIXTURES_FULL_DBG=1 (5.6-6.8 GB instead of
#                        about 1 GB).
#   OUTDIR/dbg-root/     KDIR/root + debug/ (hard links): a Debian system with
#                        the -dbg package installed (boot/System.map-REL is
#                        still the stub, as there)
#   OUTDIR/sysmap-root/  KDIR/root with the real boot/System.map-REL, no vmlinux
#   OUTDIR/wrong-sysmap-root/  KDIR/root with the System.map of another build:
#                        the real one with every symbol after _stext moved up by
#                        16 bytes per KiB of distance from _stext (no single
#                        offset makes it fit; _text/_stext still match)
#   OUTDIR/System.map-REL, OUTDIR/System.map-REL.wrong   the two maps
#   OUTDIR/drgn-modules  module names drgn read from DUMPS/kdump/mkd-c with the
#                        vmlinux (sorted); must equal DUMPS/kdump/truth/modules
#   OUTDIR/crash-mod     crash's `mod -S` output on the same dump: every loaded
#                        module with its debug .ko
#   OUTDIR/drgn-version OUTDIR/crash-version   which oracles made them
#
# TOOLS (a fetch-distro-tools.sh tree) gives the drgn and crash to use;
# without it the host's (Debian 12: drgn 0.0.22, crash 8.0.2; right for 5.10).
set -euo pipefail

usage="usage: fetch-distro-dbg.sh SUITE KDIR DUMPS OUTDIR [TOOLS]"
suite=${1:?$usage}
kdir=${2:?$usage}
dumps=${3:?$usage}
out=${4:?$usage}
tools=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/kernel/distro-apt.sh
. "$here/distro-apt.sh"
renice -n 10 -p $$ >/dev/null
log() { echo "fetch-distro-dbg[$suite]: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

kdir=$(cd "$kdir" && pwd)
dumps=$(cd "$dumps" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
cache=$(dirname "$out")
rel=$(cat "$kdir/release")
pkg=$(cat "$kdir/package")-dbg
version=$(cat "$kdir/version")
truth=$dumps/kdump/truth
dump=$dumps/kdump/mkd-c
if [[ -n $tools ]]; then
	drgn=$(cd "$tools" && pwd)/bin/drgn
	crash=$(cd "$tools" && pwd)/bin/crash
else
	drgn=drgn
	crash=crash
fi
rm -f "$out/.stamp"

# ------------------------------------------------------------ download, unpack
t=$(now)
papt_setup "$cache/apt/$suite" "$suite"
deb=$(papt_fetch "$out" "$pkg")
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] ||
	die "$pkg is version $(dpkg-deb -f "$deb" Version), the kernel $version (SAVEDUMP_FIXTURES_REFRESH=1?)"
for f in "$out"/*.deb; do
	[[ $f == "$deb" ]] || rm -f "$f"
done
log "$(basename "$deb"): $(stat -c %s "$deb") bytes, $(since "$t") s"

t=$(now)
dbg=./usr/lib/debug
kmods=$kdir/root/lib/modules/$rel
patterns=("$dbg/boot/*" "$dbg/vmlinux-$rel" "$dbg/.build-id/*" "$dbg/lib/modules/$rel/vmlinux"
	"$dbg/lib/modules/$rel/modules.*" "$dbg/lib/modules/$rel/vdso/*"
	"$dbg/lib/modules/$rel/kernel/lib/*" "$dbg/lib/modules/$rel/kernel/fs/nls/*")
while read -r m; do
	p=$(grep -E "(^|/)${m//_/[-_]}\.ko(\.[a-z]+)?:" "$kmods/modules.dep" | cut -d: -f1)
	[[ -n $p ]] || die "loaded module $m is not in modules.dep"
	case $p in
	kernel/lib/* | kernel/fs/nls/*) ;; # a pattern above has it: tar would say "not found"
	*) patterns+=("$dbg/lib/modules/$rel/${p%.xz}") ;;
	esac
done <"$truth/modules"
[[ ${SAVEDUMP_FIXTURES_FULL_DBG:-0} == 1 ]] && patterns=("$dbg/*")
# Unpacking takes minutes (xz): done again only when the package or the
# patterns change, not when only the dumps were remade.
key=$(printf '%s\n' "$(basename "$deb")" "${patterns[@]}" | sha256sum | cut -d' ' -f1)
if [[ -f $out/debug.key && $(cat "$out/debug.key") == "$key" ]]; then
	log "debug files already unpacked"
else
	rm -rf "$out/debug" "$out/debug.key"
	mkdir -p "$out/debug"
	# tar fails on a pattern that matches nothing (modules.* is not in every
	# release's package); what must be there is checked below.
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$out/debug" --wildcards "${patterns[@]}" 2>"$out/tar.err" ||
		if grep -v -e 'Not found in archive' -e 'Exiting with failure status' "$out/tar.err" >&2; then
			die "unpacking $deb failed"
		fi
	rm -f "$out/tar.err"
	echo "$key" >"$out/debug.key"
	log "unpacked $(find "$out/debug" -name '*.ko' | wc -l) debug modules and vmlinux: $(du -sh "$out/debug" | cut -f1), $(since "$t") s"
fi
vmlinux=$out/debug/usr/lib/debug/boot/vmlinux-$rel
[[ -f $vmlinux && -f $out/debug/usr/lib/debug/boot/System.map-$rel ]] || die "no vmlinux or System.map in $deb"

# ------------------------------------------------------------ checks against the truth
elf_id() { readelf -n "$1" | awk '/Build ID:/ { print $3; exit }'; }
[[ $(elf_id "$vmlinux") == "$(cat "$truth/kernel-buildid")" ]] || die "vmlinux build-id is not the dumped kernel's"
while read -r m h; do
	p=$(grep -E "(^|/)${m//_/[-_]}\.ko(\.[a-z]+)?:" "$kmods/modules.dep" | cut -d: -f1)
	[[ $(elf_id "$out/debug/usr/lib/debug/lib/modules/$rel/${p%.xz}") == "$h" ]] ||
		die "debug ${p%.xz} does not have the build-id of the loaded $m"
done <"$truth/buildids"

# ------------------------------------------------------------ System.map variants
map=$out/System.map-$rel
rm -f "$map" "$map.wrong"
cp "$out/debug/usr/lib/debug/boot/System.map-$rel" "$map"
# The real map is the vmlinux's own symbols (scripts/mksysmap: nm -n, minus a few kinds).
for s in _text _stext _etext init_uts_ns init_task; do
	a=$(awk -v s="$s" '$3 == s { print $1; exit }' "$map")
	[[ -n $a && $a == $(nm "$vmlinux" | awk -v s="$s" '$3 == s { print $1; exit }') ]] ||
		die "System.map and vmlinux disagree on $s"
done
python3 - "$map" "$map.wrong" <<'EOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
stext = next(int(l.split()[0], 16) for l in lines if l.split()[2] == "_stext")
with open(sys.argv[2], "w") as out:
    for l in lines:
        a, t, n = l.split(maxsplit=2)
        v = int(a, 16)
        if stext < v < 0xffffffffffffffff:
            v += ((v - stext) >> 10) * 16
        out.write("%0*x %s %s\n" % (len(a), v, t, n))
EOF
for d in dbg-root sysmap-root wrong-sysmap-root; do
	rm -rf "${out:?}/$d"
	cp -al "$kdir/root" "$out/$d"
done
cp -al "$out/debug/usr" "$out/dbg-root/"
# Replace, never write through, the hard-linked stub.
rm "$out/sysmap-root/boot/System.map-$rel" "$out/wrong-sysmap-root/boot/System.map-$rel"
cp "$map" "$out/sysmap-root/boot/System.map-$rel"
cp "$map.wrong" "$out/wrong-sysmap-root/boot/System.map-$rel"
cmp -s "$kdir/root/boot/System.map-$rel" "$out/dbg-root/boot/System.map-$rel" || die "the stub changed"

# ------------------------------------------------------------ oracles
t=$(now)
dmods=()
while read -r m; do
	p=$(grep -E "(^|/)${m//_/[-_]}\.ko(\.[a-z]+)?:" "$kmods/modules.dep" | cut -d: -f1)
	dmods+=(-s "$out/debug/usr/lib/debug/lib/modules/$rel/${p%.xz}")
done <"$truth/modules"
rm -f "$out"/{drgn,crash}-*
"$drgn" --version >"$out/drgn-version" 2>&1
"$drgn" -q -c "$dump" --no-default-symbols -s "$vmlinux" "${dmods[@]}" "$here/drgn-modules.py" |
	sort >"$out/drgn-modules"
diff -u "$truth/modules" "$out/drgn-modules" >&2 || die "drgn's module list differs from the truth"
log "drgn ($(head -n1 "$out/drgn-version")) lists the $(wc -l <"$out/drgn-modules") modules of the truth, $(since "$t") s"

t=$(now)
"$crash" --version 2>&1 | grep -m1 '^crash' >"$out/crash-version"
printf 'mod -S %s\nq\n' "$out/debug/usr/lib/debug/lib/modules/$rel" |
	"$crash" -s --no_scroll "$vmlinux" "$dump" >"$out/crash-mod" 2>&1 ||
	{ cat "$out/crash-mod" >&2; die "crash failed"; }
awk 'f && NF >= 5 { print $2 } /^ *MODULE +NAME/ { f = 1 }' "$out/crash-mod" | sort >"$out/crash-modules"
diff -u "$truth/modules" "$out/crash-modules" >&2 || { cat "$out/crash-mod" >&2; die "crash's module list differs from the truth"; }
if grep -q 'not loaded' "$out/crash-mod"; then
	cat "$out/crash-mod" >&2
	die "crash did not load every debug module"
fi
log "crash ($(cat "$out/crash-version")) loads every module's debug .ko, $(since "$t") s"
log "done: $(du -sh --exclude='*.deb' "$out" | cut -f1) besides the .deb"
