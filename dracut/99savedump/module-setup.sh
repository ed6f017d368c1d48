#!/bin/bash
# dracut module 99savedump: savedump in a kdump (capture kernel) initramfs.
#
# With kdump-utils (Fedora, RHEL): list LIBDIR/kdump-post.sh (LIBDIR is
# /usr/lib/savedump after ./configure --prefix=/usr) as kdump_post in
# /etc/kdump.conf; kdumpbase saves the dump, this module only adds savedump,
# its libraries, the config and the hook scripts.
#
# Standalone (any dracut, e.g. Debian's, no kdumpbase): when the initramfs
# boots a capture kernel (/proc/vmcore exists), savedump-kdump.sh mounts the
# crashed system's root and a dump target, saves the dump, archives it and
# reboots. Kernel parameters: see savedump-kdump.sh.
#
# SAVEDUMP_BINARY (environment) overrides the savedump that is installed.

# make install sets these lines to the configured directories (see
# Makefile.am): savedump itself, the hook scripts, savedump.conf.
savedump_bindir=/usr/bin
savedump_libdir=/usr/lib/savedump
savedump_sysconfdir=/etc

# dracut's PATH is only /usr/sbin /usr/bin /sbin /bin: take the savedump
# installed with this module first.
savedump_binary() {
	if [ -n "${SAVEDUMP_BINARY:-}" ]; then
		echo "$SAVEDUMP_BINARY"
	elif [ -x "$savedump_bindir/savedump" ]; then
		echo "$savedump_bindir/savedump"
	else
		command -v savedump
	fi
}

check() {
	local bin
	bin=$(savedump_binary)
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
	local bin
	bin=$(savedump_binary)
	inst_binary "$bin" /usr/bin/savedump
	# At the installed paths: kdump-utils' kdump_post names kdump-post.sh there.
	inst_simple "$moddir/savedump-lib.sh" "$savedump_libdir/savedump-lib.sh"
	inst_simple "$moddir/kdump-post.sh" "$savedump_libdir/kdump-post.sh"
	[ -r "$savedump_sysconfdir/savedump.conf" ] &&
		inst_simple "$savedump_sysconfdir/savedump.conf" "$savedump_sysconfdir/savedump.conf"
	inst_multiple -o makedumpfile stat date cp mkdir mount umount sync reboot
	inst_hook cmdline 30 "$moddir/savedump-cmdline.sh"
	inst_hook pre-mount 90 "$moddir/savedump-kdump.sh"
}
