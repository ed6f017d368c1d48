#!/bin/bash
# Build savedump, crash a small multi-threaded demo program, archive its core
# and show what the archive holds and what gdb sees from an extracted copy.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
demo=$(mktemp -d /tmp/savedump-demo.XXXXXX)

echo "== building savedump in $build"
(cd "$top" && autoreconf -fi >/dev/null 2>&1)
mkdir -p "$build"
(cd "$build" && "$top/configure" -q && make -s -j"$(nproc)")

echo "== building the demo program and crashing it in $demo"
"$top/tests/progs/build.sh" "$demo" >/dev/null
core=$(cd "$demo" && "$top/tests/progs/make-core.sh" kernel "$demo/cores" \
	./crasher "$demo/plugin/sdplugin.so")
echo "core: $core"

echo "== savedump $core"
cd "$demo"
"$build/savedump" --debug-dir "$demo/debug" "$core" || [ $? = 3 ]
archive=$demo/savedump-$(basename "$core").tar.zst
echo
echo "== the archive: $archive ($(du -h "$archive" | cut -f1))"
tar -tvf "$archive"

echo
echo "== extracted elsewhere, opened with its run-gdb.sh"
mkdir -p "$demo/elsewhere"
tar -C "$demo/elsewhere" -xf "$archive"
launcher=$(echo "$demo"/elsewhere/*/run-gdb.sh)
"$launcher" -batch -ex 'bt' 2>&1 | grep -v "^warning: Section"
echo
echo "demo files are in $demo"
