#!/bin/bash
# savedump verify: a good userland archive passes (exit 0) with the originals
# hidden; a library removed from it fails by name (exit 3); an edited launcher
# is reported and never run; an archive with an entry that leaves it is
# refused (exit 4); a missing debugger is exit 6; without root it runs and
# says the originals were not hidden; a kernel archive passes crash's and
# drgn's checks, and one without a module fails naming it.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

for tool in gcc gdb gcore dwz objcopy python3 zstd setpriv; do
	command -v "$tool" >/dev/null || { skip_reason="$tool not installed"; break; }
done
[ -z "${skip_reason:-}" ] && [ -w /proc/sys/kernel/core_pattern ] && test_set_prereq CORES
[ -w /proc/sys/kernel/core_pattern ] || skip_reason=${skip_reason:-"not root: cannot set core_pattern"}

progs="$scratch/progs"
out="$scratch/out"
mkdir -p "$out"

# verdict FILE CHECK: the verdict of one check in savedump verify's text output.
verdict() {
	awk -v c="$2" 'substr($0, 13, length(c)) == c && substr($0, 13 + length(c), 1) == " " {
		print $1 }' "$1"
}

test_expect_success 'usage errors: exit 2' '
	expect_status 2 "$SAVEDUMP" verify &&
	expect_status 2 "$SAVEDUMP" verify a b &&
	expect_status 2 "$SAVEDUMP" verify --bogus x &&
	expect_status 2 "$SAVEDUMP" --verify --list x &&
	"$SAVEDUMP" verify --help | grep -q "^  6  a debugger"
'

test_expect_success CORES 'build the test program and crash it' '
	"$srcdir/tests/progs/build.sh" "$progs" &&
	(cd "$progs" && "$srcdir/tests/progs/make-core.sh" kernel "$scratch/cores" \
		./crasher "$progs/plugin/sdplugin.so") >"$scratch/core.path" &&
	core=$(cat "$scratch/core.path") && test -s "$core" &&
	"$SAVEDUMP" -q -o "$out/good.tar.zst" --debug-dir "$progs/debug" "$core"
'

