#!/bin/bash
# Build savedump with warnings as errors and run the whole test suite
# (make check: C unit tests and shell end-to-end tests, TAP).
#   tests/run-suite.sh [BUILD_DIR [CONFIGURE_ARGS...]]
# Ends with one line "N passed, N failed, N skipped"; exits non-zero on any failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
shift || true

(cd "$top" && autoreconf -fi >/dev/null 2>&1) || { echo "autoreconf failed" >&2; exit 1; }
mkdir -p "$build"
cd "$build" || exit 1
if ! "$top/configure" -q --enable-compiler-warnings=error "$@"; then
	echo "configure failed" >&2
	exit 1
fi
if ! make -s -j"$(nproc)"; then
	echo "build failed" >&2
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
make -s check -j"$(nproc)" >"$build/check.out" 2>&1
status=$?
grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):' "$build/check.out" | grep -v '^PASS' || true
count() { sed -n "s/^# $1: *//p" "$build/check.out" | tail -n 1; }
pass=$(count PASS) fail=$(count FAIL) error=$(count ERROR) skip=$(count SKIP)
pass=${pass:-0} fail=${fail:-0} error=${error:-0} skip=${skip:-0}
if [ "$status" != 0 ] && [ "$((fail + error))" = 0 ]; then
	tail -n 30 "$build/check.out"
	error=1
fi
echo "$pass passed, $((fail + error)) failed, $skip skipped"
[ "$status" = 0 ] && [ "$((fail + error))" = 0 ]
