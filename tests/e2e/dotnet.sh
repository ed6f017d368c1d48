#!/bin/bash
# .NET cores.
#
# First a process laid out like a .NET 8 install (real shared objects under
# shared/Microsoft.NETCore.App/X.Y.Z/, managed .dll files mapped as files, a
# doublemapper memfd), crashed by the kernel: what the machine's real .NET 10
# cannot show (another runtime version's layout, a hostile-free stand-in for
# lldb). The archive must carry the runtime's DAC/DBI/JIT/createdump, the host
# and every mapped assembly, and a run-lldb.sh pointing SOS at the runtime.
#
# Then the real runtime (tests/progs/make-dotnet-cores.sh: the app in
# tests/progs/dotnet-app run from a private copy of the machine's .NET):
# a createdump heap dump, a full dump and a kernel core with coredump_filter
# 0x3f are archived, the archives moved, the runtime and app directories
# hidden (unshare -m, tmpfs), and run-dotnet-dump.sh and run-lldb.sh (SOS from
# the dotnet-dump tool's package) must show every managed frame by name, the
# app's assemblies and its types on the heap; without the DAC both must fail
# naming it. The same for a self-contained publish and a single-file app (whose DAC is
# found by build-id in the shared runtime or a NuGet runtime pack); a NativeAOT app gets a
# note that it has no DAC and a working run-gdb.sh; kernel cores with coredump_filter 0x33
# and gcore cores, which SOS cannot read, get a note saying so and a derived core (core.dotnet)
# that both launchers open (none, and a note why, when libcoreclr is another build); savedump verify's lldb
# check passes on a .NET archive.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

for tool in gcc lldb python3; do
	command -v "$tool" >/dev/null || { skip_reason="$tool not installed"; break; }
done
[ -z "${skip_reason:-}" ] && [ -w /proc/sys/kernel/core_pattern ] && test_set_prereq CORES
[ -w /proc/sys/kernel/core_pattern ] || skip_reason=${skip_reason:-"not root: cannot set core_pattern"}

# The install lives under $base so that the test can hide it afterwards.
base="$scratch/dotnet"
rt="$base/usr/share/dotnet-sd/shared/Microsoft.NETCore.App/8.0.15"
app="$base/srv/app"
out="$scratch/out"
mkdir -p "$out"

test_expect_success CORES 'lay out a .NET-like install and crash its host' '
	"$srcdir/tests/progs/build-dotnet.sh" "$base" &&
	"$srcdir/tests/progs/make-core.sh" kernel "$scratch/cores" "$base/usr/share/dotnet-sd/dotnet" \
		"$rt" "$rt/System.Private.CoreLib.dll" "$rt/System.Runtime.dll" \
		"$app/App.dll" "$app/Lib.dll" >"$scratch/core.path"
'
test_expect_success CORES 'savedump collects DAC, DBI, JIT, createdump, host, assemblies and pdb' '
	core=$(cat "$scratch/core.path") &&
	"$SAVEDUMP" -o "$out/dn.tar.zst" "$core" 2>"$out/dn.err" &&
	tar -tf "$out/dn.tar.zst" | sed "s|^[^/]*/||" >"$out/dn.list" &&
	for f in libcoreclr.so libclrjit.so libmscordaccore.so libmscordbi.so createdump \
		System.Private.CoreLib.dll System.Runtime.dll; do
		expect_grep "^${rt#/}/$f\$" "$out/dn.list" || exit 1
	done &&
	for f in App.dll Lib.dll App.pdb; do
		expect_grep "^${app#/}/$f\$" "$out/dn.list" || exit 1
	done &&
	expect_grep "^${base#/}/usr/share/dotnet-sd/dotnet\$" "$out/dn.list" &&
	expect_grep "^run-lldb.sh\$" "$out/dn.list" &&
	expect_no_grep "memfd" "$out/dn.list"
