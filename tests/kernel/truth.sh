# shellcheck shell=bash
# Ground truth recorded by a guest before it is dumped, shared by
# make-dumps.sh and kdump-dracut.sh (sourced; needs $tool = dumptool.py).
#
#   truth_guest_script        prints the /init snippet that writes it to the
#                             serial console between ===TRUTH-BEGIN/END===
#   truth_parse SERIAL DIR    writes DIR/{release,proc-modules,modules,
#                             buildids,kernel-buildid,text} from a serial log

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

# tool is set by the script that sources this file.
# shellcheck disable=SC2154
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
