#!/bin/bash
# make install: with the default prefix the dracut module and the systemd
# units go where dracut and systemd look (their .pc files say), the installed
# hooks read the configured sysconfdir and hook directory, an existing
# savedump.conf is kept (the new one goes beside it as savedump.conf.dist),
# and --with-dracutmodulesdir/--with-systemdsystemunitdir override. Built from
# a copy of the distributed sources (make distdir), so it also checks that
# the tarball holds what install needs.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

command -v pkg-config >/dev/null && pkg-config --exists dracut && test_set_prereq DRACUT_PC
command -v pkg-config >/dev/null && pkg-config --exists systemd && test_set_prereq SYSTEMD_PC
src=$scratch/src b=$scratch/b d=$scratch/d

# dir_of PKG VAR FALLBACK: where PKG's .pc file says (absolute), else FALLBACK.
dir_of() { pkg-config --variable="$2" "$1" 2>/dev/null | grep . || echo "$3"; }

test_expect_success 'the distributed sources configure and build with the default prefix' '
	make -s -C "$builddir" distdir distdir="$src" >distdir.out 2>&1 &&
	mkdir "$b" && cd "$b" &&
	"$src/configure" -q CFLAGS="-O0 -g0" >configure.out 2>&1 &&
	grep -q "^prefix = /usr/local$" Makefile &&
	make -s -j2 >make.out 2>&1
'
test_expect_success 'make install DESTDIR=...: savedump, hooks, units, config, man pages' '
	cd "$b" && make -s install DESTDIR="$d" >install.out 2>&1 &&
	test -x "$d/usr/local/bin/savedump" &&
	test -x "$d/usr/local/lib/savedump/kdump-post.sh" &&
	test -x "$d/usr/local/lib/savedump/savedump-pending" &&
	test -f "$d/usr/local/lib/savedump/savedump-lib.sh" &&
	test -f "$d/usr/local/etc/savedump.conf" && ! test -e "$d/usr/local/etc/savedump.conf.dist" &&
	cmp "$d/usr/local/etc/savedump.conf" "$b/gen/savedump.conf" &&
	test -f "$d/usr/local/share/man/man1/savedump.1" &&
	test -f "$d/usr/local/share/man/man5/savedump.conf.5"
'
test_expect_success 'the dracut module is where pkg-config dracut says (else PREFIX/lib/dracut/modules.d)' '
	mod=$d$(dir_of dracut dracutmodulesdir /usr/local/lib/dracut/modules.d)/99savedump &&
	for f in module-setup.sh savedump-kdump.sh savedump-cmdline.sh savedump-lib.sh kdump-post.sh; do
		test -f "$mod/$f" || { echo "no $mod/$f"; find "$d" -type f; exit 1; }
	done &&
	test -x "$mod/module-setup.sh"
'
test_expect_success DRACUT_PC 'with dracut.pc the module is in dracut'\''s own directory, not under /usr/local' '
	test -d "$d$(pkg-config --variable=dracutmodulesdir dracut)/99savedump" &&
	! test -e "$d/usr/local/lib/dracut"
'
test_expect_success 'the systemd units are where pkg-config systemd says, naming the installed hook' '
	units=$d$(dir_of systemd systemdsystemunitdir /usr/local/lib/systemd/system) &&
	test -f "$units/savedump-pending.path" &&
	expect_grep "^ExecStart=/usr/local/lib/savedump/savedump-pending$" "$units/savedump-pending.service"
