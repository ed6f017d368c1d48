#!/bin/bash
# debuginfod: with DEBUGINFOD_URLS set, a debug file found nowhere on the
# machine is fetched from the server into the archive. The server is a real
# debuginfod on 127.0.0.1 serving a directory of the test's own files.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

for tool in gcc debuginfod curl python3; do
	command -v "$tool" >/dev/null || { skip_reason="$tool not installed"; break; }
done
"$SAVEDUMP" --version | grep -q "debuginfod support: yes" ||
	skip_reason=${skip_reason:-"savedump built without libdebuginfod"}
[ -z "${skip_reason:-}" ] && [ -w /proc/sys/kernel/core_pattern ] && test_set_prereq DEBUGINFOD
[ -w /proc/sys/kernel/core_pattern ] || skip_reason=${skip_reason:-"not root: cannot set core_pattern"}

progs="$scratch/progs"
out="$scratch/out"
mkdir -p "$out" "$scratch/served"

test_expect_success DEBUGINFOD 'a core whose plugin debug file is only on the server' '
	"$srcdir/tests/progs/build.sh" "$progs" &&
	(cd "$progs" && "$srcdir/tests/progs/make-core.sh" kernel "$scratch/cores" ./crasher \
		"$progs/plugin/sdplugin.so") >"$scratch/core.path" &&
	mv "$progs/debug/.build-id" "$scratch/served/"
'

test_expect_success DEBUGINFOD 'start debuginfod on 127.0.0.1 and wait for its scan' '
	port=$(python3 -c "import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])") &&
	echo "$port" >"$scratch/port" || exit 1
	debuginfod -F -p "$port" -d "$scratch/db.sqlite" "$scratch/served" \
		>"$scratch/debuginfod.log" 2>&1 &
	echo $! >"$scratch/debuginfod.pid" &&
	id=$(readelf -n "$progs/plugin/sdplugin.so" | sed -n "s/.*Build ID: //p") &&
	for _ in $(seq 1 100); do
		curl -sf -o /dev/null "http://127.0.0.1:$port/buildid/$id/debuginfo" && exit 0
		sleep 0.2
	done &&
	cat "$scratch/debuginfod.log" && exit 1
'
test_at_exit 'kill "$(cat "$scratch/debuginfod.pid" 2>/dev/null)" 2>/dev/null'

test_expect_success DEBUGINFOD 'without debuginfod the plugin debuginfo is missing (exit 3)' '
	expect_status 3 "$SAVEDUMP" --no-debuginfod -o "$out/no.tar.zst" "$(cat "$scratch/core.path")" \
		2>"$out/no.err" &&
	expect_grep "missing: debuginfo .*sdplugin.so" "$out/no.err"
'
test_expect_success DEBUGINFOD 'with DEBUGINFOD_URLS the debug file is fetched into the archive' '
	DEBUGINFOD_URLS="http://127.0.0.1:$(cat "$scratch/port")" \
	DEBUGINFOD_CACHE_PATH="$scratch/cache" \
		"$SAVEDUMP" -o "$out/yes.tar.zst" "$(cat "$scratch/core.path")" 2>"$out/yes.err" &&
	mkdir -p "$out/x" && tar -C "$out/x" -xf "$out/yes.tar.zst" &&
	id=$(readelf -n "$progs/plugin/sdplugin.so" | sed -n "s/.*Build ID: //p") &&
	f=$(echo "$out/x"/*/usr/lib/debug/.build-id/"${id:0:2}/${id:2}.debug") &&
	cmp "$f" "$scratch/served/.build-id/${id:0:2}/${id:2}.debug" &&
	m=$(echo "$out/x"/*/manifest.json) &&
	json_query "$m" "[i[\"source_path\"] for i in doc[\"items\"] if i[\"role\"] == \"debuginfo\" and i[\"name\"] == \"sdplugin.so\"][0]" | grep -q "^debuginfod:"
'
test_expect_success DEBUGINFOD '--sources: a source file absent here comes from the server (/source)' '
	# The sources are hidden from savedump only (a tmpfs in its own mount
	# namespace); the server, outside it, still serves them.
	src=$(cd "$srcdir/tests/progs" && pwd -P) &&
	(cd / && SRC="$src" DEBUGINFOD_URLS="http://127.0.0.1:$(cat "$scratch/port")" \
		DEBUGINFOD_CACHE_PATH="$scratch/cache" OUT="$out/src.tar.zst" \
		CORE="$(cat "$scratch/core.path")" SAVEDUMP="$SAVEDUMP" unshare -m sh -c \
		"mount -t tmpfs none \"\$SRC\" && test ! -e \"\$SRC/plugin.c\" &&
		 \"\$SAVEDUMP\" -q --sources -o \"\$OUT\" \"\$CORE\"") &&
	mkdir -p "$out/src" && tar -C "$out/src" -xf "$out/src.tar.zst" &&
	m=$(echo "$out/src"/*/manifest.json) &&
	json_query "$m" "[(i[\"original_path\"], i[\"source_path\"]) for i in doc[\"items\"] if i[\"role\"] == \"source\" and i[\"packed\"]]" >"$out/src.list" &&
	cat "$out/src.list" &&
	expect_grep "$src/plugin.c., .debuginfod:" "$out/src.list" &&
	cmp "$(echo "$out/src"/*)$src/plugin.c" "$src/plugin.c"
'
test_done
