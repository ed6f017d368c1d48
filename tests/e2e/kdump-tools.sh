#!/bin/bash
# The kdump hooks without a VM (systemd is not PID 1 here: the script the
# unit runs is tested, the units are checked by systemd-analyze verify):
# savedump-pending (Debian's kdump-tools layout, /var/crash/STAMP/dump.STAMP)
# archives each dump exactly once, waits for a dump still settling, leaves
# dumps still being written alone, archives again when savedump.done is
# removed, records failures without retrying them and fails while there is
# one; kdump-post.sh (kdump-utils) does nothing when the dump failed; the
# config file is parsed, never executed; debuginfod only after boot.
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
test_expect_success FIXTURES 'the journal gets a few lines per dump, not every item' '
	test "$(wc -l <"$scratch/run1.err")" -le 12 &&
	! grep -q "found: " "$scratch/run1.err" &&
	grep -q "wrote .*savedump-dump.202611221030.tar.zst" "$scratch/run1.err"
'
test_expect_success FIXTURES 'a second run does nothing' '
	before=$(stat -c %Y.%s "$crash/202611221030/savedump.done" "$crash/202611221030"/*.tar.zst) &&
	pending 2>"$scratch/run2.err" &&
	! grep -q archiving "$scratch/run2.err" &&
	test "$before" = "$(stat -c %Y.%s "$crash/202611221030/savedump.done" "$crash/202611221030"/*.tar.zst)"
'
test_expect_success FIXTURES 'removing savedump.done archives the dump again, replacing the archive' '
	a=$crash/202611221030/savedump-dump.202611221030.tar.zst &&
	echo "an old archive" >"$a" &&
	rm "$crash/202611221030/savedump.done" &&
	pending 2>"$scratch/retry.err" &&
	cat "$scratch/retry.err" &&
	! grep -q "already exists" "$scratch/retry.err" &&
	grep -Eq "^status=(0|3)$" "$crash/202611221030/savedump.done" &&
	tar -tf "$a" | grep -q "/manifest.json$"
'
test_expect_success FIXTURES 'a dump still being written is left alone' '
	mkdir -p "$crash/202611221101" && : >"$crash/202611221101/dump-incomplete" &&
	pending 2>"$scratch/run3.err" &&
	cat "$scratch/run3.err" &&
	test -z "$(find "$crash/202611221101" -name "*.tar.zst")" &&
	test ! -e "$crash/202611221101/savedump.done" &&
	grep -q "left alone" "$scratch/run3.err" &&
	rm -r "$crash/202611221101"
'
test_expect_success FIXTURES 'a dump 20 s old at the first run is archived in that run, once settled' '
	new_dump 202611221100 "20 seconds ago" &&
	start=$(date +%s) &&
	pending --settle 25 2>"$scratch/settle.err" &&
	cat "$scratch/settle.err" &&
	grep -q "changed [0-9]*s ago, archiving it in [0-9]*s" "$scratch/settle.err" &&
	test "$(($(date +%s) - start))" -ge 4 &&
	grep -Eq "^status=(0|3)$" "$crash/202611221100/savedump.done" &&
	tar -tf "$crash/202611221100/savedump-dump.202611221100.tar.zst" | grep -q "/manifest.json$"
'
test_expect_success FIXTURES 'a dump savedump cannot use: marked failed, not retried, the run fails' '
	mkdir -p "$crash/202611221200" &&
	head -c 300 "$CUSTOM_DUMPS/kdump/mkd-c" >"$crash/202611221200/dump.202611221200" &&
	touch -d "10 minutes ago" "$crash/202611221200/dump.202611221200" &&
	expect_status 1 pending 2>"$scratch/run4.err" &&
	cat "$scratch/run4.err" &&
	grep -q "^status=4$" "$crash/202611221200/savedump.failed" &&
	expect_status 1 pending 2>"$scratch/run5.err" &&
	cat "$scratch/run5.err" &&
	! grep -q "archiving" "$scratch/run5.err" &&
	grep -q "202611221200/savedump.failed to retry" "$scratch/run5.err" &&
	rm -r "$crash/202611221200" &&
	pending 2>/dev/null
'
test_expect_success FIXTURES 'the config is parsed, never executed' '
	printf "SAVEDUMP_EXTRA_ARGS=\$(touch %s/pwned)\nEVIL=\`touch %s/pwned2\`\n" "$scratch" "$scratch" >"$scratch/evil.conf" &&
	new_dump 202611221300 &&
	# The words of SAVEDUMP_EXTRA_ARGS are arguments: savedump refuses them.
	expect_status 1 "$hooks/savedump-pending" --crash-dir "$crash" --conf "$scratch/evil.conf" \
		2>"$scratch/run6.err" &&
	test ! -e "$scratch/pwned" && test ! -e "$scratch/pwned2" &&
	grep -q "ignoring unknown key EVIL" "$scratch/run6.err" &&
	grep -q "dump.202611221300: will be tried again" "$scratch/run6.err" &&
	test ! -e "$crash/202611221300/savedump.failed" &&
	pending 2>/dev/null && test -e "$crash/202611221300/savedump.done"
'
test_expect_success FIXTURES 'SAVEDUMP_OUTPUT_DIR from the config gets the archive; an unwritable one fails' '
	new_dump 202611221400 &&
	{ cat "$conf" && echo "SAVEDUMP_OUTPUT_DIR=$scratch/archives"; } >"$scratch/out.conf" &&
	"$hooks/savedump-pending" --crash-dir "$crash" --conf "$scratch/out.conf" 2>"$scratch/out.err" &&
	test -s "$scratch/archives/savedump-dump.202611221400.tar.zst" &&
	new_dump 202611221401 &&
	{ cat "$conf" && echo "SAVEDUMP_OUTPUT_DIR=/proc/savedump-no"; } >"$scratch/bad-out.conf" &&
	expect_status 1 "$hooks/savedump-pending" --crash-dir "$crash" --conf "$scratch/bad-out.conf" \
		2>"$scratch/bad-out.err" &&
	grep -q "ReadWritePaths" "$scratch/bad-out.err" &&
	test ! -e "$crash/202611221401/savedump.done" && test ! -e "$crash/202611221401/savedump.failed" &&
	rm -r "$crash/202611221401"
'
# A savedump that records its arguments: which options each hook passes.
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"$FAKE_ARGS"\n' >"$scratch/fake-savedump"
chmod +x "$scratch/fake-savedump"
test_expect_success 'debuginfod only after boot, when DEBUGINFOD_URLS is set; -v only in the capture kernel' '
	mkdir -p "$scratch/fake/202611221500" &&
	: >"$scratch/fake/202611221500/dump.202611221500" &&
	touch -d "10 minutes ago" "$scratch/fake/202611221500/dump.202611221500" &&
	printf "DEBUGINFOD_URLS=http://127.0.0.1:9/\n" >"$scratch/dbgd.conf" &&
	SAVEDUMP=$scratch/fake-savedump FAKE_ARGS=$scratch/args.pending \
		"$hooks/savedump-pending" --crash-dir "$scratch/fake" --conf "$scratch/dbgd.conf" &&
	! grep -qx -- "--no-debuginfod" "$scratch/args.pending" &&
	grep -qx -- "--force" "$scratch/args.pending" &&
	! grep -qx -- "-v" "$scratch/args.pending" &&
	rm "$scratch/fake/202611221500/savedump.done" &&
	printf "SAVEDUMP_DEBUGINFOD=no\n" >>"$scratch/dbgd.conf" &&
	SAVEDUMP=$scratch/fake-savedump FAKE_ARGS=$scratch/args.no \
		"$hooks/savedump-pending" --crash-dir "$scratch/fake" --conf "$scratch/dbgd.conf" &&
	grep -qx -- "--no-debuginfod" "$scratch/args.no" &&
	rm "$scratch/fake/202611221500/savedump.done" &&
	SAVEDUMP=$scratch/fake-savedump FAKE_ARGS=$scratch/args.unset DEBUGINFOD_URLS= \
		"$hooks/savedump-pending" --crash-dir "$scratch/fake" --conf /dev/null &&
	grep -qx -- "--no-debuginfod" "$scratch/args.unset" &&
	mkdir -p "$scratch/post2/host-1" && : >"$scratch/post2/host-1/vmcore" &&
	printf "SAVEDUMP_DEBUGINFOD=yes\nDEBUGINFOD_URLS=http://127.0.0.1:9/\n" >"$scratch/cap.conf" &&
	SAVEDUMP=$scratch/fake-savedump FAKE_ARGS=$scratch/args.post KDUMP_PATH=$scratch/post2 \
		SAVEDUMP_CONF=$scratch/cap.conf "$hooks/kdump-post.sh" 0 &&
	grep -qx -- "--no-debuginfod" "$scratch/args.post" &&
	grep -qx -- "-v" "$scratch/args.post"
'
command -v systemd-analyze >/dev/null && test_set_prereq SYSTEMD_ANALYZE
test_expect_success SYSTEMD_ANALYZE 'the units pass systemd-analyze verify, with no warning' '
	mkdir -p "$scratch/units" &&
	sed "s|@savedumplibdir@|$hooks|" "$hooks/savedump-pending.service.in" \
		>"$scratch/units/savedump-pending.service" &&
	cp "$hooks/savedump-pending.path" "$scratch/units/" &&
	(cd "$scratch/units" && systemd-analyze verify --man=no ./savedump-pending.service \
		./savedump-pending.path) >"$scratch/verify.out" 2>&1 &&
	cat "$scratch/verify.out" && test ! -s "$scratch/verify.out" &&
	grep -q "^ReadWritePaths=/var/crash " "$scratch/units/savedump-pending.service" &&
	grep -q "^Also=savedump-pending.service$" "$scratch/units/savedump-pending.path"
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
