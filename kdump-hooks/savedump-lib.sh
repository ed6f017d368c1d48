# shellcheck shell=sh
# Shared by savedump's kdump hooks (POSIX sh: the capture initramfs may have
# only busybox or dash). Source it, then:
#   savedump_load_config [FILE]     read SYSCONFDIR/savedump.conf (or FILE)
#   savedump_archive DUMP OUTDIR ROOT   run savedump; returns its exit status
#       (set savedump_after_boot=yes first when not in the capture kernel:
#       then debuginfod may be asked; set savedump_replace=yes to replace an
#       archive a previous attempt left)
#   savedump_log MESSAGE...         to stderr (the console, in the capture kernel)
#
# The config is parsed, not sourced: only the documented keys are taken, and
# their values are never evaluated by the shell.
# The SAVEDUMP_* settings are for the hooks that source this file:
# shellcheck disable=SC2034

# make install sets this line to the configured sysconfdir (see Makefile.am).
savedump_sysconfdir=/etc

SAVEDUMP=${SAVEDUMP:-savedump}
SAVEDUMP_FORMAT=zstd
SAVEDUMP_LEVEL=
SAVEDUMP_MAX_SIZE=
SAVEDUMP_DEBUGINFOD=yes
SAVEDUMP_VERBOSE=
SAVEDUMP_ROOT=
SAVEDUMP_OUTPUT_DIR=
SAVEDUMP_EXTRA_ARGS=

savedump_log() {
	echo "savedump: $*" >&2
}

savedump_load_config() {
	_conf=${1:-${SAVEDUMP_CONF:-$savedump_sysconfdir/savedump.conf}}
	[ -r "$_conf" ] || return 0
	while IFS= read -r _line || [ -n "$_line" ]; do
		case $_line in '' | '#'*) continue ;; esac
		_key=${_line%%=*}
		_val=${_line#*=}
		[ "$_key" != "$_line" ] || continue
		# Strip one level of matching quotes.
		case $_val in
		\"*\") _val=${_val#\"}; _val=${_val%\"} ;;
		\'*\') _val=${_val#\'}; _val=${_val%\'} ;;
		esac
		case $_key in
		SAVEDUMP_FORMAT) SAVEDUMP_FORMAT=$_val ;;
		SAVEDUMP_LEVEL) SAVEDUMP_LEVEL=$_val ;;
		SAVEDUMP_MAX_SIZE) SAVEDUMP_MAX_SIZE=$_val ;;
		SAVEDUMP_DEBUGINFOD) SAVEDUMP_DEBUGINFOD=$_val ;;
		SAVEDUMP_VERBOSE) SAVEDUMP_VERBOSE=$_val ;;
		SAVEDUMP_ROOT) SAVEDUMP_ROOT=$_val ;;
		SAVEDUMP_OUTPUT_DIR) SAVEDUMP_OUTPUT_DIR=$_val ;;
		SAVEDUMP_EXTRA_ARGS) SAVEDUMP_EXTRA_ARGS=$_val ;;
		DEBUGINFOD_URLS) DEBUGINFOD_URLS=$_val && export DEBUGINFOD_URLS ;;
		*) savedump_log "$_conf: ignoring unknown key $_key" ;;
		esac
	done <"$_conf"
}

# savedump_archive DUMP OUTDIR ROOT: write OUTDIR/savedump-NAME.tar.EXT.
savedump_archive() {
	_dump=$1 _outdir=$2 _root=$3
	case $SAVEDUMP_FORMAT in
	zstd | '') _ext=.tar.zst ;;
	gzip) _ext=.tar.gz ;;
	xz) _ext=.tar.xz ;;
	none) _ext=.tar ;;
	*) savedump_log "unknown SAVEDUMP_FORMAT '$SAVEDUMP_FORMAT'"; return 2 ;;
	esac
	_out=$_outdir/savedump-${_dump##*/}$_ext
	set -- --progress=none -F "${SAVEDUMP_FORMAT:-zstd}" --root "$_root" -o "$_out"
	# Every item and the peak memory on the capture kernel's console; a few
	# lines per dump in the journal after boot.
	_verbose=$SAVEDUMP_VERBOSE
	[ -n "$_verbose" ] || { [ "${savedump_after_boot:-}" = yes ] && _verbose=no || _verbose=yes; }
	[ "$_verbose" != yes ] || set -- "$@" -v
	[ "${savedump_replace:-}" != yes ] || set -- "$@" --force
	[ -z "$SAVEDUMP_LEVEL" ] || set -- "$@" --level "$SAVEDUMP_LEVEL"
	[ -z "$SAVEDUMP_MAX_SIZE" ] || set -- "$@" --max-size "$SAVEDUMP_MAX_SIZE"
	# debuginfod only after boot: the capture kernel has no network, and its
	# memory is small (a Debian vmlinux is ~600 MB).
	if [ "${savedump_after_boot:-}" = yes ] && [ "$SAVEDUMP_DEBUGINFOD" != no ] &&
		[ -n "${DEBUGINFOD_URLS:-}" ]; then
		savedump_log "debuginfod: $DEBUGINFOD_URLS"
	else
		set -- "$@" --no-debuginfod
	fi
	# shellcheck disable=SC2086 # documented: split at spaces
	set -- "$@" $SAVEDUMP_EXTRA_ARGS
	savedump_log "archiving $_dump into $_out"
	"$SAVEDUMP" "$@" "$_dump"
	_status=$?
	case $_status in
	0) savedump_log "wrote $_out" ;;
	3) savedump_log "wrote $_out (some debug information missing: see its manifest.json)" ;;
	5) savedump_log "wrote $_out, not self-contained (a binary is missing: see its manifest.json)" ;;
	*) savedump_log "failed on $_dump (exit status $_status)" ;;
	esac
	return $_status
}
