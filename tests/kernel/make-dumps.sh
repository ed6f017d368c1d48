#!/bin/bash
# make-dumps.sh KIND KROOT OUTDIR      (KIND: custom | debian)
#
# Boots the kernel installed in KROOT (KROOT/root/boot/vmlinuz-REL,
# KROOT/root/lib/modules/REL, REL read from KROOT/release) under QEMU TCG with
# a busybox-static initramfs that insmods a few hardware-free modules, prints
# the ground truth (uname -r, /proc/modules, module build-ids, _text) on the
# serial console, and then makes crash dumps of that very boot:
#
#   OUTDIR/qemu/   boot 1, dumps taken by QEMU (dump-guest-memory over QMP):
#     qemu.elf           ELF, physical addresses only, VMCOREINFO note
#     qemu-paging.elf    ELF with virtual addresses (dump-guest-memory -p)
#     qemu-zlib.flat     kdump-zlib (QEMU 7.2 writes the flattened format)
#     qemu-lzo.flat      kdump-lzo (flattened), qemu-snappy.flat kdump-snappy:
#                        only if this QEMU build has them (Debian 12's has neither)
#     qemu-zlib.kdump    qemu-zlib.flat reassembled by `makedumpfile -R`
#   OUTDIR/kdump/  boot 2, crashed with sysrq-c, captured by a kexec -p kernel:
#     vmcore.elf         /proc/vmcore of the capture kernel (virtual addresses)
#     mkd-c mkd-l mkd-d31 mkd-c-d0   makedumpfile -c -d31 / -l -d31 / -d31 / -c -d0
#     mkd-E              makedumpfile -E -d 31 (ELF)
#     mkd-F              makedumpfile -F -c -d 31 (flattened, written to stdout)
#   each with truth/: release, modules (sorted names), buildids ("name hex"),
#     proc-modules (raw), kernel-buildid, kaslr-offset, serial.log
#   OUTDIR/summary.txt   size and creation time of every dump
#
# Every dump's VMCOREINFO (OSRELEASE, KERNELOFFSET) is checked against the
# truth of its own boot, and makedumpfile --dump-dmesg must work on the
# kernel-made dumps.  Each QEMU run is bounded with timeout(1).
set -euo pipefail

kind=${1:?usage: make-dumps.sh custom|debian KROOT OUTDIR}
kroot=${2:?usage: make-dumps.sh custom|debian KROOT OUTDIR}
out=${3:?usage: make-dumps.sh custom|debian KROOT OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
tool=$here/dumptool.py
# shellcheck source=tests/kernel/guest.sh
. "$here/guest.sh"

log() { echo "make-dumps[$kind]: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

kroot=$(cd "$kroot" && pwd)
root=$kroot/root
rel=$(cat "$kroot/release")
vmlinuz=$root/boot/vmlinuz-$rel
[[ -f $vmlinuz ]] || die "no $vmlinuz"

case $kind in
custom)
	mods=(crc-itu-t crc7 crc4 crc8 libcrc32c deflate lz4)
	capture_mods=()
	# No ACPI in the tiny kernel: fw_cfg (hence VMCOREINFO for QEMU) needs this.
	extra_cmdline="qemu_fw_cfg.ioport=12@0x510:0:1:4"
	boot_timeout=${BOOT_TIMEOUT:-180}
	crashkernel=${CRASHKERNEL:-160M}
	;;
debian)
	mods=(crc-itu-t crc7 crc8 crc32c_generic libcrc32c lz4 dummy qemu_fw_cfg)
	capture_mods=(virtio_pci virtio_blk)
	extra_cmdline=""
	boot_timeout=${BOOT_TIMEOUT:-600}
	crashkernel=${CRASHKERNEL:-192M}
	;;
*) die "KIND must be custom or debian" ;;
esac
qemu_mem=${QEMU_MEM:-256M}
kdump_mem=${KDUMP_MEM:-512M}

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$out/work
rm -rf "$work" "$out/qemu" "$out/kdump" "$out/summary.txt"
mkdir -p "$work" "$out/qemu/truth" "$out/kdump/truth"
summary=$out/summary.txt
t_all=$(now)

# ---------------------------------------------------------------- initramfs
# Shared part of the first kernel's /init: load modules, print the truth.
first_init_common() {
	guest_init_head
	echo 'echo 1 >/proc/sys/kernel/printk'
	truth_guest_script
}

capture_init() {
	guest_init_head
	cat <<'EOS'
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ -r /proc/vmcore ] && [ -b /dev/vda ]; then
	echo "VMCORE-SIZE $(ls -l /proc/vmcore)"
	dd if=/proc/vmcore of=/dev/vda bs=1M 2>&1 && sync && echo "VMCORE-SAVED"
else
	echo "VMCORE-MISSING"
fi
reboot -f
EOS
}

