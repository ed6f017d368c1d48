#!/bin/bash
# Build savedump with warnings as errors and run the whole test suite
# (make check: C unit tests and shell end-to-end tests, TAP).
#   tests/run-suite.sh [BUILD_DIR [CONFIGURE_ARGS...]]
# Says what it is doing as it goes (configure, build, kernel fixtures, each
# test as it starts and ends); ends with one line "N passed, N failed,
# N skipped" and exits non-zero on any failure. The first run builds the kernel
# fixtures (tests/kernel/README.md): ~25 minutes and ~5.2 GB in
# /var/cache/savedump-fixtures ($SAVEDUMP_FIXTURES); later runs take minutes.
# SAVEDUMP_SKIP_KERNEL=1 skips the kernel tests and the fixtures.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
shift || true
fixtures=${SAVEDUMP_FIXTURES:-/var/cache/savedump-fixtures}
t0=$SECONDS

say() { echo "run-suite: [$(date +%H:%M:%S)] $*"; }
fail() {
	say "$1"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}
elapsed() {
	local s=$((SECONDS - $1))
	if [ "$s" -ge 60 ]; then echo "$((s / 60)) min $((s % 60)) s"; else echo "$s s"; fi
}

if ! mkdir -p "$build" || ! build=$(cd "$build" && pwd); then
	fail "cannot create $build"
fi
# After the README's in-tree "./configure && make", configure refuses to
# configure another directory ("source directory already configured") and
# make would mix the in-tree objects in: clean the source tree first.
if [ "$build" != "$top" ] && [ -f "$top/config.status" ]; then
	say "the source tree is configured in place (./configure): make distclean there first"
	if ! make -C "$top" -s distclean >"$build/distclean.log" 2>&1; then
		tail -n 20 "$build/distclean.log"
		fail "make distclean in $top failed"
	fi
fi

say "configure in $build"
(cd "$top" && autoreconf -fi >/dev/null 2>&1) || fail "autoreconf failed"
cd "$build" || exit 1
if ! "$top/configure" -q --enable-compiler-warnings=error "$@" >configure.log 2>&1; then
	tail -n 20 configure.log
	fail "configure failed (log: $build/configure.log, config.log)"
fi
say "build (make -j$(nproc))"
if ! make -s -j"$(nproc)" >build.log 2>&1; then
	tail -n 40 build.log
	fail "build failed (log: $build/build.log)"
fi

# The kernel fixtures, as a stage of their own: built here or never (the
# tests only use them), so a failure is reported once and not retried by each
# kernel test script.
if [ "${SAVEDUMP_SKIP_KERNEL:-0}" = 1 ]; then
	say "kernel tests and fixtures skipped (SAVEDUMP_SKIP_KERNEL=1)"
else
	s=$SECONDS
	# Every kind a test uses: the custom and Debian 12 kernels (kernel.sh,
	# kdump*.sh), Debian 11's and 13's (distro-kernels.sh), Debian 13's -dbg
	# package (kernel-debuginfod.sh serves it with debuginfod).
	kinds="custom debian bullseye trixie trixie-dbg"
	if [ -f "$fixtures/custom-dumps/.stamp" ] && [ -f "$fixtures/debian-dumps/.stamp" ] &&
		[ -f "$fixtures/bullseye-dumps/.stamp" ] && [ -f "$fixtures/trixie-dumps/.stamp" ]; then
		say "kernel fixtures: checking the cache in $fixtures"
	else
		say "building kernel fixtures (first run only: ~35 min, ~7 GB in $fixtures)"
	fi
	# Each step's result (fixtures: NAME: ok (N s)) as it comes.
	if SAVEDUMP_FIXTURES_KINDS=$kinds "$top/tests/kernel/fixtures.sh" "$fixtures" 2>&1 >/dev/null |
		sed -u 's/^/  /'; then
		say "kernel fixtures ready ($(elapsed "$s"))"
	else
		say "kernel fixtures FAILED ($(elapsed "$s")): the kernel tests will fail"
	fi
	export SAVEDUMP_FIXTURES=$fixtures SAVEDUMP_FIXTURES_NO_BUILD=1
