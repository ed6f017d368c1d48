# shellcheck shell=bash
# A small TAP test library for savedump's shell tests, after git's t/test-lib.sh:
#
#   . "$srcdir/tests/lib.sh"
#   test_expect_success 'what it checks' '
#       commands
#   '
#   test_done
#
# Each script gets its own scratch directory ($scratch, removed at exit unless
# SD_KEEP=1) and runs its tests in order; a test passes when its commands
# exit 0. A test whose prerequisite is missing is reported as "ok N # SKIP".

set -u
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${builddir:=$PWD}"
SAVEDUMP=${SAVEDUMP:-$builddir/savedump}
export LC_ALL=C
unset DEBUGINFOD_URLS

test_count=0
test_failed=0
declare -A test_prereqs=()

scratch=$(mktemp -d "${TMPDIR:-/tmp}/savedump-test.XXXXXX")
test_cleanup_hooks=()
_test_exit() {
	local h
	for h in "${test_cleanup_hooks[@]}"; do eval "$h"; done
	# Directories made by test bodies (subshells), outside the scratch directory.
	if [ -f "$scratch/.rm-at-exit" ]; then
		while IFS= read -r h; do rm -rf "$h"; done <"$scratch/.rm-at-exit"
	fi
	if [ "${SD_KEEP:-0}" = 1 ]; then
		echo "# kept scratch directory $scratch"
	else
		rm -rf "$scratch"
	fi
}
trap _test_exit EXIT

# Run $1 (a string of shell) at exit, before the scratch directory goes.
test_at_exit() { test_cleanup_hooks+=("$1"); }

# copy_tree SRC DST: DST becomes a copy of the (fixture) tree SRC that a test
# may change by removing or replacing files, never by writing into them: hard
# links, which cost nothing. Where DST's file system is not SRC's (a fixture
# cache bind-mounted, as in CI's fresh root), the links are made in a scratch
# directory beside SRC's top, removed at exit, and DST is a symlink to it.
copy_tree() {
	local src=$1 dst=$2 top tmp
	rm -rf "$dst"
	if cp -al "$src" "$dst" 2>/dev/null; then
		return 0
	fi
	rm -rf "$dst"
	top=${FIXTURES_CACHE:-$(dirname "$src")}
	tmp=$(mktemp -d "$top/.test-scratch.XXXXXX") || return 1
	echo "$tmp" >>"$scratch/.rm-at-exit"
	cp -al "$src" "$tmp/tree" && ln -s "$tmp/tree" "$dst"
}

test_set_prereq() { test_prereqs[$1]=1; }
test_have_prereq() { [ -n "${test_prereqs[$1]:-}" ]; }

say() { echo "# $*"; }

# test_expect_success [PREREQ] 'description' 'commands'
test_expect_success() {
	local prereq=
	if [ $# = 3 ]; then prereq=$1; shift; fi
	test_count=$((test_count + 1))
	if [ -n "$prereq" ] && ! test_have_prereq "$prereq"; then
		echo "ok $test_count - $1 # SKIP missing $prereq${skip_reason:+: $skip_reason}"
		return
	fi
	local _test_out="$scratch/.test-$test_count.out" _test_status
	# A plain command, not an "if" condition or "||" operand: there bash
	# would ignore set -e in the whole body.
	(cd "$scratch" && set -e && eval "$2") >"$_test_out" 2>&1
	_test_status=$?
	if [ "$_test_status" = 0 ]; then
		echo "ok $test_count - $1"
		[ "${SD_VERBOSE:-0}" = 1 ] && sed "s/^/#   /" "$_test_out"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed "s/^/#   /" "$_test_out" | tail -n 60
	fi
	return 0
}

# test_skip 'description' 'reason'
test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1 # SKIP $2"
}

# Failures are reported in the TAP stream; the exit status stays 0 so that the
# TAP driver counts each failure once (a crash still shows as a missing plan).
test_done() {
	echo "1..$test_count"
	exit 0
}

