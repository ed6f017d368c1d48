#!/bin/bash
# Install the .NET diagnostics tools the tests use, once, into a cache directory:
#   install-dotnet-tools.sh [DIR]     (default $SAVEDUMP_DOTNET_TOOLS or
#                                      /var/cache/savedump-dotnet-tools)
# Prints KEY=VALUE lines (eval them):
#   DOTNET_DUMP=DIR/dotnet-dump/dotnet-dump      the dotnet-dump tool
#   SOS_PLUGIN=.../linux-x64/libsosplugin.so     lldb plugin shipped in dotnet-dump's package
#   SOS_DIR=.../linux-x64                        (with libsos.so beside it)
#   DOTNET_SOS_SKIPPED=reason, DOTNET_SYMBOL_SKIPPED=reason  when NuGet does not serve them
#   DOTNET_SOS=..., DOTNET_SYMBOL=...           when it does
# A second call costs nothing: installs are kept, and a tool NuGet did not have is not
# asked for again (delete DIR/TOOL.unavailable to retry). Needs `dotnet` and NuGet once.
# dotnet-dump's version is pinned (SAVEDUMP_DOTNET_DUMP_VERSION overrides it) so that
# the tests see the same tool everywhere.
set -euo pipefail
dir=${1:-${SAVEDUMP_DOTNET_TOOLS:-/var/cache/savedump-dotnet-tools}}
dump_version=${SAVEDUMP_DOTNET_DUMP_VERSION:-10.0.750501}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
exec 9>"$dir/.lock"
flock 9
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

command -v dotnet >/dev/null || { echo "install-dotnet-tools: no dotnet on PATH" >&2; exit 1; }

# install NAME [VERSION]: into DIR/NAME unless there, or known to be unavailable.
# Returns 3 when NuGet does not serve it.
install() {
	local name=$1 version=${2:-} log
	[ -x "$dir/$name/$name" ] && return 0
	[ -f "$dir/$name.unavailable" ] && return 3
	log=$(dotnet tool install "$name" --tool-path "$dir/$name" ${version:+--version "$version"} 2>&1) && return 0
	if grep -q "is not found in NuGet feeds" <<<"$log"; then
		grep -m1 "is not found" <<<"$log" >"$dir/$name.unavailable"
		return 3
	fi
	echo "install-dotnet-tools: $name: $log" >&2
	return 1
}

install dotnet-dump "$dump_version"
sos=$(find "$dir/dotnet-dump/.store" -path '*/tools/*/any/linux-x64/libsosplugin.so' | sort | tail -n 1)
[ -n "$sos" ] || { echo "install-dotnet-tools: no libsosplugin.so in dotnet-dump's package" >&2; exit 1; }
printf 'DOTNET_DUMP=%q\n' "$dir/dotnet-dump/dotnet-dump"
printf 'SOS_PLUGIN=%q\n' "$sos"
printf 'SOS_DIR=%q\n' "${sos%/*}"
for tool in dotnet-sos dotnet-symbol; do
	var=$(tr a-z- A-Z_ <<<"$tool")
	rc=0
	install "$tool" || rc=$?
	case $rc in
	0) printf '%s=%q\n' "$var" "$dir/$tool/$tool" ;;
	3) printf '%s_SKIPPED=%q\n' "$var" "$(cat "$dir/$tool.unavailable")" ;;
	*) exit 1 ;;
	esac
done
