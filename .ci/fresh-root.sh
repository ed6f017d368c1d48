#!/bin/bash
# .ci/fresh-root.sh: the README's test command on a fresh Debian 12, as a new
# user would run it. A Debian 12 minbase root made by debootstrap, with only
# git added (and the machine's apt sources), gets a clone of this repository's
# HEAD; then, chrooted into it:
#
#     tests/install-deps.sh && tests/run-suite.sh
#
# A package the suite needs that install-deps.sh does not install fails here,
# even when the machine running CI has it. The kernel-fixture cache
# (/var/cache/savedump-fixtures, or $SAVEDUMP_FIXTURES) is bind-mounted into
# the root and used as it is: fixtures are never built in this pass
# (SAVEDUMP_FIXTURES_NO_BUILD=1), so run the full suite on the machine first.
# The project's machines are Debian 12 with the .NET SDK preinstalled (not a
# Debian package): the host's SDK (the directory of the dotnet on PATH) is
# bind-mounted read-only at the same place, with /usr/bin/dotnet, as on such
# a machine; everything else comes from install-deps.sh.
# The minbase root is cached in CACHE/fresh-root/ as a tarball, one per day;
# the packages install-deps.sh downloads are kept in CACHE/fresh-root/apt-archives/.
#
# Prints the packages install-deps.sh installed and the suite's progress;
# ends with the suite's "N passed, N failed, N skipped". Needs root and
# debootstrap (tests/install-deps.sh installs it).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${SAVEDUMP_FIXTURES:-/var/cache/savedump-fixtures}
suite=bookworm
t0=$SECONDS

say() { echo "fresh-root: [$(date -u +%H:%M:%S)] $*"; }
die() {
	say "ERROR: $*"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null || die "debootstrap is not installed (tests/install-deps.sh)"
commit=$(git -C "$top" rev-parse HEAD) || die "$top is not a git checkout"
if [ -n "$(git -C "$top" status --porcelain --untracked-files=no)" ]; then
	say "note: uncommitted changes in $top are not tested here (the root gets HEAD, $commit)"
fi

# The machine's Debian mirror (deb822 sources), else the default one.
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}

