#!/bin/bash
# make-dotnet-aot-core.sh OUTDIR: a NativeAOT publish of tests/progs/dotnet-app and a gdb
# core of it, parked in its innermost frame (gcore: no core_pattern change).
#
#   OUTDIR/nativeaot/pub/     SdApp (native, managed code compiled in), SdApp.dbg, *.pdb
#   OUTDIR/nativeaot/core     the core; truth.env beside it (CORE, PID, HOST, DBG, frames)
#
# Prints AOT_CORE=... and AOT_TRUTH=..., or AOT_SKIPPED=reason when the SDK cannot
# make it (PublishAot needs clang and the ILCompiler packages from NuGet, which the SDK
# fetches once into ~/.nuget/packages). Cached: a second call with the same inputs
# reuses the core. Kept apart from make-dotnet-cores.sh so that its cache stays valid.
set -euo pipefail

out=${1:?usage: make-dotnet-aot-core.sh OUTDIR}
progs=$(cd "$(dirname "$0")" && pwd)
dir="$out/nativeaot"
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1

skip() {
	printf 'AOT_SKIPPED=%q\n' "$*"
	exit 0
}

command -v dotnet >/dev/null || skip "dotnet (the .NET SDK) is not installed"
command -v gcore >/dev/null || skip "gdb's gcore is not installed"
cc=$(command -v clang || command -v clang-14) || skip "NativeAOT needs clang (clang-14)"

key=$( {
	cat "$0" "$progs/make-core.sh"
	find "$progs/dotnet-app" -type f \( -name '*.cs' -o -name '*.csproj' \) -print0 | sort -z |
		xargs -0 cat
	dotnet --version
	echo "$cc"
} | sha256sum | cut -d' ' -f1)

if ! [ -f "$dir/.stamp" ] || [ "$(cat "$dir/.stamp")" != "$key" ] || ! [ -f "$dir/core" ]; then
	rm -rf "$dir/src" "$dir/pub" "$dir/core" "$dir/truth.env" "$dir/.stamp" "$dir/cores"
	cp -r "$progs/dotnet-app" "$dir/src"
	if ! dotnet publish "$dir/src/SdApp/SdApp.csproj" -c Release -r linux-x64 \
		-p:PublishAot=true -p:CppCompilerAndLinker="$cc" -o "$dir/pub" >"$dir/build.log" 2>&1; then
		skip "dotnet publish -p:PublishAot=true failed: $(grep -m1 -E 'error [A-Z]+[0-9]+' \
			"$dir/build.log" | sed 's/^ *//' | cut -c1-300)"
	fi
	[ -f "$dir/pub/SdApp.dbg" ] || skip "the NativeAOT publish has no SdApp.dbg"
	core=$("$progs/make-core.sh" gcore "$dir/cores" "$dir/pub/SdApp" wait)
	mv "$core" "$dir/core"
	rm -rf "$dir/cores"
	{
		printf 'CORE=%q\n' "$dir/core"
		printf 'PID=%q\n' "${core##*.}"
		printf 'HOST=%q\n' "$dir/pub/SdApp"
		printf 'HOST_BUILDID=%q\n' "$(readelf -n "$dir/pub/SdApp" | sed -n 's/^ *Build ID: *//p')"
		printf 'DBG=%q\n' "$dir/pub/SdApp.dbg"
		printf 'PUB_DIR=%q\n' "$dir/pub"
		# NativeAOT symbol names: Assembly_Namespace_Class__Method.
		printf 'AOT_FRAMES=%q\n' "SdModel_SdModel_SdOrderValidator__SdModelParkUntilReleased \
SdModel_SdModel_SdOrderValidator__SdModelRejectOrder SdLib_SdLib_SdProcessor__SdLibProcessBatch \
SdApp_SdApp_Program__Main"
		printf 'AOT_WORKER_FRAME=%q\n' "SdLib_SdLib_SdWorkerPool__SdLibWorkerLoop"
	} >"$dir/truth.env"
	echo "$key" >"$dir/.stamp"
fi
printf 'AOT_CORE=%q\n' "$dir/core"
printf 'AOT_TRUTH=%q\n' "$dir/truth.env"
