#!/bin/bash
# Real .NET cores of the test app in tests/progs/dotnet-app, for savedump's tests.
#   make-dotnet-cores.sh OUTDIR [KIND...]
# KINDs (default: all): heap full kernel kernel3f gcore collect apphost selfcontained singlefile
#
# Lays out, under OUTDIR:
#   src/            a copy of the app's sources (the build tree)
#   app/            framework-dependent publish: SdApp (apphost), SdApp.dll SdLib.dll
#                   SdModel.dll and their .pdb
#   rt/             a private copy of the machine's .NET: dotnet, host/fxr/VER/,
#                   shared/Microsoft.NETCore.App/VER/ (so tests can hide it with tmpfs)
#   cores/KIND/core (+ truth.env, and for createdump cores core.crashreport.json)
#   selfcontained/  self-contained publish (apphost + its own runtime), if NuGet has the
#   singlefile/     runtime pack; single-file bundle
#   cores.env       KIND_CORE=... lines, and KIND_SKIPPED=reason for kinds not made
# Each KIND is cached: a second call does nothing unless the inputs (this script, the
# app's sources, the machine's runtime) changed. Needs root for the kernel core
# (core_pattern) and gdb's gcore for the gcore core. Prints cores.env.
#
#   heap     createdump heap dump of the crashing app (DOTNET_DbgMiniDumpType=2)
#   full     createdump full dump of the crashing app (DOTNET_DbgMiniDumpType=4)
#   kernel   the kernel's core of the same crash (no createdump: SIGABRT, core_pattern)
#   kernel3f the same with the process's coredump_filter set to 0x3f (file mappings too)
#   gcore    gdb's gcore of the app parked in its innermost frame ("wait" mode)
#   collect  createdump run by hand on the parked app (what `dotnet-dump collect` does)
#   apphost  heap dump, app started by its apphost (app/SdApp) with DOTNET_ROOT=rt
#   selfcontained  heap dump of the self-contained publish
#   singlefile     full dump of the single-file publish (createdump makes no other kind
#                  for single-file apps, nor a crash report)
set -euo pipefail

progs=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [KIND...]" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
shift
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(heap full kernel kernel3f gcore collect apphost selfcontained singlefile)

exec 9>"$out/.lock"
flock 9

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1
# Whatever the caller set must not reach the app (dump settings are per core kind).
unset DOTNET_DbgEnableMiniDump DOTNET_DbgMiniDumpType DOTNET_DbgMiniDumpName \
	DOTNET_EnableCrashReport DOTNET_ROOT

sys_dotnet=$(readlink -f "$(command -v dotnet)")
sys_root=$(dirname "$sys_dotnet")
# The newest shared runtime of the machine (the app targets net10.0).
rtver=$(find "$sys_root/shared/Microsoft.NETCore.App" -mindepth 1 -maxdepth 1 -printf '%f\n' |
	sort -V | tail -n 1)