build_initramfs() { # MODE(qemu|kdump) OUT
	local mode=$1 img=$2 d=$work/stage-$1
	stage_base "$d"
	stage_modules "$d" "${mods[@]}"
	{
		first_init_common
		if [[ $mode == qemu ]]; then
			echo 'echo READY'
			echo 'while :; do sleep 3600; done'
		else
			cat <<-'EOS'
				kexec -p /kdump/vmlinuz --initrd=/kdump/initrd.gz --append="$(cat /kdump/cmdline)" || echo KEXEC-FAILED
				echo "CRASH-LOADED $(cat /sys/kernel/kexec_crash_loaded)"
				echo 7 >/proc/sys/kernel/printk
				echo READY
				echo c >/proc/sysrq-trigger
				while :; do sleep 3600; done
			EOS
		fi
	} >"$d/init"
	chmod +x "$d/init"
	if [[ $mode == kdump ]]; then
		stage_exe "$d" "$(command -v kexec)"
		mkdir -p "$d/kdump"
		cp "$vmlinuz" "$d/kdump/vmlinuz"
		local c=$work/stage-capture
		stage_base "$c"
		stage_modules "$c" "${capture_mods[@]}"
		capture_init >"$c/init"
		chmod +x "$c/init"
		pack "$c" "$d/kdump/initrd.gz"
		echo "console=ttyS0 maxcpus=1 reset_devices irqpoll panic=1 $extra_cmdline" >"$d/kdump/cmdline"
	fi
	pack "$d" "$img"
}

# ---------------------------------------------------------------- QEMU
# shellcheck source=tests/kernel/qemu.sh
. "$here/qemu.sh"
start_qemu() { # LOG MEM CMDLINE INITRD [extra qemu args...]
	local logf=$1 mem=$2 cmdline=$3 initrd=$4
	shift 4
	timeout "$boot_timeout" qemu-system-x86_64 -machine accel=tcg -m "$mem" \
		-smp 2,sockets=2 -nographic -no-reboot -net none -device vmcoreinfo \
		-qmp "unix:$work/qmp.sock,server=on,wait=off" \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=1 $extra_cmdline $cmdline" "$@" \
		</dev/null >"$logf" 2>&1 &
	qemu_pid=$!
}

wait_marker() { # LOG MARKER
	local t0=$SECONDS
	until grep -q "^$2"$'\r\\?$' "$1"; do
		kill -0 "$qemu_pid" 2>/dev/null || { tail -n 40 "$1" >&2; die "QEMU exited before $2"; }
		((SECONDS - t0 < boot_timeout)) || { tail -n 40 "$1" >&2; die "timeout waiting for $2"; }
		sleep 0.2
	done
}

