#!/bin/bash
# make-distro-dumps.sh KIND KROOT OUTDIR [TOOLS]     (KIND: bullseye | trixie)
#
# Real kdumps of another Debian release's kernel, made the way a Debian system
# makes them: the kernel in KROOT (fetch-distro-kernel.sh: KROOT/root,
# KROOT/release) boots under QEMU TCG with crashkernel=, a busybox-static
# initramfs insmods a few modules (deps first, .ko.xz decompressed on the
# host), prints the ground truth on the serial console, loads a capture
# kernel (the same kernel) with kexec -p and crashes with sysrq-c (booting
# again when KASLR left no room for crashkernel=).  The capture
# kernel's initramfs runs that release's makedumpfile on /proc/vmcore:
#
#   OUTDIR/kdump/
#     mkd-F       makedumpfile -F -c -d 31 /proc/vmcore (flattened, to stdout),
#                 the way kdump-tools saves over the network
#     mkd-c       makedumpfile -c -d 31 /proc/vmcore FILE (kdump-compressed zlib)
#     vmcore.elf  /proc/vmcore copied with dd (ELF, virtual addresses)
#     mkd-l mkd-E made on the host from vmcore.elf by the same makedumpfile:
#                 -l -d 31 (kdump-compressed lzo) and -E -d 31 (ELF)
#     truth/      release, modules (sorted names), proc-modules (raw),
#                 buildids ("name hex"), kernel-buildid, kaslr-offset,
#                 serial.log (the whole run, both kernels)
#   OUTDIR/summary.txt   size of every dump and how long each step took
#
# TOOLS is a fetch-distro-tools.sh tree whose makedumpfile is used (in the
# guest with the tree's own ld.so and libraries, and on the host through its
# wrapper); without it the host's makedumpfile is used (Debian 12's 1.7.2,
# right for 5.10).  Every dump's VMCOREINFO (OSRELEASE, KERNELOFFSET,
# BUILD-ID) is checked against the truth, the loaded modules' build-ids against
# the .ko files of KROOT, and makedumpfile --dump-dmesg must show the sysrq
# crash.  Everything runs under nice -n 10; each QEMU run is bounded by
# timeout(1).
set -euo pipefail

kind=${1:?usage: make-distro-dumps.sh bullseye|trixie KROOT OUTDIR [TOOLS]}
kroot=${2:?usage: make-distro-dumps.sh bullseye|trixie KROOT OUTDIR [TOOLS]}
out=${3:?usage: make-distro-dumps.sh bullseye|trixie KROOT OUTDIR [TOOLS]}
tools=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
tool=$here/dumptool.py
# shellcheck source=tests/kernel/guest.sh
. "$here/guest.sh"
# shellcheck source=tests/kernel/qemu.sh
. "$here/qemu.sh"
renice -n 10 -p $$ >/dev/null

log() { echo "make-distro-dumps[$kind]: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

kroot=$(cd "$kroot" && pwd)
root=$kroot/root
rel=$(cat "$kroot/release")
vmlinuz=$root/boot/vmlinuz-$rel
[[ -f $vmlinuz ]] || die "no $vmlinuz"

# Modules of the first kernel: crc-itu-t and nls_iso8859-1 have file names
# that are not their module names; ext4 pulls in jbd2, mbcache and crc16.
mods=(crc-itu-t crc7 crc8 crc32c_generic libcrc32c lz4 dummy qemu_fw_cfg ext4 nls_iso8859-1)
case $kind in
bullseye) capture_mods=(virtio_pci virtio_blk) ;;
trixie) capture_mods=(virtio_blk) ;; # virtio_pci is built in
*) die "KIND must be bullseye or trixie" ;;
esac
boot_timeout=${BOOT_TIMEOUT:-900}
crashkernel=${CRASHKERNEL:-256M}
kdump_mem=${KDUMP_MEM:-768M}

if [[ -n $tools ]]; then
	tools=$(cd "$tools" && pwd)
	mkd_bin=$tools/root/usr/bin/makedumpfile
	mkd_ldso=$tools/root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
	mkd_libpath=$tools/root/usr/lib/x86_64-linux-gnu:$tools/root/usr/lib
	mkd_host=$tools/bin/makedumpfile
else
	mkd_bin=$(command -v makedumpfile)
	mkd_ldso=/lib64/ld-linux-x86-64.so.2
	mkd_libpath=
	mkd_host=makedumpfile
