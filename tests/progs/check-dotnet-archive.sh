#!/bin/bash
# Open a .NET archive laid out like prototype-dotnet-archive.sh's with dotnet-dump and
# with lldb+SOS, the original files hidden, and check what they print against the
# core's truth.env (from make-dotnet-cores.sh).
#   check-dotnet-archive.sh [--hide DIR]... [--core NAME] TOP TRUTH OUTDIR
#     --hide DIR   mount an empty tmpfs over DIR for the run (unshare -m; root)
#     --core NAME  the core in TOP to open (default: core.filled if there, else core)
# Writes OUTDIR/dotnet-dump.out and OUTDIR/lldb.out, prints one "ok"/"FAIL" line per
# check; exit status 1 if any failed. The tools come from install-dotnet-tools.sh.
#
# The command lines (what the launchers should run):
#   dotnet-dump analyze TOP/core -c 'setsymbolserver -disable' \
#       -c 'setsymbolserver -cache TOP/symbols' -c 'clrstack -all' -c clrmodules \
#       -c 'dumpheap -stat' -c exit
#   lldb --batch -O "platform select remote-linux --sysroot 'TOP'" \
#       -o "plugin load 'SOS_PLUGIN'" -o "setclrpath 'DAC_DIR'" -o 'clrstack -all' \
#       --core TOP/core TOP/HOST
# DAC_DIR: TOP/RUNTIME_DIR when the DAC is there, else the symbol-store directory that
# holds it (single-file apps).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hide=() core_name=
while [ $# -gt 3 ]; do
	case $1 in
	--hide) hide+=("$2"); shift 2 ;;
	--core) core_name=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# = 3 ] || { echo "usage: $0 [--hide DIR]... [--core NAME] TOP TRUTH OUTDIR" >&2; exit 2; }
top=$(cd "$1" && pwd) truth=$2 out=$3
mkdir -p "$out"
if [ -z "$core_name" ]; then
	core_name=core
	[ -f "$top/core.filled" ] && core_name=core.filled
fi
# shellcheck disable=SC1090
. "$truth"
eval "$("$here/install-dotnet-tools.sh")"

# Debian 12's lldb looks for its Python module in the wrong place (it prints
# "No module named 'lldb.embedded_interpreter'"); harmless, but noisy.
p=/usr/lib/llvm-14/lib/python3.11/dist-packages
if [ -d "$p/lldb" ]; then export PYTHONPATH=$p; fi
# Never reach for msdl.microsoft.com nor a symbol cache in the caller's home.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT

dac_dir=$top$RUNTIME_DIR
if [ ! -f "$dac_dir/libmscordaccore.so" ]; then
	dac_dir=$(dirname "$(find "$top/symbols/libmscordaccore.so" -type f -name libmscordaccore.so 2>/dev/null |
		head -n 1)")
fi

# hidden CMD...: CMD with each --hide directory covered by an empty tmpfs.
hidden() {
	# shellcheck disable=SC2016
	HOME=$home unshare -m bash -c 'while [ "$1" != -- ]; do mount -t tmpfs none "$1"; shift; done
		shift; exec "$@"' hidden "${hide[@]}" -- "$@"
}

hidden "$DOTNET_DUMP" analyze "$top/$core_name" -c "setsymbolserver -disable" \
	-c "setsymbolserver -cache $top/symbols" -c "clrstack -all" -c clrmodules \
	-c "dumpheap -stat" -c exit >"$out/dotnet-dump.out" 2>&1 || echo "dotnet-dump: exit status $?" >>"$out/dotnet-dump.out"
hidden timeout 600 lldb --batch -O "platform select remote-linux --sysroot '$top'" \
	-o "plugin load '$SOS_PLUGIN'" -o "setclrpath '$dac_dir'" -o "clrstack -all" \
	--core "$top/$core_name" "$top$HOST" >"$out/lldb.out" 2>&1 || echo "lldb: exit status $?" >>"$out/lldb.out"

failed=0
# check DESCRIPTION COMMAND...: one ok/FAIL line.
check() {
	local what=$1
	shift
	if "$@"; then echo "ok - $what"; else echo "FAIL - $what"; failed=1; fi
}
# shellcheck disable=SC2317  # called through check
has_frame() { grep -q -F -e " $2(" -e " $2[" "$1"; }
# shellcheck disable=SC2317
count_is() { [ "$(grep -c -F " $2(" "$1")" = "$3" ]; }
# shellcheck disable=SC2317
lacks() { ! grep -i -E "$2" "$1"; }
# dumpheap prints counts with thousands separators.
commas() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }

for tool in dotnet-dump lldb; do
	f=$out/$tool.out
	for frame in $MAIN_FRAMES; do
		check "$tool: frame $frame" has_frame "$f" "$frame"
	done
	check "$tool: $WORKER_THREADS threads in $WORKER_FRAME" count_is "$f" "$WORKER_FRAME" "$WORKER_THREADS"
	check "$tool: no DAC or runtime failure" lacks "$f" \
		"Failed to load data access module|No CLR runtime found|Failed to find runtime module|exit status"
done
f=$out/dotnet-dump.out
for t in $HEAP_TYPES; do
	n=$(commas "${t#*=}")
	check "dumpheap -stat: ${t%=*} count $n" grep -q -E "^ *[0-9a-f]+ +$n +[0-9,]+ ${t%=*}\$" "$f"
done
for a in $APP_ASSEMBLIES; do
	check "clrmodules: $a" grep -q -E "^[0-9A-F]{16} [0-9A-F]{8} (.*/)?$a\$" "$f"
done
check "dotnet-dump: no unknown types or modules" lacks "$f" "unknown"
exit "$failed"
