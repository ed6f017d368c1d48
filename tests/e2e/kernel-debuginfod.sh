#!/bin/bash
# Kernel archives and debuginfod, against a real debuginfod on 127.0.0.1
# that indexes -dbg .deb packages (debuginfod -U), as Debian's own server
# does: a .deb made of the custom kernel's vmlinux and module debug files
# (dpkg-deb -b from the fixture tree), and Debian 13's real
# linux-image-6.12-dbg .deb that the fixtures downloaded.
#
# - An archive made without vmlinux (Debian without -dbg) still has
#   run-crash.sh and run-drgn.sh: they open the dump with VMLINUX=FILE of the
#   dump's build or with the one the local debuginfod serves, refuse a
#   vmlinux of another build, and name the package when nothing fits.
# - They warn when the local crash or drgn is too old for the dump's kernel.
# - savedump (and savedump-pending, as Debian's after-boot unit runs it)
#   with DEBUGINFOD_URLS and a root without vmlinux packs the vmlinux and the
#   modules' debug files from debuginfod, verified by build-id: complete.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

kdir=$srcdir/tests/kernel
# Debian 13's kernel, its -dbg package and its dumps besides the custom kernel.
export SAVEDUMP_FIXTURES_KINDS=${SAVEDUMP_FIXTURES_KINDS:-"custom trixie trixie-dbg"}
kernel_fixtures crash drgn debuginfod debuginfod-find bsdtar dpkg-deb curl python3 readelf zstd unshare
: "${CUSTOM_ROOT:=}" "${CUSTOM_REL:=}" "${CUSTOM_DUMPS:=}" "${CUSTOM_VMLINUX:=}"
: "${CUSTOM_WRONG_VMLINUX:=}" "${FIXTURES_CACHE:=}"
: "${TRIXIE_ROOT:=}" "${TRIXIE_REL:=}" "${TRIXIE_DUMPS:=}" "${TRIXIE_VMLINUX:=}" "${TRIXIE_DBG_ROOT:=}"
if ! "$SAVEDUMP" --version | grep -q "debuginfod support: yes"; then
	skip_reason="savedump built without libdebuginfod"
elif test_have_prereq FIXTURES; then
	test_set_prereq DEBUGINFOD
fi
if test_have_prereq FIXTURES && [ -n "$TRIXIE_ROOT" ] && [ -d "$TRIXIE_DUMPS/kdump" ]; then
	test_set_prereq TRIXIE
fi

mkd_c=${CUSTOM_DUMPS:+$CUSTOM_DUMPS/kdump/mkd-c}
truth=${CUSTOM_DUMPS:+$CUSTOM_DUMPS/kdump/truth}
out=$scratch/out
mkdir -p "$out"
build_id() { readelf -n "$1" | sed -n 's/^ *Build ID: *//p' | head -n 1; }

# relocated CMD...: run CMD where the fixture cache is hidden under an empty tmpfs.
relocated() {
	unshare -m sh -c 'mount -t tmpfs none "$1" && shift && "$@"' sh "$FIXTURES_CACHE" "$@"
}

# serve NAME DIR BUILD-ID SECONDS: debuginfod -U over DIR on a free port of
# 127.0.0.1 (its URL in $scratch/NAME.url), up once it serves BUILD-ID.
serve() {
	local name=$1 dir=$2 id=$3 secs=$4 port
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') || return 1
	mkdir -p "$scratch/$name.tmp"
	TMPDIR=$scratch/$name.tmp debuginfod -U -p "$port" -d "$scratch/$name.sqlite" "$dir" \
		>"$scratch/$name.log" 2>&1 &
	echo $! >"$scratch/$name.pid"
	echo "http://127.0.0.1:$port" >"$scratch/$name.url"
	for _ in $(seq 1 $((secs * 2))); do
		curl -sf -o /dev/null -r 0-0 "http://127.0.0.1:$port/buildid/$id/debuginfo" && return 0
		sleep 0.5
	done
	tail -n 20 "$scratch/$name.log"
	echo "debuginfod did not serve $id within $secs s" >&2
	return 1
}
test_at_exit 'for p in "$scratch"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done'

