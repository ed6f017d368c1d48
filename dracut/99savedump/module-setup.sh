#!/bin/bash
# dracut module 99savedump: savedump in a kdump (capture kernel) initramfs.
#
# With kdump-utils (Fedora, RHEL): list /usr/lib/savedump/kdump-post.sh as
# kdump_post in /etc/kdump.conf; kdumpbase saves the dump, this module only
# adds savedump, its libraries, the config and the hook scripts.
#
# Standalone (any dracut, e.g. Debian's, no kdumpbase): when the initramfs
# boots a capture kernel (/proc/vmcore exists), savedump-kdump.sh mounts the
# crashed system's root and a dump target, saves the dump, archives it and
# reboots. Kernel parameters: see savedump-kdump.sh.
#
# SAVEDUMP_BINARY (environment) overrides the savedump that is installed.

check() {
	local bin=${SAVEDUMP_BINARY:-$(command -v savedump)}
	[ -x "$bin" ] || return 1
	# Only when asked for (-m / add_dracutmodules), never by host-only detection.
	return 255
}

depends() {
	return 0
}

# moddir is set by dracut.
# shellcheck disable=SC2154
install() {
	local bin=${SAVEDUMP_BINARY:-$(command -v savedump)}
	inst_binary "$bin" /usr/bin/savedump
	inst_simple "$moddir/savedump-lib.sh" /usr/lib/savedump/savedump-lib.sh
	inst_simple "$moddir/kdump-post.sh" /usr/lib/savedump/kdump-post.sh
	[ -r /etc/savedump.conf ] && inst_simple /etc/savedump.conf /etc/savedump.conf
	inst_multiple -o makedumpfile stat date cp mkdir mount umount sync reboot
	inst_hook cmdline 30 "$moddir/savedump-cmdline.sh"
	inst_hook pre-mount 90 "$moddir/savedump-kdump.sh"
}
