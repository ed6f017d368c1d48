#!/bin/bash
# End-to-end: dumps from a hostile machine.
#  - A real program whose own path and library directory hold "$(...)",
#    backquotes, both quotes, ";", a newline, a leading "-", blanks, bytes
#    that are not UTF-8 and a path of about 3.5 KiB, run with LD_LIBRARY_PATH
#    pointing there, its cores made by the kernel and by gcore: every launcher
#    of the archive, run from a scratch directory with GDB=true LLDB=true ...,
#    creates no file; each passes shellcheck; the debugger gets exactly the
#    archived files; manifest.json is valid JSON from which the original
#    bytes come back (surrogateescape).
#  - gdb runs no script the archive carries unless --gdb-auto-load.
#  - A --root holding devices, a FIFO, a socket and a directory where the core
#    names its libraries: each is skipped with the reason, strace sees none of
#    them opened (O_PATH only), and nothing hangs.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

for tool in gcc gdb gcore python3 shellcheck strace timeout; do
	command -v "$tool" >/dev/null || { skip_reason="$tool not installed"; break; }
done
[ -z "${skip_reason:-}" ] && [ -w /proc/sys/kernel/core_pattern ] && test_set_prereq CORES
[ -w /proc/sys/kernel/core_pattern ] || skip_reason=${skip_reason:-"not root: cannot set core_pattern"}

progs_src="$srcdir/tests/progs"
out="$scratch/out"
mkdir -p "$out"

# The hostile directory: one component per kind of trouble, then enough
# long components for a path of about 3.5 KiB (a component is at most 255
# bytes; the whole path, archived and extracted, must stay under PATH_MAX).
long=
for i in $(seq 14); do
	long+="/L$(printf %02d "$i")$(printf '%*s' 240 '' | tr ' ' x)"
done
# shellcheck disable=SC2016 # the $(...) and backquotes are meant literally
hdir="$scratch/h/\$(touch PWNED)/\`touch PWNED\`/both 'single' \"double\"/semi;touch PWNED;"
hdir+="/new"$'\n'"line/-leading dash/ spaces  /"$'\xff\xfe'"not-utf8$long"
prog="$hdir/bin/-prog"
# ld.so splits LD_LIBRARY_PATH at ":" and ";": the loader reaches the library
# directory through a symlink whose name holds the rest of the corpus, so the
# core has both names (NT_FILE the real one, link_map the symlink's).
# shellcheck disable=SC2016
libdir_link="$scratch/l/\$(touch PWNED)\`touch PWNED\`'\"-x"$'\n'" "$'\xff'

test_expect_success CORES 'build a program under a hostile path, with a hostile library directory' '
	mkdir -p "$hdir/bin" "$hdir/lib" "$scratch/l" &&
	ln -s "$hdir/lib" "$libdir_link" &&
	gcc -g -fPIC -shared -o "$hdir/lib/libsdfoo.so" "$progs_src/libsdfoo.c" &&
	gcc -g -fPIC -shared -o "$hdir/lib/libsdbar.so" "$progs_src/libsdbar.c" &&
	gcc -g -fPIC -shared -o "$hdir/lib/libcoreclr.so" "$progs_src/clrjit.c" &&
	cp /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libthread_db.so.1 "$hdir/lib/" &&
	gcc -g -fPIE -pie -o "$prog" "$progs_src/crasher.c" -L"$hdir/lib" -lsdfoo -lsdbar \
		-Wl,--no-as-needed -lcoreclr -lpthread -ldl &&
	LD_LIBRARY_PATH=$libdir_link ldd "$prog" >"$out/ldd" &&
	grep -F -q "libc.so.6 => $scratch/l/" "$out/ldd"
'

mkdir -p "$scratch/run"
make_core() {
	(cd "$scratch/run" && LD_LIBRARY_PATH=$libdir_link \
		"$progs_src/make-core.sh" "$1" "$scratch/cores" "$prog")
}
test_expect_success CORES 'the kernel and gcore write cores of it' '
	make_core kernel >"$scratch/kcore.path" && test -s "$(cat "$scratch/kcore.path")" &&
	make_core gcore >"$scratch/gcore.path" && test -s "$(cat "$scratch/gcore.path")"
'

# archive NAME: savedump the core into $out/NAME.tar.zst (exit 0, or 5: the
# stand-in .NET runtime has no DAC, a runtime file), extract it into $out/NAME.x.
archive() {
	local name=$1 status=0
	"$SAVEDUMP" -o "$out/$name.tar.zst" "$(cat "$scratch/$name.path")" \
		>"$out/$name.stdout" 2>"$out/$name.stderr" || status=$?
	case $status in 0 | 3 | 5) ;; *) echo "savedump: exit $status"; return 1 ;; esac
	mkdir -p "$out/$name.x"
	tar -C "$out/$name.x" -xf "$out/$name.tar.zst" 2>"$out/$name.tar.err"
	test -f "$out/$name.x/$name/manifest.json"
}

