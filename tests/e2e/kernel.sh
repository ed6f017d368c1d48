#!/bin/bash
# End-to-end: real vmcores of real kernels booted under QEMU (tests/kernel/),
# in every dump format. savedump's release, build-id and module list must
# equal what the guest recorded before the dump; the archive of the DWARF
# kernel must open in crash and drgn after it is moved elsewhere and the
# fixture tree is out of reach; wrong or missing files and damaged dumps
# must be reported, never crash savedump, never change the input.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

kdir=$srcdir/tests/kernel
# Built once and cached (see tests/kernel/README.md); the first run takes ~25 minutes.
kernel_fixtures qemu-system-x86_64 crash drgn makedumpfile python3 zstd readelf unshare
: "${CUSTOM_ROOT:=}" "${CUSTOM_REL:=}" "${CUSTOM_DUMPS:=}" "${CUSTOM_WRONG_VMLINUX:=}"
: "${DEBIAN_ROOT:=}" "${DEBIAN_REL:=}" "${DEBIAN_DUMPS:=}" "${FIXTURES_CACHE:=}"

# The dump files of one boot: the regular files beside its truth/ directory.
dumps_of() {
	find "$1" -maxdepth 1 -type f ! -name '*.log' ! -name '*.txt' ! -name '*.sh' | sort
}

# check_list ROOT DUMP TRUTH: savedump --list --json matches the ground truth.
check_list() {
	local root=$1 dump=$2 truth=$3 status=0 json
	json=$scratch/list-$(basename "$(dirname "$dump")")-$(basename "$dump").json
	sha256sum "$dump" >"$json.sha"
	"$SAVEDUMP" --list --json --root "$root" "$dump" >"$json" 2>"$json.err" || status=$?
	cat "$json.err"
	sha256sum -c --quiet "$json.sha" || return 1
	case $status in 0 | 3 | 5) ;; *) echo "exit status $status" >&2; return 1 ;; esac
	"$kdir/check-manifest.py" "$json" "$truth"
}

for kind in custom debian; do
	if [ "$kind" = custom ]; then root=$CUSTOM_ROOT dumps=$CUSTOM_DUMPS; else root=$DEBIAN_ROOT dumps=$DEBIAN_DUMPS; fi
	[ -n "$dumps" ] || continue
	for boot in "$dumps"/*/; do
		[ -d "$boot/truth" ] || continue
		for dump in $(dumps_of "$boot"); do
			test_expect_success FIXTURES "$kind $(basename "$boot")/$(basename "$dump"): release, build-id, modules = guest truth" "
				check_list '$root' '$dump' '$boot/truth'
			"
		done
	done
done

# The kernel-made, kdump-compressed dump of the DWARF kernel is the main case.
mkd_c=${CUSTOM_DUMPS:+$CUSTOM_DUMPS/kdump/mkd-c}
truth=${CUSTOM_DUMPS:+$CUSTOM_DUMPS/kdump/truth}
out=$scratch/out
mkdir -p "$out"

test_expect_success FIXTURES 'custom kernel: the archive is complete (exit 0) and verified' '
	sha256sum "$mkd_c" >"$out/in.sha" &&
	"$SAVEDUMP" -q --root "$CUSTOM_ROOT" -o "$out/full.tar.zst" "$mkd_c" &&
	sha256sum -c --quiet "$out/in.sha" &&
	mkdir -p "$out/full.x" && tar -C "$out/full.x" -xf "$out/full.tar.zst" &&
	top=$(echo "$out/full.x"/*) && m=$top/manifest.json &&
	"$kdir/check-manifest.py" "$m" "$truth" &&
	test "$(json_query "$m" "doc[\"summary\"][\"complete\"]")" = True &&
	for f in vmlinux vmcoreinfo.txt dmesg.txt System.map config run-crash.sh run-drgn.sh; do
		test -e "$top/$f" || { echo "no $f in the archive" >&2; exit 1; }
	done &&
	grep -q "Linux version $CUSTOM_REL" "$top/dmesg.txt" &&
	grep -q "sysrq: Trigger a crash" "$top/dmesg.txt" &&
	for id in $(cut -d" " -f2 "$truth/buildids"); do
		json_query "$m" "[i[\"archive_path\"] for i in doc[\"items\"] if i[\"role\"] == \"module-debuginfo\" and i[\"build_id\"] == \"$id\" and i[\"packed\"]]" | grep -q ko ||
			{ echo "no packed debuginfo for module build-id $id" >&2; exit 1; }
	done
'

test_expect_success FIXTURES 'already-compressed entries get their own zstd frame (fast level)' '
	zstd -lv "$out/full.tar.zst" >"$out/frames" 2>&1 &&
	frames=$(sed -n "s/^# Zstandard Frames: *//p" "$out/frames") &&
	test "${frames:-1}" -ge 2
