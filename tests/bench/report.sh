#!/bin/sh
# tests/bench/report.sh: how long `gilbench report` takes on a run of about 1,000 trials,
# and how much of that is statistics and plots.
#
# tests/lib/mkrun.py writes a synthetic run directory from configs/lab.yaml (nine points,
# two variants: 18 cells of 56 trials = 1,008 trials). Timed, best of 3 each:
#   full         gilbench report (statistics, tables, five gnuplot plots, pyperf JSON)
#   no-plots     gilbench report --no-plots
#   empty        --no-plots on the same config with no trials: loading and writing alone
# plots = full - no-plots; statistics (summaries, bootstrap intervals, Welch tests) =
# no-plots - empty. Figures are printed, never asserted.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
GILBENCH=${GILBENCH:-$ROOT/gilbench}
TMP=$(mktemp -d /tmp/gilbench-bench-report.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

python3 "$ROOT/tests/lib/mkrun.py" "$TMP/run" --config "$ROOT/configs/lab.yaml" --fill 56 >/dev/null || exit 1
python3 "$ROOT/tests/lib/mkrun.py" "$TMP/empty" --config "$ROOT/configs/lab.yaml" >/dev/null || exit 1
trials=$(wc -l <"$TMP/run/results.jsonl")

best() { # best DIR ARGS...: best wall time of 3 runs, in ms
	dir=$1; shift
	b=
	for i in 1 2 3; do
		s=$(date +%s%N)
		"$GILBENCH" report --quiet "$@" "$dir" >/dev/null 2>&1
		rc=$?
		e=$(date +%s%N)
		[ $rc -le 4 ] || { echo "gilbench report failed ($rc)" >&2; exit 1; }
		t=$(( (e - s) / 1000000 ))
		if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
	done
	echo "$b"
}

full=$(best "$TMP/run")
noplots=$(best "$TMP/run" --no-plots)
empty=$(best "$TMP/empty" --no-plots)
echo "report-trials: $trials trials"
echo "report-full: $full ms"
echo "report-no-plots: $noplots ms"
echo "report-empty: $empty ms (load and write, no trials)"
echo "report-plots: $((full - noplots)) ms (gnuplot, five plots)"
echo "report-statistics: $((noplots - empty)) ms (summaries, bootstrap intervals, Welch tests)"