# Every file and directory under the given directories, NUL-separated and sorted.
tree_listing() {
	find "$@" -print0 | sort -z
}

# run_launchers NAME: every run-*.sh of the extracted archive, from the empty
# $scratch/run-NAME, with GDB=true etc.: no file may appear there, in the
# extraction, in TMPDIR, nor a PWNED anywhere under $scratch.
run_launchers() {
	local name=$1 top="$out/$1.x/$1" cwd="$scratch/run-$1" s n=0
	mkdir -p "$cwd" "$scratch/tmp-$1"
	tree_listing "$cwd" "$out/$1.x" "$scratch/tmp-$1" >"$out/$name.before"
	for s in "$top"/run-*.sh; do
		(cd "$cwd" && GDB=true LLDB=true CRASH=true DRGN=true DOTNET_DUMP=true \
			TMPDIR="$scratch/tmp-$1" HOME=/nonexistent "$s" -batch) || { echo "$s failed"; return 1; }
		n=$((n + 1))
	done
	echo "ran $n launchers"
	tree_listing "$cwd" "$out/$1.x" "$scratch/tmp-$1" >"$out/$name.after"
	cmp "$out/$name.before" "$out/$name.after" || {
		echo "files appeared:"
		diff <(tr "\0" "\n" <"$out/$name.before") <(tr "\0" "\n" <"$out/$name.after")
		return 1
	}
	test -z "$(find "$scratch" -name "PWNED*" -print -quit)"
}

for core in kcore gcore; do
	test_expect_success CORES "$core: archived; manifest.json is valid JSON" "
		archive $core &&
		python3 -m json.tool \"\$out/$core.x/$core/manifest.json\" >/dev/null
	"
	test_expect_success CORES "$core: run-gdb.sh and run-lldb.sh exist and create no file" "
		test -x \"\$out/$core.x/$core/run-gdb.sh\" && test -x \"\$out/$core.x/$core/run-lldb.sh\" &&
		run_launchers $core
	"
	test_expect_success CORES "$core: shellcheck passes on every launcher" "
		for s in \"\$out/$core.x/$core\"/run-*.sh; do shellcheck \"\$s\" || exit 1; done
	"
done

# The arguments a launcher gives the debugger, recorded by a stand-in.
cat >"$scratch/rec.sh" <<'EOF'
#!/bin/sh
: >"$ARGV_OUT"
for a; do printf '%s\0' "$a" >>"$ARGV_OUT"; done
EOF
chmod +x "$scratch/rec.sh"

test_expect_success CORES 'kcore: the debuggers get exactly the archived program and core' '
	top="$out/kcore.x/kcore" &&
	(cd "$scratch/run-kcore" && GDB="$scratch/rec.sh" ARGV_OUT="$out/gdb.argv" "$top/run-gdb.sh") &&
	(cd "$scratch/run-kcore" && LLDB="$scratch/rec.sh" ARGV_OUT="$out/lldb.argv" HOME=/nonexistent \
		"$top/run-lldb.sh" 2>/dev/null) &&
	python3 - "$out/gdb.argv" "$out/lldb.argv" "$top" "$prog" "$(cat "$scratch/kcore.path")" <<-\EOF
	import filecmp, os, sys
	gdb, lldb, top, prog, core = sys.argv[1:]
	g = open(gdb, "rb").read().split(b"\0")[:-1]
	l = open(lldb, "rb").read().split(b"\0")[:-1]
	exe = os.fsencode(os.path.realpath(top)) + os.fsencode(prog)
	# gdb ... EXE -c CORE; lldb ... --core CORE EXE
	assert g[-3] == exe and g[-2] == b"-c", g[-3:]
	assert l[-3] == b"--core" and l[-1] == exe, l[-3:]
	assert filecmp.cmp(exe, os.fsencode(prog), shallow=False)
	assert filecmp.cmp(g[-1], os.fsencode(core), shallow=False), g[-1]
	# The program maps a libcoreclr.so: savedump takes it for .NET, and lldb (for SOS)
	# gets the derived core the manifest lists (fillcore.c) instead of the dump.
	import json
	items = json.load(open(os.path.join(top, "manifest.json")))["items"]
	derived = [i for i in items if i["role"] == "dotnet-core" and i["packed"]]
	if derived:
	    want = os.fsencode(os.path.realpath(top)) + b"/" + os.fsencode(derived[0]["archive_path"])
	    assert l[-2] == want, (l[-2], want)
	    assert not filecmp.cmp(l[-2], os.fsencode(core), shallow=False)
	else:
	    assert filecmp.cmp(l[-2], os.fsencode(core), shallow=False), l[-2]
	# No gdb command carries the hostile directory (it cannot be passed safely).
	assert not any(b"libthread-db-search-path" in a for a in g), g
	EOF
