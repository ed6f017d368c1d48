#!/bin/bash
# Crafted kernel dumps (tests/kernel/craft-vmcore.py, generated here): most
# corruptions crashed, hung or read out of bounds in libkdumpfile 0.5.1 or
# savedump before dump.c and vmcoreinfo.c checked for them. savedump must
# refuse every one with exit status 4 and one line on stderr, in under 5
# seconds, without dying of a signal and without leaving the archive or a
# temporary file behind. The uncorrupted skeletons must be accepted, so that
# each refusal is about its corruption.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

craft=$srcdir/tests/kernel/craft-vmcore.py
command -v python3 >/dev/null && command -v timeout >/dev/null && test_set_prereq TOOLS
skip_reason="python3 or timeout not installed"

test_expect_success TOOLS 'the crafted dumps are generated' '
	"$craft" write dumps && test -s dumps/elf-valid && test -s dumps/kdump-valid
'
test -s "$scratch/dumps/elf-valid" && test_set_prereq DUMPS
skip_reason="the crafted dumps could not be generated"

valid=$(test_have_prereq DUMPS && "$craft" list | grep -- -valid)
for name in $valid; do
	test_expect_success DUMPS "the skeleton $name is read (exit 0, 3 or 5)" '
		status=0
		timeout -s KILL 20 "$SAVEDUMP" --list "dumps/$name" >out.txt 2>err.txt || status=$?
		cat err.txt
		case $status in 0 | 3 | 5) ;; *) echo "exit status $status" >&2; exit 1 ;; esac
	'
done

cases=$(test_have_prereq DUMPS && "$craft" list | grep -v -- -valid)
for name in $cases; do
	test_expect_success DUMPS "$name: exit 4, one line, nothing written, under 5 s" '
		mkdir "out-$name" && status=0
		timeout -s KILL 5 "$SAVEDUMP" -o "out-$name/dump.tar.zst" "dumps/$name" \
			>out.txt 2>err.txt || status=$?
		cat err.txt
		test "$status" = 4 || { echo "exit status $status (137: killed at 5 s)" >&2; exit 1; }
		test "$(wc -l <err.txt)" = 1 && grep -q "^savedump: dumps/$name: " err.txt &&
		test ! -s out.txt &&
		test -z "$(ls -A "out-$name")"
	'
done

# A libkdumpfile crash that no check foresees (injected with LD_PRELOAD) is
# contained by the sandbox: exit 4 and one line naming the signal. Under
# ASan, its SEGV handler must let the signal through.
command -v "${CC:-cc}" >/dev/null && test_have_prereq DUMPS && test_set_prereq INJECT
skip_reason="no C compiler (\$CC) or no crafted dumps"
test_expect_success INJECT 'a crash inside libkdumpfile is one line and exit 4' '
	"${CC:-cc}" -shared -fPIC -o kdump-fault.so "$srcdir/tests/progs/kdump-fault.c" -ldl &&
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0:verify_asan_link_order=0" &&
	for fault in segv:SIGSEGV abort:SIGABRT exit:"exit status 9"; do
		mkdir "out-${fault%%:*}" && status=0
		SD_KDUMP_FAULT=${fault%%:*} LD_PRELOAD=$PWD/kdump-fault.so timeout -s KILL 20 \
			"$SAVEDUMP" -o "out-${fault%%:*}/dump.tar" dumps/elf-valid 2>err.txt || status=$?
		cat err.txt
		want="^savedump: dumps/elf-valid: libkdumpfile .* reading the dump (${fault#*:});"
		test "$status" = 4 && test "$(wc -l <err.txt)" = 1 &&
		expect_grep "$want the dump is damaged or hostile$" err.txt &&
		test -z "$(ls -A "out-${fault%%:*}")" || exit 1
	done
'

# The same refusals through --list.
test_expect_success DUMPS 'the refusals do not depend on --list' '
	for name in elf-pagesize-zero kdump-size-note-huge elf-shentsize-zero; do
		status=0
		timeout -s KILL 5 "$SAVEDUMP" --list "dumps/$name" >out.txt 2>err.txt || status=$?
		test "$status" = 4 && test "$(wc -l <err.txt)" = 1 || { cat err.txt; exit 1; }
	done
'
test_done