fi
[[ -x $mkd_bin && -x $mkd_ldso ]] || die "no makedumpfile ($mkd_bin) or ld.so ($mkd_ldso)"

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$out/work
rm -rf "$work" "$out/kdump" "$out/summary.txt"
mkdir -p "$work" "$out/kdump/truth"
summary=$out/summary.txt
kd=$out/kdump
t_all=$(now)

record() { # FILE WHAT SECONDS
	local size
	size=$(stat -c %s "$1")
	printf '%-12s %12s bytes %8s s  %s\n' "${1#"$kd/"}" "$size" "$3" "$2" | tee -a "$summary" >&2
}

# stage_makedumpfile DIR: makedumpfile, its ld.so and libraries under DIR/mkd,
# run as /mkd/ld.so --library-path /mkd/lib /mkd/makedumpfile.
stage_makedumpfile() {
	local d=$1/mkd lib
	mkdir -p "$d/lib"
	cp -L "$mkd_bin" "$d/makedumpfile"
	cp -L "$mkd_ldso" "$d/ld.so"
	for lib in $("$mkd_ldso" ${mkd_libpath:+--library-path "$mkd_libpath"} --list "$mkd_bin" |
		awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
		cp -L "$lib" "$d/lib/"
	done
}

capture_init() {
	guest_init_head
	cat <<'EOS'
export TMPDIR=/tmp
for d in vda vdb vdc; do
	i=0
	while [ ! -b /dev/$d ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
done
up() { cut -d' ' -f1 /proc/uptime; }
mkd() { /mkd/ld.so --library-path /mkd/lib /mkd/makedumpfile "$@"; }
# save NAME DISK: /tmp/out to DISK, its size and the time it took on the console
save() {
	echo "SAVED $1 $(wc -c </tmp/out) $t0 $(up)"
	cat /tmp/out >"/dev/$2" && sync
	rm -f /tmp/out
}
if [ -r /proc/vmcore ] && [ -b /dev/vdc ]; then
	echo "VMCORE-SIZE $(ls -l /proc/vmcore)"
	mkd -v | head -n 1
	t0=$(up)
	if mkd -F -c -d 31 /proc/vmcore >/tmp/out 2>/tmp/err; then save mkd-F vdb; else cat /tmp/err; echo "MKD-FAILED -F"; fi
	t0=$(up)
	if mkd -c -d 31 /proc/vmcore /tmp/out >/tmp/err 2>&1; then save mkd-c vdc; else cat /tmp/err; echo "MKD-FAILED -c"; fi
	t0=$(up)
	dd if=/proc/vmcore of=/dev/vda bs=1M 2>&1 && sync && echo "VMCORE-SAVED $t0 $(up)"
else
	echo "VMCORE-MISSING"
fi
reboot -f
EOS
}

build_initramfs() { # OUT
	local img=$1 d=$work/stage-first c=$work/stage-capture
	stage_base "$d"
	stage_modules "$d" "${mods[@]}"
	{
		guest_init_head
		echo 'echo 1 >/proc/sys/kernel/printk'
		truth_guest_script
		cat <<-'EOS'
			kexec -p /kdump/vmlinuz --initrd=/kdump/initrd.gz --append="$(cat /kdump/cmdline)" || echo KEXEC-FAILED
			echo "CRASH-LOADED $(cat /sys/kernel/kexec_crash_loaded)"
			echo 7 >/proc/sys/kernel/printk
			echo READY
			echo c >/proc/sysrq-trigger
			while :; do sleep 3600; done
		EOS
	} >"$d/init"
	chmod +x "$d/init"
	stage_exe "$d" "$(command -v kexec)"
	mkdir -p "$d/kdump"
	cp "$vmlinuz" "$d/kdump/vmlinuz"
	stage_base "$c"
	ln -sf busybox "$c/bin/wc"
	ln -sf busybox "$c/bin/rm"
	stage_modules "$c" "${capture_mods[@]}"
	stage_makedumpfile "$c"
	capture_init >"$c/init"
	chmod +x "$c/init"
	pack "$c" "$d/kdump/initrd.gz"
	echo "console=ttyS0 maxcpus=1 reset_devices irqpoll panic=1" >"$d/kdump/cmdline"
	pack "$d" "$img"
	log "initramfs $(stat -c %s "$img") bytes, capture initramfs $(stat -c %s "$d/kdump/initrd.gz") bytes"
}

wait_marker() { # LOG MARKER
	local t0=$SECONDS
	until grep -q "^$2"$'\r\\?$' "$1"; do
		kill -0 "$qemu_pid" 2>/dev/null || { tail -n 40 "$1" >&2; die "QEMU exited before $2"; }
		((SECONDS - t0 < boot_timeout)) || { tail -n 40 "$1" >&2; die "timeout waiting for $2"; }
		sleep 0.2
	done
}

# ko_buildid PATH: GNU build-id of a (possibly compressed) module file.
ko_buildid() {
	local f=$1
	case $f in
	*.xz) xz -dc "$f" >"$work/ko" ;;
	*.zst) zstd -qdc "$f" >"$work/ko" ;;
	*.gz) gzip -dc "$f" >"$work/ko" ;;
	*) cp "$f" "$work/ko" ;;
	esac
	readelf -n "$work/ko" | awk '/Build ID:/ { print $3 }'
}