'

test_expect_success CORES 'kcore: gdb opens the hostile archive for real, and nothing is created' '
	tree_listing "$scratch/run-kcore" "$out/kcore.x" >"$out/gdb.before" &&
	(cd "$scratch/run-kcore" && timeout 300 "$out/kcore.x/kcore/run-gdb.sh" -batch -ex bt) \
		>"$out/gdb.out" 2>&1 &&
	expect_grep "crash_leaf (value=42)" "$out/gdb.out" &&
	expect_grep "sdfoo_compute" "$out/gdb.out" &&
	tree_listing "$scratch/run-kcore" "$out/kcore.x" >"$out/gdb.after" &&
	cmp "$out/gdb.before" "$out/gdb.after" &&
	test -z "$(find "$scratch" -name "PWNED*" -print -quit)"
'

test_expect_success CORES 'kcore: the non-UTF-8 path is recovered from manifest.json (surrogateescape)' '
	python3 - "$out/kcore.x/kcore/manifest.json" "$hdir" <<-\EOF
	import json, os, sys
	doc = json.load(open(sys.argv[1], encoding="utf-8"))
	want = os.fsencode(sys.argv[2]) + b"/lib/libc.so.6"
	assert b"\xff\xfe" in want
	got = [i["original_path"].encode("utf-8", "surrogateescape")
	       for i in doc["items"] if i["role"] == "library" and i["name"] == "libc.so.6"]
	assert got == [want], got
	EOF
'
test_expect_success CORES 'kcore: manifest.json is UTF-8 throughout, the raw 0xff byte is not in it' '
	iconv -f UTF-8 -t UTF-8 "$out/kcore.x/kcore/manifest.json" >/dev/null &&
	! grep -q -a "$(printf "\377")" "$out/kcore.x/kcore/manifest.json" &&
	grep -q "\\\\udcff\\\\udcfenot-utf8" "$out/kcore.x/kcore/manifest.json"
'

# gdb and the scripts a debug file carries (.debug_gdb_scripts).
test_expect_success CORES 'gdb runs no script nor libthread_db from the archive unless --gdb-auto-load' '
	al="$scratch/autoload" && mkdir -p "$al/dbg" &&
	gcc -g -Wl,--build-id -o "$al/prog" "$progs_src/autoload.c" &&
	id=$(readelf -n "$al/prog" | sed -n "s/.*Build ID: //p") &&
	mkdir -p "$al/dbg/.build-id/${id:0:2}" &&
	objcopy --only-keep-debug "$al/prog" "$al/dbg/.build-id/${id:0:2}/${id:2}.debug" &&
	objcopy --strip-debug "$al/prog" &&
	(cd "$al" && "$progs_src/make-core.sh" gcore "$al/cores" ./prog) >"$al/core.path" &&
	"$SAVEDUMP" -q --debug-dir "$al/dbg" --output-dir "$al/default" "$(cat "$al/core.path")" &&
	"$SAVEDUMP" -q --gdb-auto-load --debug-dir "$al/dbg" --output-dir "$al/trusted" \
		"$(cat "$al/core.path")" &&
	test -f "$al/default/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" &&
	(cd / && timeout 300 "$al/default/run-gdb.sh" -batch) >"$al/default.out" 2>&1 &&
	(cd / && timeout 300 "$al/trusted/run-gdb.sh" -batch) >"$al/trusted.out" 2>&1 &&
	expect_no_grep "SAVEDUMP-AUTOLOAD-SCRIPT-RAN" "$al/default.out" &&
	expect_grep "auto-loading has been declined" "$al/default.out" &&
	expect_grep "SAVEDUMP-AUTOLOAD-SCRIPT-RAN" "$al/trusted.out" &&
	# libthread_db: the host one by default, the archived one when trusted.
	expect_grep "Using host libthread_db library \"/lib" "$al/default.out" &&
	expect_grep "Using host libthread_db library \"$al/trusted/usr/lib/" "$al/trusted.out" &&
	expect_grep "auto-load safe-path \$here\"" "$al/trusted/run-gdb.sh" &&
	expect_no_grep "auto-load safe-path \$here\"" "$al/default/run-gdb.sh"
'

