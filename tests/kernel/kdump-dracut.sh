#!/bin/bash
# kdump-dracut.sh SAVEDUMP KROOT OUTDIR
#
# The whole kdump path under QEMU (TCG), with savedump's dracut module:
#  1. a capture initramfs is built by dracut (a private copy of
#     /usr/lib/dracut with dracut/99savedump added) holding SAVEDUMP;
#  2. the test kernel (KROOT: a fixtures.sh kernel tree, KROOT/root,
#     KROOT/release) boots with 1 GiB and crashkernel=, loads modules,
#     prints the ground truth, loads the capture kernel with kexec -p and
#     crashes (sysrq-c);
#  3. in the capture kernel the 99savedump hook mounts the crashed system's
#     root (virtio disk 1, an ext4 image of KROOT/root) read-only, saves
#     /proc/vmcore with makedumpfile to virtio disk 2 and archives it there
#     with savedump, then reboots, which ends QEMU;
#  4. the host copies disk 2's files out (debugfs, no mount) into OUTDIR:
#     OUTDIR/target/savedump/STAMP/{vmcore,savedump-vmcore.tar.zst,...},
#     OUTDIR/truth/ (as make-dumps.sh writes it), OUTDIR/serial.log,
#     OUTDIR/capture.img (the dracut initramfs).
set -euo pipefail

savedump=$(realpath "${1:?usage: kdump-dracut.sh SAVEDUMP KROOT OUTDIR}")
kroot=$(cd "${2:?usage: kdump-dracut.sh SAVEDUMP KROOT OUTDIR}" && pwd)
out=${3:?usage: kdump-dracut.sh SAVEDUMP KROOT OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tool=$here/dumptool.py
# shellcheck source=tests/kernel/guest.sh
. "$here/guest.sh"
root=$kroot/root
rel=$(cat "$kroot/release")
vmlinuz=$root/boot/vmlinuz-$rel
mods=(crc-itu-t crc7 crc8 libcrc32c lz4)
timeout_s=${KDUMP_TIMEOUT:-900}

log() { echo "kdump-dracut: $*" >&2; }
die() {
	log "ERROR: $*"
	[ ! -s "${out:-}/serial.log" ] || { log "last 40 lines of $out/serial.log:"; tail -n 40 "$out/serial.log" >&2; }
	exit 1
}

rm -rf "$out"
mkdir -p "$out/truth" "$out/target"
out=$(cd "$out" && pwd)
work=$out/work
mkdir -p "$work"

# 1. The capture initramfs, by dracut, with the project's module.
log "dracut: capture initramfs"
cp -a /usr/lib/dracut "$work/dracut"
mod=$work/dracut/modules.d/99savedump
mkdir -p "$mod" "$work/none"
cp "$top"/dracut/99savedump/* "$top/kdump-hooks/savedump-lib.sh" "$top/kdump-hooks/kdump-post.sh" "$mod/"
dracutbasedir=$work/dracut SAVEDUMP_BINARY=$savedump \
	dracut --force --quiet --no-hostonly --conf /dev/null --confdir "$work/none" \
	--kver "$rel" --kmoddir "$root/lib/modules/$rel" -m "base savedump" \
	--gzip --no-early-microcode "$out/capture.img" >"$work/dracut.log" 2>&1 ||
	{ cat "$work/dracut.log" >&2; die "dracut failed"; }

# 2. The first kernel's initramfs: busybox, kexec, modules, the capture kernel.
log "first-kernel initramfs"
st=$work/first
stage_base "$st"
mkdir -p "$st/kdump"
stage_exe "$st" "$(command -v kexec)"
stage_modules "$st" "${mods[@]}"
cp "$vmlinuz" "$st/kdump/vmlinuz"
cp "$out/capture.img" "$st/kdump/initrd.img"
echo "console=ttyS0 maxcpus=1 reset_devices irqpoll panic=1 rd.shell=0 rd.emergency=reboot" \
	"savedump.target=/dev/vdb savedump.root=/dev/vda" >"$st/kdump/cmdline"
{
	guest_init_head
	# Kernel messages on the console would interleave with the lines below.
	echo 'echo 1 >/proc/sys/kernel/printk'
	truth_guest_script
	cat <<'EOS'
kexec -p /kdump/vmlinuz --initrd=/kdump/initrd.img --append="$(cat /kdump/cmdline)" || echo KEXEC-FAILED
echo "CRASH-LOADED $(cat /sys/kernel/kexec_crash_loaded)"
# A write to the console returns once the tty holds it, not once the UART has
# sent it, and a panic does not flush the tty: give the lines above time to go.
sleep 3
echo c >/proc/sysrq-trigger
while :; do sleep 3600; done
EOS
} >"$st/init"
chmod +x "$st/init"
pack "$st" "$work/first.img"

# 3. Disks: the crashed system's root, and an empty target.
log "disks"
mkfs.ext4 -q -F -d "$root" "$work/root.img" "$(( $(du -sm "$root" | cut -f1) * 13 / 10 + 64 ))M"
# With KASLR the kernel may sit where no crashkernel-sized area is left
# ("crashkernel reservation failed"): boot again, a few times.
for attempt in 1 2 3; do
	log "boot $attempt: 1 GiB, crashkernel=384M, then the capture kernel"
	mkfs.ext4 -q -F "$work/target.img" 1G
	timeout "$timeout_s" qemu-system-x86_64 -machine accel=tcg -m 1G -smp 2,sockets=2 \
		-nographic -no-reboot -net none \
		-kernel "$vmlinuz" -initrd "$work/first.img" \
		-append "console=ttyS0 panic=1 crashkernel=384M" \
		-drive "file=$work/root.img,format=raw,if=virtio,readonly=on" \
		-drive "file=$work/target.img,format=raw,if=virtio" \
		</dev/null >"$work/serial.raw" 2>&1 || log "QEMU ended with status $?"
	tr -d '\r' <"$work/serial.raw" >"$out/serial.log"
	grep -q '^CRASH-LOADED 1$' "$out/serial.log" && break
	# The capture kernel ran, even if the line above was lost on the way out.
	grep -q '^savedump: archiving ' "$out/serial.log" && break
	grep -q 'crashkernel reservation failed' "$out/serial.log" || die "kexec -p did not load"
	log "no room for crashkernel= at this boot (KASLR)"
done
grep -q -e '^CRASH-LOADED 1$' -e '^savedump: archiving ' "$out/serial.log" ||
	die "kexec -p did not load in $attempt boots"

# The ground truth, as make-dumps.sh records it.
truth_parse "$out/serial.log" "$out/truth"
[ -s "$out/truth/modules" ] || die "no module list in the serial log's ground truth"

# 4. What the capture kernel wrote.
if ! debugfs -R "rdump /savedump $out/target" "$work/target.img" >"$work/debugfs.log" 2>&1 ||
	[ ! -d "$out/target/savedump" ]; then
	cat "$work/debugfs.log" >&2
	die "nothing written to the target disk"
fi
rm -f "$work/root.img" "$work/target.img"
log "done: $(find "$out/target" -type f | wc -l) files on the target"
