#!/bin/bash
# Run libFuzzer targets one after the other, each for SECONDS, from the build
# directory of a --enable-fuzzing build (make fuzz does this):
#   tests/fuzz/run-fuzz.sh SECONDS TARGET...
# Each target starts from its seeds (written by tests/fuzz/fuzz-TARGET
# --write-seeds), the inputs kept in $srcdir/tests/fuzz/corpus/TARGET, and the
# corpus it grew in earlier runs (tests/fuzz/corpus/TARGET here). Prints one
# line per target with libFuzzer's final statistics, then
# "N passed, N failed, N skipped"; exits non-zero if any target crashed.
set -uo pipefail
secs=${1:?usage: run-fuzz.sh SECONDS TARGET...}
shift
srcdir=$(cd "$(dirname "$0")/../.." && pwd)

pass=0 fail=0
mkdir -p tests/fuzz/corpus tests/fuzz/seeds tests/fuzz/artifacts
for t in "$@"; do
	seeds=tests/fuzz/seeds/$t corpus=tests/fuzz/corpus/$t log=tests/fuzz/$t.log
	rm -rf "$seeds" tests/fuzz/artifacts/"$t"-*
	mkdir -p "$corpus"
	if ! "tests/fuzz/fuzz-$t" --write-seeds "$seeds"; then
		echo "FAIL: $t: cannot write the seeds"
		fail=$((fail + 1))
		continue
	fi
	dirs=("$corpus" "$seeds")
	[ -d "$srcdir/tests/fuzz/corpus/$t" ] && dirs+=("$srcdir/tests/fuzz/corpus/$t")
	# An input that takes 10 s is a hang. No single allocation may exceed
	# 512 MB: every size a dump gives is capped lower than that (the largest,
	# SD_PRINTK_MAX_RING, is 256 MiB). Leaks are crashes too (LeakSanitizer),
	# but for libkdumpfile's own (tests/lsan.supp): savedump runs it in a child
	# that exits, the list target in process.
	LSAN_OPTIONS="suppressions=$srcdir/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
	"tests/fuzz/libfuzzer-$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
		-malloc_limit_mb=512 \
		-print_final_stats=1 -artifact_prefix="tests/fuzz/artifacts/$t-" "${dirs[@]}" \
		>"$log" 2>&1
	rc=$?
	stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
	# The last status line: "#N  DONE  cov: C ft: F corp: ..."
	last=$(grep -E '^#[0-9]+[[:space:]]+[A-Z]+[[:space:]]+cov: ' "$log" | tail -n 1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
	summary="$(stat number_of_executed_units) execs, $(stat average_exec_per_sec)/s,"
	summary+=" cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
	if [ "$rc" = 0 ]; then
		echo "PASS: $t: $summary"
		pass=$((pass + 1))
	else
		echo "FAIL: $t: libFuzzer exit $rc after $summary; log $PWD/$log"
		grep -E '^(==[0-9]+==|SUMMARY:|.*fuzz_assert|.*runtime error:)' "$log" | head -n 5
		for a in tests/fuzz/artifacts/"$t"-*; do
			[ -e "$a" ] && echo "  input: $PWD/$a (replay: tests/fuzz/fuzz-$t $a)"
		done
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
