#!/bin/bash
# What dotnet-dump and lldb+SOS print on the ORIGINAL cores of make-dotnet-cores.sh
# (runtime and app in place, nothing set up), for reference:
#   dotnet-ground-truth.sh FIXTURES [KIND...]
# Writes FIXTURES/cores/KIND/original.dotnet-dump.txt and original.lldb.txt and prints a
# one-line summary per core: managed frames of the app, source lines, app types in
# dumpheap, "unknown" names, failures.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fx=$(cd "$1" && pwd)
shift
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(heap full kernel kernel3f gcore collect apphost selfcontained singlefile)
eval "$("$here/install-dotnet-tools.sh")"
p=/usr/lib/llvm-14/lib/python3.11/dist-packages
if [ -d "$p/lldb" ]; then export PYTHONPATH=$p; fi
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT

for kind in "${kinds[@]}"; do
	d=$fx/cores/$kind
	[ -f "$d/truth.env" ] || continue
	# shellcheck disable=SC1091
	. "$d/truth.env"
	# No symbol server (msdl.microsoft.com), no cache in the caller's home.
	HOME=$home "$DOTNET_DUMP" analyze "$d/core" -c "setsymbolserver -disable" -c "clrstack -all" \
		-c clrmodules -c "dumpheap -stat" -c clrthreads -c exit >"$d/original.dotnet-dump.txt" 2>&1 ||
		echo "dotnet-dump: exit status $?" >>"$d/original.dotnet-dump.txt"
	# lldb stops at the first failing command in batch mode: clrstack only. A single-file
	# app has no libcoreclr.so directory to find the DAC in: point SOS at the private
	# runtime's (the same build).
	clr=()
	if [ -z "$DAC" ]; then
		clr=(-o "setclrpath $fx/rt/shared/Microsoft.NETCore.App/$RUNTIME_VERSION")
	fi
	HOME=$home timeout 600 lldb --batch -o "plugin load $SOS_PLUGIN" "${clr[@]}" -o "clrstack -all" \
		--core "$d/core" "$HOST" >"$d/original.lldb.txt" 2>&1 ||
		echo "lldb: exit status $?" >>"$d/original.lldb.txt"
	for t in dotnet-dump lldb; do
		f=$d/original.$t.txt
		printf '%-13s %-11s frames=%-3s lines=%-3s apptypes=%-3s unknown=%-4s failures=%s\n' "$kind" "$t" \
			"$(grep -c -E ' Sd(App|Lib|Model)\.[A-Za-z.+<>_0-9]*\.Sd' "$f")" \
			"$(grep -c '\.cs @ [0-9]' "$f")" \
			"$(grep -c -E '^ *[0-9a-f]+ +[0-9,]+ +[0-9,]+ Sd' "$f")" \
			"$(grep -c -i unknown "$f")" \
			"$(grep -c -E 'Failed|failed|exit status|Unrecognized' "$f")"
	done
done
