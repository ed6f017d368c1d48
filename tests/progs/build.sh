#!/bin/bash
# Build the userland test programs into OUTDIR, each debug-info layout savedump
# must handle:
#   crasher            PIE executable with its own DWARF, run by relative path
#   libsdfoo.so        stripped; debug file found through .gnu_debuglink in .debug/
#   libsdbar.so        DWARF moved to a dwz supplementary file (.gnu_debugaltlink)
#   libsdbaz.so        dwz partner of libsdbar (not loaded)
#   plugin/sdplugin.so dlopen()ed, stripped; debug file in DEBUGDIR/.build-id/
# Usage: build.sh OUTDIR
set -euo pipefail
out=$1
src=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-gcc}
mkdir -p "$out/plugin" "$out/lib/.debug" "$out/debug" "$out/dwz"
cd "$out"
cflags=(-g -O0 -fno-omit-frame-pointer "-Wl,--build-id")

"$cc" "${cflags[@]}" -fPIC -shared -o lib/libsdfoo.so "$src/libsdfoo.c"
objcopy --only-keep-debug lib/libsdfoo.so lib/.debug/libsdfoo.so.debug
objcopy --strip-debug --add-gnu-debuglink=lib/.debug/libsdfoo.so.debug lib/libsdfoo.so

"$cc" "${cflags[@]}" -fPIC -shared -o lib/libsdbar.so "$src/libsdbar.c"
"$cc" "${cflags[@]}" -fPIC -shared -o lib/libsdbaz.so "$src/libsdbaz.c"
dwz -m "$out/dwz/sdtest.debug" -M "$out/dwz/sdtest.debug" lib/libsdbar.so lib/libsdbaz.so

"$cc" "${cflags[@]}" -fPIC -shared -o plugin/sdplugin.so "$src/plugin.c"
id=$(readelf -n plugin/sdplugin.so | sed -n 's/.*Build ID: //p')
mkdir -p "debug/.build-id/${id:0:2}"
objcopy --only-keep-debug plugin/sdplugin.so "debug/.build-id/${id:0:2}/${id:2}.debug"
strip --strip-all plugin/sdplugin.so

"$cc" "${cflags[@]}" -fPIE -pie -o crasher "$src/crasher.c" -Llib -lsdfoo -lsdbar \
	-Wl,-rpath,"$out/lib" -lpthread -ldl
