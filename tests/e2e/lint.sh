#!/bin/bash
# Every shell script the project ships or runs is shellcheck-clean, and the
# man page renders without warnings.
. "${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

command -v shellcheck >/dev/null && test_set_prereq SHELLCHECK
skip_reason="shellcheck not installed"

test_expect_success SHELLCHECK 'shellcheck: tests, fixtures, CI and shipped scripts' '
	cd "$srcdir" &&
	files=$(git ls-files 2>/dev/null | grep -E "\.sh$|^\.ci/run$|^kdump-hooks/|^dracut/|^bench/run$" || true) &&
	[ -n "$files" ] || files=$(find tests .ci kdump-hooks dracut bench -type f \( -name "*.sh" -o -name run \) 2>/dev/null) &&
	for f in $files; do
		case $f in *.service|*.path|*.timer|*.conf|*.md) continue ;; esac
		head -n 1 "$f" | grep -q "^#!.*sh" || case $f in *.sh) ;; *) continue ;; esac
		# The shebang or a "shellcheck shell=" line says the dialect (sh or bash).
		dialect=
		head -n 3 "$f" | grep -Eq "^#!|shellcheck shell=" || dialect="-s bash"
		shellcheck -x $dialect -e SC1091 "$f" || exit 1
	done
'
test_expect_success 'the man page renders without warnings and documents every option' '
	groff -man -Tascii -ww "$srcdir/docs/savedump.1" 2>man.err | col -b >man.txt &&
	test ! -s man.err && expect_grep "EXIT STATUS" man.txt &&
	"$SAVEDUMP" --help | grep -o -- "--[a-z-]*" | sort -u >help-options &&
	for opt in $(cat help-options); do
		grep -q -- "$opt" man.txt || { echo "$opt is not in the man page"; exit 1; }
	done
'
test_done
