#!/bin/bash
# The real kdump path under QEMU (tests/kernel/kdump-dracut.sh): a kernel
# with 1 GiB crashes, its kexec'd capture kernel boots an initramfs built by
# dracut with the 99savedump module, which saves the dump and archives it on
# a second disk. Then, on the host: the archive is complete, its module list
# is the crashed kernel's, savedump stayed within 64 MiB in the capture
# kernel, and run-crash.sh works from the extracted archive.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

kdir=$srcdir/tests/kernel
kernel_fixtures qemu-system-x86_64 dracut lsinitrd kexec makedumpfile crash mkfs.ext4 debugfs
: "${CUSTOM_ROOT:=}" "${CUSTOM_REL:=}" "${FIXTURES_CACHE:=}"
run=$scratch/run

test_expect_success FIXTURES 'crash under QEMU: the capture kernel saves and archives the dump' '
	"$kdir/kdump-dracut.sh" "$SAVEDUMP" "$(dirname "$CUSTOM_ROOT")" "$run" &&
	ls -lR "$run/target"
'
dir() { echo "$run"/target/savedump/*/; }

test_expect_success FIXTURES 'the dracut initramfs holds savedump, its libraries and the hooks' '
	lsinitrd "$run/capture.img" >"$scratch/lsinitrd" &&
	for f in usr/bin/savedump usr/lib/savedump/savedump-lib.sh usr/lib/savedump/kdump-post.sh \
		libkdumpfile.so libarchive.so libdw.so libbpf.so libzstd.so \
		hooks/pre-mount/90-savedump-kdump.sh hooks/cmdline/30-savedump-cmdline.sh; do
		grep -q "$f" "$scratch/lsinitrd" || { echo "$f is not in the initramfs" >&2; exit 1; }
	done
'
test_expect_success FIXTURES 'the archive is complete and lists the modules the kernel had loaded' '
	d=$(dir) &&
	test "$(cat "$d/savedump.status")" = 0 &&
	test -s "$d/vmcore" && test ! -e "$d/vmcore-incomplete" &&
	mkdir -p "$scratch/x" && tar -C "$scratch/x" -xf "$d/savedump-vmcore.tar.zst" &&
	m=$(echo "$scratch/x"/*/manifest.json) &&
	test "$(json_query "$m" "doc[\"summary\"][\"complete\"]")" = True &&
	"$kdir/check-manifest.py" "$m" "$run/truth"
'
# A sanitizer build's memory says nothing about savedump's: there only the report is checked.
if ldd "$SAVEDUMP" 2>/dev/null | grep -q libasan; then
	limit=none what='savedump reported its peak memory in the capture kernel (ASan build: no bound)'
else
	limit=65536 what='savedump peaked under 64 MiB in the capture kernel (1 GiB guest)'
fi
test_expect_success FIXTURES "$what" '
	kb=$(sed -n "s/^savedump: peak memory \([0-9]*\) kB$/\1/p" "$run/serial.log") &&
	echo "peak: ${kb} kB" &&
	test -n "$kb" && { test "$limit" = none || test "$kb" -le "$limit"; }
'
test_expect_success FIXTURES 'run-crash.sh works from the extracted archive, fixtures hidden' '
	top=$(echo "$scratch/x"/*) &&
	printf "sys\nmod\nbt\nquit\n" >"$scratch/cmds" &&
	(cd / && unshare -m sh -c "mount -t tmpfs none \"\$1\" && shift && \"\$@\"" sh \
		"$FIXTURES_CACHE" "$top/run-crash.sh" -s -i "$scratch/cmds") >"$scratch/crash.out" 2>&1 || true
	cat "$scratch/crash.out" &&
	grep -q "RELEASE: $CUSTOM_REL" "$scratch/crash.out" &&
	grep -Eq "PANIC: .*sysrq triggered crash" "$scratch/crash.out" &&
	for mod in $(cat "$run/truth/modules"); do
		grep -Eq "^[0-9a-f]+ +$mod +[0-9a-f]+ +[0-9]+ +$top/" "$scratch/crash.out" ||
			{ echo "module $mod not loaded from the archive" >&2; exit 1; }
	done
'
test_done
