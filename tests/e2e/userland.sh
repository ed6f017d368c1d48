#!/bin/bash
# End-to-end: real cores of real programs, made by the kernel and by gcore,
# archived, extracted elsewhere and opened in gdb with the originals gone.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

for tool in gcc gdb gcore dwz eu-unstrip objcopy python3 zstd; do
	command -v "$tool" >/dev/null || { skip_reason="$tool not installed"; break; }
done
[ -z "${skip_reason:-}" ] && [ -w /proc/sys/kernel/core_pattern ] && test_set_prereq CORES
[ -w /proc/sys/kernel/core_pattern ] || skip_reason=${skip_reason:-"not root: cannot set core_pattern"}

progs="$scratch/progs"
out="$scratch/out"
mkdir -p "$out"

test_expect_success CORES 'build the test programs' '
	"$srcdir/tests/progs/build.sh" "$progs" &&
	test -x "$progs/crasher" && test -f "$progs/dwz/sdtest.debug"
'

# Run from $progs by a relative path, as people do.
make_core() {
	(cd "$progs" && "$srcdir/tests/progs/make-core.sh" "$1" "$scratch/cores" \
		./crasher "$progs/plugin/sdplugin.so")
}

test_expect_success CORES 'the kernel writes a core of the crashing program' '
	make_core kernel >"$scratch/kcore.path" &&
	test -s "$(cat "$scratch/kcore.path")"
'
test_expect_success CORES 'gcore writes a core of the live program' '
	make_core gcore >"$scratch/gcore.path" &&
	test -s "$(cat "$scratch/gcore.path")"
'

# savedump_core NAME CORE [OPTIONS...]: archive into $out/NAME.tar.zst
savedump_core() {
	local name=$1 core=$2
	shift 2
	sha256sum "$core" >"$out/$name.input.sha256"
	"$SAVEDUMP" -o "$out/$name.tar.zst" --debug-dir "$progs/debug" "$@" "$core" \
		>"$out/$name.stdout" 2>"$out/$name.stderr"
}

