#!/bin/bash
# The commands as users type them: many dumps per run (savedump /var/crash/*/vmcore),
# the archive on standard output (-o -), a dump on standard input or a pipe,
# dumps compressed as a whole (zstd, xz, lz4, gzip), and --coredump (with a fake
# coredumpctl), on a real core.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

for tool in gcore sleep python3 zstd xz lz4 gzip sha256sum; do
	command -v "$tool" >/dev/null || { skip_reason="$tool not installed"; break; }
done
[ "$(id -u)" = 0 ] || skip_reason=${skip_reason:-"not root (gcore attaches to a process)"}
[ -z "${skip_reason:-}" ] && test_set_prereq CORE

cd "$scratch" || exit 1

# archived CMD...: CMD writes archives, exit 0 or 3 (this machine may lack sleep's debug file).
archived() {
	local st=0
	"$@" || st=$?
	[ "$st" = 0 ] || [ "$st" = 3 ] || { echo "exit status $st: $*" >&2; return 1; }
}

# The archive's manifest, by the archive's path.
manifest() {
	tar -xOf "$1" --wildcards '*/manifest.json'
}
# What a manifest found: role, status, archive path and sha256 of each item but
# the dump (whose name is the file given), and no sha256 for the launcher (which
# names the dump).
found_items() {
	python3 -c 'import json, sys
doc = json.load(sys.stdin)
for it in doc["items"][1:]:
    print(it["role"], it["status"], it["archive_path"],
          it["sha256"] if it["role"] != "generated" else "")'
}

test_expect_success CORE 'a real core (gcore of sleep)' '
	sleep 60 & pid=$! &&
	gcore -o "$scratch/core" "$pid" >gcore.log 2>&1 &&
	kill "$pid" &&
	mv "core.$pid" core &&
	test -s core
'

