#!/bin/bash
# bench/make-dumps.sh KROOT OUTDIR
#
# Makes the large kernel dumps for bench/run: boots the custom test kernel
# installed in KROOT (KROOT/release, KROOT/root/boot/vmlinuz-REL, as made by
# tests/kernel/build-kernel.sh) under QEMU TCG with -m 1G and with -m 4G, fills
# a quarter of the guest's memory with non-zero data (1/16 of it from
# /dev/urandom, 3/16 log-like text, in ramfs files so it stays resident), and
# dumps each guest with QEMU's dump-guest-memory (QMP, through
# tests/kernel/dumptool.py):
#
#   OUTDIR/vmcore-1G.elf     ELF dump of the 1 GiB guest (physical addresses)
#   OUTDIR/vmcore-1G.kdump   kdump-compressed (zlib) dump of the same guest,
#                            reassembled from QEMU's flattened output by
#                            makedumpfile -R: its pages are already compressed
#   OUTDIR/vmcore-4G.elf     ELF dump of the 4 GiB guest
#   OUTDIR/summary.txt       size and fill of every dump
#
# The seed text is generated here, on the host, deterministically; the guest
# copies it with a counter line between copies.  TCG allocates guest memory
# lazily, so the host needs little more than the filled part.  Each QEMU run is
# bounded by timeout(1).  Takes ~2-4 min on 2 cores.
set -euo pipefail

kroot=${1:?usage: make-dumps.sh KROOT OUTDIR}
out=${2:?usage: make-dumps.sh KROOT OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
tool=$here/../tests/kernel/dumptool.py
[[ -f $tool ]] || tool=${DUMPTOOL:?tests/kernel/dumptool.py not found; set DUMPTOOL}
# shellcheck source=tests/kernel/guest.sh
. "${tool%/*}/guest.sh"

log() { echo "bench/make-dumps: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

kroot=$(cd "$kroot" && pwd)
rel=$(cat "$kroot/release")
vmlinuz=$kroot/root/boot/vmlinuz-$rel
[[ -f $vmlinuz ]] || die "no $vmlinuz"
for t in qemu-system-x86_64 busybox cpio makedumpfile python3; do
	command -v "$t" >/dev/null || die "$t not found (apt-get install qemu-system-x86 busybox-static cpio makedumpfile python3)"
done
timeout_s=${BENCH_BOOT_TIMEOUT:-900}

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$out/work
rm -rf "$work"
mkdir -p "$work"

# ---------------------------------------------------------------- initramfs
stage=$work/stage
stage_base "$stage"
mkdir -p "$stage/fill"
mknod -m 666 "$stage/dev/urandom" c 1 9

# ~4 MiB of log-like text (compresses about like real logs and page cache);
# longer than zstd -3's window, so copies of it do not compress away.
awk 'BEGIN {
	srand(20241122)
	split("kernel systemd sshd cron dbus NetworkManager postgres nginx", who, " ")
	split("started stopped reloaded failed accepted rejected flushed queued", what, " ")
	while (n < 4 * 1024 * 1024) {
		l = sprintf("Nov %2d %02d:%02d:%02d bench %s[%d]: %s request %d from 10.%d.%d.%d in %.3f ms (0x%08x)\n",
			1 + int(rand() * 28), int(rand() * 24), int(rand() * 60), int(rand() * 60),
			who[1 + int(rand() * 8)], 100 + int(rand() * 30000), what[1 + int(rand() * 8)],
			int(rand() * 1000000), int(rand() * 256), int(rand() * 256), int(rand() * 256),
			rand() * 1000, int(rand() * 4294967295))
		printf "%s", l
		n += length(l)
	}
}' >"$stage/seed.txt"
cat "$kroot/root/boot/System.map-$rel" >>"$stage/seed.txt"

# The fill sizes come on the kernel command line.
cat >"$stage/init" <<'EOS'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
for w in $(cat /proc/cmdline); do
	case $w in
	fill_random=*) rmb=${w#fill_random=} ;;
	fill_text=*) tmb=${w#fill_text=} ;;
	esac
done
echo "FILL random=${rmb}M text=${tmb}M"
dd if=/dev/urandom of=/fill/random bs=1M count="$rmb" 2>/dev/null
i=0
while [ $((i * 4)) -lt "$tmb" ]; do
	echo "=== copy $i of the seed text ==="
	cat /seed.txt
	i=$((i + 1))
done >/fill/text
ls -l /fill
echo READY
while :; do sleep 3600; done
EOS
chmod +x "$stage/init"
pack "$stage" "$work/initrd.gz"

# ---------------------------------------------------------------- QEMU
# shellcheck source=tests/kernel/qemu.sh
. "${tool%/*}/qemu.sh"

summary=$out/summary.txt
: >"$summary.new"

# boot_and_dump MEM_MIB NAME KDUMP(yes|no)
boot_and_dump() {
	local mem=$1 name=$2 kdump=$3 rmb tmb logf=$work/$2.log sock=$work/qmp-$2.sock t0=$SECONDS
	rmb=$((mem / 16))
	tmb=$((mem * 3 / 16))
	log "booting -m ${mem}M, filling ${rmb} MiB random + ${tmb} MiB text"
	timeout "$timeout_s" qemu-system-x86_64 -machine accel=tcg -m "${mem}M" \
		-smp 2,sockets=2 -nographic -no-reboot -net none -device vmcoreinfo \
		-qmp "unix:$sock,server=on,wait=off" \
		-kernel "$vmlinuz" -initrd "$work/initrd.gz" \
		-append "console=ttyS0 panic=1 qemu_fw_cfg.ioport=12@0x510:0:1:4 fill_random=$rmb fill_text=$tmb" \
		</dev/null >"$logf" 2>&1 &
	qemu_pid=$!
	until grep -q $'^READY\r\\?$' "$logf"; do
		kill -0 "$qemu_pid" 2>/dev/null || { tail -n 30 "$logf" >&2; die "QEMU exited before READY"; }
		((SECONDS - t0 < timeout_s)) || { tail -n 30 "$logf" >&2; die "timeout waiting for READY"; }
		sleep 1
	done
	log "guest filled after $((SECONDS - t0)) s"
	rm -f "$out/$name.elf" "$out/$name.kdump"
	python3 "$tool" qmp "$sock" dump elf "$out/$name.elf"
	grep -a -q -m1 'OSRELEASE=' "$out/$name.elf" || die "$name.elf has no VMCOREINFO"
	if [[ $kdump == yes ]]; then
		python3 "$tool" qmp "$sock" dump kdump-zlib "$work/$name.flat"
		makedumpfile -R "$out/$name.kdump" <"$work/$name.flat" >/dev/null
		rm -f "$work/$name.flat"
	fi
	python3 "$tool" qmp "$sock" quit
	wait "$qemu_pid" || true
	qemu_pid=
	local f
	for f in "$out/$name".*; do
		printf '%-16s %12s bytes  guest -m %sM, filled %s MiB random + %s MiB text\n' \
			"${f##*/}" "$(stat -c %s "$f")" "$mem" "$rmb" "$tmb" >>"$summary.new"
	done
	log "$name done after $((SECONDS - t0)) s"
}

boot_and_dump 1024 vmcore-1G yes
boot_and_dump 4096 vmcore-4G no
mv "$summary.new" "$summary"
rm -rf "$work"
cat "$summary" >&2