'

# relocated CMD...: run CMD in a private mount namespace where the fixture
# cache (vmlinux, modules, debuginfo) is hidden under an empty tmpfs.
relocated() {
	unshare -m sh -c 'mount -t tmpfs none "$1" && shift && "$@"' sh "$FIXTURES_CACHE" "$@"
}

test_expect_success FIXTURES 'run-crash.sh: sys, mod, bt work from the moved archive, originals hidden' '
	mkdir -p "$scratch/elsewhere" && mv "$out/full.x" "$scratch/elsewhere/x" &&
	top=$(echo "$scratch/elsewhere/x"/*) &&
	printf "sys\nmod\nbt\nquit\n" >"$out/crash.cmds" &&
	(cd / && relocated "$top/run-crash.sh" -s -i "$out/crash.cmds") >"$out/crash.out" 2>&1 || true
	cat "$out/crash.out" &&
	grep -q "RELEASE: $CUSTOM_REL" "$out/crash.out" &&
	grep -Eq "PANIC: .*sysrq triggered crash" "$out/crash.out" &&
	grep -Eq "#[0-9]+ .* panic at " "$out/crash.out" &&
	grep -Eq "#[0-9]+ .* (__handle_sysrq|sysrq_handle_crash) at " "$out/crash.out" &&
	for mod in $(cat "$truth/modules"); do
		grep -E "^[0-9a-f]+ +$mod +[0-9a-f]+ +[0-9]+ +$top/" "$out/crash.out" >/dev/null ||
			{ echo "module $mod not loaded with symbols from the archive" >&2; exit 1; }
	done &&
	! grep -Ei "cannot find|no debugging data|cannot open|no such file" "$out/crash.out"
'

test_expect_success FIXTURES 'run-drgn.sh: release and module names via drgn, originals hidden' '
	top=$(echo "$scratch/elsewhere/x"/*) &&
	cat >"$out/mods.py" <<-\PY &&
	from drgn.helpers.linux.list import list_for_each_entry
	print("release", prog["init_uts_ns"].name.release.string_().decode())
	for mod in list_for_each_entry("struct module", prog["modules"].address_of_(), "list"):
	    print("module", mod.name.string_().decode())
	PY
	(cd / && relocated "$top/run-drgn.sh" "$out/mods.py") >"$out/drgn.out" 2>&1 &&
	cat "$out/drgn.out" &&
	grep -qx "release $CUSTOM_REL" "$out/drgn.out" &&
	sed -n "s/^module //p" "$out/drgn.out" | sort >"$out/drgn.mods" &&
	sort "$truth/modules" | diff - "$out/drgn.mods"
'

# A copy of the custom root made of hard links (cheap), to change one file in.
copy_root() { copy_tree "$CUSTOM_ROOT" "$1"; }

test_expect_success FIXTURES 'a vmlinux of another build is a mismatch: reported, not packed, exit 5' '
	copy_root "$scratch/wrongroot" &&
	rm "$scratch/wrongroot/usr/lib/debug/boot/vmlinux-$CUSTOM_REL" &&
	cp "$CUSTOM_WRONG_VMLINUX" "$scratch/wrongroot/usr/lib/debug/boot/vmlinux-$CUSTOM_REL" &&
	expect_status 5 "$SAVEDUMP" -q --root "$scratch/wrongroot" -o "$out/wrong.tar.zst" "$mkd_c" &&
	mkdir -p "$out/wrong.x" && tar -C "$out/wrong.x" -xf "$out/wrong.tar.zst" &&
	m=$(echo "$out/wrong.x"/*/manifest.json) &&
	json_query "$m" "[i[\"status\"] for i in doc[\"items\"] if i[\"role\"] == \"vmlinux\"]" | grep -q mismatch &&
	test "$(json_query "$m" "[i for i in doc[\"items\"] if i[\"role\"] == \"vmlinux\" and i[\"packed\"]]")" = "[]" &&
	"$kdir/check-manifest.py" "$m" "$truth"
'

test_expect_success FIXTURES 'no vmlinux: archive written, not self-contained (5), the package and build-id named' '
	copy_root "$scratch/nodebug" && rm -rf "$scratch/nodebug/usr/lib/debug" &&
	expect_status 5 "$SAVEDUMP" -q --root "$scratch/nodebug" -o "$out/nodebug.tar.zst" "$mkd_c" &&
	mkdir -p "$out/nodebug.x" && tar -C "$out/nodebug.x" -xf "$out/nodebug.tar.zst" &&
	top=$(echo "$out/nodebug.x"/*) && m=$top/manifest.json &&
	test -f "$top/mkd-c" &&
	"$kdir/check-manifest.py" "$m" "$truth" &&
	json_query "$m" "[i[\"hint\"] for i in doc[\"items\"] if i[\"role\"] == \"vmlinux\" and i[\"status\"] == \"missing\"]" >"$out/hint" &&
	grep -q "linux-image-$CUSTOM_REL-dbg" "$out/hint" &&
	grep -q "$(json_query "$m" "doc[\"dump\"][\"build_id\"]")" "$out/hint" &&
	test "$(json_query "$m" "doc[\"summary\"][\"self_contained\"]")" = False &&
	json_query "$m" "doc[\"summary\"][\"binaries_lacking\"]" | grep -q "vmlinux-$CUSTOM_REL"
'

test_expect_success FIXTURES 'module debuginfo missing, vmlinux there: exit 3, self-contained' '
	copy_root "$scratch/nomoddebug" &&
	rm -rf "$scratch/nomoddebug/usr/lib/debug/lib/modules" &&
	# The copy is hard links to the cache: strip into new files, never in place.
	for ko in $(find "$scratch/nomoddebug/lib/modules" -name "*.ko"); do
		strip --strip-debug -o "$ko.new" "$ko" && rm "$ko" && mv "$ko.new" "$ko" || exit 1
	done &&
	expect_status 3 "$SAVEDUMP" -q --root "$scratch/nomoddebug" -o "$out/nomoddebug.tar.zst" "$mkd_c" &&
	mkdir -p "$out/nomoddebug.x" && tar -C "$out/nomoddebug.x" -xf "$out/nomoddebug.tar.zst" &&
	m=$(echo "$out/nomoddebug.x"/*/manifest.json) &&
	test "$(json_query "$m" "[doc[\"summary\"][k] for k in (\"self_contained\", \"debuginfo_complete\")]")" = "[True, False]" &&
	test "$(json_query "$m" "doc[\"summary\"][\"binaries_lacking\"]")" = "[]"
'

test_expect_success FIXTURES 'Debian kernel without debuginfo: modules verified, dbg package named, exit 5 (no vmlinux)' '
	d=$(dumps_of "$DEBIAN_DUMPS/qemu" | head -n 1) &&
	expect_status 5 "$SAVEDUMP" -q --root "$DEBIAN_ROOT" -o "$out/deb.tar.zst" "$d" &&
	mkdir -p "$out/deb.x" && tar -C "$out/deb.x" -xf "$out/deb.tar.zst" &&
	m=$(echo "$out/deb.x"/*/manifest.json) &&
	"$kdir/check-manifest.py" "$m" "$DEBIAN_DUMPS/qemu/truth" &&
	test "$(json_query "$m" "len([i for i in doc[\"items\"] if i[\"role\"] == \"module\" and i[\"packed\"] and i[\"status\"] == \"found\"])")" = "$(wc -l <"$DEBIAN_DUMPS/qemu/truth/modules")" &&
	json_query "$m" "[i[\"hint\"] for i in doc[\"items\"] if i[\"role\"] == \"vmlinux\"]" | grep -q "linux-image-$DEBIAN_REL-dbg"
'

# --- damaged dumps: a clear result, no crash (ASan in CI), input unchanged ---

# damaged NAME EXPECTED_STATUSES ROOT DUMP: run savedump, check status and input.
damaged() {
	local name=$1 want=$2 root=$3 dump=$4 status=0
	sha256sum "$dump" >"$out/$name.sha"
	"$SAVEDUMP" --root "$root" -o "$out/$name.tar.zst" "$dump" >"$out/$name.out" 2>"$out/$name.err" || status=$?
	cat "$out/$name.err"
	sha256sum -c --quiet "$out/$name.sha"
	case " $want " in *" $status "*) ;; *) echo "exit status $status, want one of: $want" >&2; return 1 ;; esac
	if [ "$status" = 4 ]; then
		test "$(wc -l <"$out/$name.err")" = 1 && grep -q "$(basename "$dump")" "$out/$name.err" &&
			test ! -e "$out/$name.tar.zst"
	fi
}
mkd_e=${CUSTOM_DUMPS:+$CUSTOM_DUMPS/kdump/mkd-E}
sysmap=${CUSTOM_ROOT:+$CUSTOM_ROOT/boot/System.map-$CUSTOM_REL}

test_expect_success FIXTURES 'damaged: kdump header cut short -> exit 4, one line' '
	head -c 300 "$mkd_c" >"$scratch/cut-header" &&
	damaged cut-header 4 "$CUSTOM_ROOT" "$scratch/cut-header"
'
test_expect_success FIXTURES 'damaged: bitmap runs past the end of the file -> exit 4' '
	head -c 12288 "$mkd_c" >"$scratch/cut-bitmap" &&
	damaged cut-bitmap 4 "$CUSTOM_ROOT" "$scratch/cut-bitmap"
'
test_expect_success FIXTURES 'damaged: a dump cut in its page data -> archived (3), summary.damage says so' '
	head -c $(( $(stat -c %s "$mkd_c") / 2 )) "$mkd_c" >"$scratch/cut-half" &&
	damaged cut-half 3 "$CUSTOM_ROOT" "$scratch/cut-half" &&
	grep -q "warning: .*cut-half: .*(truncated or corrupt)" "$out/cut-half.err" &&
	mkdir -p "$out/ch.x" && tar -C "$out/ch.x" -xf "$out/cut-half.tar.zst" &&
	m=$(echo "$out/ch.x"/*/manifest.json) &&
	json_query "$m" "doc[\"summary\"][\"damage\"]" | grep -q "truncated or corrupt" &&
	test "$(json_query "$m" "doc[\"summary\"][\"complete\"]")" = False
'
test_expect_success FIXTURES 'damaged: garbage VMCOREINFO -> degraded (3, 5) or refused (4), no crash' '
	"$kdir/corrupt-dump.py" vmcoreinfo-garbage "$mkd_e" "$scratch/garbage-vi" &&
	damaged garbage-vi "3 4 5" "$CUSTOM_ROOT" "$scratch/garbage-vi"
'
test_expect_success FIXTURES 'damaged: kallsyms pointers off the map -> module list from vmlinux DWARF' '
	"$kdir/corrupt-dump.py" vmcoreinfo-set "$mkd_e" "$scratch/bad-kallsyms" \
		"SYMBOL(kallsyms_names)" ffffffffdead0000 &&
	damaged bad-kallsyms 0 "$CUSTOM_ROOT" "$scratch/bad-kallsyms" &&
	mkdir -p "$out/bk.x" && tar -C "$out/bk.x" -xf "$out/bad-kallsyms.tar.zst" &&
	m=$(echo "$out/bk.x"/*/manifest.json) &&
	"$kdir/check-manifest.py" "$m" "$truth" &&
	grep -q "vmlinux DWARF" "$m"
'
test_expect_success FIXTURES 'BTF blob overwritten -> DWARF fallback; without vmlinux, not self-contained (5), a note, not damage' '
	kaslr=$(strings -n 8 "$mkd_e" | sed -n "s/^KERNELOFFSET=//p" | head -n 1) &&
	addr=$(python3 -c "import sys; print(hex(int(sys.argv[1], 16) + int(sys.argv[2], 16)))" \
		"$(awk "\$3 == \"__start_BTF\" { print \$1 }" "$sysmap")" "$kaslr") &&
	"$kdir/corrupt-dump.py" poke "$mkd_e" "$scratch/bad-btf" "$addr" 00000000000000000000000000000000 &&
	damaged bad-btf 0 "$CUSTOM_ROOT" "$scratch/bad-btf" &&
	mkdir -p "$out/bb.x" && tar -C "$out/bb.x" -xf "$out/bad-btf.tar.zst" &&
	m=$(echo "$out/bb.x"/*/manifest.json) &&
	"$kdir/check-manifest.py" "$m" "$truth" && grep -q "vmlinux DWARF" "$m" &&
	damaged bad-btf-nodebug 5 "$scratch/nodebug" "$scratch/bad-btf" &&
	grep -q "note: the module list could not be read" "$out/bad-btf-nodebug.err" &&
	! grep -q "warning:" "$out/bad-btf-nodebug.err" &&
	mkdir -p "$out/bbn.x" && tar -C "$out/bbn.x" -xf "$out/bad-btf-nodebug.tar.zst" &&
	m=$(echo "$out/bbn.x"/*/manifest.json) &&
	# An unreadable module list is a note; damage is for damaged bytes only.
	test "$(json_query "$m" "doc[\"summary\"][\"damage\"]")" = None &&
	json_query "$m" "doc[\"notes\"]" | grep -q "the module list could not be read: .*BTF"
'

test_done
