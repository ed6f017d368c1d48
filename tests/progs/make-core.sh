#!/bin/bash
# Make a core of a test program, by the kernel or by gdb's gcore.
#   make-core.sh kernel OUTDIR PROG [ARGS...]   core written by the kernel (core_pattern)
#   make-core.sh gcore OUTDIR PROG [ARGS...]    core written by gcore from a live process
# Prints the core's path. The program runs from OUTDIR's parent by the path given
# (a relative path stays relative, as it would in real life).
set -euo pipefail
how=$1 out=$2
shift 2
mkdir -p "$out"
case $how in
kernel)
	# The kernel writes cores where core_pattern says; point it at $out for this
	# one run and put it back, whatever it was (a pipe to systemd-coredump, say).
	old=$(cat /proc/sys/kernel/core_pattern)
	old_uses_pid=$(cat /proc/sys/kernel/core_uses_pid)
	restore() {
		printf '%s\n' "$old" >/proc/sys/kernel/core_pattern
		echo "$old_uses_pid" >/proc/sys/kernel/core_uses_pid
	}
	trap restore EXIT
	echo "$out/core.%p" >/proc/sys/kernel/core_pattern
	echo 0 >/proc/sys/kernel/core_uses_pid
	pid_file=$(mktemp)
	( ulimit -c unlimited; exec "$@" ) >/dev/null 2>&1 & pid=$!
	wait "$pid" || true
	rm -f "$pid_file"
	core="$out/core.$pid"
	;;
gcore)
	fifo=$(mktemp -u)
	mkfifo "$fifo"
	SD_WAIT=1 "$@" >"$fifo" 2>/dev/null & pid=$!
	read -r _ <"$fifo"
	rm -f "$fifo"
	gcore -o "$out/gcore" "$pid" >/dev/null 2>&1
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	core="$out/gcore.$pid"
	;;
*)
	echo "usage: $0 kernel|gcore OUTDIR PROG [ARGS...]" >&2
	exit 2
	;;
esac
[ -s "$core" ] || { echo "no core was written at $core" >&2; exit 1; }
echo "$core"