# write_truth LOG DIR: parse the serial log into DIR/*.
write_truth() {
	local logf=$1 d=$2 clean text link
	clean=$d/serial.log
	tr -d '\r' <"$logf" >"$clean"
	if grep '^INSMOD-FAILED' "$clean" >&2; then die "insmod failed (see $clean)"; fi
	truth_parse "$clean" "$d"
	text=$(cat "$d/text")
	rm "$d/text"
	link=$(awk '$3 == "_text" { print $1 }' "$root/boot/System.map-$rel" 2>/dev/null)
	link=${link:-ffffffff81000000} # Debian's System.map is a stub; x86_64 default
	printf '%x\n' $((0x$text - 0x$link)) >"$d/kaslr-offset"
	[[ $(cat "$d/release") == "$rel" ]] || die "guest release $(cat "$d/release") != $rel"
	[[ -s $d/modules && -s $d/buildids ]] || die "no module truth in $logf"
	local n
	for n in "${mods[@]}"; do
		grep -qx "${n//-/_}" "$d/modules" || die "module $n not loaded (see $clean)"
	done
	[[ $(cat "$d/kaslr-offset") != 0 ]] || log "WARNING: KASLR offset is 0"
	# The module files in KROOT must be the ones that were loaded.
	local m h ko
	while read -r m h; do
		ko=$(grep -E "(^|/)${m//_/[-_]}\.ko(\.[a-z]+)?:" "$root/lib/modules/$rel/modules.dep" | cut -d: -f1)
		[[ $ko == *.ko ]] || continue
		[[ $(readelf -n "$root/lib/modules/$rel/$ko" | awk '/Build ID:/ { print $3 }') == "$h" ]] ||
			die "build-id of loaded $m ($h) differs from $ko"
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

record() { # FILE SECONDS
	local size
	size=$(stat -c %s "$1")
	printf '%-28s %12s bytes %8s s\n' "${1#"$out/"}" "$size" "$2" | tee -a "$summary" >&2
}

# ---------------------------------------------------------------- boot 1: QEMU dumps
log "building initramfs"
build_initramfs qemu "$work/initrd-qemu.gz"
build_initramfs kdump "$work/initrd-kdump.gz"

qd=$out/qemu
log "boot 1 (QEMU dumps), -m $qemu_mem"
t=$(now)
start_qemu "$work/qemu.log" "$qemu_mem" "" "$work/initrd-qemu.gz"
wait_marker "$work/qemu.log" READY
log "guest ready after $(since "$t") s"
write_truth "$work/qemu.log" "$qd/truth"
formats=$(python3 "$tool" qmp "$work/qmp.sock" formats)
qemu_dumps=()
for spec in "elf qemu.elf" "elf qemu-paging.elf paging" "kdump-zlib qemu-zlib.flat" \
	"kdump-lzo qemu-lzo.flat" "kdump-snappy qemu-snappy.flat"; do
	read -r fmt file paging <<<"$spec"
	if ! grep -qx "$fmt" <<<"$formats"; then
		log "this QEMU cannot write $fmt dumps: no $file"
		continue
	fi
	qemu_dumps+=("$file")
	t=$(now)
	python3 "$tool" qmp "$work/qmp.sock" dump "$fmt" "$qd/$file" ${paging:+"$paging"}
	record "$qd/$file" "$(since "$t")"
done
python3 "$tool" qmp "$work/qmp.sock" quit
wait "$qemu_pid" || true
qemu_pid=
t=$(now)
makedumpfile -R "$qd/qemu-zlib.kdump" <"$qd/qemu-zlib.flat" >/dev/null
record "$qd/qemu-zlib.kdump" "$(since "$t")"
for f in qemu.elf qemu-paging.elf; do
	phdrs=$(readelf -lW "$qd/$f")
	grep -q LOAD <<<"$phdrs" || die "$f has no PT_LOAD"
	vmci=$(python3 "$tool" vmcoreinfo "$qd/$f")
	grep -q '^OSRELEASE=' <<<"$vmci" || die "$f has no VMCOREINFO note"
done
for f in "${qemu_dumps[@]}" qemu-zlib.kdump; do
	check_dump "$qd/$f" "$qd/truth"
done
log "QEMU dumps match the truth of boot 1"

# ---------------------------------------------------------------- boot 2: kdump
kd=$out/kdump
disk=$work/disk.raw
rm -f "$disk"
truncate -s "$kdump_mem" "$disk"
truncate -s +64M "$disk"
log "boot 2 (kdump), -m $kdump_mem crashkernel=$crashkernel"
t=$(now)
start_qemu "$work/kdump.log" "$kdump_mem" "crashkernel=$crashkernel" "$work/initrd-kdump.gz" \
	-drive "file=$disk,format=raw,if=virtio"
wait_marker "$work/kdump.log" READY
write_truth "$work/kdump.log" "$kd/truth"
grep -q '^CRASH-LOADED 1$' "$kd/truth/serial.log" || die "kexec -p did not load (see $kd/truth/serial.log)"
wait "$qemu_pid" || true
qemu_pid=
tr -d '\r' <"$work/kdump.log" >"$kd/truth/serial.log"
grep -q '^VMCORE-SAVED$' "$kd/truth/serial.log" || { tail -n 40 "$kd/truth/serial.log" >&2; die "capture kernel did not save /proc/vmcore"; }
len=$(python3 "$tool" elf-length "$disk")
truncate -s "$len" "$disk"
mv "$disk" "$kd/vmcore.elf"
record "$kd/vmcore.elf" "$(since "$t")"
check_dump "$kd/vmcore.elf" "$kd/truth"

for spec in "mkd-c -c -d 31" "mkd-l -l -d 31" "mkd-E -E -d 31" "mkd-d31 -d 31" "mkd-c-d0 -c -d 0"; do
	read -r file opts <<<"$spec"
	t=$(now)
	# shellcheck disable=SC2086 # opts is a word list
	makedumpfile $opts "$kd/vmcore.elf" "$kd/$file" >/dev/null 2>"$work/mkd.err" ||
		{ cat "$work/mkd.err" >&2; die "makedumpfile $opts failed"; }
	record "$kd/$file" "$(since "$t")"
done
t=$(now)
makedumpfile -F -c -d 31 "$kd/vmcore.elf" >"$kd/mkd-F" 2>"$work/mkd.err" ||
	{ cat "$work/mkd.err" >&2; die "makedumpfile -F failed"; }
record "$kd/mkd-F" "$(since "$t")"
for f in vmcore.elf mkd-c mkd-l mkd-E mkd-d31 mkd-c-d0 mkd-F; do
	check_dump "$kd/$f" "$kd/truth"
done
for f in vmcore.elf mkd-c mkd-l mkd-E mkd-d31; do
	rm -f "$work/dmesg"
	makedumpfile --dump-dmesg "$kd/$f" "$work/dmesg" >/dev/null 2>&1 ||
		die "makedumpfile --dump-dmesg $f failed"
	grep -q 'sysrq: Trigger a crash' "$work/dmesg" || die "$f: dmesg lacks the sysrq crash"
done
log "kdump dumps match the truth of boot 2; dmesg readable"

rm -rf "$work"
log "total $(since "$t_all") s"
cat "$summary"
