#!/bin/bash
# .NET cores: a process laid out like a .NET install (real shared objects under
# shared/Microsoft.NETCore.App/X.Y.Z/, managed .dll files mapped as files, a
# doublemapper memfd), crashed by the kernel. The archive must carry the
# runtime's DAC/DBI/JIT/createdump, the host and every mapped assembly, and a
# run-lldb.sh that opens it in lldb with SOS pointed at the archived runtime.
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
	expect_grep "^setclrpath .$top/${rt#/}.\$" "$out/args" &&
	expect_no_grep "^setsymbolserver" "$out/args" &&
	expect_grep "^--core\$" "$out/args" &&
	expect_grep "^--batch\$" "$out/args" &&
	expect_no_grep "SOS not found" "$out/args"
'
test_done