fi

# make check, with each test's start and end as automake's harness writes
# its .log (at the start) and .trs (at the end).
say "unit and end-to-end tests (make check -j$(nproc))"
marker=$build/.run-suite-start
touch "$marker"
make -s check -j"$(nproc)" >"$build/check.out" 2>&1 &
check_pid=$!
declare -A started=() finished=()
progress() {
	local log t trs name p f s
	while IFS= read -r log; do
		t=${log#"$build"/}
		t=${t%.log}
		trs=$build/$t.trs
		name=$t
		[ ! -f "$top/$t.sh" ] || name=$t.sh
		if [ -z "${started[$t]:-}" ]; then
			started[$t]=$SECONDS
			say "start $name"
		fi
		if [ -z "${finished[$t]:-}" ] && [ -f "$trs" ] && [ "$trs" -nt "$marker" ] &&
			grep -q '^:global-test-result:' "$trs"; then
			finished[$t]=1
			p=$(grep -c '^:test-result: PASS' "$trs")
			f=$(grep -Ec '^:test-result: (FAIL|ERROR|XPASS)' "$trs")
			s=$(grep -c '^:test-result: SKIP' "$trs")
			say "end   $name: $p passed, $f failed, $s skipped ($(elapsed "${started[$t]}"))"
		fi
	done < <(find "$build/tests" -name '*.log' -newer "$marker" 2>/dev/null | sort)
}
last_note=$SECONDS
while kill -0 "$check_pid" 2>/dev/null; do
	sleep 2
	progress
	if [ $((SECONDS - last_note)) -ge 300 ]; then
		last_note=$SECONDS
		running=()
		for t in "${!started[@]}"; do [ -n "${finished[$t]:-}" ] || running+=("$t"); done
		[ ${#running[@]} = 0 ] || say "still running: ${running[*]}"
	fi
done
wait "$check_pid"
status=$?
progress
say "make check done ($(elapsed "$t0") in all)"

grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):' "$build/check.out" | grep -v '^PASS' || true
# A failing test's own log, so that a CI transcript says why, not only what.
find "$build/tests" -name '*.trs' -newer "$marker" -exec grep -lE '^:test-result: (FAIL|ERROR|XPASS)' {} + 2>/dev/null |
	while IFS= read -r trs; do
		say "last 60 lines of ${trs%.trs}.log:"
		tail -n 60 "${trs%.trs}.log" | sed 's/^/  | /'
	done
count() { sed -n "s/^# $1: *//p" "$build/check.out" | tail -n 1; }
pass=$(count PASS) fail=$(count FAIL) error=$(count ERROR) skip=$(count SKIP)
if [ -z "$pass" ]; then
	# No summary: make check itself failed or was killed. Count what the
	# tests that ended recorded; a test that never ended is an error.
	tail -n 30 "$build/check.out"
	pass=0 fail=0 error=0 skip=0
	for t in "${!started[@]}"; do
		if [ -z "${finished[$t]:-}" ]; then
			echo "ERROR: $t did not finish"
			error=$((error + 1))
			continue
		fi
		pass=$((pass + $(grep -c '^:test-result: PASS' "$build/$t.trs")))
		fail=$((fail + $(grep -Ec '^:test-result: (FAIL|ERROR|XPASS)' "$build/$t.trs")))
		skip=$((skip + $(grep -c '^:test-result: SKIP' "$build/$t.trs")))
	done
fi
pass=${pass:-0} fail=${fail:-0} error=${error:-0} skip=${skip:-0}
if [ "$status" != 0 ] && [ "$((fail + error))" = 0 ]; then
	tail -n 30 "$build/check.out"
	error=1
fi
echo "$pass passed, $((fail + error)) failed, $skip skipped"
[ "$status" = 0 ] && [ "$((fail + error))" = 0 ]