test_expect_success CORE 'savedump DIR*/vmcore DIR/dump.*: one archive each, named by stamp' '
	mkdir -p crash/127.0.0.1-2026-12-01-10:00:00 crash/127.0.0.1-2026-12-01-11:00:00 \
		crash/202612011200 out1 &&
	cp core crash/127.0.0.1-2026-12-01-10:00:00/vmcore &&
	cp core crash/127.0.0.1-2026-12-01-11:00:00/vmcore &&
	cp core crash/202612011200/dump.202612011200 &&
	(cd out1 && archived "$SAVEDUMP" ../crash/*/vmcore ../crash/*/dump.* 2>../many.err) &&
	cat many.err &&
	test "$(wc -l <many.err)" = 3 &&
	test "$(grep -c "^savedump: \.\./crash/.*: wrote .*: [0-9]* found" many.err)" = 3 &&
	ls out1 >names.txt &&
	printf "%s\n" savedump-127.0.0.1-2026-12-01-10_00_00.tar.zst \
		savedump-127.0.0.1-2026-12-01-11_00_00.tar.zst \
		savedump-202612011200.tar.zst | diff -u - names.txt &&
	for a in out1/*.tar.zst; do
		manifest "$a" | found_items >items.txt && test -s items.txt || exit 1
	done
'

test_expect_success CORE 'the exit status is the worst of the dumps: 4 over 3, 1 over 4' '
	mkdir -p crash/202612011300 out2 &&
	head -c 200 core >crash/202612011300/dump.202612011300 &&
	expect_status 4 "$SAVEDUMP" -o out2 crash/*/vmcore crash/*/dump.* 2>worst.err &&
	test "$(wc -l <worst.err)" = 4 &&
	expect_grep "^savedump: crash/202612011300/dump.202612011300: " worst.err &&
	test "$(ls out2 | wc -l)" = 3 &&
	expect_status 1 "$SAVEDUMP" -o out2 crash/*/vmcore crash/*/dump.* 2>worst2.err &&
	test "$(grep -c "already exists" worst2.err)" = 3 &&
	rm crash/202612011300/dump.202612011300
'

test_expect_success CORE '--beside writes each archive next to its dump' '
	archived "$SAVEDUMP" -q --beside crash/*/vmcore crash/*/dump.* &&
	test -s crash/127.0.0.1-2026-12-01-10:00:00/savedump-127.0.0.1-2026-12-01-10_00_00.tar.zst &&
	test -s crash/127.0.0.1-2026-12-01-11:00:00/savedump-127.0.0.1-2026-12-01-11_00_00.tar.zst &&
	test -s crash/202612011200/savedump-202612011200.tar.zst
'

test_expect_success CORE 'two dumps that would share a name get one each, from their paths' '
	mkdir -p same/a same/b same/out &&
	cp core same/a/vmcore && cp core same/b/vmcore &&
	archived "$SAVEDUMP" -q -o same/out same/a/vmcore same/b/vmcore &&
	ls same/out >same.txt && cat same.txt &&
	test "$(grep -c "^savedump-vmcore-[0-9a-f]\{8\}\.tar\.zst\$" same.txt)" = 2
'

test_expect_success CORE 'savedump -o - CORE | tar -t: the archive on standard output, nothing else' '
	mkdir -p so && cd so &&
	{ "$SAVEDUMP" -o - ../core 2>../so.err; echo $? >../so.status; } | tar -t --zstd >../so.list &&
	cd .. &&
	st=$(cat so.status) && test "$st" = 0 -o "$st" = 3 &&
	expect_grep "^savedump-core/manifest.json\$" so.list &&
	expect_grep "^savedump-core/core\$" so.list &&
	expect_grep "wrote the archive to standard output" so.err &&
	test -z "$(ls so)" && test ! -e ./-
'

test_expect_success CORE 'the plain core is archived (the reference)' '
	archived "$SAVEDUMP" -q -o plain.tar.zst core &&
	manifest plain.tar.zst >plain.json &&
	found_items <plain.json >plain.items && test -s plain.items
'

# check_same ARCHIVE: its items are the plain core's, and its dump is the core, decompressed.
check_same() {
	manifest "$1" >got.json &&
	found_items <got.json >got.items &&
	diff -u plain.items got.items &&
	test "$(json_query got.json "doc[\"items\"][0][\"sha256\"]")" = \
		"$(sha256sum <core | cut -d" " -f1)"
}

for z in zstd xz lz4 gzip; do
	test_expect_success CORE "a $z-compressed core: as complete as the plain one" '
		case '$z' in
		zstd) ext=zst ;; gzip) ext=gz ;; *) ext='$z' ;;
		esac &&
		'$z' -c <core >"core.$ext" &&
		archived "$SAVEDUMP" -q -o "'$z'.tar.zst" "core.$ext" &&
		check_same "'$z'.tar.zst" &&
		test "$(json_query got.json "doc[\"dump\"][\"given\"][\"compression\"]")" = '$z' &&
		test "$(json_query got.json "doc[\"dump\"][\"given\"][\"sha256\"]")" = \
			"$(sha256sum <"core.$ext" | cut -d" " -f1)" &&
		tar -tf "'$z'.tar.zst" | grep -qx "'$z'/core"
	'
	test_expect_success CORE "a truncated $z-compressed core: one line, exit 4, nothing written" '
		case '$z' in
		zstd) ext=zst ;; gzip) ext=gz ;; *) ext='$z' ;;
		esac &&
		size=$(stat -c %s "core.$ext") &&
		head -c $((size / 2)) "core.$ext" >"cut.$ext" &&
		expect_status 4 "$SAVEDUMP" -o cut.tar.zst "cut.$ext" 2>cut.err &&
		cat cut.err &&
		test "$(wc -l <cut.err)" = 1 &&
		expect_grep "^savedump: cut\.$ext: truncated '$z' data" cut.err &&
		test ! -e cut.tar.zst && test -z "$(ls -A | grep "^\.cut")"
	'
done

test_expect_success CORE 'a core on a pipe, as - and as /dev/stdin' '
	archived "$SAVEDUMP" -q -o pipe1.tar.zst - <core &&
	check_same pipe1.tar.zst &&
	cat core | archived "$SAVEDUMP" -q -o pipe2.tar.zst - &&
	check_same pipe2.tar.zst &&
	tar -tf pipe2.tar.zst | grep -qx "pipe2/core" &&
	zstd -dc core.zst | archived "$SAVEDUMP" -q -o pipe3.tar.zst /dev/stdin &&
	check_same pipe3.tar.zst &&
	xz -c <core | archived "$SAVEDUMP" -q -o pipe4.tar.zst - &&
	check_same pipe4.tar.zst &&
	test "$(json_query got.json "doc[\"dump\"][\"given\"][\"compression\"]")" = xz
'

test_expect_success CORE 'a decompression bomb stops at --max-size' '
	head -c 64M /dev/zero | zstd -q -c >bomb.zst &&
	expect_status 1 "$SAVEDUMP" --max-size 1M -o bomb.tar.zst bomb.zst 2>bomb.err &&
	cat bomb.err &&
	expect_grep "bomb.zst decompresses to more than 1048576 bytes, --max-size" bomb.err &&
	test ! -e bomb.tar.zst
'

# A fake coredumpctl on PATH (systemd-coredump needs systemd as PID 1, which a test
# machine may not have): it prints what systemd 252's `coredumpctl -1 info` prints for
# the entry in $FAKE_COREDUMP/info, and `coredumpctl -1 dump` writes $FAKE_COREDUMP/core
# to standard output; an unknown MATCH is "No coredumps found.", exit 1. It logs its
# arguments to $FAKE_COREDUMP/args.
fake_coredumpctl() {
	mkdir -p fakebin "$1"
	cat >fakebin/coredumpctl <<'EOS'
#!/bin/bash
d=$FAKE_COREDUMP
printf '%s\n' "$*" >>"$d/args"
cmd=
match=()
for a in "$@"; do
	case $a in
	--no-pager | -1) ;;
	info | dump) cmd=$a ;;
	*) match+=("$a") ;;
	esac
done
case ${match[0]:-} in
sleep | "$(cat "$d/pid")") ;;
*) echo "No coredumps found." >&2; exit 1 ;;
esac
case $cmd in
info) cat "$d/info" ;;
dump)
	if [ -t 1 ]; then echo "Refusing to dump core to tty." >&2; exit 1; fi
	cat "$d/core" ;;
*) exit 1 ;;
esac
EOS
	chmod +x fakebin/coredumpctl
}

# coredump_info PID STORAGE: what coredumpctl info prints for a crash of sleep.
coredump_info() {
	cat <<EOI
           PID: $1 (sleep)
           UID: 0 (root)
           GID: 0 (root)
        Signal: 11 (SEGV)
     Timestamp: Tue 2026-12-01 10:00:00 UTC (1min ago)
  Command Line: sleep 60 --from-the-journal
    Executable: /usr/bin/sleep
 Control Group: /user.slice/user-0.slice/session-1.scope
          Unit: session-1.scope
         Slice: user-0.slice
       Boot ID: 0123456789abcdef0123456789abcdef
    Machine ID: fedcba9876543210fedcba9876543210
      Hostname: test
       Storage: $2
  Size on Disk: 60.5K
       Message: Process $1 (sleep) of user 0 dumped core.

                Stack trace of thread $1:
                #0  0x00007f0000000000 clock_nanosleep (libc.so.6 + 0xdef07)
EOI
}

test_expect_success CORE '--coredump MATCH: the core systemd-coredump stored (zstd), found by coredumpctl' '
	fake_coredumpctl "$scratch/cd1" &&
	pid=$(json_query plain.json "doc[\"dump\"][\"pid\"]") &&
	echo "$pid" >cd1/pid &&
	stored="$scratch/cd1/core.sleep.0.0123456789abcdef0123456789abcdef.$pid.1764583200000000.zst" &&
	cp core.zst "$stored" &&
	coredump_info "$pid" "$stored (present)" >cd1/info &&
	mkdir -p cdout &&
	(cd cdout && PATH=$scratch/fakebin:$PATH FAKE_COREDUMP=$scratch/cd1 \
		archived "$SAVEDUMP" -q --coredump sleep) &&
	a=cdout/savedump-core.sleep.0.0123456789abcdef0123456789abcdef.$pid.1764583200000000.tar.zst &&
	check_same "$a" &&
	test "$(json_query got.json "doc[\"dump\"][\"given\"][\"compression\"]")" = zstd &&
	test "$(json_query got.json "doc[\"dump\"][\"journal\"][\"match\"]")" = sleep &&
	test "$(json_query got.json "doc[\"dump\"][\"journal\"][\"command_line\"]")" = \
		"sleep 60 --from-the-journal" &&
	test "$(json_query got.json "doc[\"dump\"][\"journal\"][\"executable\"]")" = /usr/bin/sleep &&
	test "$(cat cd1/args)" = "--no-pager -1 info sleep"
'

# strip_prpsinfo IN OUT: the core without its NT_PRPSINFO note (its type changed in
# place), so without the command line.
strip_prpsinfo() {
	python3 - "$1" "$2" <<'EOS'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
phoff, = struct.unpack_from("<Q", data, 32)
phentsize, phnum = struct.unpack_from("<HH", data, 54)
for i in range(phnum):
    p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
    if p_type != 4:
        continue
    off, end = p_offset, p_offset + p_filesz
    while off + 12 <= end:
        namesz, descsz, ntype = struct.unpack_from("<III", data, off)
        if ntype == 3:
            struct.pack_into("<I", data, off + 8, 0x7ffe)
        off += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
open(sys.argv[2], "wb").write(data)
EOS
}

test_expect_success CORE '--coredump MATCH: a core kept in the journal, through coredumpctl dump' '
	fake_coredumpctl "$scratch/cd2" &&
	pid=$(cat cd1/pid) && echo "$pid" >cd2/pid &&
	strip_prpsinfo core cd2/core &&
	coredump_info "$pid" journal >cd2/info &&
	PATH=$scratch/fakebin:$PATH FAKE_COREDUMP=$scratch/cd2 \
		archived "$SAVEDUMP" -q -o cd2.tar.zst --coredump "$pid" &&
	manifest cd2.tar.zst >cd2.json &&
	test "$(json_query cd2.json "doc[\"dump\"][\"command_line\"]")" = \
		"sleep 60 --from-the-journal" &&
	expect_grep "the command line is the journal" cd2.json &&
	tar -tf cd2.tar.zst | grep -qx "cd2/core.sleep.$pid" &&
	sed -n 2p cd2/args | grep -qx -e "--no-pager -1 dump $pid COREDUMP_PID=$pid"
'

test_expect_success CORE '--coredump MATCH that coredumpctl does not know: its message, ours, exit 4' '
	expect_status 4 env PATH="$scratch/fakebin:$PATH" FAKE_COREDUMP="$scratch/cd2" \
		"$SAVEDUMP" -o none.tar.zst --coredump nosuchprogram 2>none.err &&
	cat none.err &&
	test "$(wc -l <none.err)" = 2 &&
	expect_grep "^savedump: --coredump nosuchprogram: coredumpctl failed (exit status 1)" none.err &&
	test ! -e none.tar.zst
'

test_expect_success 'an empty pipe is not a dump' '
	: | expect_status 4 "$SAVEDUMP" -o empty.tar.zst - 2>empty.err &&
	expect_grep "standard input: empty" empty.err
'
# The same with real kernel dumps (the fixtures': tests/kernel/README.md), linked
# into kdump-style crash directories: complete archives, so exit 0.
kernel_fixtures tar zstd xz
test_expect_success FIXTURES 'real vmcores: savedump DIR*/vmcore DIR/dump.*: three complete archives' '
	d1=kcrash/127.0.0.1-2026-12-01-10:00:00 d2=kcrash/127.0.0.1-2026-12-01-11:00:00 &&
	d3=kcrash/202612011200 &&
	mkdir -p "$d1" "$d2" "$d3" kout &&
	ln -s "$CUSTOM_DUMPS/kdump/mkd-c" "$d1/vmcore" &&
	ln -s "$CUSTOM_DUMPS/kdump/mkd-l" "$d2/vmcore" &&
	ln -s "$CUSTOM_DUMPS/kdump/mkd-c" "$d3/dump.202612011200" &&
	"$SAVEDUMP" --root "$CUSTOM_ROOT" -o kout kcrash/*/vmcore kcrash/*/dump.* 2>k.err &&
	cat k.err &&
	test "$(wc -l <k.err)" = 3 &&
	test "$(grep -c ": wrote kout/savedump-.*: [0-9]* found, 0 missing" k.err)" = 3 &&
	ls kout >knames.txt &&
	printf "%s\n" savedump-127.0.0.1-2026-12-01-10_00_00.tar.zst \
		savedump-127.0.0.1-2026-12-01-11_00_00.tar.zst \
		savedump-202612011200.tar.zst | diff -u - knames.txt