'
test_expect_success CORES 'the manifest marks roles, and skips the doublemapper memfd' '
	mkdir -p "$out/x" && tar -C "$out/x" -xf "$out/dn.tar.zst" &&
	m=$(echo "$out/x"/*/manifest.json) &&
	test "$(json_query "$m" "sorted(i[\"name\"] for i in doc[\"items\"] if i[\"role\"] == \"dotnet-runtime\")")" = \
		"[$(printf "%s" "'"'createdump'"', '"'libmscordaccore.so'"', '"'libmscordbi.so'"'")]" &&
	test "$(json_query "$m" "len([i for i in doc[\"items\"] if i[\"role\"] == \"managed-assembly\" and i[\"packed\"]])")" = 4 &&
	test "$(json_query "$m" "[i[\"status\"] for i in doc[\"items\"] if \"doublemapper\" in (i[\"original_path\"] or \"\")]")" = \
		"[$(printf "%s" "'"'skipped'"'")]"
'
test_expect_success CORES 'run-lldb.sh: lldb loads every module from the archive, originals hidden' '
	dest="$scratch/elsewhere" && mkdir -p "$dest" && tar -C "$dest" -xf "$out/dn.tar.zst" &&
	script=$(echo "$dest"/*/run-lldb.sh) &&
	top=$(dirname "$script") &&
	(cd / && HOME=/nonexistent unshare -m sh -c "mount -t tmpfs none \"$base\" && \
		\"$script\" --batch -o \"image list\" -o bt") >"$out/lldb.out" 2>&1 &&
	cat "$out/lldb.out" &&
	for f in libcoreclr.so libclrjit.so libc.so.6 dotnet; do
		grep "^\[ *[0-9]*\] .* $top/.*$f" "$out/lldb.out" || { echo "$f not from the archive"; exit 1; }
	done &&
	expect_grep "coreclr_initialize(.*) at coreclr.c:[0-9]" "$out/lldb.out" &&
	expect_grep "main(.*) at dotnet-host.c:[0-9]" "$out/lldb.out" &&
	expect_grep "SOS not found" "$out/lldb.out"
'
test_expect_success CORES 'run-lldb.sh points SOS at the archived runtime when SOS is there' '
	top=$(dirname "$(echo "$scratch/elsewhere"/*/run-lldb.sh)") &&
	printf "#!/bin/sh\nfor a in \"\$@\"; do printf \"%%s\\\\n\" \"\$a\"; done\n" >"$scratch/fake-lldb" &&
	chmod +x "$scratch/fake-lldb" &&
	: >"$scratch/libsosplugin.so" &&
	LLDB="$scratch/fake-lldb" SOS_PLUGIN="$scratch/libsosplugin.so" "$top/run-lldb.sh" --batch \
		>"$out/args" 2>&1 &&
	cat "$out/args" &&
	expect_grep "^plugin load .$scratch/libsosplugin.so.\$" "$out/args" &&
	expect_grep "^setclrpath $top/${rt#/}\$" "$out/args" &&
	expect_no_grep "^setsymbolserver" "$out/args" &&
	expect_grep "^--core\$" "$out/args" &&
	expect_grep "^--batch\$" "$out/args" &&
	expect_no_grep "SOS not found" "$out/args"
'

# --- The real runtime -------------------------------------------------------------------
dn_fixtures=${SAVEDUMP_DOTNET_FIXTURES:-${SAVEDUMP_FIXTURES:-/var/cache/savedump-fixtures}/dotnet}
dn_reason=
command -v dotnet >/dev/null || dn_reason="dotnet (the .NET SDK) not installed"
command -v lldb >/dev/null || dn_reason=${dn_reason:-"lldb not installed"}
[ -w /proc/sys/kernel/core_pattern ] || dn_reason=${dn_reason:-"not root: cannot set core_pattern"}
if [ -z "$dn_reason" ]; then
	test_set_prereq DOTNET
else
	skip_reason=$dn_reason
fi
dn_kinds="heap full kernel3f apphost selfcontained kernel gcore"
# Nothing may come from the network or from a symbol cache in the caller's home.
dn_home="$scratch/home"
# The runtime packs in the NuGet cache (a single-file app's DAC may come from there).
dn_packs=/root/.nuget/packages/microsoft.netcore.app.runtime.linux-x64
mkdir -p "$dn_home"
export PYTHONPATH=/usr/lib/llvm-14/lib/python3.11/dist-packages	# lldb's module, else noise

test_expect_success DOTNET 'real .NET: the app, its private runtime, its cores and dotnet-dump' '
	"$srcdir/tests/progs/install-dotnet-tools.sh" >"$scratch/tools.env" &&
	"$srcdir/tests/progs/make-dotnet-cores.sh" "$dn_fixtures" $dn_kinds singlefile \
		>"$scratch/cores.env" &&
	cat "$scratch/tools.env" "$scratch/cores.env"