# write_truth LOG DIR: parse the serial log into DIR/*.
write_truth() {
	local logf=$1 d=$2 clean text n m h ko
	clean=$d/serial.log
	tr -d '\r' <"$logf" >"$clean"
	if grep '^INSMOD-FAILED' "$clean" >&2; then die "insmod failed (see $clean)"; fi
	truth_parse "$clean" "$d"
	text=$(cat "$d/text")
	rm "$d/text"
	# Debian's System.map is a stub: the x86_64 link address of _text
	printf '%x\n' $((0x$text - 0xffffffff81000000)) >"$d/kaslr-offset"
	[[ $(cat "$d/release") == "$rel" ]] || die "guest release $(cat "$d/release") != $rel"
	[[ -s $d/modules && -s $d/buildids ]] || die "no module truth in $logf"
	for n in "${mods[@]}"; do
		grep -qx "${n//-/_}" "$d/modules" || die "module $n not loaded (see $clean)"
	done
	[[ $(cat "$d/kaslr-offset") != 0 ]] || log "WARNING: KASLR offset is 0"
	# Every loaded module has a build-id, the one of its file in KROOT.
	[[ $(wc -l <"$d/buildids") == "$(wc -l <"$d/modules")" ]] || die "a loaded module has no build-id"
	while read -r m h; do
		ko=$(grep -E "(^|/)${m//_/[-_]}\.ko(\.[a-z]+)?:" "$root/lib/modules/$rel/modules.dep" | cut -d: -f1)
		[[ -n $ko ]] || die "loaded module $m is not in modules.dep"
		[[ $(ko_buildid "$root/lib/modules/$rel/$ko") == "$h" ]] || die "build-id of loaded $m ($h) differs from $ko"
	done <"$d/buildids"
	log "truth: release $rel, $(wc -l <"$d/modules") modules, kaslr-offset $(cat "$d/kaslr-offset")"
}

# check_dump FILE TRUTHDIR: VMCOREINFO of the dump must match the truth.
check_dump() {
	local f=$1 d=$2 off osrel id
	off=$(grep -a -m1 -o 'KERNELOFFSET=[0-9a-f]*' "$f" | cut -d= -f2) || true
	osrel=$(grep -a -m1 -o 'OSRELEASE=[^[:space:]]*' "$f" | cut -d= -f2) || true
	[[ $osrel == "$(cat "$d/release")" ]] || die "$f: OSRELEASE '$osrel' != truth"
	[[ $off == "$(cat "$d/kaslr-offset")" ]] || die "$f: KERNELOFFSET '$off' != truth $(cat "$d/kaslr-offset")"
	id=$(grep -a -m1 -o 'BUILD-ID=[0-9a-f]*' "$f" | cut -d= -f2) || true
	[[ $id == "$(cat "$d/kernel-buildid")" ]] || die "$f: BUILD-ID '$id' != truth $(cat "$d/kernel-buildid")"
}

# save_disk DISK NAME LENGTH: keep the first LENGTH bytes of DISK as kdump/NAME.
save_disk() {
	truncate -s "$3" "$1"
	mv "$1" "$kd/$2"
}

t=$(now)
build_initramfs "$work/initrd.gz"
echo "initramfs: $(since "$t") s (makedumpfile: $("$mkd_host" -v | head -n1))" >>"$summary"

