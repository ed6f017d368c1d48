# shellcheck shell=bash
# Sourced: stop the QEMU whose pid is in $qemu_pid (if it still runs), at
# exit too. The caller starts QEMU in the background and sets qemu_pid.
qemu_pid=
stop_qemu() {
	if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill "$qemu_pid" 2>/dev/null || true
		wait "$qemu_pid" 2>/dev/null || true
	fi
	qemu_pid=
}
trap stop_qemu EXIT