'

# dn_hidden CMD...: CMD with the fixtures' runtime and app directories (also the
# self-contained and single-file publish directories) covered by tmpfs.
dn_hidden() {
	(
		# shellcheck source=/dev/null
		. "$scratch/cores.env"
		# shellcheck disable=SC2016
		HOME=$dn_home unshare -m sh -c 'for d in "$1" "$2" "$3" "$4" "$5"; do
				if [ -d "$d" ]; then mount -t tmpfs none "$d" || exit 1; fi
			done && shift 5 && cd / && exec "$@"' dn_hidden "$DOTNET_RT" "$DOTNET_APP" \
			"$DOTNET_FIXTURES/selfcontained" "$DOTNET_FIXTURES/singlefile" "$dn_packs" "$@"
	)
}

# dn_skipped KIND: true (and says why) when make-dotnet-cores.sh could not make KIND.
dn_skipped() {
	local var
	var="$(tr '[:lower:]' '[:upper:]' <<<"$1")_SKIPPED"
	# shellcheck source=/dev/null
	. "$scratch/cores.env"
	[ -n "${!var:-}" ] && echo "no $1 core: ${!var}"
}

# dn_check OUT TOOL: the frames of truth.env (sourced) in OUT, named, nothing unknown.
dn_check() {
	local f=$1 frame n
	for frame in $MAIN_FRAMES; do
		grep -q -F -e " $frame(" -e " ${frame}[" "$f" || { echo "no frame $frame in $f"; return 1; }
	done
	n=$(grep -c -F " $WORKER_FRAME(" "$f")
	[ "$n" = "$WORKER_THREADS" ] || { echo "$n threads in $WORKER_FRAME, want $WORKER_THREADS"; return 1; }
	expect_no_grep "Failed to load data access module" "$f" &&
	expect_no_grep "No CLR runtime found" "$f" &&
	expect_no_grep "Failed to find runtime module" "$f" &&
	if grep -i -q unknown "$f"; then grep -i unknown "$f" | head; return 1; fi
}

# dn_env KIND: the variables of the tools, the fixtures and KIND's truth.env.
dn_env() {
	# shellcheck source=/dev/null
	. "$scratch/tools.env" && . "$scratch/cores.env" && . "$DOTNET_FIXTURES/cores/$1/truth.env" &&
		export DOTNET_DUMP
}

# dn_archive KIND: archive KIND's core, extract it elsewhere ("moved KIND/KIND": a blank in the path), check its store.
dn_archive() {
	local kind=$1 top key file rc=0
	dn_skipped "$kind" && return 0
	dn_env "$kind" || return 1
	# 3: debug files are missing (this machine has no debug packages for ICU etc.).
	"$SAVEDUMP" -o "$scratch/$kind.tar.zst" "$CORE" 2>"$scratch/$kind.err" || rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 3 ] || { cat "$scratch/$kind.err"; return 1; }
	mkdir -p "$scratch/moved $kind" && tar -C "$scratch/moved $kind" -xf "$scratch/$kind.tar.zst" || return 1
	top="$scratch/moved $kind/$kind"
	test -x "$top/run-dotnet-dump.sh" && test -x "$top/run-lldb.sh" || return 1
	# Only debug files the machine lacks may be missing.
	test "$(json_query "$top/manifest.json" '[i["original_path"] for i in doc["items"]
		if i["status"] in ("missing", "mismatch") and i["role"] != "debuginfo"]')" = "[]" || return 1
	json_query "$top/manifest.json" 'doc["notes"]' >"$scratch/$kind.notes"
	expect_grep ".NET runtime $RUNTIME_VERSION; its DAC is keyed symbols/$DAC_KEY: collected" \
		"$scratch/$kind.notes" || return 1
	case $kind in
	kernel | gcore)
		# SOS cannot read these cores: the archive has a derived core, and the
		# launchers open it (fillcore.c).
		expect_grep "a derived core for dotnet-dump and SOS, beside the dump with .dotnet appended" \
			"$scratch/$kind.notes" || return 1
		test -f "$top/core.dotnet" && cmp "$top/core" "$CORE" || return 1
		grep -q "core.dotnet" "$top/run-dotnet-dump.sh" && grep -q "core.dotnet" "$top/run-lldb.sh" &&
			! grep -q "core.dotnet" "$top/run-gdb.sh" || return 1
		test "$(json_query "$top/manifest.json" '[i["archive_path"] for i in doc["items"]
			if i["role"] == "dotnet-core" and i["packed"]]')" = "['core.dotnet']" || return 1
		;;
	*)
		expect_no_grep "a kernel or gdb core without" "$scratch/$kind.notes" || return 1
		;;
	esac
	for key in "$DAC_KEY" "$DBI_KEY"; do
		test -f "$top/symbols/$key" || { echo "no symbols/$key"; return 1; }
	done
	cmp "$top/symbols/$DAC_KEY" "$DAC" && cmp "$top/symbols/$DBI_KEY" "$DBI" || return 1
	# Every key the reference script gives the app's files, CoreLib and libcoreclr.
	python3 "$srcdir/tests/progs/dotnet-keys.py" "$APP_DIR"/Sd*.dll "$APP_DIR"/Sd*.pdb \
		"$RUNTIME_DIR/System.Private.CoreLib.dll" "$LIBCORECLR" >"$scratch/$kind.keys" || return 1
	test "$(wc -l <"$scratch/$kind.keys")" -ge 8 || return 1
	while IFS=$(printf '\t') read -r key file; do
		cmp "$top/symbols/$key" "$file" || { echo "symbols/$key is not $file"; return 1; }
	done <"$scratch/$kind.keys"
}

