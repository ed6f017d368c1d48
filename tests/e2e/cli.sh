#!/bin/bash
# The command line: help, version, and a clear usage error (exit 2) for every bad option value.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

test_expect_success '--help lists every option and the exit codes' '
	"$SAVEDUMP" --help >help.txt &&
	for opt in --output --output-dir --beside --coredump --format --level --jobs --force --root --debug-dir \
		--allow-mismatch --no-debuginfod --list --json --progress --quiet --verbose \
		--help --version --verify; do
		expect_grep "$opt" help.txt || exit 1
	done &&
	expect_grep "^  3  archive written" help.txt &&
	expect_grep "^  5  archive written (or list printed), but not self-contained" help.txt &&
	expect_grep "savedump verify" help.txt
'
test_expect_success '--version prints the version' '
	"$SAVEDUMP" --version | grep -q "^savedump [0-9]"
'

# bad_value ARGS...: exit 2 with a one-line complaint and a hint.
bad_value() {
	expect_status 2 "$SAVEDUMP" "$@" >out.txt 2>err.txt &&
	test ! -s out.txt &&
	test "$(grep -c "^savedump: " err.txt)" = 1 &&
	expect_grep "Try .savedump --help." err.txt
}
test_expect_success 'no DUMP is a usage error' 'bad_value'
test_expect_success '-o FILE with two DUMPs' 'bad_value -o a.tar a b'
test_expect_success '--output-dir with two DUMPs' 'bad_value --output-dir d a b'
test_expect_success '--beside with -o or --output-dir' '
	bad_value --beside -o x a && bad_value --beside --output-dir x a
'
test_expect_success '-o - with two DUMPs, with --list' 'bad_value -o - a b && bad_value -o - --list a'
test_expect_success '--output-dir -' 'bad_value --output-dir - a'
test_expect_success 'standard input twice' 'bad_value - -'
test_expect_success '--max-mapped-file/-total bad values; --verify with --list or -o -' '
	bad_value --max-mapped-file 1X a && bad_value --max-mapped-total "" a &&
	bad_value --max-mapped-total -1 a && bad_value --verify --list a &&
	bad_value --verify -o - a
'
test_expect_success '--coredump with a DUMP, or empty' '
	bad_value --coredump sleep core && bad_value --coredump ""
'
test_expect_success '-o - refuses a terminal on standard output' '
	expect_status 2 script -qec "\"$SAVEDUMP\" -o - core" /dev/null >out.txt &&
	expect_grep "standard output is a terminal" out.txt
'
test_expect_success 'bad --format' 'bad_value --format=lz4 core'
test_expect_success 'bad --level' 'bad_value --level=0 core && bad_value --level=abc core'
test_expect_success 'bad --jobs' 'bad_value --jobs=-1 core && bad_value -j 1000 core'
test_expect_success 'bad --progress' 'bad_value --progress=sometimes core'
test_expect_success 'relative --debug-dir' 'bad_value --debug-dir=usr/lib/debug core'
test_expect_success '--json without --list' 'bad_value --json core'
test_expect_success '--output with --output-dir' 'bad_value -o a.tar --output-dir b core'
test_expect_success 'empty --output' 'bad_value -o "" core'
test_expect_success 'unknown option' '
	expect_status 2 "$SAVEDUMP" --frobnicate core 2>err.txt &&
	expect_grep "unrecognized option" err.txt
'
test_expect_success 'a missing --root is an error naming it' '
	echo x >notcore &&
	printf "\177ELF" >fake &&
	expect_status 4 "$SAVEDUMP" --root /nonexistent fake 2>err.txt
'
test_done