# With KASLR the kernel may sit where no crashkernel-sized area is left
# ("crashkernel reservation failed"): boot again, a few times.
attempt=0
while :; do
	attempt=$((attempt + 1))
	for d in vda vdb vdc; do
		rm -f "$work/$d.raw"
	done
	truncate -s "$kdump_mem" "$work/vda.raw"
	truncate -s +64M "$work/vda.raw"
	truncate -s 512M "$work/vdb.raw" "$work/vdc.raw"
	log "kdump boot $attempt, -m $kdump_mem crashkernel=$crashkernel"
	t=$(now)
	timeout "$boot_timeout" qemu-system-x86_64 -machine accel=tcg -m "$kdump_mem" \
		-smp 2,sockets=2 -nographic -no-reboot -net none \
		-kernel "$vmlinuz" -initrd "$work/initrd.gz" \
		-append "console=ttyS0 panic=1 crashkernel=$crashkernel" \
		-drive "file=$work/vda.raw,format=raw,if=virtio" \
		-drive "file=$work/vdb.raw,format=raw,if=virtio" \
		-drive "file=$work/vdc.raw,format=raw,if=virtio" \
		</dev/null >"$work/kdump.log" 2>&1 &
	qemu_pid=$!
	wait_marker "$work/kdump.log" READY
	t_ready=$(since "$t")
	grep -q '^CRASH-LOADED 1'$'\r''\?$' "$work/kdump.log" && break
	stop_qemu
	grep -a 'crashkernel' "$work/kdump.log" | tr -d '\r' >&2 || true
	((attempt < 3)) || die "kexec -p did not load in $attempt boots (see $work/kdump.log)"
	echo "kdump boot $attempt: kexec -p did not load, booting again" >>"$summary"
done
write_truth "$work/kdump.log" "$kd/truth"
wait "$qemu_pid" || true
qemu_pid=
t_run=$(since "$t")
tr -d '\r' <"$work/kdump.log" >"$kd/truth/serial.log"
s=$kd/truth/serial.log
grep '^MKD-FAILED' "$s" >&2 && { tail -n 40 "$s" >&2; die "makedumpfile failed in the capture kernel"; }
grep -q '^VMCORE-SAVED ' "$s" || { tail -n 40 "$s" >&2; die "capture kernel did not save /proc/vmcore"; }
echo "kdump boot: truth after $t_ready s, QEMU ended after $t_run s" >>"$summary"

while read -r _ name size t0 t1; do
	case $name in
	mkd-F) save_disk "$work/vdb.raw" mkd-F "$size" ;;
	mkd-c) save_disk "$work/vdc.raw" mkd-c "$size" ;;
	*) die "unknown dump $name" ;;
	esac
	record "$kd/$name" "in the capture kernel" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
done < <(grep '^SAVED ' "$s")
[[ -f $kd/mkd-F && -f $kd/mkd-c ]] || die "the capture kernel saved no mkd-F or mkd-c"
read -r _ t0 t1 < <(grep '^VMCORE-SAVED ' "$s")
save_disk "$work/vda.raw" vmcore.elf "$(python3 "$tool" elf-length "$work/vda.raw")"
record "$kd/vmcore.elf" "dd in the capture kernel" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"

for spec in "mkd-l -l -d 31" "mkd-E -E -d 31"; do
	read -r file opts <<<"$spec"
	t=$(now)
	# shellcheck disable=SC2086 # opts is a word list
	"$mkd_host" $opts "$kd/vmcore.elf" "$kd/$file" >/dev/null 2>"$work/mkd.err" ||
		{ cat "$work/mkd.err" >&2; die "makedumpfile $opts failed"; }
	record "$kd/$file" "on the host" "$(since "$t")"
done
for f in vmcore.elf mkd-F mkd-c mkd-l mkd-E; do
	check_dump "$kd/$f" "$kd/truth"
done
for f in vmcore.elf mkd-c mkd-l mkd-E; do
	rm -f "$work/dmesg"
	"$mkd_host" --dump-dmesg "$kd/$f" "$work/dmesg" >/dev/null 2>&1 ||
		die "makedumpfile --dump-dmesg $f failed"
	grep -q 'sysrq: Trigger a crash' "$work/dmesg" || die "$f: dmesg lacks the sysrq crash"
done
log "dumps match the truth; dmesg readable"

rm -rf "$work"
echo "total: $(since "$t_all") s" >>"$summary"
cat "$summary"