# 1. The minbase root with git, cached for the day.
mkdir -p "$cache/fresh-root"
tarball=$cache/fresh-root/$suite-minbase-git-$(date -u +%Y%m%d).tar.zst
if [ ! -f "$tarball" ]; then
	say "debootstrap --variant=minbase --include=git $suite from $mirror (once a day)"
	boot=$(mktemp -d /var/tmp/savedump-debootstrap.XXXXXX)
	if ! debootstrap --variant=minbase --include=git "$suite" "$boot" "$mirror" \
		>"$cache/fresh-root/debootstrap.log" 2>&1; then
		tail -n 20 "$cache/fresh-root/debootstrap.log"
		rm -rf --one-file-system "$boot"
		die "debootstrap failed (log: $cache/fresh-root/debootstrap.log)"
	fi
	# The same apt sources as this machine (security and updates included: the
	# kernel fixtures are keyed by the newest Debian kernel package apt knows).
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		rm -f "$boot/etc/apt/sources.list"
		cp /etc/apt/sources.list.d/debian.sources "$boot/etc/apt/sources.list.d/"
	fi
	# A chroot has no init: package scripts must not start daemons in it.
	printf '#!/bin/sh\nexit 101\n' >"$boot/usr/sbin/policy-rc.d"
	chmod 755 "$boot/usr/sbin/policy-rc.d"
	rm -f "$boot"/var/cache/apt/archives/*.deb
	rm -f "$cache"/fresh-root/*.tar.zst
	if ! tar -C "$boot" --numeric-owner -cf - . | zstd -q -T0 -3 -o "$tarball.tmp"; then
		rm -rf --one-file-system "$boot" "$tarball.tmp"
		die "cannot write $tarball"
	fi
	mv "$tarball.tmp" "$tarball"
	rm -rf --one-file-system "$boot"
	say "cached the root as $tarball ($(du -h "$tarball" | cut -f1))"
fi

# 2. A fresh copy of it, with this repository cloned into /root/savedump.
work=$(mktemp -d /var/tmp/savedump-fresh-root.XXXXXX)
root=$work/root
mounts=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local m pid i
	# Processes left in the root (a daemon a test started) would keep its mounts busy.
	for pid in /proc/[0-9]*; do
		[ "$(readlink "$pid/root" 2>/dev/null)" = "$root" ] && kill -9 "${pid#/proc/}" 2>/dev/null
	done
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		m=${mounts[i]}
		umount -R "$m" 2>/dev/null || umount -R -l "$m" 2>/dev/null
	done
	# Never remove through a mount (the fixture cache is bind-mounted in).
	if findmnt -rn -o TARGET | grep -q "^$work/"; then
		say "WARNING: mounts remain under $work; not removing it"
	else
		rm -rf --one-file-system "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$root"
zstd -q -dc "$tarball" | tar -C "$root" --numeric-owner -xf - || die "cannot unpack $tarball"
chmod 755 "$root"	# "/" as on a machine: others (the tests' nobody) may enter
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# The machine's own certificate authorities (a network's egress proxy), as
# resolv.conf: part of the machine, not of what the project installs.
# ca-certificates (install-deps.sh) adds them to the root's store.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
	mkdir -p "$root/usr/local/share/ca-certificates"
	cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi
if ! git clone -q "$top" "$root/root/savedump" || ! git -C "$root/root/savedump" checkout -q "$commit"; then
	die "cannot clone $top"
fi
say "root ready in $work ($((SECONDS - t0)) s): $suite minbase + git, savedump $(git -C "$top" log -1 --format='%h %s')"

bind() { # bind [--rbind] SRC DEST: mount and remember for cleanup
	local how=--bind
	if [ "$1" = --rbind ]; then how=--rbind; shift; fi
	mkdir -p "$2"
	mount "$how" "$1" "$2" || die "cannot mount $1 on $2"
	mounts+=("$2")
	[ "$how" = --bind ] || mount --make-rslave "$2"
}
# The root a mount point of its own, as on a machine: unshare -m (the tests
# hide files with it) cannot make a plain directory's mounts private.
bind "$root" "$root"
mount --make-private "$root"
mount -t proc proc "$root/proc" || die "cannot mount proc"
mounts+=("$root/proc")
bind --rbind /sys "$root/sys"
bind --rbind /dev "$root/dev"
mkdir -p "$cache"
bind "$cache" "$root/var/cache/savedump-fixtures"
if dotnet=$(command -v dotnet) && sdk=$(dirname "$(readlink -f "$dotnet")") && [ "$sdk" != / ]; then
	bind "$sdk" "$root$sdk"
	mount -o remount,bind,ro "$root$sdk" || die "cannot make $root$sdk read-only"
	ln -sf "$sdk/dotnet" "$root/usr/bin/dotnet"
	say "the .NET SDK of this machine, as on a project machine: $sdk"
fi
# Downloaded packages are kept between runs (they are still installed
# afresh): linked in and out, not shared, so that runs at the same time do not
# wait on each other's apt lock.
debs=$cache/fresh-root/apt-archives
mkdir -p "$debs"
find "$debs" -maxdepth 1 -name '*.deb' -exec cp -l -t "$root/var/cache/apt/archives" {} + 2>/dev/null ||
	find "$debs" -maxdepth 1 -name '*.deb' -exec cp -t "$root/var/cache/apt/archives" {} +

# 3. The README's command, as root in the chroot, with a clean environment.
say "chroot: tests/install-deps.sh && tests/run-suite.sh"
env -i HOME=/root TERM="${TERM:-dumb}" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	SAVEDUMP_FIXTURES_NO_BUILD=1 ${SAVEDUMP_SKIP_KERNEL:+SAVEDUMP_SKIP_KERNEL=$SAVEDUMP_SKIP_KERNEL} \
	chroot "$root" /bin/bash -c 'cd /root/savedump && tests/install-deps.sh && tests/run-suite.sh' \
	2>&1 | tee "$work/suite.log"
status=${PIPESTATUS[0]}
last=$(tail -n 1 "$work/suite.log")
find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -n -l -t "$debs" {} + 2>/dev/null ||
	find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -n -t "$debs" {} +
# Keep the test logs: the root goes away.
logs=$cache/fresh-root/last-run
rm -rf "$logs" && mkdir -p "$logs" && cp "$work/suite.log" "$logs/"
if [ -d "$root/root/savedump/build/tests" ]; then
	(cd "$root/root/savedump/build" && find . -name '*.log' -path './tests/*' -o -name test-suite.log |
		tar -cf - -T -) | tar -C "$logs" -xf -
fi
say "done in $((SECONDS - t0)) s (exit status $status); logs in $logs"
if [[ ! $last =~ ^[0-9]+\ passed,\ [0-9]+\ failed,\ [0-9]+\ skipped$ ]]; then
	# install-deps.sh failed, or the suite ended early.
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
echo "$last"
exit "$status"