test_expect_success CORES 'a good userland archive: exit 0, originals hidden, every check ok' '
	expect_status 0 "$SAVEDUMP" verify "$out/good.tar.zst" >"$out/good.txt" &&
	cat "$out/good.txt" &&
	expect_grep "^originals hidden .*$progs" "$out/good.txt" &&
	for c in files "launcher run-gdb.sh" "gdb libraries" "gdb frames" "gdb warnings"; do
		test "$(verdict "$out/good.txt" "$c")" = ok || { echo "$c: not ok" >&2; exit 1; }
	done &&
	expect_status 0 "$SAVEDUMP" verify --json "$out/good.tar.zst" >"$out/good.json" &&
	test "$(json_query "$out/good.json" "doc[\"status\"]")" = 0 &&
	test "$(json_query "$out/good.json" "doc[\"originals_hidden\"]")" = True &&
	test "$(json_query "$out/good.json" "all(c[\"verdict\"] == \"ok\" for c in doc[\"checks\"])")" = True
'

test_expect_success CORES 'savedump --verify packs, then verifies' '
	expect_status 0 "$SAVEDUMP" --verify -o "$out/v.tar.zst" --debug-dir "$progs/debug" \
		"$(cat "$scratch/core.path")" >"$out/v.txt" &&
	test -s "$out/v.tar.zst" &&
	test "$(verdict "$out/v.txt" "gdb libraries")" = ok
'

test_expect_success CORES 'a library removed from the archive: exit 3, named' '
	mkdir -p "$out/nolib" && tar -C "$out/nolib" -xf "$out/good.tar.zst" &&
	top=$(echo "$out/nolib"/*) &&
	rm "$top${progs}/lib/libsdfoo.so" &&
	expect_status 3 "$SAVEDUMP" verify "$out/nolib" >"$out/nolib.txt" &&
	cat "$out/nolib.txt" &&
	test "$(verdict "$out/nolib.txt" "gdb libraries")" = FAIL &&
	expect_grep "gdb libraries .*libsdfoo.so" "$out/nolib.txt" &&
	expect_grep "^FAIL .*files .*libsdfoo.so" "$out/nolib.txt"
'

test_expect_success CORES 'a directory whose link leads out of it: files check fails, names it' '
	mkdir -p "$out/outlink" && tar -C "$out/outlink" -xf "$out/good.tar.zst" &&
	top=$(echo "$out/outlink"/*) &&
	ln -sfn /etc/passwd "$top/lib/x86_64-linux-gnu/libc.so.6" &&
	expect_status 3 "$SAVEDUMP" verify "$top" >"$out/outlink.txt" &&
	expect_grep "^FAIL .*files .*leading out of the archive: lib/x86_64-linux-gnu/libc.so.6" \
		"$out/outlink.txt"
'

test_expect_success CORES 'an edited launcher is reported and never run' '
	mkdir -p "$out/edited" && tar -C "$out/edited" -xf "$out/good.tar.zst" &&
	top=$(echo "$out/edited"/*) &&
	sed -i "2i touch \"$scratch/ran\"" "$top/run-gdb.sh" &&
	expect_status 3 "$SAVEDUMP" verify "$top" >"$out/edited.txt" &&
	cat "$out/edited.txt" &&
	test ! -e "$scratch/ran" &&
	test "$(verdict "$out/edited.txt" "launcher run-gdb.sh")" = FAIL &&
	test "$(verdict "$out/edited.txt" "gdb libraries")" = ok
'

test_expect_success 'an archive with an entry that would leave it is refused: exit 4' '
	mkdir -p "$scratch/evil/a" && echo "{}" >"$scratch/evil/a/manifest.json" &&
	python3 - "$scratch/evil.tar" "$scratch/evil/a/manifest.json" <<-\PY &&
	import sys, tarfile
	with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
	    t.add(sys.argv[2], "a/manifest.json")
	    link = tarfile.TarInfo("a/lib/evil.so")
	    link.type, link.linkname = tarfile.SYMTYPE, "../../../etc/passwd"
	    t.addfile(link)
	PY
	expect_status 4 "$SAVEDUMP" verify "$scratch/evil.tar" 2>"$out/evil.err" &&
	expect_grep "points outside the archive" "$out/evil.err" &&
	python3 - "$scratch/dotdot.tar" "$scratch/evil/a/manifest.json" <<-\PY &&
	import sys, tarfile
	with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
	    t.add(sys.argv[2], "a/../../../escaped")
	PY
	expect_status 4 "$SAVEDUMP" verify "$scratch/dotdot.tar" 2>"$out/dotdot.err" &&
	cat "$out/dotdot.err" &&
	test ! -e "$scratch/escaped" && test ! -e /tmp/escaped &&
	echo "not json" >"$scratch/evil/a/manifest.json" &&
	expect_status 4 "$SAVEDUMP" verify "$scratch/evil/a" 2>"$out/notjson.err" &&
	expect_grep "manifest.json: invalid JSON" "$out/notjson.err"
'

test_expect_success CORES 'a debugger that is not installed: exit 6, said so' '
	expect_status 6 env GDB=/nonexistent/gdb "$SAVEDUMP" verify "$out/good.tar.zst" >"$out/nogdb.txt" &&
	expect_grep "^no-debugger .*gdb is not installed" "$out/nogdb.txt"
'

test_expect_success CORES 'without root: runs, and says the originals were not hidden' '
	chmod 755 "$scratch" && chmod -R a+rX "$out" &&
	# A copy nobody can run: the build tree may be where nobody cannot go (/root).
	cp "$SAVEDUMP" "$out/savedump" && chmod 755 "$out/savedump" &&
	{ expect_status 0 setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env TMPDIR=/tmp "$out/savedump" verify "$out/good.tar.zst" >"$out/nobody.txt" ||
		{ cat "$out/nobody.txt"; false; }; } &&
	cat "$out/nobody.txt" &&
	expect_grep "^originals NOT hidden: not root" "$out/nobody.txt" &&
	test "$(verdict "$out/nobody.txt" "gdb libraries")" = ok
'

kernel_fixtures crash drgn zstd
: "${CUSTOM_ROOT:=}" "${CUSTOM_DUMPS:=}" "${CUSTOM_REL:=}"

test_expect_success FIXTURES 'a kernel archive: crash and drgn load the release and every module' '
	"$SAVEDUMP" -q --root "$CUSTOM_ROOT" -o "$out/k.tar.zst" "$CUSTOM_DUMPS/kdump/mkd-c" &&
	expect_status 0 "$SAVEDUMP" verify "$out/k.tar.zst" >"$out/k.txt" &&
	cat "$out/k.txt" &&
	expect_grep "^originals hidden .*$CUSTOM_ROOT" "$out/k.txt" &&
	for c in "launcher run-crash.sh" "launcher run-drgn.sh" "crash release" "crash modules" \
		"crash warnings" "drgn release" "drgn modules"; do
		test "$(verdict "$out/k.txt" "$c")" = ok || { echo "$c: not ok" >&2; exit 1; }
	done &&
	expect_grep "crash release .*$CUSTOM_REL" "$out/k.txt"
'

test_expect_success FIXTURES 'a kernel archive without a module: exit 3, the module named' '
	mkdir -p "$out/kx" && tar -C "$out/kx" -xf "$out/k.tar.zst" &&
	top=$(echo "$out/kx"/*) &&
	find "$top" -name "crc-itu-t.ko*" -delete &&
	expect_status 3 "$SAVEDUMP" verify "$top" >"$out/kx.txt" &&
	cat "$out/kx.txt" &&
	expect_grep "^FAIL .*crash modules .*crc_itu_t" "$out/kx.txt"
'

test_done
