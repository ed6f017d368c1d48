#!/bin/bash
# The kdump hooks without a VM: savedump-pending (Debian's kdump-tools
# layout, /var/crash/STAMP/dump.STAMP) archives each dump exactly once,
# leaves dumps still being written alone, records failures without retrying
# them; kdump-post.sh (kdump-utils) does nothing when the dump failed; the
# config file is parsed, never executed.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

hooks=$srcdir/kdump-hooks
kernel_fixtures tar zstd
: "${CUSTOM_DUMPS:=}" "${CUSTOM_ROOT:=}"
export SAVEDUMP
crash=$scratch/crash
conf=$scratch/savedump.conf
printf 'SAVEDUMP_FORMAT=zstd\nSAVEDUMP_ROOT="%s"\n' "$CUSTOM_ROOT" >"$conf"

# new_dump STAMP [AGE]: a dump directory as kdump-tools leaves it.
new_dump() {
	mkdir -p "$crash/$1"
	cp "$CUSTOM_DUMPS/kdump/mkd-c" "$crash/$1/dump.$1"
	echo "[    0.000000] Linux version" >"$crash/$1/dmesg.$1"
	touch -d "${2:-10 minutes ago}" "$crash/$1/dump.$1"
}
pending() { "$hooks/savedump-pending" --crash-dir "$crash" --conf "$conf" "$@"; }

test_expect_success FIXTURES 'a saved dump is archived next to itself and marked done' '
	new_dump 202611221030 &&
	sha256sum "$crash/202611221030/dump.202611221030" >"$scratch/in.sha" &&
	pending 2>"$scratch/run1.err" &&
	cat "$scratch/run1.err" &&
	test -s "$crash/202611221030/savedump-dump.202611221030.tar.zst" &&
	grep -Eq "^status=(0|3)$" "$crash/202611221030/savedump.done" &&
	sha256sum -c --quiet "$scratch/in.sha" &&
	tar -tf "$crash/202611221030/savedump-dump.202611221030.tar.zst" | grep -q "/run-crash.sh$"
'
test_expect_success FIXTURES 'a second run does nothing' '
	before=$(stat -c %Y.%s "$crash/202611221030/savedump.done" "$crash/202611221030"/*.tar.zst) &&
	pending 2>"$scratch/run2.err" &&
	! grep -q archiving "$scratch/run2.err" &&
	test "$before" = "$(stat -c %Y.%s "$crash/202611221030/savedump.done" "$crash/202611221030"/*.tar.zst)"
'
test_expect_success FIXTURES 'a dump still being written is left alone' '
	new_dump 202611221100 "now" &&
	mkdir -p "$crash/202611221101" && : >"$crash/202611221101/dump-incomplete" &&
	pending 2>"$scratch/run3.err" &&
	cat "$scratch/run3.err" &&
	test ! -e "$crash/202611221100/savedump.done" &&
	test -z "$(find "$crash/202611221100" "$crash/202611221101" -name "*.tar.zst")" &&
	grep -q "left alone" "$scratch/run3.err" &&
	touch -d "10 minutes ago" "$crash/202611221100/dump.202611221100" &&
	pending 2>/dev/null && test -e "$crash/202611221100/savedump.done"
'
test_expect_success FIXTURES 'a dump savedump cannot use is marked failed, not retried' '
	mkdir -p "$crash/202611221200" &&
	head -c 300 "$CUSTOM_DUMPS/kdump/mkd-c" >"$crash/202611221200/dump.202611221200" &&
	touch -d "10 minutes ago" "$crash/202611221200/dump.202611221200" &&
	pending 2>"$scratch/run4.err" &&
	grep -q "^status=4$" "$crash/202611221200/savedump.failed" &&
	pending 2>"$scratch/run5.err" &&
	! grep -q "202611221200" "$scratch/run5.err"
'
test_expect_success FIXTURES 'the config is parsed, never executed' '
	printf "SAVEDUMP_EXTRA_ARGS=\$(touch %s/pwned)\nEVIL=\`touch %s/pwned2\`\n" "$scratch" "$scratch" >"$scratch/evil.conf" &&
	new_dump 202611221300 &&
	"$hooks/savedump-pending" --crash-dir "$crash" --conf "$scratch/evil.conf" 2>"$scratch/run6.err" &&
	test ! -e "$scratch/pwned" && test ! -e "$scratch/pwned2" &&
	grep -q "ignoring unknown key EVIL" "$scratch/run6.err"
'
test_expect_success 'savedump-pending: bad arguments are refused (exit 2)' '
	expect_status 2 "$hooks/savedump-pending" --settle soon &&
	expect_status 2 "$hooks/savedump-pending" --bogus
'
test_expect_success 'kdump-post.sh: a failed dump (status 1) is left alone, exit 0' '
	mkdir -p "$scratch/post/host-2026-11-22" && : >"$scratch/post/host-2026-11-22/vmcore" &&
	KDUMP_PATH=$scratch/post SAVEDUMP_CONF=$conf "$hooks/kdump-post.sh" 1 2>"$scratch/post1.err" &&
	grep -q "not saved" "$scratch/post1.err" &&
	test -z "$(find "$scratch/post" -name "*.tar*")"
'
test_expect_success FIXTURES 'kdump-post.sh: a saved vmcore is archived next to it' '
	cp "$CUSTOM_DUMPS/kdump/mkd-c" "$scratch/post/host-2026-11-22/vmcore" &&
	KDUMP_PATH=$scratch/post SAVEDUMP_CONF=$conf "$hooks/kdump-post.sh" 0 &&
	test -s "$scratch/post/host-2026-11-22/savedump-vmcore.tar.zst"
'
test_done