# check_archive NAME CORE: every ELF module eu-unstrip sees is packed with its build-id.
check_archive() {
	local name=$1 core=$2
	sha256sum -c --quiet "$out/$name.input.sha256"
	mkdir -p "$out/$name.x"
	tar -C "$out/$name.x" -xf "$out/$name.tar.zst"
	local top
	top=$(echo "$out/$name.x"/*)
	test -f "$top/manifest.json" && test -x "$top/run-gdb.sh"
	eu-unstrip -n --core "$core" >"$out/$name.unstrip"
	# START+SIZE BUILDID@ADDR FILE DEBUGFILE NAME; the vdso has no file.
	while read -r _ idaddr file _ modname; do
		local id=${idaddr%%@*}
		case $modname in linux-vdso.so.1|"[vdso"*) continue ;; esac
		json_query "$top/manifest.json" \
			"[i[\"archive_path\"] for i in doc[\"items\"] if i[\"build_id\"] == \"$id\" and i[\"status\"] == \"found\" and i[\"packed\"] and i[\"role\"] in (\"executable\", \"library\")]" \
			>"$out/$name.match"
		if ! grep -q "'" "$out/$name.match"; then
			echo "module $modname ($id, $file) is not packed as found" >&2
			return 1
		fi
		local ap
		ap=$(python3 -c "import ast,sys; print(ast.literal_eval(open(sys.argv[1]).read())[0])" "$out/$name.match")
		# The packed file really has that build-id.
		readelf -n "$top/$ap" | grep -q "Build ID: $id" || {
			echo "$top/$ap does not have build-id $id" >&2; return 1; }
	done <"$out/$name.unstrip"
	test "$(json_query "$top/manifest.json" "doc[\"summary\"][\"complete\"]")" = True
}

test_expect_success CORES 'savedump archives the kernel-made core completely (exit 0)' '
	savedump_core kcore "$(cat "$scratch/kcore.path")" &&
	test -s "$out/kcore.tar.zst" &&
	check_archive kcore "$(cat "$scratch/kcore.path")"
'
test_expect_success CORES 'savedump archives the gcore-made core completely (exit 0)' '
	savedump_core gcore "$(cat "$scratch/gcore.path")" &&
	check_archive gcore "$(cat "$scratch/gcore.path")"
'
test_expect_success CORES 'the archive keeps the loader and NT_FILE names and build-id links' '
	top=$(echo "$out/kcore.x"/*) &&
	test -L "$top/lib/x86_64-linux-gnu/libc.so.6" &&
	test -f "$top/usr/lib/x86_64-linux-gnu/libc.so.6" &&
	id=$(readelf -n "$progs/crasher" | sed -n "s/.*Build ID: //p") &&
	test -L "$top/usr/lib/debug/.build-id/${id:0:2}/${id:2}" &&
	cmp "$top/usr/lib/debug/.build-id/${id:0:2}/${id:2}" "$progs/crasher"
'
test_expect_success CORES 'debuginfo: debuglink, build-id dir, dwz and libthread_db are packed' '
	top=$(echo "$out/kcore.x"/*) &&
	m=$top/manifest.json &&
	for role in debuginfo dwz thread-db; do
		n=$(json_query "$m" "len([i for i in doc[\"items\"] if i[\"role\"] == \"$role\" and i[\"packed\"]])")
		test "$n" -ge 1 || { echo "no packed $role" >&2; exit 1; }
	done &&
	grep -q "libsdfoo.so.debug" "$m" &&
	test -f "$top/usr/lib/x86_64-linux-gnu/libthread_db.so.1"
'

# relocate NAME: extract elsewhere, hide the originals, run gdb through run-gdb.sh.
relocate_and_debug() {
	local name=$1 dest="$scratch/elsewhere/$1"
	mkdir -p "$dest"
	tar -C "$dest" -xf "$out/$name.tar.zst"
	local script
	script=$(echo "$dest"/*/run-gdb.sh)
	# A private mount namespace with an empty tmpfs over the program build
	# directory: the original binaries and debug files are unreachable.
	(cd / && unshare -m sh -c "mount -t tmpfs none '$progs' && \
		'$script' -batch -ex 'thread apply all bt full'") >"$out/$name.gdb" 2>&1
	cat "$out/$name.gdb"
	local want
	for want in "crash_leaf (value=42) at .*crasher.c:[0-9]" \
		"sdfoo_compute (.*) at .*libsdfoo.c:[0-9]" \
		"sdbar_call (.*) at .*libsdbar.c:[0-9]" \
		"sdplugin_entry (.*) at .*plugin.c:[0-9]" \
		"stage_bar (x=.*) at .*crasher.c:" \
		"main (.*) at .*crasher.c:[0-9]" \
		"pause.*at .*pause.c:[0-9]" \
		"start_thread (.*) at .*pthread_create.c:[0-9]" \
		"Thread debugging using libthread_db enabled" \
		"Thread 3 "; do
		expect_grep "$want" "$out/$name.gdb"
	done
	expect_no_grep "Can.t open file" "$out/$name.gdb"
	expect_no_grep "Could not load shared library" "$out/$name.gdb"
	expect_no_grep "No symbol table" "$out/$name.gdb"
	expect_no_grep "warning: .*not found" "$out/$name.gdb"
}

test_expect_success CORES 'relocation: gdb on the extracted kernel-core archive, originals hidden' '
	relocate_and_debug kcore
'
test_expect_success CORES 'relocation: gdb on the extracted gcore archive, originals hidden' '
	relocate_and_debug gcore
