#!/bin/sh
# kdump-utils (Fedora, RHEL) post-save hook. In /etc/kdump.conf:
#     kdump_post /usr/lib/savedump/kdump-post.sh
# and rebuild the kdump initramfs (kdumpctl rebuild; the dracut module
# 99savedump puts savedump and its libraries in it). kdump runs this in the
# capture kernel after saving the dump, with $1 = the save's exit status.
# It archives the newest saved vmcore next to itself, with --root at the
# crashed system's root. It never fails the kdump run: it always exits 0.
#
# Environment (optional): KDUMP_PATH (where dumps are saved, default from
# kdump.conf "path" under the dump target, else /var/crash), SAVEDUMP_CONF.

# make install sets this line to the configured directory (see Makefile.am).
savedump_libdir=/usr/lib/savedump
here=$(dirname "$0")
# shellcheck source=kdump-hooks/savedump-lib.sh
. "$here/savedump-lib.sh" 2>/dev/null || . "$savedump_libdir/savedump-lib.sh"

status=${1:-1}
if [ "$status" != 0 ]; then
	savedump_log "the dump was not saved (status $status): nothing to archive"
	exit 0
fi
savedump_load_config ""

# Where kdump saved it: $KDUMP_PATH/<host>-<date>/vmcore under the mounted target.
dir=${KDUMP_PATH:-}
if [ -z "$dir" ] && [ -r /etc/kdump.conf ]; then
	dir=$(sed -n 's/^[[:space:]]*path[[:space:]]\{1,\}//p' /etc/kdump.conf | tail -n 1)
fi
dir=${dir:-/var/crash}
newest="" newest_t=0
for d in "$dir"/* /kdumproot"$dir"/* /sysroot"$dir"/*; do
	if [ ! -f "$d/vmcore" ] || [ -e "$d/vmcore-incomplete" ]; then continue; fi
	t=$(stat -c %Y "$d/vmcore" 2>/dev/null) || continue
	if [ -z "$newest" ] || [ "$t" -gt "$newest_t" ]; then newest=$d newest_t=$t; fi
done
if [ -z "$newest" ]; then
	savedump_log "no saved vmcore under $dir"
	exit 0
fi
root=${SAVEDUMP_ROOT:-/sysroot}
[ -d "$root" ] || root=/
savedump_archive "$newest/vmcore" "${SAVEDUMP_OUTPUT_DIR:-$newest}" "$root" || :
exit 0
