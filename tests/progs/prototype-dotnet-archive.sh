#!/bin/bash
# A hand-made prototype of what savedump's archive must hold for a .NET core, so
# that dotnet-dump and lldb+SOS work with the original runtime and app hidden.
#   prototype-dotnet-archive.sh CORE TOP
# Copies into TOP:
#   TOP/core                       the core
#   TOP/<original path>            every file mapped in the core (NT_FILE), plus, from
#                                  libcoreclr's directory, the DAC, DBI and createdump,
#                                  and the .pdb/.dbg/.debug beside any mapped file
#   TOP/symbols/<SSQP key>         the same files under their symbol-store keys
#                                  (hard links), the DAC/DBI also under the keys
#                                  libmscordaccore.so/elf-buildid-coreclr-<libcoreclr id>/...
#   TOP/files.txt                  original path -> archive path, one a line
#   TOP/core.filled                for a kernel or gdb core (no DIAGINFOHEADER): the core
#                                  with the mapped files' missing pages filled in
# For a single-file app, the DAC and DBI matching the build-ids in the app's
# DotNetRuntimeInfo are looked for in this host's shared runtimes and NuGet runtime packs.
# Needs eu-readelf (elfutils) and python3.
set -euo pipefail
[ $# = 2 ] || { echo "usage: $0 CORE TOP" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
core=$1
mkdir -p "$2"
top=$(cd "$2" && pwd)

cp "$core" "$top/core"

# The mapped files: NT_FILE entries are "START-END OFFSET SIZE PATH"; eu-readelf
# prints them after the FILE note. Paths with spaces would need a real parser:
# this is a prototype.
mapfile -t mapped < <(eu-readelf -n "$core" | awk '
	/^ *CORE .* FILE$/ { infile = 1; next }
	/^ *CORE / { infile = 0 }
	infile && $1 ~ /^[0-9a-f]+-[0-9a-f]+$/ && $NF ~ /^\// { print $NF }' | sort -u)

files=()
coreclr_dir=
for f in "${mapped[@]}"; do
	case $f in
	/memfd:* | /dev/* | /SYSV* | *" (deleted)") continue ;;
	esac
	[ -f "$f" ] || { echo "missing on this host: $f" >&2; continue; }
	files+=("$f")
	[ "${f##*/}" = libcoreclr.so ] && coreclr_dir=${f%/*}
	# Debug files beside a module.
	for d in "${f%.dll}.pdb" "${f%.exe}.pdb" "$f.dbg" "$f.debug" "${f%.so}.so.dbg"; do
		[ "$d" != "$f" ] && [ -f "$d" ] && files+=("$d")
	done
done
if [ -n "$coreclr_dir" ]; then
	for f in libmscordaccore.so libmscordbi.so createdump; do
		[ -f "$coreclr_dir/$f" ] && files+=("$coreclr_dir/$f")
	done
fi
# A single-file app has no libcoreclr.so: its host exports DotNetRuntimeInfo, which
# holds the build-ids of the DAC and DBI of the runtime it was built with. Those come
# from the runtime pack, not the app: look for them on this host by build-id.
dac_id='' dbi_id=''
if [ -z "$coreclr_dir" ]; then
	for f in "${files[@]}"; do
		info=$(python3 "$here/dotnet-keys.py" --runtime-info "$f" 2>/dev/null) || continue
		dac_id=$(sed -n 's/^dac //p' <<<"$info")
		dbi_id=$(sed -n 's/^dbi //p' <<<"$info")
		# The bundle's assemblies have no files of their own; their .pdb files sit
		# beside the app (a real implementation reads the bundle manifest for names).
		for d in "${f%/*}"/*.pdb; do
			[ -f "$d" ] && files+=("$d")
		done
		break
	done
	if [ -n "$dac_id" ]; then
		for c in /usr/share/dotnet/shared/Microsoft.NETCore.App/*/lib{mscordaccore,mscordbi}.so \
			"${HOME:-/nonexistent}"/.nuget/packages/microsoft.netcore.app.runtime.linux-*/*/runtimes/*/native/lib{mscordaccore,mscordbi}.so; do
			[ -f "$c" ] || continue
			case $(python3 "$here/dotnet-keys.py" "$c" | cut -f1) in
			*/elf-buildid-"$dac_id"/* | */elf-buildid-"$dbi_id"/*) files+=("$c") ;;
			esac
		done
	fi
fi
mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -u)

: >"$top/files.txt"
for f in "${files[@]}"; do
	mkdir -p "$top/${f%/*}"
	cp -p "$f" "$top$f"
	printf '%s\t%s\n' "$f" "${f#/}" >>"$top/files.txt"
done

# The symbol store, keyed as SSQP: one hard link per key.
mkdir -p "$top/symbols"
while IFS=$'\t' read -r key file; do
	mkdir -p "$top/symbols/${key%/*}"
	ln -f "$top$file" "$top/symbols/$key"
done < <(python3 "$here/dotnet-keys.py" "${files[@]}" 2>/dev/null || true)
if [ -n "$coreclr_dir" ]; then
	id=$(python3 "$here/dotnet-keys.py" "$coreclr_dir/libcoreclr.so" | sed -n 's|^libcoreclr.so/elf-buildid-\([0-9a-f]*\)/.*|\1|p')
	for f in libmscordaccore.so libmscordbi.so; do
		[ -f "$top$coreclr_dir/$f" ] || continue
		mkdir -p "$top/symbols/$f/elf-buildid-coreclr-$id"
		ln -f "$top$coreclr_dir/$f" "$top/symbols/$f/elf-buildid-coreclr-$id/$f"
	done
fi
# Kernel and gdb cores lack the file-backed pages SOS reads (no DIAGINFOHEADER, which
# createdump writes): a filled copy makes them readable (see dotnet-core-fill.py).
if ! grep -q -a -m1 DIAGINFOHEADER "$top/core"; then
	python3 "$here/dotnet-core-fill.py" --root "$top" "$top/core" "$top/core.filled"
fi
echo "$top: ${#files[@]} files, $(find "$top/symbols" -type f | wc -l) symbol-store entries"