test_expect_success DEBUGINFOD 'a -dbg .deb of the custom kernel, indexed by debuginfod -U on 127.0.0.1' '
	pkg=$scratch/pkg &&
	mkdir -p "$pkg/DEBIAN" "$pkg/usr/lib/debug/boot" "$scratch/debs" &&
	# Copies: a hard link to a file that other tests link too changes under tar.
	cp -a "$CUSTOM_ROOT/usr/lib/debug/lib" "$pkg/usr/lib/debug/" &&
	cp "$CUSTOM_VMLINUX" "$pkg/usr/lib/debug/boot/" &&
	printf "%s\n" "Package: linux-image-$CUSTOM_REL-dbg" "Version: 1" "Architecture: amd64" \
		"Maintainer: savedump tests <root@localhost>" "Description: the test kernel" \
		>"$pkg/DEBIAN/control" &&
	dpkg-deb -Znone --root-owner-group -b "$pkg" "$scratch/debs/linux-image-$CUSTOM_REL-dbg_1_amd64.deb" &&
	serve custom "$scratch/debs" "$(build_id "$CUSTOM_VMLINUX")" 300
'

# A root as Debian's default leaves it: the kernel's modules, no -dbg.
test_expect_success FIXTURES 'an archive made without vmlinux: not self-contained (exit 5), both launchers written' '
	copy_tree "$CUSTOM_ROOT" "$scratch/nodebug" && rm -rf "$scratch/nodebug/usr/lib/debug" &&
	expect_status 5 "$SAVEDUMP" -q --no-debuginfod --root "$scratch/nodebug" -o "$out/nd.tar.zst" "$mkd_c" &&
	mkdir -p "$out/nd.x" && tar -C "$out/nd.x" -xf "$out/nd.tar.zst" &&
	top=$(echo "$out/nd.x"/*) &&
	test -x "$top/run-crash.sh" && test -x "$top/run-drgn.sh" && test ! -e "$top/vmlinux" &&
	grep -q "^build_id=.$(build_id "$CUSTOM_VMLINUX").$" "$top/run-crash.sh"
'
printf "sys\nmod\nbt\nquit\n" >"$out/crash.cmds"
# check_crash OUT: crash opened the custom dump, with the archive's modules.
check_crash() {
	cat "$1" &&
	grep -q "RELEASE: $CUSTOM_REL" "$1" &&
	grep -Eq "PANIC: .*sysrq triggered crash" "$1" &&
	grep -Eq "#[0-9]+ .* panic at " "$1" &&
	while read -r mod; do
		grep -E "^[0-9a-f]+ +$mod +[0-9a-f]+ +[0-9]+ +/" "$1" >/dev/null ||
			{ echo "module $mod not loaded" >&2; return 1; }
	done <"$truth/modules"
}
test_expect_success FIXTURES 'run-crash.sh opens the dump with VMLINUX= of its build' '
	top=$(echo "$out/nd.x"/*) &&
	(cd / && VMLINUX=$CUSTOM_VMLINUX "$top/run-crash.sh" -s -i "$out/crash.cmds") >"$out/crash-vm.out" 2>&1 || true
	check_crash "$out/crash-vm.out"
'
# A crash that says it ran (for anything but --version).
printf "#!/bin/sh\nif [ \"\$1\" = --version ]; then echo; echo \"crash \${FAKE_VERSION:-8.0.6}\"; exit 0; fi\n: >\"\$FAKE_RAN\"\n" >"$scratch/fake-crash"
printf "#!/bin/sh\nif [ \"\$1\" = --version ]; then echo \"drgn \${FAKE_VERSION:-0.0.31} (using Python)\"; exit 0; fi\n: >\"\$FAKE_RAN\"\n" >"$scratch/fake-drgn"
chmod +x "$scratch/fake-crash" "$scratch/fake-drgn"
test_expect_success FIXTURES 'a vmlinux of another build is refused, saying both build-ids; crash is not run' '
	top=$(echo "$out/nd.x"/*) &&
	for l in crash drgn; do
		(cd / && CRASH=$scratch/fake-crash DRGN=$scratch/fake-drgn FAKE_RAN=$out/ran \
			VMLINUX=$CUSTOM_WRONG_VMLINUX expect_status 1 "$top/run-$l.sh") 2>"$out/wrong-$l.err" || exit 1
		cat "$out/wrong-$l.err" &&
		test ! -e "$out/ran" &&
		grep -q "$CUSTOM_WRONG_VMLINUX (from VMLINUX) is not this kernel.s build" "$out/wrong-$l.err" &&
		grep -q "$(build_id "$CUSTOM_WRONG_VMLINUX")" "$out/wrong-$l.err" &&
		grep -q "$(build_id "$CUSTOM_VMLINUX")" "$out/wrong-$l.err" || exit 1
	done
'
test_expect_success FIXTURES 'with nothing that fits, the launchers name the packages to install' '
	top=$(echo "$out/nd.x"/*) &&
	(cd / && CRASH=$scratch/fake-crash FAKE_RAN=$out/ran expect_status 1 "$top/run-crash.sh") \
		2>"$out/none.err" &&
	cat "$out/none.err" && test ! -e "$out/ran" &&
	grep -q "linux-image-$CUSTOM_REL-dbg (Debian)" "$out/none.err" &&
	grep -q "kernel-debuginfo-$CUSTOM_REL (Fedora, RHEL)" "$out/none.err" &&
	grep -q "VMLINUX" "$out/none.err"
'
test_expect_success DEBUGINFOD 'run-crash.sh opens the dump with the vmlinux the local debuginfod serves' '
	top=$(echo "$out/nd.x"/*) &&
	(cd / && DEBUGINFOD_URLS=$(cat "$scratch/custom.url") DEBUGINFOD_CACHE_PATH=$scratch/cache-crash \
		relocated "$top/run-crash.sh" -s -i "$out/crash.cmds") >"$out/crash-dbgd.out" 2>&1 || true
	check_crash "$out/crash-dbgd.out" &&
	grep -q "asking debuginfod" "$out/crash-dbgd.out" &&
	cmp "$scratch/cache-crash/$(build_id "$CUSTOM_VMLINUX")/debuginfo" "$CUSTOM_VMLINUX"
'
test_expect_success DEBUGINFOD 'run-drgn.sh too: release and module names' '
	top=$(echo "$out/nd.x"/*) &&
	cat >"$out/mods.py" <<-\PY &&
	from drgn.helpers.linux.list import list_for_each_entry
	print("release", prog["init_uts_ns"].name.release.string_().decode())
	for mod in list_for_each_entry("struct module", prog["modules"].address_of_(), "list"):
	    print("module", mod.name.string_().decode())
	PY
	(cd / && DEBUGINFOD_URLS=$(cat "$scratch/custom.url") DEBUGINFOD_CACHE_PATH=$scratch/cache-drgn \
		relocated "$top/run-drgn.sh" "$out/mods.py") >"$out/drgn.out" 2>"$out/drgn.err" &&
	cat "$out/drgn.out" "$out/drgn.err" &&
	grep -qx "release $CUSTOM_REL" "$out/drgn.out" &&
	sed -n "s/^module //p" "$out/drgn.out" | sort >"$out/drgn.mods" &&
	sort "$truth/modules" | diff - "$out/drgn.mods"
'

test_expect_success TRIXIE 'the launchers warn when crash or drgn is too old for the kernel' '
	expect_status 5 "$SAVEDUMP" -q --no-debuginfod --root "$TRIXIE_ROOT" --output-dir "$out/tx" \
		"$TRIXIE_DUMPS/kdump/mkd-c" &&
	top=$(echo "$out/nd.x"/*) &&
	for v in "8.0.2 $out/tx crash yes" "8.0.6 $out/tx crash no" "8.0.2 $top crash no" \
		"0.0.22 $out/tx drgn yes" "0.0.23 $out/tx drgn no" "0.0.22 $top drgn no"; do
		set -- $v
		rm -f "$out/ran"
		(cd / && FAKE_VERSION=$1 CRASH=$scratch/fake-crash DRGN=$scratch/fake-drgn FAKE_RAN=$out/ran \
			VMLINUX=/bin/sh "$2/run-$3.sh") 2>"$out/old.err" || true
		cat "$out/old.err"
		if [ "$4" = yes ]; then
			grep -q "warning: $3 $1 is too old for Linux" "$out/old.err" || exit 1
		else
			! grep -q "too old" "$out/old.err" || exit 1
		fi
	done
'

test_expect_success DEBUGINFOD 'savedump with DEBUGINFOD_URLS, root without vmlinux: vmlinux and module debug files from debuginfod, complete' '
	DEBUGINFOD_URLS=$(cat "$scratch/custom.url") DEBUGINFOD_CACHE_PATH=$scratch/cache-sd \
		"$SAVEDUMP" -q --root "$scratch/nodebug" -o "$out/dd.tar.zst" "$mkd_c" &&
	mkdir -p "$out/dd.x" && tar -C "$out/dd.x" -xf "$out/dd.tar.zst" &&
	top=$(echo "$out/dd.x"/*) && m=$top/manifest.json &&
	"$kdir/check-manifest.py" "$m" "$truth" &&
	test "$(json_query "$m" "doc[\"summary\"][\"complete\"]")" = True &&
	json_query "$m" "[i[\"source_path\"] for i in doc[\"items\"] if i[\"role\"] == \"vmlinux\" and i[\"packed\"] and i[\"status\"] == \"found\"][0]" | grep -q "^debuginfod:" &&
	cmp "$top/vmlinux" "$CUSTOM_VMLINUX" &&
	test "$(build_id "$top/vmlinux")" = "$(json_query "$m" "doc[\"dump\"][\"build_id\"]")" &&
	for id in $(cut -d" " -f2 "$truth/buildids"); do
		json_query "$m" "[i[\"source_path\"] for i in doc[\"items\"] if i[\"role\"] == \"module-debuginfo\" and i[\"build_id\"] == \"$id\" and i[\"packed\"]]" | grep -q "debuginfod:" ||
			{ echo "module debuginfo $id not from debuginfod" >&2; exit 1; }
	done &&
	grep -q "^vmlinux=\"\$here\"/" "$top/run-crash.sh"
'
test_expect_success DEBUGINFOD 'savedump-pending (the Debian unit) with DEBUGINFOD_URLS in the config: a complete archive' '
	mkdir -p "$scratch/crash/202612010000" &&
	cp "$mkd_c" "$scratch/crash/202612010000/dump.202612010000" &&
	touch -d "10 minutes ago" "$scratch/crash/202612010000/dump.202612010000" &&
	printf "%s\n" "SAVEDUMP_ROOT=$scratch/nodebug" "DEBUGINFOD_URLS=$(cat "$scratch/custom.url")" \
		>"$scratch/pending.conf" &&
	DEBUGINFOD_CACHE_PATH=$scratch/cache-pending SAVEDUMP=$SAVEDUMP \
		"$srcdir/kdump-hooks/savedump-pending" --crash-dir "$scratch/crash" --conf "$scratch/pending.conf" \
		2>"$out/pending.err" &&
	cat "$out/pending.err" &&
	grep -qx "status=0" "$scratch/crash/202612010000/savedump.done" &&
	tar -xOf "$scratch/crash/202612010000/savedump-dump.202612010000.tar.zst" --wildcards "*/manifest.json" \
		>"$out/pending.json" &&
	json_query "$out/pending.json" "[i[\"source_path\"] for i in doc[\"items\"] if i[\"role\"] == \"vmlinux\" and i[\"packed\"]][0]" | grep -q "^debuginfod:"
'

# Debian 13's real -dbg package (1 GB, 4300 files): indexing it takes about a
# minute, and each file served means reading the .deb's xz stream up to it
# (a minute or more here). So the root has the modules' debug files, as
# the -dbg package puts them, and not the vmlinux: that comes from debuginfod.
dbg_deb=
[ -n "$TRIXIE_VMLINUX" ] &&
	dbg_deb=$(find "$FIXTURES_CACHE/trixie-dbg" -maxdepth 1 -name "linux-image-*-dbg_*.deb" 2>/dev/null | head -n 1)
if [ -n "$dbg_deb" ] && test_have_prereq TRIXIE && test_have_prereq DEBUGINFOD; then
	test_set_prereq REAL_DBG_DEB
fi
test_expect_success REAL_DBG_DEB 'Debian 13: the real linux-image-6.12-dbg .deb served by debuginfod -U: a complete archive' '
	mkdir -p "$scratch/realdebs" &&
	{ ln "$dbg_deb" "$scratch/realdebs/" 2>/dev/null || cp "$dbg_deb" "$scratch/realdebs/"; } &&
	copy_tree "$TRIXIE_DBG_ROOT" "$scratch/trixie-root" &&
	find -H "$scratch/trixie-root" -name "vmlinux*" ! -type d -exec rm -f {} + &&
	test -z "$(find -H "$scratch/trixie-root" -name "vmlinux*")" &&
	serve real "$scratch/realdebs" "$(build_id "$TRIXIE_VMLINUX")" 1500 &&
	DEBUGINFOD_URLS=$(cat "$scratch/real.url") DEBUGINFOD_CACHE_PATH=$scratch/cache-real \
	DEBUGINFOD_TIMEOUT=900 \
		"$SAVEDUMP" -q --root "$scratch/trixie-root" -o "$out/real.tar.zst" "$TRIXIE_DUMPS/kdump/mkd-c" &&
	mkdir -p "$out/real.x" && tar -C "$out/real.x" -xf "$out/real.tar.zst" &&
	top=$(echo "$out/real.x"/*) && m=$top/manifest.json &&
	"$kdir/check-manifest.py" "$m" "$TRIXIE_DUMPS/kdump/truth" &&
	test "$(json_query "$m" "doc[\"summary\"][\"complete\"]")" = True &&
	json_query "$m" "[i[\"source_path\"] for i in doc[\"items\"] if i[\"role\"] == \"vmlinux\" and i[\"packed\"]][0]" | grep -q "^debuginfod:" &&
	cmp "$top/vmlinux" "$TRIXIE_VMLINUX"
'
test_done
