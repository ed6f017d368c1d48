#!/bin/bash
# The pipeline's contracts, on real cores: the inspectors open nothing outside
# the dump (--list opens only what it verifies; libdwfl, which opens link_map
# names by itself, is shut in an empty directory), and names a hostile core
# gives its files never take the archive's own names.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

for tool in gcc gdb gcore strace python3 zstd; do
	command -v "$tool" >/dev/null || { skip_reason="$tool not installed"; break; }
done
[ -z "${skip_reason:-}" ] && [ "$(id -u)" = 0 ] && test_set_prereq CORES
[ "$(id -u)" = 0 ] || skip_reason=${skip_reason:-"not root"}

progs="$scratch/progs"
out="$scratch/out"
mkdir -p "$out"

test_expect_success CORES 'build the test programs' '
	"$srcdir/tests/progs/build.sh" "$progs" && test -x "$progs/crasher"
'

# A plugin loaded under names that normalise to the archive's own top-level
# names: "$scratch/lnk/../../(...)/manifest.json" is $scratch/manifest.json to
# the kernel (lnk is a symlink deep into $scratch) and /manifest.json once
# ".." is taken lexically. The same plugin is also loaded from a second copy.
hostile_names() {
	local depth n
	depth=$(($(tr -cd / <<<"$scratch" | wc -c) + 2))
	mkdir -p "$scratch/deep"
	local target="$scratch/deep"
	for ((n = 0; n < depth; n++)); do
		target="$target/d"
	done
	mkdir -p "$target"
	ln -sfn "$target" "$scratch/lnk"
	up=""
	for ((n = 0; n < depth; n++)); do
		up="$up../"
	done
	cp "$progs/plugin/sdplugin.so" "$scratch/deep/manifest.json"
	cp "$progs/plugin/sdplugin.so" "$scratch/deep/run-gdb.sh"
	cp "$progs/plugin/sdplugin.so" "$scratch/deep/sdplugin-copy.so"
	printf "%s\n" "$progs/plugin/sdplugin.so" "$scratch/lnk/${up}manifest.json" \
		"$scratch/lnk/${up}run-gdb.sh" "$scratch/deep/sdplugin-copy.so"
}

test_expect_success CORES 'a real core whose link_map names /manifest.json and /run-gdb.sh' '
	mapfile -t args < <(hostile_names) &&
	(cd "$progs" && "$srcdir/tests/progs/make-core.sh" gcore "$scratch/cores" ./crasher \
		"${args[@]}") >"$scratch/core.path" &&
	core=$(cat "$scratch/core.path") &&
	gdb -batch -ex "info sharedlibrary" "$progs/crasher" "$core" >"$out/gdb.txt" 2>&1 &&
	expect_grep "^0x.* $scratch/lnk/\(\.\./\)*manifest.json\$" "$out/gdb.txt" &&
	expect_grep "^0x.* $scratch/lnk/\(\.\./\)*run-gdb.sh\$" "$out/gdb.txt"
'