# dn_dotnet_dump KIND: run-dotnet-dump.sh on the moved archive, originals hidden.
dn_dotnet_dump() {
	local kind=$1 f="$scratch/$1.dd" t n a
	dn_skipped "$kind" && return 0
	dn_env "$kind" || return 1
	dn_hidden "$scratch/moved $kind/$kind/run-dotnet-dump.sh" -c 'clrstack -all' -c clrmodules \
		-c 'dumpheap -stat' -c exit >"$f" 2>&1 || { cat "$f"; return 1; }
	cat "$f"
	dn_check "$f" &&
	expect_grep 'run-dotnet-dump.sh: note: SOS will run .*libmscordaccore.so' "$f" || return 1
	for t in $HEAP_TYPES; do
		n=$(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"${t#*=}")
		grep -q -E "^ *[0-9a-f]+ +$n +[0-9,]+ ${t%=*}\$" "$f" ||
			{ echo "dumpheap -stat: no ${t%=*} count $n"; return 1; }
	done
	for a in $APP_ASSEMBLIES; do
		# A single-file app's bundled assemblies have no path: bare names.
		grep -q -E "^[0-9A-F]{16} [0-9A-F]{8} (.*/)?$a\$" "$f" || { echo "clrmodules: no $a"; return 1; }
	done
}

# dn_lldb KIND: run-lldb.sh on the moved archive, SOS from dotnet-dump's package, originals hidden.
dn_lldb() {
	local kind=$1 f="$scratch/$1.lldb"
	dn_skipped "$kind" && return 0
	dn_env "$kind" || return 1
	SAVEDUMP_TRUST_DAC=1 dn_hidden timeout 600 "$scratch/moved $kind/$kind/run-lldb.sh" -b \
		-o 'clrstack -all' >"$f" 2>&1 || { cat "$f"; return 1; }
	cat "$f"
	expect_grep "plugin load '$SOS_PLUGIN'" "$f" &&
	expect_no_grep 'SOS will run' "$f" &&
	dn_check "$f"
}

for kind in $dn_kinds; do
	test_expect_success DOTNET "real .NET $kind: archived, with the DAC, DBI, assemblies and PDBs in symbols/" \
		"dn_archive $kind"
	test_expect_success DOTNET "real .NET $kind: run-dotnet-dump.sh, originals hidden: frames, modules, heap" \
		"dn_dotnet_dump $kind"
	test_expect_success DOTNET "real .NET $kind: run-lldb.sh, SOS from the dotnet-dump tool, originals hidden" \
		"dn_lldb $kind"
done