fxrver=$(find "$sys_root/host/fxr" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
if [ -z "$rtver" ] || [ -z "$fxrver" ]; then
	echo "no .NET runtime under $sys_root" >&2
	exit 1
fi

inputs_key=$( {
	cat "$0" "$progs/make-core.sh" "$progs/dotnet-keys.py"
	find "$progs/dotnet-app" -type f \( -name '*.cs' -o -name '*.csproj' \) -print0 | sort -z |
		xargs -0 cat
	echo "$rtver $fxrver"
	sha256sum "$sys_root/shared/Microsoft.NETCore.App/$rtver/libcoreclr.so"
} | sha256sum | cut -d' ' -f1)

log() { echo "make-dotnet-cores: $*" >&2; }

# The cached state of a step: OUTDIR/NAME/.stamp holds inputs_key.
fresh() { [ -f "$out/$1/.stamp" ] && [ "$(cat "$out/$1/.stamp")" = "$inputs_key" ]; }
stamp() { echo "$inputs_key" >"$out/$1/.stamp"; }

build_id() { readelf -n "$1" | sed -n 's/^ *Build ID: *//p' | head -n 1; }

# --- the app and the private runtime -------------------------------------------------------
if ! fresh app || ! fresh rt; then
	log "building the app and copying the runtime $rtver"
	t0=$SECONDS
	rm -rf "$out/src" "$out/app" "$out/rt"
	cp -r "$progs/dotnet-app" "$out/src"
	dotnet publish "$out/src/SdApp/SdApp.csproj" -c Release --no-self-contained \
		-o "$out/app" >"$out/build.log" 2>&1 || { tail -n 30 "$out/build.log" >&2; exit 1; }
	mkdir -p "$out/rt/host/fxr" "$out/rt/shared/Microsoft.NETCore.App"
	cp -a "$sys_root/dotnet" "$out/rt/"
	cp -a "$sys_root/host/fxr/$fxrver" "$out/rt/host/fxr/"
	cp -a "$sys_root/shared/Microsoft.NETCore.App/$rtver" "$out/rt/shared/Microsoft.NETCore.App/"
	stamp app
	stamp rt
	log "app and runtime: $((SECONDS - t0)) s"
fi
rtdir="$out/rt/shared/Microsoft.NETCore.App/$rtver"

# What each core must show. Frames of the main thread, innermost first; "wait" mode
# parks in SdModelParkUntilReleased instead of throwing from SdModelRejectOrder.
crash_frames="SdModel.SdOrderValidator.SdModelRejectOrder SdLib.SdProcessor.SdLibValidateOrder"
crash_frames+=" SdLib.SdProcessor.SdLibVisit SdLib.SdProcessor.SdLibProcessBatch"
crash_frames+=" SdApp.SdAppCoordinator.SdAppDispatchOrders SdApp.Program.SdAppRun SdApp.Program.Main"
wait_frames="SdModel.SdOrderValidator.SdModelParkUntilReleased $crash_frames"
worker_frame="SdLib.SdWorkerPool.SdLibWorkerLoop"
# Live objects of the app's own types (dumpheap -stat): name=count.
heap_types="SdModel.SdOrder=1000 SdLib.SdInvoice=1000 SdModel.SdCustomer=53 SdLib.SdWorkerPool=1"

# write_truth KIND CORE PID HOST MODE MADE_BY RUNTIME_DIR APP_DIR
write_truth() {
	local kind=$1 core=$2 pid=$3 host=$4 mode=$5 by=$6 rdir=$7 adir=$8 frames types coreclr
	frames=$crash_frames types="$heap_types SdModel.SdFixtureException=1"
	if [ "$mode" = wait ]; then frames=$wait_frames types=$heap_types; fi
	coreclr=$rdir/libcoreclr.so
	{
		printf 'KIND=%q\n' "$kind"
		printf 'CORE=%q\n' "$core"
		printf 'PID=%q\n' "$pid"
		printf 'MADE_BY=%q\n' "$by"
		printf 'APP_MODE=%q\n' "$mode"
		printf 'HOST=%q\n' "$host"
		printf 'HOST_BUILDID=%q\n' "$(build_id "$host")"
		printf 'RUNTIME_VERSION=%q\n' "$rtver"
		printf 'RUNTIME_DIR=%q\n' "$rdir"
		printf 'APP_DIR=%q\n' "$adir"
		if [ -f "$coreclr" ]; then
			printf 'LIBCORECLR=%q\n' "$coreclr"
			printf 'LIBCORECLR_BUILDID=%q\n' "$(build_id "$coreclr")"
			printf 'DAC_KEY=%q\n' "libmscordaccore.so/elf-buildid-coreclr-$(build_id "$coreclr")/libmscordaccore.so"
			printf 'DBI_KEY=%q\n' "libmscordbi.so/elf-buildid-coreclr-$(build_id "$coreclr")/libmscordbi.so"
		else
			printf 'LIBCORECLR=\n'
		fi
		if [ -f "$rdir/libmscordaccore.so" ]; then
			printf 'DAC=%q\n' "$rdir/libmscordaccore.so"
			printf 'DAC_BUILDID=%q\n' "$(build_id "$rdir/libmscordaccore.so")"
			printf 'DBI=%q\n' "$rdir/libmscordbi.so"
			printf 'DBI_BUILDID=%q\n' "$(build_id "$rdir/libmscordbi.so")"
		else
			# Single-file: no DAC beside the app; the host names it by build-id.
			local info dac
			info=$(python3 "$progs/dotnet-keys.py" --runtime-info "$host")
			dac=$(sed -n 's/^dac //p' <<<"$info")
			printf 'DAC=\n'
			printf 'DAC_BUILDID=%q\n' "$dac"
			printf 'DAC_KEY=%q\n' "libmscordaccore.so/elf-buildid-$dac/libmscordaccore.so"
			printf 'DBI=\n'
			printf 'DBI_BUILDID=%q\n' "$(sed -n 's/^dbi //p' <<<"$info")"
			printf 'RUNTIME_INFO_RUNTIME_BUILDID=%q\n' "$(sed -n 's/^runtime //p' <<<"$info")"
		fi
		printf 'MAIN_FRAMES=%q\n' "$frames"
		printf 'WORKER_FRAME=%q\n' "$worker_frame"
		printf 'WORKER_THREADS=3\n'
		printf 'HEAP_TYPES=%q\n' "$types"
		printf 'APP_ASSEMBLIES=%q\n' "SdApp.dll SdLib.dll SdModel.dll"
	} >"$(dirname "$core")/truth.env"
}

# createdump_crash KIND TYPE HOST_ARGV...: run the app in crash mode with createdump
# enabled by the environment; leaves cores/KIND/core.
createdump_crash() {
	local kind=$1 type=$2 dir="$out/cores/$1" pid
	shift 2
	rm -rf "$dir"
	mkdir -p "$dir"
	# The runtime aborts (134) after createdump is done; the child's pid names the dump.
	(
		export DOTNET_DbgEnableMiniDump=1 DOTNET_DbgMiniDumpType="$type"
		export DOTNET_DbgMiniDumpName="$dir/core.%p"
		# createdump refuses a crash report for single-file apps, and then writes no dump.
		[ "$kind" = singlefile ] || export DOTNET_EnableCrashReport=1
		exec "$@" crash
	) >"$dir/run.log" 2>&1 & pid=$!
	wait "$pid" || true
	[ -s "$dir/core.$pid" ] || { cat "$dir/run.log" >&2; log "$kind: no dump written"; return 1; }
	mv "$dir/core.$pid" "$dir/core"
	mv "$dir/core.$pid.crashreport.json" "$dir/core.crashreport.json" 2>/dev/null || true
	echo "$pid"
}

fd_argv=(env "DOTNET_ROOT=$out/rt" "$out/rt/dotnet" "$out/app/SdApp.dll")

make_kind() {
	local kind=$1 dir="$out/cores/$1" pid core
	case $kind in
	heap | full)
		local type=2
		[ "$kind" = full ] && type=4
		pid=$(createdump_crash "$kind" "$type" "${fd_argv[@]}")
		write_truth "$kind" "$dir/core" "$pid" "$out/rt/dotnet" crash createdump "$rtdir" "$out/app"
		;;
	apphost)
		pid=$(createdump_crash "$kind" 2 env "DOTNET_ROOT=$out/rt" "$out/app/SdApp")
		write_truth "$kind" "$dir/core" "$pid" "$out/app/SdApp" crash createdump "$rtdir" "$out/app"
		;;
	kernel)
		[ -w /proc/sys/kernel/core_pattern ] || { echo "not root: cannot set core_pattern"; return 3; }
		rm -rf "$dir"
		core=$("$progs/make-core.sh" kernel "$dir" "${fd_argv[@]}" crash)
		pid=${core##*.}
		mv "$core" "$dir/core"
		write_truth "$kind" "$dir/core" "$pid" "$out/rt/dotnet" crash kernel "$rtdir" "$out/app"
		;;
	kernel3f)
		# The same with coredump_filter 0x3f (file-backed mappings too), as Microsoft's
		# docs suggest for kernel cores: SOS can read this one as it is.
		[ -w /proc/sys/kernel/core_pattern ] || { echo "not root: cannot set core_pattern"; return 3; }
		rm -rf "$dir"
		# shellcheck disable=SC2016
		core=$("$progs/make-core.sh" kernel "$dir" sh -c 'echo 0x3f >/proc/self/coredump_filter && exec "$@"' \
			sh "${fd_argv[@]}" crash)
		pid=${core##*.}
		mv "$core" "$dir/core"
		write_truth "$kind" "$dir/core" "$pid" "$out/rt/dotnet" crash kernel "$rtdir" "$out/app"
		;;
	gcore)
		command -v gcore >/dev/null || { echo "gdb's gcore is not installed"; return 3; }
		rm -rf "$dir"
		core=$("$progs/make-core.sh" gcore "$dir" "${fd_argv[@]}" wait)
		pid=${core##*.}
		mv "$core" "$dir/core"
		write_truth "$kind" "$dir/core" "$pid" "$out/rt/dotnet" wait gcore "$rtdir" "$out/app"
		;;
	collect)
		# createdump by hand on a live process, as `dotnet-dump collect --type Heap` does.
		rm -rf "$dir"
		mkdir -p "$dir"
		local fifo line
		fifo=$(mktemp -u)
		mkfifo "$fifo"
		"${fd_argv[@]}" wait >"$fifo" 2>"$dir/run.log" & pid=$!
		read -r line <"$fifo"
		rm -f "$fifo"
		"$rtdir/createdump" --withheap -f "$dir/core" "$pid" >>"$dir/run.log" 2>&1 || true
		kill -9 "$pid"
		wait "$pid" 2>/dev/null || true
		[ "$line" = "ready $pid" ] || { log "collect: app said '$line'"; return 1; }
		[ -s "$dir/core" ] || { cat "$dir/run.log" >&2; return 1; }
		write_truth "$kind" "$dir/core" "$pid" "$out/rt/dotnet" wait createdump "$rtdir" "$out/app"
		;;
	selfcontained | singlefile)
		local pub="$out/$kind" flags=(-r linux-x64 --self-contained)
		[ "$kind" = singlefile ] && flags+=(-p:PublishSingleFile=true)
		rm -rf "$pub" "$out/src-$kind"
		cp -r "$progs/dotnet-app" "$out/src-$kind"
		# Needs the runtime pack Microsoft.NETCore.App.Runtime.linux-x64 (NuGet, or
		# ~/.nuget/packages once fetched): the SDK ships only the apphost pack.
		if ! dotnet publish "$out/src-$kind/SdApp/SdApp.csproj" -c Release "${flags[@]}" \
			-o "$pub" >"$out/build-$kind.log" 2>&1; then
			echo "dotnet publish failed: $(grep -m1 -E 'error [A-Z]+[0-9]+' "$out/build-$kind.log" |
				sed 's/^ *//' | cut -c1-300)"
			return 3
		fi
		# createdump: "Only full dumps are supported by single file apps".
		local type=2
		[ "$kind" = singlefile ] && type=4
		pid=$(createdump_crash "$kind" "$type" "$pub/SdApp")
		# A single-file app has no libcoreclr.so; its runtime is the app itself.
		write_truth "$kind" "$dir/core" "$pid" "$pub/SdApp" crash createdump "$pub" "$pub"
		;;
	*)
		echo "unknown kind $kind"
		return 3
		;;
	esac
}

