#!/bin/bash
# fixtures.sh [CACHE]
#
# Single entry point for savedump's kernel-dump tests.  Builds, fetches and
# dumps whatever is missing from CACHE (default $SAVEDUMP_FIXTURES or
# /var/cache/savedump-fixtures), then prints KEY=VALUE lines describing what
# exists (see README.md).  Every step is cached by a stamp holding the hash of
# the scripts (and inputs) that made it, so a second call costs nothing.
# Concurrent callers serialise on flock(CACHE/.lock).
#
# Environment:
#   SAVEDUMP_FIXTURES_KINDS  which fixtures to make (default "custom debian"; also
#                            bullseye trixie bullseye-dbg trixie-dbg, see README.md)
#   SAVEDUMP_FIXTURES_REFRESH=1  refresh the private apt lists of bullseye/trixie
#                            (a newer kernel package then rebuilds its fixtures)
#   SAVEDUMP_FIXTURES_FULL_DBG=1 unpack all of a -dbg package, not only what the
#                            tests use
#   SAVEDUMP_FIXTURES_NO_BUILD=1  build nothing: use what the cache holds, as it is
#                            (a kind that was never made is FAILED)
# Step logs are appended to CACHE/logs/NAME.log; on failure the tail is shown on stderr, the
# kind is listed in FIXTURES_FAILED=... and the exit status is 1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-${SAVEDUMP_FIXTURES:-/var/cache/savedump-fixtures}}
kinds=${SAVEDUMP_FIXTURES_KINDS:-custom debian}

mkdir -p "$cache/logs"
cache=$(cd "$cache" && pwd)
exec 9>"$cache/.lock"
flock 9

log() { echo "fixtures: $*" >&2; }
failed=()

# step NAME COMMAND...: run COMMAND with its output in CACHE/logs/NAME.log.
step() {
	local name=$1 t0=$SECONDS
	shift
	echo "=== $(date -u) $*" >>"$cache/logs/$name.log"
	if "$@" >>"$cache/logs/$name.log" 2>&1; then
		log "$name: ok ($((SECONDS - t0)) s)"
	else
		log "$name: FAILED after $((SECONDS - t0)) s; last lines of $cache/logs/$name.log:"
		tail -n 25 "$cache/logs/$name.log" >&2
		return 1
	fi
}

# dumps KIND: make-dumps.sh for KIND unless its stamp is current.
dumps() {
	local kind=$1 key
	key=$(cat "$here/make-dumps.sh" "$here/guest.sh" "$here/qemu.sh" "$here/dumptool.py" "$cache/$kind/.stamp" | sha256sum | cut -d' ' -f1)
	if [[ -f $cache/$kind-dumps/.stamp && $(cat "$cache/$kind-dumps/.stamp") == "$key" ]]; then
		return 0
	fi
	rm -f "$cache/$kind-dumps/.stamp"
	step "$kind-dumps" "$here/make-dumps.sh" "$kind" "$cache/$kind" "$cache/$kind-dumps" || return 1
	echo "$key" >"$cache/$kind-dumps/.stamp"
}

# stamp_key FILE...: hash of FILEs (scripts and the stamps of what a step uses).
stamp_key() { cat "$@" | sha256sum | cut -d' ' -f1; }

# distro_dumps SUITE [TOOLS]: make-distro-dumps.sh for SUITE unless its stamp is current.
distro_dumps() {
	local suite=$1 tools=${2:-} key
	key=$(stamp_key "$here/make-distro-dumps.sh" "$here/guest.sh" "$here/qemu.sh" "$here/dumptool.py" \
		"$cache/$suite/.stamp" ${tools:+"$tools/.stamp"})
	if [[ -f $cache/$suite-dumps/.stamp && $(cat "$cache/$suite-dumps/.stamp") == "$key" ]]; then
		return 0
	fi
	rm -f "$cache/$suite-dumps/.stamp"
	step "$suite-dumps" "$here/make-distro-dumps.sh" "$suite" "$cache/$suite" "$cache/$suite-dumps" "$tools" || return 1
	echo "$key" >"$cache/$suite-dumps/.stamp"
}

# distro_dbg SUITE [TOOLS]: fetch-distro-dbg.sh for SUITE unless its stamp is current.
distro_dbg() {
	local suite=$1 tools=${2:-} key
	key=$(stamp_key "$here/fetch-distro-dbg.sh" "$here/drgn-modules.py" "$here/distro-apt.sh" \
		"$cache/$suite-dumps/.stamp" ${tools:+"$tools/.stamp"} <(echo "${SAVEDUMP_FIXTURES_FULL_DBG:-0}"))
	if [[ -f $cache/$suite-dbg/.stamp && $(cat "$cache/$suite-dbg/.stamp") == "$key" ]]; then
		return 0
	fi
	rm -f "$cache/$suite-dbg/.stamp"
	step "$suite-dbg" "$here/fetch-distro-dbg.sh" "$suite" "$cache/$suite" "$cache/$suite-dumps" \
		"$cache/$suite-dbg" "$tools" || return 1
	echo "$key" >"$cache/$suite-dbg/.stamp"
}

