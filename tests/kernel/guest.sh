# shellcheck shell=bash
# shellcheck disable=SC2154 # tool, root and rel are the sourcing script's
# What the test guests share, for make-dumps.sh and kdump-dracut.sh. Sourced;
# needs tool (dumptool.py), and for stage_modules root (the kernel tree's
# root directory) and rel (its release):
#
#   stage_base DIR            busybox with its applets, /dev/console and
#                             /dev/null, mount points
#   stage_modules DIR MOD...  MODs and their dependencies, and DIR/modules.load
#   stage_exe DIR FILE        a dynamic executable and its libraries
#   pack DIR OUT              DIR as a gzip'ed cpio initramfs
#   guest_init_head           prints the start of a guest's /init: mounts,
#                             then insmod of every module in /modules.load
#   truth_guest_script        prints the /init snippet that writes the ground
#                             truth to the serial console between
#                             ===TRUTH-BEGIN/END===
#   truth_parse SERIAL DIR    writes DIR/{release,proc-modules,modules,
#                             buildids,kernel-buildid,text} from a serial log

# stage_base DIR: busybox, /dev/console, mount points.
stage_base() {
	local d=$1 a
	mkdir -p "$d"/{bin,sbin,dev,proc,sys,tmp,lib/modules/"$rel"}
	cp /bin/busybox "$d/bin/busybox"
	for a in sh mount umount insmod cat echo hexdump sed sort grep sleep uname \
		dd sync reboot ls mkdir cut tr head seq; do
		ln -sf busybox "$d/bin/$a"
	done
	mknod -m 600 "$d/dev/console" c 5 1
	mknod -m 666 "$d/dev/null" c 1 3
}

# stage_modules DIR MOD...: copy MODs and their dependencies (uncompressed)
# and write DIR/modules.load, the insmod order.
stage_modules() {
	local d=$1 p src dst ko
	shift
	: >"$d/modules.load"
	(($#)) || return 0
	python3 "$tool" load-order "$root" "$rel" "$@" | while IFS= read -r p; do
		src=$root/lib/modules/$rel/$p
		ko=${p%.xz}
		ko=${ko%.zst}
		ko=${ko%.gz}
		dst=$d/lib/modules/$rel/$ko
		mkdir -p "$(dirname "$dst")"
		case $p in
		*.ko.xz) xz -dc "$src" >"$dst" ;;
		*.ko.zst) zstd -qdc "$src" >"$dst" ;;
		*.ko.gz) gzip -dc "$src" >"$dst" ;;
		*) cp "$src" "$dst" ;;
		esac
		echo "$ko" >>"$d/modules.load"
	done
}

# stage_exe DIR FILE: copy a dynamic executable and its libraries.
stage_exe() {
	local d=$1 f=$2 lib
	mkdir -p "$d$(dirname "$f")"
	cp -L "$f" "$d$f"
	for lib in $(ldd "$f" | grep -o '/[^ ]*'); do
		mkdir -p "$d$(dirname "$lib")"
		cp -L "$lib" "$d$lib"
	done
}

pack() { (cd "$1" && find . | cpio -o -H newc --quiet | gzip -1) >"$2"; }

guest_init_head() {
	cat <<'EOS'
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
rel=$(uname -r)
while read -r p; do
	insmod "/lib/modules/$rel/$p" || echo "INSMOD-FAILED $p"
done </modules.load
EOS
}

truth_guest_script() {
	cat <<'EOS'
hex() { hexdump -v -e '1/1 "%02x"' "$1"; }
echo "===TRUTH-BEGIN==="
echo "RELEASE $(uname -r)"
echo "TEXT $(grep " _text$" /proc/kallsyms | cut -d" " -f1)"
echo "KERNEL-NOTES $(hex /sys/kernel/notes)"
echo "---PROC-MODULES---"
cat /proc/modules
echo "---BUILDIDS---"
for f in /sys/module/*/notes/.note.gnu.build-id; do
	[ -e "$f" ] || continue
	m=${f#/sys/module/}
	echo "BUILDID ${m%%/*} $(hex "$f")"
done
echo "===TRUTH-END==="
EOS
}

truth_parse() {
	local log=$1 d=$2 m h
	sed -n '/^===TRUTH-BEGIN===$/,/^===TRUTH-END===$/p' "$log" >"$d/raw"
	sed -n 's/^RELEASE //p' "$d/raw" >"$d/release"
	sed -n 's/^TEXT //p' "$d/raw" >"$d/text"
	sed -n '/^---PROC-MODULES---$/,/^---BUILDIDS---$/p' "$d/raw" | sed '1d;$d' >"$d/proc-modules"
	cut -d' ' -f1 "$d/proc-modules" | sort >"$d/modules"
	sed -n 's/^BUILDID //p' "$d/raw" | while read -r m h; do
		echo "$m $(python3 "$tool" gnu-build-id "$h")"
	done | sort >"$d/buildids"
	python3 "$tool" gnu-build-id "$(sed -n 's/^KERNEL-NOTES //p' "$d/raw")" >"$d/kernel-buildid"
	rm "$d/raw"
}