for kind in "${kinds[@]}"; do
	rm -f "$out/cores/$kind.skipped"
	fresh "cores/$kind" && continue
	mkdir -p "$out/cores"
	# Not in an || or if: set -e must stay in force inside make_kind.
	t0=$SECONDS
	set +e
	(set -e && make_kind "$kind") >"$out/cores/$kind.reason"
	rc=$?
	set -e
	took=$((SECONDS - t0))
	reason=$(cat "$out/cores/$kind.reason")
	rm -f "$out/cores/$kind.reason"
	if [ "$rc" = 3 ]; then
		log "$kind: skipped: $reason"
		echo "$reason" >"$out/cores/$kind.skipped"
	elif [ "$rc" != 0 ]; then
		log "$kind: FAILED"
		exit 1
	else
		stamp "cores/$kind"
		log "$kind: $out/cores/$kind/core ($took s)"
	fi
done

{
	printf 'DOTNET_FIXTURES=%q\n' "$out"
	printf 'DOTNET_RUNTIME_VERSION=%q\n' "$rtver"
	printf 'DOTNET_RT=%q\n' "$out/rt"
	printf 'DOTNET_APP=%q\n' "$out/app"
	for kind in heap full kernel kernel3f gcore collect apphost selfcontained singlefile; do
		up=${kind^^}
		if [ -f "$out/cores/$kind.skipped" ]; then
			printf '%s_SKIPPED=%q\n' "$up" "$(cat "$out/cores/$kind.skipped")"
		elif [ -f "$out/cores/$kind/.stamp" ]; then
			printf '%s_CORE=%q\n' "$up" "$out/cores/$kind/core"
		fi
	done
} >"$out/cores.env"
cat "$out/cores.env"