'
test_expect_success 'the installed hooks read the configured sysconfdir and hook directory' '
	mod=$d$(dir_of dracut dracutmodulesdir /usr/local/lib/dracut/modules.d)/99savedump &&
	lib=$d/usr/local/lib/savedump &&
	expect_grep "^savedump_sysconfdir=.*/usr/local/etc.$" "$lib/savedump-lib.sh" &&
	expect_grep "^savedump_sysconfdir=.*/usr/local/etc.$" "$mod/savedump-lib.sh" &&
	for f in "$lib/kdump-post.sh" "$lib/savedump-pending" "$mod/kdump-post.sh" \
		"$mod/module-setup.sh" "$mod/savedump-kdump.sh"; do
		expect_grep "^savedump_libdir=.*/usr/local/lib/savedump.$" "$f" || exit 1
	done &&
	expect_grep "^savedump_bindir=.*/usr/local/bin.$" "$mod/module-setup.sh" &&
	# No path of another configuration is left, comments included.
	! grep -nE "/usr/lib/savedump/|(^|[^[:alnum:]_])/etc/savedump\.conf|^savedump_libdir=/usr/lib" \
		"$lib"/* "$mod"/* "$d/usr/local/etc/savedump.conf" &&
	for f in "$lib"/* "$mod"/*; do sh -n "$f" || exit 1; done
'
test_expect_success 'the installed man pages name the installed paths' '
	man=$d/usr/local/share/man &&
	mod=$(dir_of dracut dracutmodulesdir /usr/local/lib/dracut/modules.d)/99savedump &&
	expect_grep "^\.B /usr/local/etc/savedump.conf$" "$man/man5/savedump.conf.5" &&
	expect_grep "^\.B /usr/local/lib/savedump/kdump-post.sh$" "$man/man5/savedump.conf.5" &&
	expect_grep "^\.B $mod$" "$man/man5/savedump.conf.5" &&
	expect_grep "/usr/local/lib/savedump/kdump-post.sh" "$man/man1/savedump.1" &&
	! grep -nE "/usr/lib/savedump|(^|[^[:alnum:]_])/etc/savedump\.conf" "$man"/man?/*
'
test_expect_success 'the installed savedump-pending finds its library and reads SYSCONFDIR/savedump.conf' '
	# Run in a root where /usr/local is the DESTDIR one: the hook and the
	# config it reads by default are the installed ones.
	mkdir -p crash &&
	printf "SAVEDUMP_BOGUS_KEY=1\n" >>"$d/usr/local/etc/savedump.conf" &&
	unshare -m sh -c "mount --bind \"$d/usr/local\" /usr/local &&
		/usr/local/lib/savedump/savedump-pending --crash-dir \"$scratch/crash\"" 2>pending.err &&
	expect_grep "/usr/local/etc/savedump.conf: ignoring unknown key SAVEDUMP_BOGUS_KEY" pending.err &&
	cp "$b/gen/savedump.conf" "$d/usr/local/etc/savedump.conf"
'
test_expect_success 'make install keeps an existing savedump.conf and puts the new one beside it' '
	conf=$d/usr/local/etc/savedump.conf &&
	printf "# mine\nSAVEDUMP_FORMAT=xz\n" >"$conf" &&
	cd "$b" && make -s install DESTDIR="$d" >install2.out 2>&1 &&
	printf "# mine\nSAVEDUMP_FORMAT=xz\n" >expected && cmp expected "$conf" &&
	cmp "$b/gen/savedump.conf" "$conf.dist" &&
	expect_grep "kept /usr/local/etc/savedump.conf" install2.out
'
test_expect_success 'make uninstall leaves only the changed savedump.conf' '
	cd "$b" && make -s uninstall DESTDIR="$d" >uninstall.out 2>&1 &&
	find "$d" -type f >left &&
	echo "$d/usr/local/etc/savedump.conf" >expected && cmp expected left
'
test_expect_success '--with-dracutmodulesdir, --with-systemdsystemunitdir, --prefix, --sysconfdir' '
	cd "$b" && "$src/configure" -q CFLAGS="-O0 -g0" --prefix=/opt/sd --sysconfdir=/opt/etc \
		--with-dracutmodulesdir=/opt/dracut --with-systemdsystemunitdir=/opt/units >configure2.out 2>&1 &&
	make -s install DESTDIR="$scratch/d2" >install3.out 2>&1 &&
	test -f "$scratch/d2/opt/dracut/99savedump/module-setup.sh" &&
	test -f "$scratch/d2/opt/units/savedump-pending.path" &&
	test -f "$scratch/d2/opt/etc/savedump.conf" &&
	expect_grep "^ExecStart=/opt/sd/lib/savedump/savedump-pending$" "$scratch/d2/opt/units/savedump-pending.service" &&
	expect_grep "^savedump_sysconfdir=./opt/etc.$" "$scratch/d2/opt/sd/lib/savedump/savedump-lib.sh" &&
	expect_grep "^savedump_bindir=./opt/sd/bin.$" "$scratch/d2/opt/dracut/99savedump/module-setup.sh" &&
	expect_grep "^savedump_libdir=./opt/sd/lib/savedump.$" "$scratch/d2/opt/dracut/99savedump/savedump-kdump.sh"
'
test_expect_success 'without dracut.pc the module goes to PREFIX/lib/dracut/modules.d, with a warning' '
	# A pkg-config search path with every .pc file but dracut.pc.
	mkdir pc &&
	for dir in $(pkg-config --variable=pc_path pkg-config | tr : " "); do
		for pc in "$dir"/*.pc; do
			[ -e "$pc" ] && [ ! -e "pc/${pc##*/}" ] && ln -s "$pc" pc/
		done
	done &&
	rm -f pc/dracut.pc &&
	cd "$b" && PKG_CONFIG_LIBDIR=$scratch/pc "$src/configure" -q CFLAGS="-O0 -g0" --prefix=/usr \
		>configure3.out 2>&1 &&
	expect_grep "dracut.pc not found" configure3.out &&
	grep -q "^dracutmodulesdir = \${prefix}/lib/dracut/modules.d$" Makefile &&
	make -s install-data DESTDIR="$scratch/d3" >install4.out 2>&1 &&
	test -f "$scratch/d3/usr/lib/dracut/modules.d/99savedump/module-setup.sh"
'
test_done
