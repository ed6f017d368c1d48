#!/bin/sh
# dracut pre-mount hook (sourced; no "exit"). Only in a capture kernel
# (/proc/vmcore exists) and without kdumpbase, which runs savedump through
# kdump_post instead. Kernel parameters:
#   savedump.target=DEV|DIR   where dumps go: a block device with a file
#                             system (mounted at /run/savedump/target) or a
#                             directory; dumps go to TARGET/savedump/STAMP/
#   savedump.root=DEV         the crashed system's root, mounted read-only at
#                             /sysroot for --root (default: none, --root /)
#   savedump.save=makedumpfile|cp   how /proc/vmcore is saved (default:
#                             makedumpfile -l -d 31 when present, else cp)
#   savedump.action=reboot|poweroff|shell   afterwards (default reboot)
# Options come from /etc/savedump.conf as for the other hooks.

# make install sets this line to the configured directory (see Makefile.am);
# module-setup.sh puts savedump-lib.sh there in the initramfs.
savedump_libdir=/usr/lib/savedump

savedump_kdump() {
	[ -r /proc/vmcore ] || return 0
	# shellcheck source=kdump-hooks/savedump-lib.sh
	. "$savedump_libdir/savedump-lib.sh"
	savedump_load_config ""
	sd_target=$(getarg savedump.target=)
	if [ -z "$sd_target" ]; then
		savedump_log "no savedump.target= on the kernel command line: nothing saved"
		return 0
	fi
	mkdir -p /run/savedump/target /sysroot
	sd_dest=$sd_target
	if [ -b "$sd_target" ]; then
		sd_dest=/run/savedump/target
		if ! mount "$sd_target" "$sd_dest"; then
			savedump_log "cannot mount $sd_target"
			return 1
		fi
	fi
	sd_rootdev=$(getarg savedump.root=)
	sd_root=/
	if [ -n "$sd_rootdev" ]; then
		if mount -o ro "$sd_rootdev" /sysroot; then
			sd_root=/sysroot
		else
			savedump_log "cannot mount $sd_rootdev: files are looked up in the initramfs"
		fi
	fi
	[ -z "$SAVEDUMP_ROOT" ] || sd_root=$SAVEDUMP_ROOT
	sd_dir=$sd_dest/savedump/$(date +%Y%m%d%H%M%S)
	mkdir -p "$sd_dir" || return 1
	sd_how=$(getarg savedump.save=)
	if [ -z "$sd_how" ]; then
		sd_how="cp"
		if command -v makedumpfile >/dev/null; then sd_how=makedumpfile; fi
	fi
	savedump_log "saving /proc/vmcore to $sd_dir ($sd_how)"
	if [ "$sd_how" = makedumpfile ]; then
		makedumpfile -l -d 31 /proc/vmcore "$sd_dir/vmcore-incomplete"
	else
		cp /proc/vmcore "$sd_dir/vmcore-incomplete"
	fi
	sd_status=$?
	if [ "$sd_status" != 0 ]; then
		savedump_log "saving the dump failed (status $sd_status)"
		return 1
	fi
	sync
	mv "$sd_dir/vmcore-incomplete" "$sd_dir/vmcore"
	savedump_archive "$sd_dir/vmcore" "${SAVEDUMP_OUTPUT_DIR:-$sd_dir}" "$sd_root"
	echo "$?" >"$sd_dir/savedump.status"
	sync
	if [ "$sd_root" = /sysroot ]; then umount /sysroot; fi
	if [ -b "$sd_target" ]; then umount "$sd_dest"; fi
	return 0
}

if [ -e /proc/vmcore ] && [ ! -d /usr/lib/dracut/modules.d/99kdumpbase ]; then
	savedump_kdump
	case $(getarg savedump.action=) in
	shell) ;;
	poweroff) poweroff -f ;;
	*) reboot -f ;;
	esac
fi
