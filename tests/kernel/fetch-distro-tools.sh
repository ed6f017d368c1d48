#!/bin/bash
# fetch-distro-tools.sh SUITE OUTDIR
#
# Another Debian release's kdump tools, runnable on this host from a private
# tree: makedumpfile, crash and drgn (python3-drgn with that release's
# python3.13) and every package they need on a fresh system, fetched with the
# private apt of distro-apt.sh and unpacked with dpkg-deb -x (nothing is
# installed).  Made for SUITE=trixie: Debian 12's makedumpfile 1.7.2, crash
# 8.0.2 and drgn 0.0.22 are too old for Linux 6.12.
#
#   OUTDIR/debs/*.deb    the downloaded packages
#   OUTDIR/root/         all of them unpacked
#   OUTDIR/bin/makedumpfile, crash, drgn, python3
#                        wrappers: the tree's own ld.so with --library-path
#                        (nothing leaks into child processes), PYTHONHOME
#                        and PYTHONPATH for python3 and drgn
#   OUTDIR/versions      "package version" of the three tools
#   OUTDIR/.stamp        SUITE and the hash of this script and distro-apt.sh
#
# Nothing is done when the stamp is current (the package lists are only
# refreshed with SAVEDUMP_FIXTURES_REFRESH=1, see distro-apt.sh).
set -euo pipefail

suite=${1:?usage: fetch-distro-tools.sh SUITE OUTDIR}
out=${2:?usage: fetch-distro-tools.sh SUITE OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/kernel/distro-apt.sh
. "$here/distro-apt.sh"
renice -n 10 -p $$ >/dev/null
log() { echo "fetch-distro-tools[$suite]: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

tools=(makedumpfile crash python3-drgn)
key="$suite $(cat "$here/fetch-distro-tools.sh" "$here/distro-apt.sh" | sha256sum | cut -d' ' -f1)"
if [[ ${SAVEDUMP_FIXTURES_REFRESH:-0} != 1 && -f $out/.stamp && $(cat "$out/.stamp") == "$key" ]]; then
	log "cached"
	exit 0
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
cache=$(dirname "$out")
rm -f "$out/.stamp"

papt_setup "$cache/apt/$suite" "$suite"
mapfile -t pkgs < <(papt_closure "${tools[@]}")
((${#pkgs[@]} > 3)) || die "apt found no dependency closure for ${tools[*]}"
log "${#pkgs[@]} packages for ${tools[*]}"
mapfile -t debs < <(papt_fetch "$out/debs" "${pkgs[@]}")
((${#debs[@]} == ${#pkgs[@]})) || die "downloaded ${#debs[@]} of ${#pkgs[@]} packages"
# Drop packages of an older candidate left from an earlier run.
for f in "$out"/debs/*.deb; do
	printf '%s\n' "${debs[@]}" | grep -qxF "$f" || rm -f "$f"
done

rm -rf "${out:?}/root" "${out:?}/bin"
mkdir -p "$out/root" "$out/bin"
for f in "${debs[@]}"; do
	dpkg-deb -x "$f" "$out/root"
done

r=$out/root
ldso=$r/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
[[ -f $ldso ]] || die "no $ldso in the tree"
pyver=$(find "$r/usr/bin" -maxdepth 1 -regex '.*/python3\.[0-9]+' -printf '%f\n' | sort -V | tail -n1)
[[ -n $pyver ]] || die "no python3.N in the tree"

# The wrappers find the tree relative to themselves, so the cache may move.
wrapper() { # NAME BODY
	{
		echo '#!/bin/sh'
		echo "# $1 of Debian $suite, from the private tree ../root (made by fetch-distro-tools.sh)"
		# shellcheck disable=SC2016 # expanded by the wrapper
		echo 'r=$(cd "$(dirname "$0")/../root" && pwd)'
		# shellcheck disable=SC2016
		echo 'ld="$r/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 --library-path $r/usr/lib/x86_64-linux-gnu:$r/usr/lib"'
		echo "$2"
	} >"$out/bin/$1"
	chmod +x "$out/bin/$1"
}
# shellcheck disable=SC2016
pyenv='export PYTHONHOME="$r/usr" PYTHONPATH="$r/usr/lib/python3/dist-packages" PYTHONNOUSERSITE=1
unset PYTHONSTARTUP'
# shellcheck disable=SC2016
wrapper makedumpfile 'exec $ld "$r/usr/bin/makedumpfile" "$@"'
# shellcheck disable=SC2016
wrapper crash 'exec $ld "$r/usr/bin/crash" "$@"'
# shellcheck disable=SC2016
wrapper python3 "$pyenv
exec \$ld \"\$r/usr/bin/$pyver\" \"\$@\""
# shellcheck disable=SC2016
wrapper drgn "$pyenv
exec \$ld \"\$r/usr/bin/$pyver\" -c 'import sys; from drgn.cli import _main; sys.argv[0] = \"drgn\"; _main()' \"\$@\""

# They must run, and be the versions the brief needs.
"$out/bin/makedumpfile" -v | head -n1
"$out/bin/crash" --version | grep -m1 "^crash"
"$out/bin/python3" -c 'import sys, drgn; print("python", sys.version.split()[0], "drgn", drgn.__version__)'
"$out/bin/drgn" --version
"$out/bin/python3" -c 'import sys; assert not any(p.startswith("/usr/") for p in sys.path), sys.path'
for t in "${tools[@]}"; do
	echo "$t $(dpkg-deb -f "$(printf '%s\n' "${debs[@]}" | grep "/${t}_")" Version)"
done >"$out/versions"
cat "$out/versions"
echo "$key" >"$out/.stamp"
log "done: $(du -sh "$out" | cut -f1)"
