#!/bin/bash
# The module list from the dump alone on distribution kernels the project was
# not developed against: real kdumps (makedumpfile -F/-c -d 31 in the capture
# kernel) of Debian 11's 5.10, whose VMCOREINFO has no kallsyms, and Debian
# 13's 6.12 (the mem[] module layout), with a root as the kernel package
# leaves it: no vmlinux (so exit 5, not self-contained), Debian's one-line
# System.map stub.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

export SAVEDUMP_FIXTURES_KINDS=${SAVEDUMP_FIXTURES_KINDS:-"bullseye trixie"}
kernel_fixtures qemu-system-x86_64 python3 unshare crash drgn

# check_modules NAME DUMP ROOT TRUTH: archive DUMP, compare its modules with the guest's.
check_modules() {
	local name=$1 dump=$2 root=$3 truth=$4 status=0
	"$SAVEDUMP" -o "$scratch/$name.tar.zst" --root "$root" --no-debuginfod "$dump" \
		2>"$scratch/$name.err" || status=$?
	test "$status" = 5 || { echo "exit $status" >&2; cat "$scratch/$name.err" >&2; return 1; }
	mkdir -p "$scratch/$name.x"
	tar -C "$scratch/$name.x" -xf "$scratch/$name.tar.zst"
	python3 - "$scratch/$name.x"/*/manifest.json "$truth/buildids" <<-\PY
	import json, sys
	doc = json.load(open(sys.argv[1]))
	truth = sorted(tuple(l.split()) for l in open(sys.argv[2]) if l.strip())
	mods = sorted((i["name"], i["build_id"]) for i in doc["items"] if i["role"] == "module")
	if mods != truth:
	    sys.exit("modules differ:\n  got  %s\n  want %s" % (mods, truth))
	for i in doc["items"]:
	    if i["role"] == "module" and not (i["status"] == "found" and i["packed"]):
	        sys.exit("module %s: %s %s" % (i["name"], i["status"], i["reason"]))
	    if i["status"] in ("missing", "mismatch") and i["role"] not in (
	            "vmlinux", "vmlinux-debuginfo", "module-debuginfo"):
	        sys.exit("incomplete for another reason: %s %s" % (i["role"], i["name"]))
	if doc["summary"]["damage"]:
	    sys.exit("an intact dump called damaged: " + doc["summary"]["damage"])
	PY
}

test_expect_success FIXTURES "Debian 11's 5.10 (no kallsyms in VMCOREINFO): every module and build-id" '
	test -n "${BULLSEYE_DUMPS:-}" || { echo "no 5.10 fixture" >&2; exit 1; }
	for f in mkd-F mkd-c; do
		check_modules "bullseye-$f" "$BULLSEYE_DUMPS/kdump/$f" "$BULLSEYE_ROOT" \
			"$BULLSEYE_DUMPS/kdump/truth" || exit 1
	done &&
	expect_grep "kallsyms found by searching the kernel image" \
		"$scratch"/bullseye-mkd-c.x/*/manifest.json
'
test_expect_success FIXTURES "Debian 13's 6.12 (mem[] layout): every module and build-id" '
	test -n "${TRIXIE_DUMPS:-}" || { echo "no 6.12 fixture" >&2; exit 1; }
	for f in mkd-F mkd-c; do
		check_modules "trixie-$f" "$TRIXIE_DUMPS/kdump/$f" "$TRIXIE_ROOT" \
			"$TRIXIE_DUMPS/kdump/truth" || exit 1
	done
'

# manifest_check NAME PYTHON: run PYTHON (doc is the manifest of archive NAME) and fail if it does.
manifest_check() {
	python3 - "$scratch/$1.x"/*/manifest.json "$2" <<-\PY
	import json, sys
	doc = json.load(open(sys.argv[1]))
	notes = "\n".join(doc["notes"])
	smap = [i for i in doc["items"] if i["role"] == "system-map"]
	exec(sys.argv[2])
	PY
}

test_expect_success FIXTURES "5.10 with only a real System.map: verified by VMCOREINFO, then used" '
	test -n "${BULLSEYE_SYSMAP_ROOT:-}" || { echo "no System.map fixture" >&2; exit 1; }
	for f in mkd-F mkd-c; do
		check_modules "bullseye-sysmap-$f" "$BULLSEYE_DUMPS/kdump/$f" "$BULLSEYE_SYSMAP_ROOT" \
			"$BULLSEYE_DUMPS/kdump/truth" || exit 1
	done &&
	manifest_check bullseye-sysmap-mkd-c "
assert \"System.map verified\" in notes, notes
assert \"listed from the verified System.map, and BTF from the dump\" in notes, notes
assert \"searching the kernel image\" not in notes, notes
assert [(i[\"status\"], i[\"packed\"]) for i in smap] == [(\"found\", True)], smap
" &&
	cmp "$BULLSEYE_SYSMAP_ROOT/boot/System.map-$BULLSEYE_REL" "$scratch"/bullseye-sysmap-mkd-c.x/*/System.map
'

test_expect_success FIXTURES "5.10 with the System.map of another build: refused, said so, kallsyms searched" '
	test -n "${BULLSEYE_WRONG_SYSMAP_ROOT:-}" || { echo "no System.map fixture" >&2; exit 1; }
	check_modules bullseye-wrongmap "$BULLSEYE_DUMPS/kdump/mkd-c" "$BULLSEYE_WRONG_SYSMAP_ROOT" \
		"$BULLSEYE_DUMPS/kdump/truth" &&
	manifest_check bullseye-wrongmap "
assert \"System.map refused: System.map is not this kernel\" in notes, notes
assert \"listed from kallsyms found in the kernel image\" in notes, notes
assert [(i[\"status\"], i[\"packed\"]) for i in smap] == [(\"skipped\", False)], smap
assert \"not this kernel\" in smap[0][\"reason\"], smap
" &&
	test ! -e "$(echo "$scratch"/bullseye-wrongmap.x/*)/System.map" &&
	grep -q "note: System.map refused" "$scratch/bullseye-wrongmap.err"
'
test_expect_success FIXTURES "6.12 with the System.map of another build: refused too, not packed" '
	test -n "${TRIXIE_WRONG_SYSMAP_ROOT:-}" || { echo "no System.map fixture" >&2; exit 1; }
	check_modules trixie-wrongmap "$TRIXIE_DUMPS/kdump/mkd-c" "$TRIXIE_WRONG_SYSMAP_ROOT" \
		"$TRIXIE_DUMPS/kdump/truth" &&
	manifest_check trixie-wrongmap "
assert \"System.map refused: System.map is not this kernel\" in notes, notes
assert \"listed from kallsyms (located by VMCOREINFO)\" in notes, notes
assert [(i[\"status\"], i[\"packed\"]) for i in smap] == [(\"skipped\", False)], smap
"
'

test_expect_success FIXTURES "5.10, a System.map without __start_BTF: BTF found by its header" '
	test -n "${BULLSEYE_SYSMAP_ROOT:-}" || { echo "no System.map fixture" >&2; exit 1; }
	root=$scratch/nobtf-root map=boot/System.map-$BULLSEYE_REL &&
	copy_tree "$BULLSEYE_SYSMAP_ROOT" "$root" && rm "$root/$map" &&
	grep -v -e " __start_BTF\$" -e " __stop_BTF\$" "$BULLSEYE_SYSMAP_ROOT/$map" >"$root/$map" &&
	check_modules bullseye-nobtf "$BULLSEYE_DUMPS/kdump/mkd-c" "$root" \
		"$BULLSEYE_DUMPS/kdump/truth" &&
	start=$(awk "\$3 == \"__start_BTF\" { print \$1 }" "$BULLSEYE_SYSMAP_ROOT/$map") &&
	kaslr=$(sed -n "s/^KERNELOFFSET=//p" "$scratch"/bullseye-nobtf.x/*/vmcoreinfo.txt) &&
	at=$(printf "%#x" $((0x$start + 0x$kaslr))) &&
	manifest_check bullseye-nobtf "
assert \"and BTF (found by its header at $at) from the dump\" in notes, notes
"
'

# hidden CMD...: run CMD in a private mount namespace where every fixture (roots, debug
# trees, dumps) is hidden under an empty tmpfs, except the oracles' own tree (trixie-tools).
hidden() {
	unshare -m sh -c 'for d in "$0"/*/; do
		case $d in */trixie-tools/) ;; *) mount -t tmpfs none "$d" || exit 1 ;; esac
	done && exec "$@"' "$FIXTURES_CACHE" "$@"
}

# check_dbg NAME DUMPS DBG_ROOT CRASH DRGN: with the -dbg package in the root, the archive
# is complete, the list from the dump's tables equals vmlinux DWARF's (savedump's note, and
# drgn's list when the fixtures were made), and crash and drgn open the moved archive with
# the originals hidden, crash loading every module's debuginfo from it.
check_dbg() {
	local name=$1 dumps=$2 root=$3 crash=$4 drgn=$5 status=0 top mod
	local truth=$dumps/kdump/truth out=$scratch/$name
	mkdir -p "$out"
	"$SAVEDUMP" -o "$out/a.tar.zst" --root "$root" --no-debuginfod "$dumps/kdump/mkd-c" \
		2>"$out/err" || status=$?
	test "$status" = 0 || { echo "exit $status" >&2; cat "$out/err" >&2; return 1; }
	mkdir -p "$out/elsewhere" && tar -C "$out/elsewhere" -xf "$out/a.tar.zst" &&
	rm "$out/a.tar.zst" &&
	top=$(echo "$out/elsewhere"/*) || return 1
	python3 - "$top/manifest.json" "$truth/buildids" "$(dirname "$root")/drgn-modules" <<-\PY || return 1
	import json, sys
	doc = json.load(open(sys.argv[1]))
	truth = sorted(tuple(l.split()) for l in open(sys.argv[2]) if l.strip())
	mods = sorted((i["name"], i["build_id"]) for i in doc["items"] if i["role"] == "module")
	if mods != truth:
	    sys.exit("modules differ:\n  got  %s\n  want %s" % (mods, truth))
	want = "module list cross-checked: vmlinux DWARF lists the same %d modules and build-ids" % len(truth)
	if want not in doc["notes"]:
	    sys.exit("no cross-check note: %s" % doc["notes"])
	if not any(n.startswith("%d modules loaded, listed from " % len(truth)) and "DWARF" not in n
	           for n in doc["notes"]):
	    sys.exit("not listed from the dump's own tables: %s" % doc["notes"])
	drgn = sorted(l.strip() for l in open(sys.argv[3]) if l.strip())
	if drgn != [m for m, _ in mods]:
	    sys.exit("drgn's DWARF list differs: %s" % drgn)
	PY
	printf "sys\nmod\nquit\n" >"$out/crash.cmds"
	(cd / && CRASH=$crash hidden "$top/run-crash.sh" -s -i "$out/crash.cmds") \
		>"$out/crash.out" 2>&1 || true
	cat "$out/crash.out"
	grep -q "RELEASE: $(cat "$truth/release")" "$out/crash.out" || return 1
	while read -r mod; do
		grep -Eq "^[0-9a-f]+ +$mod +[0-9a-f]+ +[0-9]+ +$top/" "$out/crash.out" ||
			{ echo "crash: module $mod not loaded from the archive" >&2; return 1; }
	done <"$truth/modules"
	! grep -Ei "cannot find|no debugging data|cannot open|no such file|not loaded" "$out/crash.out" ||
		return 1
	cat >"$out/mods.py" <<-\PY
	from drgn.helpers.linux.list import list_for_each_entry
	print("release", prog["init_uts_ns"].name.release.string_().decode())
	for mod in list_for_each_entry("struct module", prog["modules"].address_of_(), "list"):
	    print("module", mod.name.string_().decode())
	PY
	(cd / && DRGN=$drgn hidden "$top/run-drgn.sh" "$out/mods.py") >"$out/drgn.out" 2>&1 ||
		{ cat "$out/drgn.out" >&2; return 1; }
	sed -n "s/^module //p" "$out/drgn.out" | sort >"$out/drgn.mods" &&
	sort "$truth/modules" | diff - "$out/drgn.mods" || return 1
	rm -rf "$out/elsewhere"
}

test_expect_success FIXTURES "5.10 with -dbg: kallsyms list = DWARF list; crash 8.0.2 and drgn 0.0.22 open the moved archive" '
	test -n "${BULLSEYE_DBG_ROOT:-}" || { echo "no -dbg fixture" >&2; exit 1; }
	check_dbg bullseye-dbg "$BULLSEYE_DUMPS" "$BULLSEYE_DBG_ROOT" crash drgn
'
test_expect_success FIXTURES "6.12 with -dbg: kallsyms list = DWARF list; trixie crash and drgn open the moved archive" '
	test -n "${TRIXIE_DBG_ROOT:-}" && test -x "${TRIXIE_CRASH:-}" ||
		{ echo "no -dbg fixture or trixie tools" >&2; exit 1; }
	check_dbg trixie-dbg "$TRIXIE_DUMPS" "$TRIXIE_DBG_ROOT" "$TRIXIE_CRASH" "$TRIXIE_DRGN"
'

test_expect_success FIXTURES "--list on a vmcore opens only the dump and the files it verifies" '
	command -v strace >/dev/null || { echo "strace not installed" >&2; exit 1; }
	dump=$BULLSEYE_DUMPS/kdump/mkd-c
	status=0
	# LeakSanitizer cannot run under ptrace: only leak checking is off here.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -e trace=open,openat,openat2 -o "$scratch/strace.txt" \
		"$SAVEDUMP" --list --json --no-debuginfod --root "$BULLSEYE_ROOT" "$dump" \
		>"$scratch/list.json" || status=$?
	test "$status" = 5 &&
	opened_files "$scratch/strace.txt" "$dump" >"$scratch/opened.txt" &&
	grep -q "lib/modules/.*crc-itu-t.ko" "$scratch/opened.txt" &&
	while read -r p; do
		case $p in
		proc/* | sys/* | lib/modules/*/modules.dep) continue ;;	# the module index
		esac
		grep -qF "${p#"${BULLSEYE_ROOT#/}"}" "$scratch/list.json" ||
			{ echo "opened $p, not in the manifest" >&2; exit 1; }
	done <"$scratch/opened.txt"
'

test_done