test_expect_success CORES 'one manifest, one launcher, every status true; --output-dir works' '
	core=$(cat "$scratch/core.path") &&
	"$SAVEDUMP" -o "$out/h.tar.zst" --debug-dir "$progs/debug" "$core" 2>"$out/h.err" &&
	test "$(tar -tf "$out/h.tar.zst" | grep -c "^[^/]*/manifest.json\$")" = 1 &&
	test "$(tar -tf "$out/h.tar.zst" | grep -c "^[^/]*/run-gdb.sh\$")" = 1 &&
	test "$(tar -tf "$out/h.tar.zst" | sort | uniq -d | wc -l)" = 0 &&
	"$SAVEDUMP" --output-dir "$out/hdir" --debug-dir "$progs/debug" "$core" 2>"$out/hdir.err" &&
	python3 -m json.tool "$out/hdir/manifest.json" >/dev/null &&
	head -n 1 "$out/hdir/run-gdb.sh" | grep -q "^#!/bin/sh" &&
	m="$out/hdir/manifest.json" &&
	for f in manifest.json run-gdb.sh sdplugin-copy.so; do
		test "$(json_query "$m" "[(i[\"status\"], i[\"packed\"]) for i in doc[\"items\"] if (i[\"original_path\"] or \"\").endswith(\"/deep/$f\")]")" = \
			"[('"'"'found'"'"', True)]" || { echo "$f: wrong status" >&2; exit 1; }
	done &&
	test -f "$out/hdir/${scratch#/}/deep/manifest.json" &&
	cmp "$out/hdir/${scratch#/}/deep/manifest.json" "$progs/plugin/sdplugin.so" &&
	test "$(json_query "$m" "len([i for i in doc[\"items\"] if i[\"status\"] in (\"missing\", \"mismatch\")])")" = 0
'

test_expect_success CORES '--list opens only the dump and the files it verifies' '
	core=$(cat "$scratch/core.path") &&
	# LeakSanitizer cannot run under ptrace: only leak checking is off here.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -e trace=open,openat,openat2 -o "$out/strace.txt" \
		"$SAVEDUMP" --list --json --no-debuginfod --debug-dir "$progs/debug" "$core" \
		>"$out/list.json" &&
	opened_files "$out/strace.txt" "$core" >"$out/opened.txt" &&
	test -s "$out/opened.txt" &&
	while read -r p; do
		case $p in
		proc/*|sys/*) continue ;;
		esac
		grep -qF "$p" "$out/list.json" || { echo "opened $p, not in the manifest" >&2; exit 1; }
	done <"$out/opened.txt" &&
	python3 - "$out/list.json" "$out/opened.txt" <<-\PY
	import json, sys
	doc = json.load(open(sys.argv[1]))
	opened = set(open(sys.argv[2]).read().split())
	for i in doc["items"]:
	    p = (i.get("original_path") or "").lstrip("/")
	    if i["status"] == "skipped" and p in opened:
	        sys.exit("opened a skipped item: " + p)
	PY
'

# The free-space check counts what will be stored: a compressible core fits a
# file system smaller than the core (it used to be refused up front, with a
# flat 16 MiB reserve), and a file system too small for even the compressed
# archive is an ENOSPC that leaves nothing behind. (Exit 5: the empty root
# holds none of the core's binaries.)
test_expect_success CORES 'free space: a compressible core fits a small tmpfs; too small leaves nothing' '
	core=$(cat "$scratch/core.path") &&
	mkdir -p "$scratch/emptyroot" "$out/small" &&
	size=$(stat -c %s "$core") &&
	kib=$(((size / 1024) / 2 + 256)) &&
	unshare -m sh -c "mount -t tmpfs -o size=${kib}k none \"$out/small\" &&
		\"$SAVEDUMP\" -o \"$out/small/c.tar.zst\" --root \"$scratch/emptyroot\" \"$core\" \
			2>\"$out/small.err\"; echo \$? >\"$out/small.status\"; ls -A \"$out/small\" >\"$out/small.ls\"" &&
	cat "$out/small.err" &&
	test "$(cat "$out/small.status")" = 5 && test "$(cat "$out/small.ls")" = c.tar.zst &&
	unshare -m sh -c "mount -t tmpfs -o size=64k none \"$out/small\" &&
		\"$SAVEDUMP\" -o \"$out/small/c.tar.zst\" --root \"$scratch/emptyroot\" \"$core\" \
			2>\"$out/tiny.err\"; echo \$? >\"$out/tiny.status\"; ls -A \"$out/small\" >\"$out/tiny.ls\"" &&
	cat "$out/tiny.err" &&
	test "$(cat "$out/tiny.status")" = 1 && test ! -s "$out/tiny.ls" &&
	test "$(wc -l <"$out/tiny.err")" = 1
'

# An interrupted --output-dir leaves nothing: not the final directory, not
# the hidden temporary one with a partial copy of the dump.
test_expect_success CORES 'SIGTERM, SIGINT or SIGHUP during --output-dir: nothing left behind' '
	big="$scratch/bigcore" &&
	cp "$(cat "$scratch/core.path")" "$big" &&
	dd if=/dev/zero bs=1M count=1536 status=none >>"$big" &&
	for sig in TERM INT HUP; do
		mkdir -p "$out/sig-$sig"
		"$SAVEDUMP" --output-dir "$out/sig-$sig/x" "$big" 2>"$out/sig-$sig.err" & pid=$!
		n=0
		until find "$out/sig-$sig" -name "$(basename "$big")" -size +1M | grep -q .; do
			n=$((n + 1)); [ "$n" -lt 300 ] || { echo "never started" >&2; exit 1; }
			sleep 0.05
		done
		kill -s "$sig" "$pid"
		status=0
		wait "$pid" || status=$?
		test "$status" -gt 128 || { echo "$sig: exit $status, not killed" >&2; exit 1; }
		left=$(find "$out/sig-$sig" -mindepth 1 | head -n 3)
		test -z "$left" || { echo "$sig: left $left" >&2; exit 1; }
	done
'

# Names a terminal would act on: an escape sequence, a newline, a bidi
# override. savedump's messages and --list show them escaped, never raw.
test_expect_success CORES 'names with terminal controls are printed escaped' '
	d=$(printf "%s/ctl/a\033]0;owned\007b\nc\342\200\256os.so" "$scratch") &&
	mkdir -p "$(dirname "$d")" && cp "$progs/plugin/sdplugin.so" "$d" &&
	(cd "$progs" && "$srcdir/tests/progs/make-core.sh" gcore "$scratch/ctlcores" ./crasher "$d") \
		>"$scratch/ctl.path" &&
	core=$(cat "$scratch/ctl.path") &&
	mv "$d" "$d.gone" &&
	{ "$SAVEDUMP" -v -o "$out/ctl.tar.zst" "$core" 2>"$out/ctl.err" || test $? = 5; } &&
	{ "$SAVEDUMP" --list "$core" >"$out/ctl.list" 2>&1 || test $? = 5; } &&
	for f in "$out/ctl.err" "$out/ctl.list"; do
		if LC_ALL=C grep -q "$(printf "[\033\007]")" "$f" || grep -q "$(printf "\342\200\256")" "$f"; then
			echo "$f has a raw control" >&2; cat -A "$f" >&2; exit 1
		fi
		expect_grep "a\\\\x1b\]0;owned\\\\x07b\\\\x0ac\\\\u202eos\.so" "$f"
	done
'

test_done
