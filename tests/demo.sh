#!/bin/bash
# Build savedump, crash a small multi-threaded demo program, archive its core
# and show what the archive holds and what gdb sees from an extracted copy.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
demo=$(mktemp -d /tmp/savedump-demo.XXXXXX)

if [ -z "${BUILD:-}" ] && [ -f "$top/config.status" ]; then
	# Configured in place (the README's "Building"): use that build.
	build=$top
	echo "== building savedump in $build (configured in place)"
	make -C "$build" -s -j"$(nproc)"
else
	build=${BUILD:-$top/build}
	echo "== building savedump in $build"
	if [ -f "$top/config.status" ] && [ "$(mkdir -p "$build" && cd "$build" && pwd)" != "$top" ]; then
		# configure cannot build elsewhere while the source tree is configured.
		echo "== the source tree is configured in place: make distclean there first"
		make -C "$top" -s distclean >/dev/null
	fi
	(cd "$top" && autoreconf -fi >/dev/null 2>&1)
	mkdir -p "$build"
	(cd "$build" && "$top/configure" -q && make -s -j"$(nproc)")
fi

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
