#!/bin/sh
# dracut cmdline hook (sourced). In a capture kernel without kdumpbase there
# is no root for dracut to mount: savedump-kdump.sh (pre-mount) does the
# work and reboots, so tell dracut's init the root is taken care of.
# root and rootok are read by dracut's init.
# shellcheck disable=SC2034
if [ -e /proc/vmcore ] && [ ! -d /usr/lib/dracut/modules.d/99kdumpbase ]; then
	root=savedump
	rootok=1
fi