# Helpers for assertions inside tests.

# Fail with a message unless "$@" exits with status $1.
expect_status() {
	local want=$1 got=0
	shift
	"$@" || got=$?
	if [ "$got" != "$want" ]; then
		echo "expected exit status $want, got $got: $*" >&2
		return 1
	fi
}

# grep that shows the file on failure
expect_grep() {
	if ! grep -q -e "$1" "$2"; then
		echo "expected '$1' in $2:" >&2
		sed 's/^/  | /' "$2" | head -n 80 >&2
		return 1
	fi
}

expect_no_grep() {
	if grep -q -e "$1" "$2"; then
		echo "did not expect '$1' in $2:" >&2
		grep -n -e "$1" "$2" | head -n 20 >&2
		return 1
	fi
}

# kernel_fixtures TOOL...: the kernel fixtures (tests/kernel/fixtures.sh;
# built once and cached, see tests/kernel/README.md), checked as a test of
# their own. Unless a TOOL is missing (skip_reason then says which), they are
# built or found, their variables (CUSTOM_*, DEBIAN_*, FIXTURES_*) are set
# and the FIXTURES prerequisite is given. SAVEDUMP_SKIP_KERNEL=1 skips them,
# and so every test that needs them.
kernel_fixtures() {
	local tool key value fixtures_status=skipped
	if [ "${SAVEDUMP_SKIP_KERNEL:-0}" = 1 ]; then
		skip_reason="SAVEDUMP_SKIP_KERNEL=1"
		test_skip 'the kernel fixtures are built (or cached)' "$skip_reason"
		return 0
	fi
	for tool in "$@"; do
		command -v "$tool" >/dev/null || { skip_reason="$tool not installed"; break; }
	done
	if [ -z "${skip_reason:-}" ]; then
		"$srcdir/tests/kernel/fixtures.sh" >"$scratch/fixtures.env" 2>"$scratch/fixtures.log"
		fixtures_status=$?
	fi
	# shellcheck disable=SC2016 # the test body is evaluated later, as all are
	test_expect_success 'the kernel fixtures are built (or cached)' '
		if [ "$fixtures_status" = skipped ]; then echo "$skip_reason" >&2; exit 1; fi
		test "$fixtures_status" = 0 || { tail -n 40 "$scratch/fixtures.log"; exit 1; }
	'
	[ "$fixtures_status" = 0 ] || return 0
	while IFS='=' read -r key value; do
		case $key in CUSTOM_* | DEBIAN_* | BULLSEYE_* | TRIXIE_* | FIXTURES_*) printf -v "$key" '%s' "$value" ;; esac
	done <"$scratch/fixtures.env"
	test_set_prereq FIXTURES
}

# opened_files STRACE DUMP: the files savedump really opened for reading, after
# it opened DUMP (strace -f output), as paths without a leading "/". Files in the root are resolved with O_PATH and
# reopened through /proc/self/fd/N (root.c): such a reopen counts as an open
# of the path that fd N was resolved from.
opened_files() {
	awk -v dump="$2" '
		/open(at2?)?\(/ && !/= -1/ {
			if (!match($0, /"[^"]*"/))
				next
			p = substr($0, RSTART + 1, RLENGTH - 2)
			pid = $1
			fd = $NF
			if (p == dump) { seen = 1; next }
			if (/O_PATH/) { path[pid " " fd] = p; next }
			if (/O_DIRECTORY|O_TMPFILE/ || !seen)
				next
			if (p ~ /^\/proc\/self\/fd\//) {
				n = p
				sub(/^\/proc\/self\/fd\//, "", n)
				p = path[pid " " n]
				if (p == "")
					next
			}
			sub(/^\/+/, "", p)
			print p
		}' "$1" | sort -u
}

# A JSON query with python3 (always present on Debian).
json_query() {
	python3 -c 'import json, sys
doc = json.load(open(sys.argv[1]))
print(eval(sys.argv[2], {"doc": doc}))' "$@"
}