# A root that holds other things than files where the core names its files.
progs="$scratch/progs"
root="$scratch/root"
test_expect_success CORES 'a --root with devices, a FIFO, a socket and a directory for libraries' '
	"$progs_src/build.sh" "$progs" >/dev/null &&
	(cd "$progs" && "$progs_src/make-core.sh" gcore "$scratch/cores2" ./crasher \
		"$progs/plugin/sdplugin.so") >"$scratch/root-core.path" &&
	mkdir -p "$root$progs/lib" "$root$progs/plugin" "$root/usr/lib/x86_64-linux-gnu" \
		"$root/lib64/ld-linux-x86-64.so.2" "$root/dev" &&
	cp "$progs/crasher" "$root$progs/" &&
	ln -s usr/lib "$root/lib" &&
	mknod "$root/dev/null" c 1 3 && mknod "$root/dev/zero" c 1 5 &&
	mkfifo "$root/fifo" &&
	python3 -c "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" \
		"$root/usr/lib/x86_64-linux-gnu/libc.so.6" &&
	ln -s /dev/null "$root$progs/lib/libsdfoo.so" &&
	ln -s ../../../../../../dev/zero "$root$progs/lib/libsdbar.so" &&
	ln -s /fifo "$root$progs/plugin/sdplugin.so" &&
	test -c "$root/dev/null" && test -p "$root/fifo" && test -S "$root/lib/x86_64-linux-gnu/libc.so.6"
'

test_expect_success CORES '--root: each is skipped with the reason, and savedump does not hang' '
	status=0 &&
	timeout 300 "$SAVEDUMP" -o "$out/root.tar.zst" --root "$root" "$(cat "$scratch/root-core.path")" \
		>"$out/root.stdout" 2>"$out/root.stderr" || status=$? &&
	cat "$out/root.stderr" &&
	test "$status" = 3 &&
	mkdir -p "$out/root.x" && tar -C "$out/root.x" -xf "$out/root.tar.zst" &&
	python3 - "$out/root.x/root/manifest.json" "$progs" <<-\EOF
	import json, sys
	doc = json.load(open(sys.argv[1]))
	progs = sys.argv[2]
	want = {
	    progs + "/lib/libsdfoo.so": "not a regular file (character device)",
	    progs + "/lib/libsdbar.so": "not a regular file (character device)",
	    progs + "/plugin/sdplugin.so": "not a regular file (FIFO)",
	    "/usr/lib/x86_64-linux-gnu/libc.so.6": "not a regular file (socket)",
	    "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2": "not a regular file (directory)",
	}
	items = {i["original_path"]: i for i in doc["items"] if i["original_path"]}
	for path, reason in want.items():
	    i = items[path]
	    print(path, i["status"], i["reason"])
	    assert i["status"] == "skipped" and reason in i["reason"], i
	    assert not i["packed"], i
	EOF
'

test_expect_success CORES '--root: strace sees no open of them but O_PATH' '
	# LeakSanitizer (in --enable-sanitizers builds) cannot run under ptrace.
	status=0 &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		timeout 300 strace -f -ff -qq -yy -e trace=open,openat,openat2 -o "$out/st" \
		"$SAVEDUMP" -o "$out/root-strace.tar.zst" --root "$root" \
		"$(cat "$scratch/root-core.path")" >/dev/null 2>&1 || status=$? &&
	test "$status" = 3 &&
	python3 - "$out/st" "$root" <<-\EOF
	import glob, re, sys
	prefix, root = sys.argv[1:]
	targets = [root + p for p in ("/dev/null", "/dev/zero", "/fifo",
	           "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2")]
	call = re.compile(r"^(open|openat|openat2)\((.*)\) = (-?\d+)(?:<(.*)>)?")
	seen, bad, n = set(), [], 0
	for name in glob.glob(prefix + ".*"):
	    fds = {}
	    for line in open(name, errors="surrogateescape"):
	        m = call.match(line)
	        if not m:
	            continue
	        n += 1
	        args, fd, where = m.group(2), int(m.group(3)), m.group(4) or ""
	        where = re.sub(r"<[^<>]*>$", "", where)    # drop "<char 1:3>"
	        path = re.search(r"\"((?:[^\"\\]|\\.)*)\"", args).group(1)
	        if "O_PATH" in args:
	            if fd >= 0:
	                fds[fd] = where
	                seen.update(t for t in targets if where == t)
	            continue
	        m2 = re.fullmatch(r"/proc/self/fd/(\d+)", path)
	        opened = fds.get(int(m2.group(1)), "") if m2 else where
	        if opened in targets or path in targets:
	            bad.append(line.strip())
	print(n, "opens traced;", len(seen), "targets resolved with O_PATH")
	assert n > 0 and seen == set(targets), (n, sorted(set(targets) - seen))
	assert not bad, bad
	EOF
'

test_done
