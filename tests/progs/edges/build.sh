#!/bin/bash
# Build the edge-case program into APPDIR (any name, spaces included):
#   APPDIR/prog                  run as: cd APPDIR && LD_LIBRARY_PATH=./lib ./prog DATAFILE
#   APPDIR/lib/libedgefoo.so     found through LD_LIBRARY_PATH=./lib
#   APPDIR/rlib/libedgerel.so    found through prog's relative DT_RUNPATH "rlib"
#   APPDIR/plugins/x.so          dlopen("plugins/x.so"), DT_RUNPATH $ORIGIN/../olib
#   APPDIR/olib/libedgeorigin.so found through that $ORIGIN
#   APPDIR/src/*.c               the sources, compiled from APPDIR by relative names
#                                (DWARF: comp_dir APPDIR, file src/NAME.c)
# Usage: build.sh APPDIR
set -euo pipefail
out=$1
src=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-gcc}
mkdir -p "$out/lib" "$out/rlib" "$out/plugins" "$out/olib" "$out/src"
cp "$src"/*.c "$out/src/"
cd "$out"
cflags=(-g -O0 -fno-omit-frame-pointer "-Wl,--build-id")
"$cc" "${cflags[@]}" -fPIC -shared -o lib/libedgefoo.so src/libedgefoo.c
"$cc" "${cflags[@]}" -fPIC -shared -o rlib/libedgerel.so src/libedgerel.c
"$cc" "${cflags[@]}" -fPIC -shared -o olib/libedgeorigin.so src/libedgeorigin.c
"$cc" "${cflags[@]}" -fPIC -shared -o plugins/x.so src/plugin.c -Lolib -ledgeorigin \
	-Wl,--enable-new-dtags,-rpath,"\$ORIGIN/../olib"
"$cc" "${cflags[@]}" -fPIE -pie -o prog src/prog.c -Llib -ledgefoo -Lrlib -ledgerel \
	-Wl,--enable-new-dtags,-rpath,rlib -ldl
