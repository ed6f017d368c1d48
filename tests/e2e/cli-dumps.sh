#!/bin/bash
# The commands as users type them: many dumps per run (savedump /var/crash/*/vmcore),
# the archive on standard output (-o -), a dump on standard input or a pipe, and
# dumps compressed as a whole (zstd, xz, lz4, gzip), on a real core.
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
# the dump (whose name is the file given) and the generated launcher.
found_items() {
	python3 -c 'import json, sys
doc = json.load(sys.stdin)
for it in doc["items"][1:]:
    print(it["role"], it["status"], it["archive_path"], it["sha256"])'
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

test_expect_success 'an empty pipe is not a dump' '
	: | expect_status 4 "$SAVEDUMP" -o empty.tar.zst - 2>empty.err &&
	expect_grep "standard input: empty" empty.err
'
test_done
