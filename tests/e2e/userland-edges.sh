#!/bin/bash
# End-to-end: the edges of userland cores. A program run as
# "cd APP && LD_LIBRARY_PATH=./lib ./prog DATAFILE" (libraries known by
# relative names: LD_LIBRARY_PATH, a relative DT_RUNPATH, dlopen("plugins/x.so"),
# and one found through $ORIGIN/../olib), with a locale set and a data file
# mapped; its cores (kernel and gcore) archived, moved, opened in gdb with the
# originals hidden. Names have spaces and odd characters.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

for tool in gcc gdb gcore python3 unshare; do
	command -v "$tool" >/dev/null || { skip_reason="$tool not installed"; break; }
done
[ -z "${skip_reason:-}" ] && [ -w /proc/sys/kernel/core_pattern ] && test_set_prereq CORES
[ -w /proc/sys/kernel/core_pattern ] || skip_reason=${skip_reason:-"not root: cannot set core_pattern"}

app="$scratch/my app (v2) #1"
datadir="$scratch/data dir's"
data="$datadir/mapped data, #1.txt"
out="$scratch/out"
mkdir -p "$out" "$datadir"

test_expect_success CORES 'build the program, its libraries and the data file' '
	"$srcdir/tests/progs/edges/build.sh" "$app" &&
	test -x "$app/prog" && test -f "$app/plugins/x.so" &&
	# The marker, then enough text that gdb reads it from the file in one go.
	{ printf "savedump mapped data marker\n"; seq 1 2000; } >"$data"
'

# make_core kernel|gcore: the program run as people run it, from its directory.
make_core() {
	(cd "$app" && LD_LIBRARY_PATH=./lib "$srcdir/tests/progs/make-core.sh" "$1" \
		"$scratch/cores" ./prog "$data")
}

test_expect_success CORES 'the kernel writes a core of the program' '
	make_core kernel >"$scratch/kcore.path" && test -s "$(cat "$scratch/kcore.path")"
'
test_expect_success CORES 'gcore writes a core of the program' '
	make_core gcore >"$scratch/gcore.path" && test -s "$(cat "$scratch/gcore.path")"
'

# archive NAME CORE [OPTIONS...]: savedump into $out/NAME.tar.zst, extracted in
# "$scratch/else where/NAME"; exit 0 expected.
archive() {
	local name=$1 core=$2
	shift 2
	"$SAVEDUMP" -q -o "$out/$name.tar.zst" "$@" "$core" &&
	mkdir -p "$scratch/else where/$name" &&
	tar -C "$scratch/else where/$name" -xf "$out/$name.tar.zst"
}

