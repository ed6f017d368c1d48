#!/bin/bash
# For every core of make-dotnet-cores.sh: lay out the prototype archive, open it with
# dotnet-dump and lldb+SOS with the runtime, the apps and the NuGet runtime pack hidden,
# and check the output against truth.env; then the same archive without its DAC must
# fail with a message naming libmscordaccore.so. Needs root (unshare -m, tmpfs).
#   try-dotnet-prototype.sh FIXTURES WORKDIR [KIND...]
# Prints one summary line per core; the details are in WORKDIR/KIND/ and WORKDIR/KIND.check.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fx=$(cd "$1" && pwd)
mkdir -p "$2"
work=$(cd "$2" && pwd)
shift 2
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(heap full kernel kernel3f gcore collect apphost selfcontained singlefile)

hide=()
for d in rt app src selfcontained singlefile src-selfcontained src-singlefile; do
	[ -d "$fx/$d" ] && hide+=(--hide "$fx/$d")
done
for d in "${HOME:-/nonexistent}"/.nuget/packages/microsoft.netcore.app.runtime.linux-*; do
	[ -d "$d" ] && hide+=(--hide "$d")
done

status=0
for kind in "${kinds[@]}"; do
	truth=$fx/cores/$kind/truth.env
	[ -f "$truth" ] || { echo "$kind: no core"; continue; }
	top=$work/$kind
	rm -rf "$top" "$top.nodac"
	"$here/prototype-dotnet-archive.sh" "$fx/cores/$kind/core" "$top" >"$work/$kind.layout" 2>&1
	rc=0
	"$here/check-dotnet-archive.sh" "${hide[@]}" "$top" "$truth" "$top.out" >"$work/$kind.check" || rc=$?
	# Without the DAC (hard links: cheap), both tools must fail and say which file.
	cp -al "$top" "$top.nodac"
	find "$top.nodac" -name libmscordaccore.so -type f -delete
	nodac=0
	"$here/check-dotnet-archive.sh" "${hide[@]}" "$top.nodac" "$truth" "$top.nodac.out" \
		>"$work/$kind.nodac.check" || nodac=$?
	named=$(cat "$top.nodac.out"/*.out | grep -c "Can not load or initialize libmscordaccore.so" || true)
	printf '%-13s %s: %s ok, %s failed; without the DAC: %s (%s messages name libmscordaccore.so)\n' \
		"$kind" "$([ "$rc" = 0 ] && echo PASS || echo FAIL)" \
		"$(grep -c '^ok' "$work/$kind.check")" "$(grep -c '^FAIL' "$work/$kind.check" || true)" \
		"$([ "$nodac" != 0 ] && echo "fails as it should" || echo "DOES NOT FAIL")" "$named"
	if [ "$rc" != 0 ] || [ "$nodac" = 0 ] || [ "$named" != 2 ]; then status=1; fi
	rm -rf "$top.nodac"
done
exit "$status"
