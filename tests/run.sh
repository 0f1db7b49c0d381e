#!/bin/sh
# tests/run.sh: runs every suite of `make check` and ends with "N passed, N failed".
#
# Suites, each speaking TAP so one tally covers them all:
#   unit         cmocka tests (tests/unit), plain build
#   unit-asan    the same under AddressSanitizer and UndefinedBehaviorSanitizer
#   valgrind     the plain unit tests under valgrind (memcheck, leaks are errors)
#   fuzz-corpus  every saved fuzz input (tests/fuzz/corpus) through the fuzz target once
#   cli          bats tests (tests/cli) against ./gilbench, end to end on real CPython
#   cli-asan     the same against ./gilbench-asan
#
# Real CPython builds are cached in $GILBENCH_WORK (default: a folder in the user's cache,
# outside the clone), so a second run of the suite reuses them.
# TESTS=cli make check (or TESTS="unit cli") runs a subset.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
: "${XDG_CACHE_HOME:=$HOME/.cache}"
: "${GILBENCH_WORK:=$XDG_CACHE_HOME/gilbench/work}"
export GILBENCH_WORK ROOT
export GILBENCH_PLAIN=1
TESTS=${TESTS:-unit unit-asan valgrind fuzz-corpus cli cli-asan}
LOG=$ROOT/obj/test-logs
mkdir -p "$LOG"
pass=0 fail=0 skip=0

tally() { # tally SUITE FILE: count TAP lines of FILE into the totals, echo failures
	p=$(grep -c '^ok ' "$2" || true)
	s=$(grep -c '^ok .*# [Ss][Kk][Ii][Pp]' "$2" || true)
	f=$(grep -c '^not ok ' "$2" || true)
	pass=$((pass + p - s)) fail=$((fail + f)) skip=$((skip + s))
	echo "== $1: $((p - s)) passed, $f failed, $s skipped"
	failures "$2"
}

failures() { # failures FILE: each failing test of FILE with the head and the tail of its output
	# (the tail is where an assertion says what it found; CI shows the end of the log)
	awk '
	function flush() {
		if (n == 0) return
		for (i = 1; i <= n; i++)
			if (i <= 4 || i > n - 40) print buf[i]
			else if (i == 5) print "#   [" n - 44 " lines left out]"
		n = 0
	}
	/^(ok|not ok) / { flush(); keep = /^not ok /; if (keep && ++shown > 12) keep = 0 }
	keep { buf[++n] = $0 }
	END { flush() }' "$1"
}

run_unit() { # run_unit SUITE DIR [WRAPPER...]
	suite=$1 dir=$2; shift 2
	out=$LOG/$suite.tap; : >"$out"
	for t in "$ROOT"/tests/unit/test_*.c; do
		name=$(basename "$t" .c) bin=$dir/$name
		if [ ! -x "$bin" ]; then echo "not ok - $name: not built" >>"$out"; continue; fi
		CMOCKA_MESSAGE_OUTPUT=TAP "$@" "$bin" >>"$out" 2>"$LOG/$suite-$name.err"
		rc=$?
		if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out"; then
			echo "not ok - $name exited with $rc" >>"$out"; tail -20 "$LOG/$suite-$name.err" >>"$out"
		fi
		if [ "$suite" = valgrind ]; then
			if [ $rc -eq 99 ]; then
				echo "not ok - $name: valgrind reported errors" >>"$out"
				grep '^==' "$LOG/$suite-$name.err" | head -30 >>"$out"
			else
				echo "ok - $name: valgrind clean" >>"$out"
			fi
		fi
	done
	tally "$suite" "$out"
}

for suite in $TESTS; do
	case $suite in
	unit) run_unit unit "$ROOT/obj/rel" ;;
	unit-asan) ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_unit unit-asan "$ROOT/obj/asan" ;;
	valgrind) run_unit valgrind "$ROOT/obj/rel" valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite ;;
	fuzz-corpus)
		out=$LOG/fuzz.tap; : >"$out"
		for f in "$ROOT"/tests/fuzz/corpus/* "$ROOT"/tests/fuzz/regressions/*; do
			[ -f "$f" ] || continue
			if "$ROOT/obj/fuzz_config" "$f" >"$LOG/fuzz-one.log" 2>&1; then echo "ok - fuzz input $(basename "$f")" >>"$out"
			else echo "not ok - fuzz input $(basename "$f") crashed" >>"$out"; tail -20 "$LOG/fuzz-one.log" >>"$out"; fi
		done
		tally fuzz-corpus "$out" ;;
	cli|cli-asan)
		bin=$ROOT/gilbench; [ "$suite" = cli-asan ] && bin=$ROOT/gilbench-asan
		out=$LOG/$suite.tap
		GILBENCH=$bin ASAN_OPTIONS=detect_leaks=0 bats --tap "$ROOT"/tests/cli >"$out" 2>&1
		tally "$suite" "$out" ;;
	*) echo "unknown suite $suite"; fail=$((fail + 1)) ;;
	esac
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
