#!/bin/bash
# build-kernel.sh OUTDIR
#
# Builds a small test kernel from Debian's linux-source-6.1 tarball
# (tinyconfig + config.fragment, full DWARF, BTF, KASLR, kexec/kdump, a few
# hardware-free modules) and installs it into OUTDIR as a Debian-like tree:
#
#   OUTDIR/root/boot/{vmlinuz,System.map,config}-REL
#   OUTDIR/root/usr/lib/debug/boot/vmlinux-REL          full DWARF vmlinux
#   OUTDIR/root/lib/modules/REL/...                     stripped modules + depmod
#   OUTDIR/root/usr/lib/debug/lib/modules/REL/...ko     unstripped modules
#   OUTDIR/wrong/vmlinux-REL    same release, different build-id (relinked
#                               with another KBUILD_BUILD_VERSION/TIMESTAMP)
#   OUTDIR/release              REL
#   OUTDIR/build/               kernel build tree (kept for incremental rebuilds)
#   OUTDIR/.stamp               cache key (sha256 of config.fragment + this script)
#
# Nothing is done when OUTDIR/.stamp already holds the current key.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build-kernel.sh OUTDIR}
tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
jobs=${JOBS:-$(nproc)}
frag=$here/config.fragment

key=$(cat "$frag" "$here/build-kernel.sh" | sha256sum | cut -d' ' -f1)
if [[ -f $out/.stamp && $(cat "$out/.stamp") == "$key" ]]; then
	echo "build-kernel: cached ($out)" >&2
	exit 0
fi

log() { echo "build-kernel: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out/.stamp"
t0=$(date +%s)

# Reproducible identity of the "good" build.
export KBUILD_BUILD_USER=savedump KBUILD_BUILD_HOST=fixtures
good_version=1
good_ts="Thu Jan  1 00:00:00 UTC 2015"
wrong_version=2
wrong_ts="Fri Jan  2 00:00:00 UTC 2015"

# 1. Source tree (unpacked once; a changed fragment reuses it).
src=$out/build
if [[ ! -f $src/.unpacked ]]; then
	log "unpacking $tarball"
	rm -rf "$src" "$out/build.tmp"
	mkdir -p "$out/build.tmp"
	tar -xJf "$tarball" -C "$out/build.tmp" --strip-components=1
	mv "$out/build.tmp" "$src"
	touch "$src/.unpacked"
fi

# 2. Configuration.
log "configuring"
make -C "$src" -s tinyconfig >/dev/null
(cd "$src" && scripts/kconfig/merge_config.sh -m .config "$frag" >/dev/null)
make -C "$src" -s olddefconfig >/dev/null

missing=()
while IFS= read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		opt=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
		grep -qx "$opt=$want" "$src/.config" ||
			missing+=("$opt=$want (got: $(grep -E "^(# )?${opt}[= ]" "$src/.config" || echo absent))")
	elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		opt=${BASH_REMATCH[1]}
		if grep -q "^$opt=" "$src/.config"; then
			missing+=("$opt unset (got: $(grep "^$opt=" "$src/.config"))")
		fi
	fi
done <"$frag"
if ((${#missing[@]})); then
	log "these config.fragment options did not take effect:"
	printf '  %s\n' "${missing[@]}" >&2
	exit 1
fi
log "all config.fragment options took effect"

# 3. Build.
mk() {
	make -C "$src" -j"$jobs" KBUILD_BUILD_VERSION="$1" KBUILD_BUILD_TIMESTAMP="$2" "${@:3}"
}
log "building bzImage vmlinux modules with -j$jobs"
tb=$(date +%s)
mk "$good_version" "$good_ts" -s bzImage vmlinux modules
log "build took $(($(date +%s) - tb)) s"
rel=$(make -C "$src" -s kernelrelease)

# 4. Install as a Debian-like root.
root=$out/root
rm -rf "$root" "$out/wrong"
mkdir -p "$root/boot" "$root/usr/lib/debug/boot" "$out/wrong"
cp "$src/arch/x86/boot/bzImage" "$root/boot/vmlinuz-$rel"
cp "$src/System.map" "$root/boot/System.map-$rel"
cp "$src/.config" "$root/boot/config-$rel"
cp "$src/vmlinux" "$root/usr/lib/debug/boot/vmlinux-$rel"
mk "$good_version" "$good_ts" -s modules_install INSTALL_MOD_PATH="$root" \
	INSTALL_MOD_STRIP=1 DEPMOD=/bin/true >/dev/null
rm -f "$root/lib/modules/$rel/build" "$root/lib/modules/$rel/source"
depmod -b "$root" -F "$src/System.map" "$rel"
(cd "$root/lib/modules/$rel" && find kernel -name '*.ko') | while IFS= read -r ko; do
	dst=$root/usr/lib/debug/lib/modules/$rel/$ko
	mkdir -p "$(dirname "$dst")"
	cp "$src/${ko#kernel/}" "$dst"
done
nmods=$(find "$root/lib/modules/$rel" -name '*.ko' | wc -l)
((nmods > 0)) || die "no modules installed"
ndeps=$(grep -c ': .' "$root/lib/modules/$rel/modules.dep" || true)
((ndeps > 0)) || die "modules.dep has no dependencies"

buildid() { readelf -n "$1" | awk '/Build ID:/ && !n++ {print $3}'; }
good_id=$(buildid "$root/usr/lib/debug/boot/vmlinux-$rel")
[[ -n $good_id ]] || die "vmlinux has no GNU build-id"
sections=$(readelf -SW "$root/usr/lib/debug/boot/vmlinux-$rel")
grep -q ' \.debug_info ' <<<"$sections" || die "vmlinux has no .debug_info"
grep -q ' \.BTF ' <<<"$sections" || die "vmlinux has no .BTF"
grep -q '^kernel/crypto/lz4.ko: .*kernel/lib/lz4/lz4_compress.ko' "$root/lib/modules/$rel/modules.dep" ||
	die "modules.dep lacks lz4 -> lz4_compress"

# 5. The "wrong" vmlinux: same release, relinked with another version string.
log "relinking the wrong vmlinux"
mk "$wrong_version" "$wrong_ts" -s vmlinux
cp "$src/vmlinux" "$out/wrong/vmlinux-$rel"
wrong_id=$(buildid "$out/wrong/vmlinux-$rel")
[[ -n $wrong_id && $wrong_id != "$good_id" ]] ||
	die "wrong vmlinux build-id ($wrong_id) does not differ from $good_id"
# Put the tree back to the good build so that later incremental runs agree.
mk "$good_version" "$good_ts" -s vmlinux
# (Its build-id need not equal good_id: pahole's threaded BTF encoding is not
# reproducible.  The installed root is self-consistent: bzImage, vmlinux and
# the modules' split BTF all come from the first link.)

echo "$rel" >"$out/release"
echo "$key" >"$out/.stamp"
log "done in $(($(date +%s) - t0)) s: REL=$rel modules=$nmods build-id=$good_id wrong=$wrong_id"
