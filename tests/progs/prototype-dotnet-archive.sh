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
echo "$top: ${#files[@]} files, $(find "$top/symbols" -type f | wc -l) symbol-store entries"