# Kernel cores with the default coredump_filter (0x33) hold only the first page of each
# file mapping, gcore none of the read-only ones: dotnet-dump and SOS read the rest as
# zeros, not from the files (measured: docs/dotnet-notes.md). The manifest says so, and
# the archive has a derived core filled from the verified files (checked above with both
# launchers). With libcoreclr.so of another build in its place (bind-mounted), there is
# no derived core, and the manifest says why.
test_expect_success DOTNET 'real .NET kernel (0x33) and gcore cores: the manifest says SOS cannot read the dump' '
	for kind in kernel gcore; do
		dn_env "$kind" &&
		expect_status 3 "$SAVEDUMP" -L --json "$CORE" >"$scratch/$kind.json" 2>/dev/null &&
		json_query "$scratch/$kind.json" "doc[\"notes\"]" >"$scratch/$kind.notes" &&
		expect_grep "a kernel or gdb core without the runtime.*s file-backed pages ($LIBCORECLR is not all in the core" \
			"$scratch/$kind.notes" &&
		expect_grep "set /proc/PID/coredump_filter to 0x3f" "$scratch/$kind.notes" || exit 1
	done
'
test_expect_success DOTNET 'real .NET kernel (0x33): no derived core from a libcoreclr.so of another build' '
	dn_env kernel &&
	# Exit 5: libcoreclr.so, a binary, is a mismatch.
	# shellcheck disable=SC2016
	expect_status 5 unshare -m sh -c '"'"'mount --bind "$1" "$2" && shift 2 && exec "$@"'"'"' - \
		"$RUNTIME_DIR/libclrjit.so" "$LIBCORECLR" \
		"$SAVEDUMP" -o "$scratch/k33.tar.zst" "$CORE" 2>"$scratch/k33.err" &&
	mkdir -p "$scratch/k33" && tar -C "$scratch/k33" -xf "$scratch/k33.tar.zst" &&
	json_query "$scratch/k33/k33/manifest.json" "doc[\"notes\"]" >"$scratch/k33.notes" &&
	cat "$scratch/k33.notes" &&
	expect_grep "no derived core for dotnet-dump and SOS (.dotnet): $LIBCORECLR is not the file mapped" \
		"$scratch/k33.notes" &&
	test ! -e "$scratch/k33/k33/core.dotnet" &&
	expect_no_grep "core.dotnet" "$scratch/k33/k33/run-dotnet-dump.sh" &&
	test "$(json_query "$scratch/k33/k33/manifest.json" "[i for i in doc[\"items\"] if i[\"role\"] == \"dotnet-core\"]")" = "[]"
'

# savedump verify on .NET archives: gdb, lldb and dotnet-dump open them, originals hidden;
# for the kernel core (0x33) dotnet-dump opens the derived core. libcoreclr.so is stripped
# and its debug file is not on the machine (the manifest says so): gdb's ?? frames there
# are said, not failed; so are the memfd mappings gdb cannot open. dotnet-dump must load
# the DAC from the archive and name every assembly.
test_expect_success DOTNET 'real .NET heap and kernel cores: savedump verify passes: gdb, lldb and dotnet-dump' '
	for kind in heap kernel; do
		dn_env "$kind" &&
		expect_status 0 "$SAVEDUMP" verify --json "$scratch/$kind.tar.zst" >"$scratch/verify.json" \
			2>"$scratch/verify.err" &&
		json_query "$scratch/verify.json" "[(c[\"check\"], c[\"verdict\"], c[\"detail\"]) for c in doc[\"checks\"]]" \
			>"$scratch/verify.txt" &&
		cat "$scratch/verify.txt" &&
		expect_grep "(.files., .ok.," "$scratch/verify.txt" &&
		expect_grep "(.lldb images., .ok.," "$scratch/verify.txt" &&
		expect_grep "(.gdb frames., .ok., .*libcoreclr.so" "$scratch/verify.txt" &&
		expect_grep "(.dotnet-dump., .ok., .the DAC loaded from the archive; [1-9][0-9]* assemblies" \
			"$scratch/verify.txt" &&
		expect_grep "(.launcher run-lldb.sh., .ok.," "$scratch/verify.txt" &&
		expect_grep "(.launcher run-dotnet-dump.sh., .ok.," "$scratch/verify.txt" || exit 1
	done
'
test_expect_success DOTNET 'real .NET: savedump verify fails its dotnet-dump check when the DAC is not in the archive' '
	dn_env heap &&
	rm -rf "$scratch/nodac" && mkdir -p "$scratch/nodac" &&
	tar -C "$scratch/nodac" -xf "$scratch/heap.tar.zst" &&
	find "$scratch/nodac" -name libmscordaccore.so ! -type d -exec rm -f {} + &&
	dir=$(find "$scratch/nodac" -mindepth 1 -maxdepth 1 -type d) &&
	expect_status 3 "$SAVEDUMP" verify --json "$dir" >"$scratch/nodac.json" 2>/dev/null &&
	json_query "$scratch/nodac.json" "[(c[\"check\"], c[\"verdict\"], c[\"detail\"]) for c in doc[\"checks\"]]" \
		>"$scratch/nodac.txt" &&
	cat "$scratch/nodac.txt" &&
	expect_grep "(.dotnet-dump., .FAIL., .*libmscordaccore" "$scratch/nodac.txt"
'

# A single-file app (when NuGet served the runtime pack for it): recognised from the
# DotNetRuntimeInfo in its executable; the manifest names the DAC it needs by its own key.
test_expect_success DOTNET 'real .NET single-file: recognised, its DAC named, its pdb collected' '
	dn_env heap &&
	if [ -n "${SINGLEFILE_SKIPPED:-}" ]; then echo "no single-file app: $SINGLEFILE_SKIPPED"; exit 0; fi &&
	. "$DOTNET_FIXTURES/cores/singlefile/truth.env" &&
	expect_status 3 "$SAVEDUMP" -L --json "$CORE" >"$scratch/sf.json" 2>/dev/null &&
	json_query "$scratch/sf.json" "doc[\"notes\"]" >"$scratch/sf.notes" &&
	expect_grep "a single-file .NET app: the runtime (build-id $RUNTIME_INFO_RUNTIME_BUILDID) is linked into $HOST; its DAC has build-id $DAC_BUILDID (symbols key $DAC_KEY), its DBI $DBI_BUILDID" "$scratch/sf.notes" &&
	key=$(python3 "$srcdir/tests/progs/dotnet-keys.py" "$APP_DIR/SdApp.pdb" | cut -f1) &&
	test "$(json_query "$scratch/sf.json" "[i[\"status\"] for i in doc[\"items\"] if \"symbols/$key\" in i[\"aliases\"]]")" = "[$(printf "%s" "'"'found'"'")]"
'

# Its DAC and DBI are found by their build-ids (here in the machine's shared runtime, which
# is the same build) and packed under their own keys: both launchers then work.
test_expect_success DOTNET 'real .NET single-file: its DAC and DBI found by build-id, packed under their keys' '
	dn_skipped singlefile && exit 0
	dn_env singlefile &&
	expect_status 3 "$SAVEDUMP" -o "$scratch/singlefile.tar.zst" "$CORE" 2>"$scratch/singlefile.err" &&
	top="$scratch/moved singlefile/singlefile" && mkdir -p "$top" &&
	tar -C "${top%/*}" -xf "$scratch/singlefile.tar.zst" &&
	for key in "$DAC_KEY" "libmscordbi.so/elf-buildid-$DBI_BUILDID/libmscordbi.so"; do
		test -f "$top/symbols/$key" || { echo "no symbols/$key"; exit 1; }
	done &&
	readelf -n "$top/symbols/$DAC_KEY" | grep -q "Build ID: $DAC_BUILDID" &&
	json_query "$top/manifest.json" "doc[\"notes\"]" >"$scratch/singlefile.notes" &&
	expect_grep ".NET runtime $RUNTIME_VERSION (single-file); its DAC is keyed symbols/$DAC_KEY: collected" \
		"$scratch/singlefile.notes" &&
	test "$(json_query "$top/manifest.json" "[i[\"status\"] for i in doc[\"items\"]
		if i[\"role\"] == \"dotnet-runtime\"]")" = "[$(printf "%s" "'"'found'"', '"'found'"'")]" &&
	test -x "$top/run-dotnet-dump.sh" && test -x "$top/run-lldb.sh"
'
test_expect_success DOTNET 'real .NET single-file: run-dotnet-dump.sh, originals and runtime packs hidden' '
	dn_skipped singlefile && exit 0
	dn_dotnet_dump singlefile
'
# SOS takes no blanks in setclrpath, which a single-file core needs (no libcoreclr.so).
test_expect_success DOTNET 'real .NET single-file: run-lldb.sh, extracted where the path has no blank' '
	dn_skipped singlefile && exit 0
	dn_env singlefile &&
	mkdir -p "$scratch/sf-lldb" && tar -C "$scratch/sf-lldb" -xf "$scratch/singlefile.tar.zst" &&
	SAVEDUMP_TRUST_DAC=1 dn_hidden timeout 600 "$scratch/sf-lldb/singlefile/run-lldb.sh" -b \
		-o "clrstack -all" >"$scratch/sf.lldb" 2>&1 || { cat "$scratch/sf.lldb"; exit 1; }
	cat "$scratch/sf.lldb" &&
	expect_grep "setclrpath $scratch/sf-lldb/singlefile/.*/10.0.12\$" "$scratch/sf.lldb" &&
	dn_check "$scratch/sf.lldb" &&
	# Where the path has a blank, the script says why SOS will not find the DAC.
	LLDB=true SOS_PLUGIN=/dev/null "$scratch/moved singlefile/singlefile/run-lldb.sh" \
		>"$scratch/sf-blank.out" 2>&1 &&
	expect_grep "this single-file core needs it for the DAC: extract the archive" "$scratch/sf-blank.out"
'
# Where no shared runtime has it, the DAC comes from a NuGet runtime pack; a newer version
# of another build is passed over.
test_expect_success DOTNET 'real .NET single-file: the DAC from a NuGet runtime pack, by build-id' '
	dn_skipped singlefile && exit 0
	dn_env singlefile &&
	pack="/root/.nuget/packages/microsoft.netcore.app.runtime.linux-x64" &&
	root="$scratch/sfroot" && mkdir -p "$root$APP_DIR" "$root$pack/10.0.12/runtimes/linux-x64/native" \
		"$root$pack/10.0.99/runtimes/linux-x64/native" &&
	cp "$HOST" "$APP_DIR/SdApp.pdb" "$root$APP_DIR/" &&
	cp "$DOTNET_RT/shared/Microsoft.NETCore.App/$RUNTIME_VERSION/libmscordaccore.so" \
		"$DOTNET_RT/shared/Microsoft.NETCore.App/$RUNTIME_VERSION/libmscordbi.so" \
		"$root$pack/10.0.12/runtimes/linux-x64/native/" &&
	cp "$DOTNET_RT/dotnet" "$root$pack/10.0.99/runtimes/linux-x64/native/libmscordaccore.so" &&
	{ "$SAVEDUMP" --root "$root" -L --json "$CORE" >"$scratch/sfroot.json" 2>/dev/null || :; } &&
	json_query "$scratch/sfroot.json" "[(i[\"name\"], i[\"status\"], i[\"source_path\"]) for i in doc[\"items\"]
		if i[\"role\"] == \"dotnet-runtime\"]" >"$scratch/sfroot.txt" &&
	cat "$scratch/sfroot.txt" &&
	expect_grep "(.libmscordaccore.so., .found., .$root$pack/10.0.12/runtimes/linux-x64/native/libmscordaccore.so.)" "$scratch/sfroot.txt" &&
	expect_grep "(.libmscordbi.so., .found., .$root$pack/10.0.12/" "$scratch/sfroot.txt" &&
	json_query "$scratch/sfroot.json" "doc[\"notes\"]" >"$scratch/sfroot.notes" &&
	expect_grep ".NET runtime 10.0.12 (single-file); its DAC is keyed symbols/$DAC_KEY: collected" \
		"$scratch/sfroot.notes" &&
	# Only the decoy left: not self-contained (5), and the note says what is missing.
	rm -r "$root$pack/10.0.12" &&
	expect_status 5 "$SAVEDUMP" --root "$root" -L --json "$CORE" >"$scratch/sfroot.json" 2>/dev/null &&
	json_query "$scratch/sfroot.json" "doc[\"notes\"]" >"$scratch/sfroot.notes" &&
	expect_grep "its DAC is keyed symbols/$DAC_KEY: NOT collected" "$scratch/sfroot.notes"
'

# NativeAOT: no DAC exists; the manifest says so, and the app with its .dbg (found by its
# .gnu_debuglink) lets run-gdb.sh name the compiled managed frames, the publish hidden.
test_expect_success DOTNET 'real .NET NativeAOT: no DAC said why, run-gdb.sh names the managed frames' '
	"$srcdir/tests/progs/make-dotnet-aot-core.sh" "$dn_fixtures" >"$scratch/aot.env" &&
	cat "$scratch/aot.env" &&
	. "$scratch/aot.env" &&
	if [ -n "${AOT_SKIPPED:-}" ]; then echo "no NativeAOT core: $AOT_SKIPPED"; exit 0; fi &&
	. "$AOT_TRUTH" &&
	expect_status 3 "$SAVEDUMP" -o "$scratch/aot.tar.zst" "$CORE" 2>"$scratch/aot.err" &&
	mkdir -p "$scratch/aot" && tar -C "$scratch/aot" -xf "$scratch/aot.tar.zst" &&
	top="$scratch/aot/aot" &&
	json_query "$top/manifest.json" "doc[\"notes\"]" >"$scratch/aot.notes" &&
	expect_grep "a NativeAOT .NET app ($HOST exports DotNetRuntimeDebugHeader): .* no DAC" "$scratch/aot.notes" &&
	test "$(json_query "$top/manifest.json" "[i[\"status\"] for i in doc[\"items\"]
		if i[\"role\"] == \"debuginfo\" and i[\"build_id\"] == \"$HOST_BUILDID\"]")" = \
		"[$(printf "%s" "'"'found'"'")]" &&
	test ! -e "$top/run-dotnet-dump.sh" && test ! -e "$top/run-lldb.sh" &&
	HOME=$dn_home unshare -m sh -c "mount -t tmpfs none \"\$1\" && cd / && \"\$2\" -batch \
		-ex \"thread apply all bt\"" aot "$PUB_DIR" "$top/run-gdb.sh" >"$scratch/aot.gdb" 2>&1 &&
	for f in $AOT_FRAMES; do expect_grep " in $f (" "$scratch/aot.gdb" || exit 1; done &&
	test "$(grep -c " in $AOT_WORKER_FRAME (" "$scratch/aot.gdb")" = 3
'

test_expect_success DOTNET 'real .NET: an assembly or PDB from another build is a mismatch, not packed' '
	dn_env heap &&
	root="$scratch/root" && mkdir -p "$root$DOTNET_APP" &&
	cp "$DOTNET_APP"/*.dll "$DOTNET_APP"/*.pdb "$root$DOTNET_APP/" &&
	cp "$DOTNET_APP/SdLib.dll" "$root$DOTNET_APP/SdModel.dll" &&
	cp "$DOTNET_APP/SdLib.pdb" "$root$DOTNET_APP/SdApp.pdb" &&
	expect_status 5 "$SAVEDUMP" --root "$root" -L --json "$CORE" >"$scratch/mm.json" 2>/dev/null &&
	json_query "$scratch/mm.json" "[(i[\"name\"], i[\"status\"], i[\"reason\"]) for i in doc[\"items\"]
		if i[\"name\"] in (\"SdModel.dll\", \"SdApp.pdb\", \"SdApp.dll\", \"SdLib.pdb\")]" >"$scratch/mm.txt" &&
	cat "$scratch/mm.txt" &&
	expect_grep "(.SdModel.dll., .mismatch., .its PE header says TimeDateStamp" "$scratch/mm.txt" &&
	expect_grep "(.SdApp.pdb., .mismatch., .its PDB id [0-9a-f]* differs from SdApp.dll" "$scratch/mm.txt" &&
	expect_grep "(.SdApp.dll., .found., .verified by its PE header" "$scratch/mm.txt" &&
	expect_grep "(.SdLib.pdb., .found." "$scratch/mm.txt"
'

test_expect_success DOTNET 'real .NET: without the DAC both launchers fail, naming it' '
	dn_env heap &&
	top="$scratch/moved heap/heap" &&
	find "$top" -name libmscordaccore.so -type f -delete &&
	expect_status 1 dn_hidden "$top/run-dotnet-dump.sh" \
		-c clrstack -c exit >"$scratch/nodac.dd" 2>&1 &&
	cat "$scratch/nodac.dd" &&
	expect_grep "the DAC of the dump.s runtime is not in this archive .*libmscordaccore.so" "$scratch/nodac.dd" &&
	expect_grep "libmscordaccore.so" "$scratch/nodac.dd" &&
	expect_status 1 dn_hidden "$top/run-lldb.sh" -b -o clrstack \
		>"$scratch/nodac.lldb" 2>&1 &&
	cat "$scratch/nodac.lldb" &&
	expect_grep "the DAC of the dump.s runtime is not in this archive" "$scratch/nodac.lldb" &&
	expect_grep "Can not load or initialize libmscordaccore.so" "$scratch/nodac.lldb"
'
test_done