# distro KIND: the kernel, tools and dumps of bullseye or trixie, and with
# KIND=SUITE-dbg its -dbg package.
distro() {
	local kind=$1 suite=${1%-dbg} tools=
	if [[ $suite == trixie ]]; then
		tools=$cache/trixie-tools
		step trixie-tools "$here/fetch-distro-tools.sh" trixie "$tools" || return 1
	fi
	step "$suite-kernel" "$here/fetch-distro-kernel.sh" "$suite" "$cache/$suite" || return 1
	distro_dumps "$suite" "$tools" || return 1
	[[ $kind == *-dbg ]] || return 0
	distro_dbg "$suite" "$tools"
}

t0=$SECONDS
for kind in $kinds; do
	if [[ ${SAVEDUMP_FIXTURES_NO_BUILD:-0} == 1 ]]; then
		# A -dbg kind has no dumps of its own: its suite's are used.
		if [[ -f $cache/$kind/.stamp && -f $cache/${kind%-dbg}-dumps/.stamp ]]; then
			log "$kind: cached (not checked: SAVEDUMP_FIXTURES_NO_BUILD=1)"
		else
			log "$kind: not in $cache, and SAVEDUMP_FIXTURES_NO_BUILD=1"
			failed+=("$kind")
		fi
		continue
	fi
	case $kind in
	custom)
		if step custom-kernel "$here/build-kernel.sh" "$cache/custom" && dumps custom; then
			:
		else
			failed+=(custom)
		fi
		;;
	debian)
		if step debian-kernel "$here/fetch-debian-kernel.sh" "$cache/debian" && dumps debian; then
			:
		else
			failed+=(debian)
		fi
		;;
	bullseye | trixie | bullseye-dbg | trixie-dbg)
		distro "$kind" || failed+=("$kind")
		;;
	*) log "unknown kind $kind"; failed+=("$kind") ;;
	esac
done
log "done in $((SECONDS - t0)) s"

echo "FIXTURES_CACHE=$cache"
c=$cache/custom
if [[ -f $c/.stamp ]]; then
	rel=$(cat "$c/release")
	echo "CUSTOM_REL=$rel"
	echo "CUSTOM_ROOT=$c/root"
	echo "CUSTOM_VMLINUX=$c/root/usr/lib/debug/boot/vmlinux-$rel"
	echo "CUSTOM_WRONG_VMLINUX=$c/wrong/vmlinux-$rel"
	echo "CUSTOM_BUILD=$c/build"
	[[ -f $cache/custom-dumps/.stamp ]] && echo "CUSTOM_DUMPS=$cache/custom-dumps"
fi
d=$cache/debian
if [[ -f $d/.stamp ]]; then
	echo "DEBIAN_REL=$(cat "$d/release")"
	echo "DEBIAN_PACKAGE=$(cat "$d/package")"
	echo "DEBIAN_ROOT=$d/root"
	[[ -f $cache/debian-dumps/.stamp ]] && echo "DEBIAN_DUMPS=$cache/debian-dumps"
fi
for suite in bullseye trixie; do
	d=$cache/$suite
	[[ -f $d/.stamp ]] || continue
	v=${suite^^}
	rel=$(cat "$d/release")
	echo "${v}_REL=$rel"
	echo "${v}_PACKAGE=$(cat "$d/package")"
	echo "${v}_ROOT=$d/root"
	[[ -f $cache/$suite-dumps/.stamp ]] && echo "${v}_DUMPS=$cache/$suite-dumps"
	g=$cache/$suite-dbg
	if [[ -f $g/.stamp ]]; then
		echo "${v}_DBG_ROOT=$g/dbg-root"
		echo "${v}_VMLINUX=$g/dbg-root/usr/lib/debug/boot/vmlinux-$rel"
		echo "${v}_SYSMAP_ROOT=$g/sysmap-root"
		echo "${v}_WRONG_SYSMAP_ROOT=$g/wrong-sysmap-root"
	fi
done
t=$cache/trixie-tools
if [[ -f $t/.stamp ]]; then
	echo "TRIXIE_TOOLS=$t/bin"
	echo "TRIXIE_CRASH=$t/bin/crash"
	echo "TRIXIE_DRGN=$t/bin/drgn"
	echo "TRIXIE_MAKEDUMPFILE=$t/bin/makedumpfile"
fi
if ((${#failed[@]})); then
	echo "FIXTURES_FAILED=${failed[*]}"
	exit 1
fi