'
test_expect_success FIXTURES 'a vmcore.xz, and a flattened dump through zstd on a pipe: as complete' '
	"$SAVEDUMP" -q --root "$CUSTOM_ROOT" -o kplain.tar.zst "$CUSTOM_DUMPS/kdump/mkd-E" &&
	manifest kplain.tar.zst | found_items >plain.items &&
	xz -T2 -1 -c "$CUSTOM_DUMPS/kdump/mkd-E" >vmcore.xz &&
	"$SAVEDUMP" -q --root "$CUSTOM_ROOT" -o kxz.tar.zst vmcore.xz &&
	manifest kxz.tar.zst >kxz.json && found_items <kxz.json >got.items &&
	diff -u plain.items got.items &&
	tar -tf kxz.tar.zst | grep -qx "kxz/vmcore" &&
	zstd -q -c "$CUSTOM_DUMPS/kdump/mkd-F" | "$SAVEDUMP" -q --root "$CUSTOM_ROOT" -o kflat.tar.zst - &&
	manifest kflat.tar.zst >kflat.json &&
	test "$(json_query kflat.json "doc[\"summary\"][\"complete\"]")" = True &&
	test "$(json_query kflat.json "sum(1 for i in doc[\"items\"] if i[\"role\"] == \"module\")")" = \
		"$(json_query kxz.json "sum(1 for i in doc[\"items\"] if i[\"role\"] == \"module\")")" &&
	tar -tf kflat.tar.zst | grep -qx "kflat/vmcore"
'

test_done