'
test_expect_success CORES 'run-gdb.sh works from another directory and with a space in the path' '
	mkdir -p "$scratch/with space" &&
	tar -C "$scratch/with space" -xf "$out/kcore.tar.zst" &&
	(cd / && "$scratch/with space"/*/run-gdb.sh -batch -ex bt) >"$out/space.gdb" 2>&1 &&
	expect_grep "crash_leaf (value=42)" "$out/space.gdb"
'

test_expect_success CORES 'a rebuilt executable is a mismatch: exit 5 (not self-contained), not packed' '
	core=$(cat "$scratch/kcore.path") &&
	cp -p "$progs/crasher" "$scratch/crasher.orig" &&
	test_at_exit "cp -p \"$scratch/crasher.orig\" \"$progs/crasher\"" &&
	gcc -g -O0 -DREBUILT -fPIE -pie -o "$progs/crasher" "$srcdir/tests/progs/crasher.c" \
		-L"$progs/lib" -lsdfoo -lsdbar -Wl,-rpath,"$progs/lib" -Wl,--build-id=sha1 \
		-Wl,--build-id=0x0123456789abcdef0123456789abcdef01234567 &&
	expect_status 5 savedump_core rebuilt "$core" &&
	expect_grep "mismatch: executable $progs/crasher" "$out/rebuilt.stderr" &&
	tar -tf "$out/rebuilt.tar.zst" >"$out/rebuilt.list" &&
	expect_no_grep "${progs#/}/crasher\$" "$out/rebuilt.list" &&
	mkdir -p "$out/rebuilt.x" && tar -C "$out/rebuilt.x" -xf "$out/rebuilt.tar.zst" &&
	m=$(echo "$out/rebuilt.x"/*/manifest.json) &&
	test "$(json_query "$m" "[i[\"found_build_id\"] for i in doc[\"items\"] if i[\"role\"] == \"executable\"][0]")" = 0123456789abcdef0123456789abcdef01234567 &&
	test "$(json_query "$m" "doc[\"summary\"][\"self_contained\"]")" = False &&
	test "$(json_query "$m" "doc[\"summary\"][\"binaries_lacking\"] == [\"$progs/crasher\"]")" = True &&
	expect_status 5 savedump_core rebuilt-allowed "$core" --allow-mismatch &&
	tar -tf "$out/rebuilt-allowed.tar.zst" | grep -q "${progs#/}/crasher\$" &&
	cp -p "$scratch/crasher.orig" "$progs/crasher"
'

test_expect_success CORES '--root resolves inside the root, symlinks included, never on the host' '
	core=$(cat "$scratch/kcore.path") &&
	root="$scratch/root" &&
	mkdir -p "$root$progs" "$root/usr/lib/x86_64-linux-gnu" &&
	cp -a "$progs/." "$root$progs/" &&
	cp -a /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 \
		"$root/usr/lib/x86_64-linux-gnu/" &&
	ln -s usr/lib "$root/lib" && ln -s usr/lib "$root/lib64" &&
	rm "$root$progs/lib/libsdfoo.so" &&
	ln -s /etc/passwd "$root$progs/lib/libsdfoo.so" &&
	expect_status 5 "$SAVEDUMP" --list --root "$root" "$core" >"$out/root.list" &&
	cat "$out/root.list" &&
	expect_grep "^missing  library .*$progs/lib/libsdfoo.so" "$out/root.list" &&
	expect_grep "^found    library .*libc.so.6 .*(from $root/usr/lib/x86_64-linux-gnu/libc.so.6)" "$out/root.list" &&
	expect_no_grep "(from /usr/lib/x86_64-linux-gnu/libc.so.6)" "$out/root.list"
'

# list_summary NAME ARGS...: savedump --list --json ARGS into $out/NAME.json, its exit status in
# $out/NAME.status, and the summary's verdict as "self_contained debuginfo_complete complete".
list_summary() {
	local name=$1
	shift
	"$SAVEDUMP" --list --json "$@" >"$out/$name.json"
	echo $? >"$out/$name.status"
	json_query "$out/$name.json" \
		"\" \".join(str(doc[\"summary\"][k]) for k in (\"self_contained\", \"debuginfo_complete\", \"complete\"))"
}

test_expect_success CORES 'exit status: 0 complete, 3 only debuginfo missing, 5 executable missing or mismatched' '
	core=$(cat "$scratch/kcore.path") &&
	test "$(list_summary all --debug-dir "$progs/debug" "$core")" = "True True True" &&
	test "$(cat "$out/all.status")" = 0 &&
	test "$(list_summary nodebug "$core")" = "True False False" &&
	test "$(cat "$out/nodebug.status")" = 3 &&
	json_query "$out/nodebug.json" "doc[\"summary\"][\"debuginfo_lacking\"]" | grep -q "$progs/plugin/sdplugin.so" &&
	test "$(json_query "$out/nodebug.json" "doc[\"summary\"][\"binaries_lacking\"]")" = "[]" &&
	root=$scratch/exitroot &&
	mkdir -p "$root$progs" "$root/usr/lib/x86_64-linux-gnu" &&
	cp -a "$progs/." "$root$progs/" &&
	for f in libc.so.6 ld-linux-x86-64.so.2 libthread_db.so.1; do
		cp -a "/usr/lib/x86_64-linux-gnu/$f" "$root/usr/lib/x86_64-linux-gnu/" || exit 1
	done &&
	cp -a /usr/lib/debug "$root/usr/lib/" &&
	ln -s usr/lib "$root/lib" && ln -s usr/lib "$root/lib64" &&
	test "$(list_summary rootall --root "$root" --debug-dir "$progs/debug" "$core")" = "True True True" &&
	test "$(cat "$out/rootall.status")" = 0 &&
	rm "$root$progs/crasher" &&
	# Without the executable its debug information is lacking too (it carries its own).
	list_summary noexe --root "$root" --debug-dir "$progs/debug" "$core" | grep -qx "False .* False" &&
	test "$(cat "$out/noexe.status")" = 5 &&
	test "$(json_query "$out/noexe.json" "doc[\"summary\"][\"binaries_lacking\"] == [\"$progs/crasher\"]")" = True &&
	cp -a "$progs/crasher" "$root$progs/crasher" &&
	id=$(readelf -n "$root$progs/crasher" | sed -n "s/^ *Build ID: //p") &&
	python3 -c "import sys
p, old = sys.argv[1], bytes.fromhex(sys.argv[2])
b = open(p, \"rb\").read()
assert b.count(old) == 1
open(p, \"wb\").write(b.replace(old, bytes(x ^ 0xff for x in old)))" "$root$progs/crasher" "$id" &&
	list_summary wrongexe --root "$root" --debug-dir "$progs/debug" "$core" | grep -qx "False .* False" &&
	test "$(cat "$out/wrongexe.status")" = 5 &&
	test "$(json_query "$out/wrongexe.json" "[i[\"status\"] for i in doc[\"items\"] if i[\"role\"] == \"executable\"] == [\"mismatch\"]")" = True
'

test_expect_success CORES 'hostile NT_FILE paths are reported, never followed out of the archive' '
	core=$(cat "$scratch/kcore.path") &&
	python3 "$srcdir/tests/progs/edit-core.py" "$core" "$scratch/hostile1" rename \
		"$progs/lib/libsdfoo.so" ../../etc/passwd &&
	python3 "$srcdir/tests/progs/edit-core.py" "$core" "$scratch/hostile2" rename \
		"$progs/lib/libsdbar.so" "/usr/../../../etc/shadow" &&
	python3 "$srcdir/tests/progs/edit-core.py" "$core" "$scratch/hostile3" long 6000 &&
	for h in hostile1 hostile2 hostile3; do
		sum=$(sha256sum <"$scratch/$h") &&
		expect_status 5 "$SAVEDUMP" -q -o "$out/$h.tar" -F none "$scratch/$h" 2>"$out/$h.err" &&
		test "$(sha256sum <"$scratch/$h")" = "$sum" &&
		tar -tf "$out/$h.tar" >"$out/$h.list" &&
		! grep -v "^savedump-$h/\|^$h/" "$out/$h.list" &&
		! grep -q "etc/passwd\|etc/shadow\|\.\./" "$out/$h.list" || exit 1
	done &&
	"$SAVEDUMP" --list "$scratch/hostile1" >"$out/h1.list" 2>&1 || true &&
	expect_grep "unusable path in the dump: not absolute" "$out/h1.list" &&
	"$SAVEDUMP" --list "$scratch/hostile2" >"$out/h2.list" 2>&1 || true &&
	expect_grep "unusable path in the dump: has \. or \.\. components" "$out/h2.list"
'

test_expect_success CORES 'a non-NUL-terminated NT_FILE note: one-line warning, link_map only, exit 3' '
	python3 "$srcdir/tests/progs/edit-core.py" "$(cat "$scratch/kcore.path")" \
		"$scratch/unterminated" unterminated &&
	expect_status 3 "$SAVEDUMP" -o "$out/unterm.tar.zst" "$scratch/unterminated" 2>"$out/unterm.err" &&
	expect_grep "warning: .*unterminated: NT_FILE note: name [0-9]* is not NUL-terminated" "$out/unterm.err" &&
	tar -tf "$out/unterm.tar.zst" | grep -q "/lib/x86_64-linux-gnu/libc.so.6$"
'

test_expect_success CORES 'bad inputs: one-line error, exit 4, input unchanged, no output left' '
	echo "not a core" >"$scratch/text" &&
	: >"$scratch/empty" &&
	python3 "$srcdir/tests/progs/edit-core.py" "$(cat "$scratch/kcore.path")" \
		"$scratch/truncated" truncate 3000 &&
	cp "$progs/lib/libsdfoo.so" "$scratch/notcore.so" &&
	mkdir -p "$scratch/bad-out" &&
	for f in text empty truncated notcore.so; do
		sum=$(sha256sum <"$scratch/$f") &&
		expect_status 4 "$SAVEDUMP" -o "$scratch/bad-out/$f.tar.zst" "$scratch/$f" 2>"$out/$f.err" &&
		test "$(wc -l <"$out/$f.err")" = 1 &&
		expect_grep "^savedump: $scratch/$f: " "$out/$f.err" &&
		test "$(sha256sum <"$scratch/$f")" = "$sum" || exit 1
	done &&
	expect_grep "past the end of the file" "$out/truncated.err" &&
	expect_grep "not a core" "$out/notcore.so.err" &&
	test -z "$(ls -A "$scratch/bad-out")" &&
	expect_status 4 "$SAVEDUMP" "$scratch/does-not-exist" 2>"$out/nx.err" &&
	expect_status 4 "$SAVEDUMP" "$scratch" 2>"$out/dir.err"
'

test_expect_success CORES 'a core truncated in its memory segments: archived, warned, exit 3' '
	core=$(cat "$scratch/kcore.path") &&
	python3 "$srcdir/tests/progs/edit-core.py" "$core" "$scratch/halfcore" truncate \
		$(( $(stat -c %s "$core") / 2 )) &&
	expect_status 3 "$SAVEDUMP" -o "$out/half.tar.zst" "$scratch/halfcore" 2>"$out/half.err" &&
	expect_grep "warning: .*halfcore: truncated" "$out/half.err"
'

test_expect_success CORES 'an existing output is kept unless --force' '
	core=$(cat "$scratch/kcore.path") &&
	echo precious >"$out/exists.tar.zst" &&
	expect_status 1 "$SAVEDUMP" -o "$out/exists.tar.zst" "$core" 2>"$out/exists.err" &&
	expect_grep "already exists" "$out/exists.err" &&
	test "$(cat "$out/exists.tar.zst")" = precious &&
	"$SAVEDUMP" -q --force --debug-dir "$progs/debug" -o "$out/exists.tar.zst" "$core" &&
	tar -tf "$out/exists.tar.zst" >/dev/null &&
	test -z "$(ls -A "$out" | grep "^\.exists")"
'

test_expect_success CORES 'an unwritable output directory: clear error, exit 1, nothing left' '
	core=$(cat "$scratch/kcore.path") &&
	mkdir -p "$scratch/ro" &&
	expect_status 1 unshare -m sh -c "mount --bind \"$scratch/ro\" \"$scratch/ro\" && \
		mount -o remount,bind,ro \"$scratch/ro\" && \
		exec \"$SAVEDUMP\" -o \"$scratch/ro/x.tar.zst\" \"$core\"" 2>"$out/ro.err" &&
	expect_grep "^savedump: cannot create a file in $scratch/ro: Read-only file system" "$out/ro.err" &&
	test -z "$(ls -A "$scratch/ro")"
'

test_expect_success CORES '--max-size leaves debuginfo out first, keeps the dump, exit 3' '
	core=$(cat "$scratch/kcore.path") &&
	full=$(echo "$out/kcore.x"/*/manifest.json) &&
	# Room for everything but the debug files (counted as savedump counts:
	# 1536 bytes of tar headers per entry and alias): those must go, all of them.
	limit=$(json_query "$full" "(sum(i[\"size\"] + 1536 * (1 + len(i.get(\"aliases\", []))) for i in doc[\"items\"] if i[\"packed\"] and i[\"role\"] not in (\"debuginfo\", \"dwz\")) + 1023) // 1024")K &&
	expect_status 3 "$SAVEDUMP" -q -o "$out/small.tar.zst" --debug-dir "$progs/debug" \
		--max-size "$limit" "$core" &&
	mkdir -p "$out/small.x" && tar -C "$out/small.x" -xf "$out/small.tar.zst" &&
	m=$(echo "$out/small.x"/*/manifest.json) &&
	test "$(json_query "$m" "[i[\"packed\"] for i in doc[\"items\"] if i[\"role\"] == \"dump\"]")" = "[True]" &&
	test "$(json_query "$m" "len([i for i in doc[\"items\"] if i[\"role\"] in (\"debuginfo\", \"dwz\") and i[\"packed\"]])")" = 0 &&
	test "$(json_query "$m" "len([i for i in doc[\"items\"] if i[\"role\"] == \"library\" and not i[\"packed\"] and i[\"status\"] == \"found\"])")" = 0 &&
	json_query "$m" "[i[\"reason\"] for i in doc[\"items\"] if i[\"status\"] == \"skipped\"]" | grep -q "max-size" &&
	expect_status 1 "$SAVEDUMP" -q -o "$out/tiny.tar.zst" --max-size 1M "$core" 2>"$out/tiny.err" &&
	grep -q "the dump alone needs" "$out/tiny.err" && test ! -e "$out/tiny.tar.zst" &&
	expect_status 2 "$SAVEDUMP" --max-size 10X "$core"
'
test_expect_success CORES 'formats: gzip, xz, none and --output-dir all hold the same files' '
	core=$(cat "$scratch/kcore.path") &&
	for f in gzip xz none; do
		"$SAVEDUMP" -q -F $f -o "$out/fmt.$f" --debug-dir "$progs/debug" "$core" &&
		tar -tf "$out/fmt.$f" | sed "s|^[^/]*/||" | sort >"$out/fmt.$f.list" || exit 1
	done &&
	file "$out/fmt.gzip" | grep -q gzip && file "$out/fmt.xz" | grep -q XZ &&
	cmp "$out/fmt.gzip.list" "$out/fmt.xz.list" && cmp "$out/fmt.xz.list" "$out/fmt.none.list" &&
	"$SAVEDUMP" -q --output-dir "$out/asdir" --debug-dir "$progs/debug" "$core" &&
	test -x "$out/asdir/run-gdb.sh" && test -f "$out/asdir/manifest.json" &&
	(cd "$out/asdir" && find . -mindepth 1 | sed "s|^\./||" | sort) >"$out/asdir.list" &&
	sed "s|/$||" "$out/fmt.none.list" | grep -v "^$" | sort >"$out/none.norm" &&
	diff -u "$out/none.norm" "$out/asdir.list"
'

test_expect_success CORES 'archives are reproducible: same input, same bytes' '
	core=$(cat "$scratch/kcore.path") &&
	mkdir -p "$out/r1" "$out/r2" &&
	for r in r1 r2; do
		SOURCE_DATE_EPOCH=1700000000 "$SAVEDUMP" -q -o "$out/$r/a.tar.zst" \
			--debug-dir "$progs/debug" "$core" || exit 1
	done &&
	cmp "$out/r1/a.tar.zst" "$out/r2/a.tar.zst" &&
	test "$(TZ=UTC tar -tvf "$out/r1/a.tar.zst" | awk "{print \$2}" | sort -u)" = 0/0 &&
	TZ=UTC tar -tvf "$out/r1/a.tar.zst" | grep -q " 2023-11-14 22:13 "
'

test_expect_success CORES 'holes in a sparse core stay holes' '
	core=$(cat "$scratch/kcore.path") &&
	truncate -s 2G "$scratch/sparse" &&
	dd if="$core" of="$scratch/sparse" conv=notrunc status=none &&
	"$SAVEDUMP" -q -o "$out/sparse.tar" -F none "$scratch/sparse" || true &&
	test "$(stat -c %s "$out/sparse.tar")" -lt $((512 * 1024 * 1024)) &&
	mkdir -p "$out/sparse.x" && tar -C "$out/sparse.x" -xf "$out/sparse.tar" &&
	x=$(echo "$out/sparse.x"/*/sparse) &&
	test "$(stat -c %s "$x")" = "$(stat -c %s "$scratch/sparse")" &&
	test "$(du -k "$x" | cut -f1)" -lt 200000 &&
	cmp "$x" "$scratch/sparse"
'

# sha256 of the data extents (SEEK_DATA/SEEK_HOLE), computed independently.
data_sha256() {
	python3 -c 'import hashlib, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
size, pos, h, n = os.fstat(fd).st_size, 0, hashlib.sha256(), 0
while pos < size:
    try:
        start = os.lseek(fd, pos, os.SEEK_DATA)
    except OSError:
        break
    end = min(os.lseek(fd, start, os.SEEK_HOLE), size)
    while start < end:
        b = os.pread(fd, min(end - start, 1 << 20), start)
        h.update(b)
        start += len(b)
        n += len(b)
    pos = end
print(h.hexdigest(), n)' "$1"
}

test_expect_success CORES 'a mostly-hole core: data hashed, holes kept, sha256_data in the manifest' '
	SD_SPARSE_MIB=4096 make_core kernel >"$scratch/sparse-core.path" &&
	core=$(cat "$scratch/sparse-core.path") &&
	test "$(stat -c %s "$core")" -gt $((4 << 30)) &&
	test "$(du -k "$core" | cut -f1)" -lt $((256 << 10)) &&
	savedump_core sparse-core "$core"; test $? -le 3 &&
	check_archive sparse-core "$core" &&
	top=$(echo "$out/sparse-core.x"/*) &&
	read -r want_sha want_n <<<"$(data_sha256 "$core")" &&
	q="[i for i in doc[\"items\"] if i[\"role\"] == \"dump\"][0]" &&
	test "$(json_query "$top/manifest.json" "$q[\"sha256\"]")" = None &&
	test "$(json_query "$top/manifest.json" "$q[\"sha256_data\"]")" = "$want_sha" &&
	test "$(json_query "$top/manifest.json" "$q[\"data_size\"]")" = "$want_n" &&
	x="$top/${core##*/}" &&
	test "$(stat -c %s "$x")" = "$(stat -c %s "$core")" &&
	test "$(du -k "$x" | cut -f1)" -lt $((256 << 10)) &&
	cmp "$x" "$core" &&
	rm -f "$core" "$x"
'

test_expect_success CORES 'the rendered launchers are shellcheck-clean' '
	command -v shellcheck >/dev/null || { echo "shellcheck missing"; exit 1; }
	shellcheck "$out/kcore.x"/*/run-gdb.sh
'

test_expect_success CORES '--progress=json reports bytes as JSON lines on stderr' '
	core=$(cat "$scratch/kcore.path") &&
	"$SAVEDUMP" --progress=json -o "$out/progress.tar.zst" "$core" 2>"$out/progress.err" || true &&
	grep "^{" "$out/progress.err" | tail -n 1 >"$out/progress.last" &&
	python3 -c "import json,sys; d = json.load(open(sys.argv[1])); assert d[\"done\"] and d[\"bytes_done\"] == d[\"bytes_total\"] > 0, d" "$out/progress.last"
'

test_expect_success CORES '--list prints the plan and writes nothing; --json is valid JSON' '
	core=$(cat "$scratch/kcore.path") &&
	mkdir -p "$scratch/listdir" && cd "$scratch/listdir" &&
	"$SAVEDUMP" --list --debug-dir "$progs/debug" "$core" >list.txt &&
	expect_grep "^found    executable .*$progs/crasher" list.txt &&
	"$SAVEDUMP" --list --json --debug-dir "$progs/debug" "$core" >list.json &&
	python3 -m json.tool list.json >/dev/null &&
	test "$(ls -A)" = "$(printf "list.json\nlist.txt")"
'

test_done