# in_hidden NAME GDB-ARGS...: run-gdb.sh of archive NAME from /, with the program's
# directory and the data file's hidden by empty tmpfs mounts; output in $out/NAME.gdb.
in_hidden() {
	local name=$1
	shift
	local script
	script=$(echo "$scratch/else where/$name"/*/run-gdb.sh)
	(cd / && APP="$app" DATADIR="$datadir" SCRIPT="$script" unshare -m sh -c \
		'mount -t tmpfs none "$APP" && mount -t tmpfs none "$DATADIR" &&
		 test ! -e "$APP/prog" && exec "$SCRIPT" "$@"' sh "$@") >"$out/$name.gdb" 2>&1
	cat "$out/$name.gdb"
}

# The kernel of this machine writes an XSAVE area that gdb 13 finds too small;
# gdb says so on the original core as well, so it is not the archive's doing.
xstate_warning="^warning: Section .\.reg-xstate/[0-9]*. in core file too small\.\$"

# check_bt NAME: every frame has a function and file:line, and gdb warned of nothing.
check_bt() {
	local f="$out/$1.gdb" fn
	for fn in crash_function edgeorigin_call edgeplugin_entry via_plugin edgerel_call \
		via_rel edgefoo_call main; do
		expect_grep "^#[0-9].* $fn (.*) at [^ ]*:[0-9][0-9]*\$" "$f"
	done
	grep "^#[0-9]" "$f" >"$f.frames"
	if grep -v " in [a-z_A-Z][a-zA-Z0-9_]* (.*) at [^ ]*:[0-9][0-9]*\$" "$f.frames" |
		grep -v "^#[0-9]*  [a-z_A-Z][a-zA-Z0-9_]* (.*) at [^ ]*:[0-9][0-9]*\$"; then
		echo "frames without a function or file:line" >&2
		return 1
	fi
	grep -v "$(filter_of "${1%-src}")" "$f" >"$f.rest"
	expect_no_grep "warning" "$f.rest"
	expect_no_grep "??" "$f.frames"
}

# filter_of KIND: the warning check_bt may filter out for cores of KIND, or a
# pattern that matches nothing when gdb does not give it on the original core.
filter_of() {
	cat "$out/$1.filter" 2>/dev/null || echo "^\$never"
}

test_expect_success CORES 'the one warning filtered out comes from the core, not the archive' '
	for kind in kcore gcore; do
		core=$(cat "$scratch/$kind.path") &&
		(cd "$app" && gdb -batch -ex quit ./prog "$core") >"$out/$kind.orig.gdb" 2>&1 &&
		if grep -q "$xstate_warning" "$out/$kind.orig.gdb"; then
			echo "$kind: gdb gives the XSAVE warning on the original core" &&
			echo "$xstate_warning" >"$out/$kind.filter"
		fi || exit 1
	done
'

for kind in kcore gcore; do
	test_expect_success CORES "$kind: archived complete, the working directory recorded" '
		core=$(cat "$scratch/'$kind'.path") &&
		archive '$kind' "$core" &&
		m=$(echo "$scratch/else where/'$kind'"/*/manifest.json) &&
		test "$(json_query "$m" "doc[\"dump\"][\"cwd\"]")" = "$app" &&
		test "$(json_query "$m" "doc[\"summary\"][\"complete\"]")" = True
	'
	test_expect_success CORES "$kind: gdb loads every library from the archive, no warning" '
		in_hidden '$kind' -batch -ex "thread apply all bt" -ex "info sharedlibrary" &&
		check_bt '$kind' &&
		expect_grep "Yes  *\./lib/libedgefoo\.so\$" "$out/'$kind'.gdb" &&
		expect_grep "Yes  *rlib/libedgerel\.so\$" "$out/'$kind'.gdb" &&
		expect_grep "Yes  *plugins/x\.so\$" "$out/'$kind'.gdb" &&
		expect_grep "Yes  *.*/olib/libedgeorigin\.so\$" "$out/'$kind'.gdb"
	'
	test_expect_success CORES "$kind: the locale and the data file come from the archive" '
		in_hidden '$kind' -batch -ex "x/s mapped_data" &&
		expect_grep "\"savedump mapped data marker\\\\n1\\\\n2" "$out/'$kind'.gdb" &&
		expect_no_grep "Can.t open file" "$out/'$kind'.gdb" &&
		top=$(echo "$scratch/else where/'$kind'"/*) &&
		test -f "$top/usr/lib/locale/C.utf8/LC_CTYPE" &&
		cmp "$top${data}" "$data"
	'
done

test_expect_success CORES '--sources: list crash_function shows the source from the archive' '
	core=$(cat "$scratch/kcore.path") &&
	archive kcore-src "$core" --sources &&
	in_hidden kcore-src -batch -ex "list crash_function" &&
	expect_grep "\*p = value; /\* prog.c: the crash site \*/" "$out/kcore-src.gdb" &&
	grep -v "$(filter_of kcore)" "$out/kcore-src.gdb" >"$out/kcore-src.rest" &&
	expect_no_grep "warning\|No such file" "$out/kcore-src.rest" &&
	m=$(echo "$scratch/else where/kcore-src"/*/manifest.json) &&
	json_query "$m" "sorted(i[\"original_path\"] for i in doc[\"items\"] if i[\"role\"] == \"source\" and i[\"packed\"])" >"$out/sources" &&
	cat "$out/sources" &&
	for f in prog.c libedgefoo.c libedgerel.c plugin.c libedgeorigin.c; do
		expect_grep "$app/src/$f" "$out/sources" || exit 1
	done &&
	expect_no_grep "/usr/" "$out/sources" &&
	# Without --sources, the same command finds nothing.
	in_hidden kcore -batch -ex "list crash_function" &&
	expect_grep "src/prog.c: No such file or directory" "$out/kcore.gdb"
'

test_expect_success CORES 'gdb works in the program directory; -x files of the caller are found' '
	mkdir -p "$scratch/caller" && echo "echo from-caller-script\\n" >"$scratch/caller/cmds.gdb" &&
	top=$(echo "$scratch/else where/kcore"/*) &&
	(cd "$scratch/caller" && "$top/run-gdb.sh" -batch -x cmds.gdb -ex "echo -x\\n" -ex pwd) \
		>"$out/caller.gdb" 2>&1 &&
	cat "$out/caller.gdb" &&
	expect_grep "^from-caller-script" "$out/caller.gdb" &&
	expect_grep "^-x\$" "$out/caller.gdb" &&
	expect_grep "^Working directory $top$app\.\$" "$out/caller.gdb"
'

test_expect_success CORES 'mapped files over the bounds are skipped with the reason' '
	core=$(cat "$scratch/kcore.path") &&
	expect_status 0 "$SAVEDUMP" --list --json --max-mapped-file 64K --max-mapped-total 20K \
		"$core" >"$out/bounds.json" &&
	json_query "$out/bounds.json" "[i[\"reason\"] for i in doc[\"items\"] if i[\"role\"] == \"mapped-file\" and i[\"status\"] == \"skipped\"]" >"$out/bounds.reasons" &&
	expect_grep "more than --max-mapped-file (65536)" "$out/bounds.reasons" &&
	expect_grep "beyond --max-mapped-total (20480" "$out/bounds.reasons" &&
	test "$(json_query "$out/bounds.json" "sum(i[\"size\"] for i in doc[\"items\"] if i[\"role\"] == \"mapped-file\" and i[\"status\"] == \"found\")")" -le 20480 &&
	"$SAVEDUMP" --list --json --max-mapped-file 0 "$core" >"$out/none.json" &&
	test "$(json_query "$out/none.json" "len([i for i in doc[\"items\"] if i[\"role\"] == \"mapped-file\" and i[\"status\"] == \"found\"])")" = 0 &&
	expect_status 2 "$SAVEDUMP" --max-mapped-file 1X "$core"
'

test_done
