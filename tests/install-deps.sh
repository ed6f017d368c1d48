#!/bin/bash
# Install what savedump needs to build and what its test suite needs, on
# Debian 12 (as root). Safe to run again: apt-get skips what is installed.
# Everything the suite runs comes from here: on a fresh machine (a debootstrap
# minbase root with git, as .ci/fresh-root.sh checks) nothing else is needed.
# Prints the packages it installed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

build=(
	build-essential autoconf automake pkg-config
	libdw-dev libelf-dev libdebuginfod-dev libarchive-dev libssl-dev zlib1g-dev libzstd-dev
	liblzma-dev liblz4-dev libkdumpfile-dev libbpf-dev
)
# libc6-dbg: the userland tests check that libc's debug information is found
# and opened; groff-base and bsdextrautils (col, hexdump): the man page check;
# debootstrap: CI's fresh-root pass; libarchive-tools (bsdtar): debuginfod -U
# reads .deb files with it (tests/e2e/kernel-debuginfod.sh); zstd, xz-utils,
# lz4: compressed cores (cli-dumps.sh).
tests=(
	gdb elfutils dwz binutils zstd xz-utils lz4 file python3 util-linux lldb python3-lldb-14
	shellcheck debuginfod curl libc6-dbg groff-base bsdextrautils strace git debootstrap
	libarchive-tools
)
# .NET tests (tests/progs/make-dotnet-cores.sh): the runtime needs ICU, and
# ca-certificates for NuGet (dotnet tool install dotnet-dump); the .NET SDK
# itself (dotnet on PATH, .NET 10) is not a Debian package and must be there already.
# lldb, gdb (gcore), elfutils and util-linux (unshare) are in the lists above.
dotnet=(
	libicu72 ca-certificates
)
# Kernel fixtures: a kernel built from Debian's source, Debian's own kernel,
# QEMU (TCG), the capture-kernel tools, and the oracles (crash, drgn).
kernel=(
	linux-source-6.1 bc bison flex cpio kmod dwarves libssl-dev libelf-dev
	qemu-system-x86 busybox-static kexec-tools makedumpfile crash python3-drgn
	e2fsprogs dracut-core
)
# make fuzz: clang with libFuzzer and the sanitizer runtimes (Debian ships
# them apart from the compiler; without them clang cannot link -fsanitize=).
fuzz=(clang-14 libclang-rt-14-dev)

if [ "$(id -u)" != 0 ]; then
	echo "$0: run as root (apt-get install)" >&2
	exit 1
fi
installed() { dpkg-query -W -f '${db:Status-Abbrev} ${binary:Package}\n' | sed -n 's/^ii *//p' | sort; }
before=$(installed)
# apt-get update once per boot at most: a fresh machine needs it, a rerun does not.
stamp=/run/savedump-apt-updated
if [ ! -e "$stamp" ]; then
	apt-get update -qq
	touch "$stamp"
fi
apt-get install -y -qq --no-install-recommends "${build[@]}" "${tests[@]}" "${kernel[@]}" \
	"${fuzz[@]}" "${dotnet[@]}" >/dev/null
new=$(comm -13 <(echo "$before") <(installed))
if [ -z "$new" ]; then
	echo "install-deps: nothing to install"
else
	echo "install-deps: installed $(echo "$new" | wc -l) packages:"
	echo "$new" | tr '\n' ' ' | fold -s -w 100 | sed 's/^/  /; s/ *$//'
	echo
fi
