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
# no-plots - empty.
#
# The A/A figure: configs/aa.yaml's two variants drawn from one distribution (10 trials,
# 3% noise) with 40 seeds; every "different" verdict there is a false alarm, so the share
# called "same" should be 90% or more and "different" 5% or less, and the share significant before
# the run.tie threshold (p < 0.05 and the interval excluding 1) about 5% or less. Figures are printed, never asserted.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
GILBENCH=${GILBENCH:-$ROOT/gilbench}
TMP=$(mktemp -d /tmp/gilbench-bench-report.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# a private copy, so that a rebuild of ./gilbench during the benchmark cannot disturb it
cp "$GILBENCH" "$TMP/gilbench" && GILBENCH=$TMP/gilbench

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

same=0 total=0 sig=0 seed=1
while [ $seed -le 40 ]; do
	rm -rf "$TMP/aa"
	python3 "$ROOT/tests/lib/mkrun.py" "$TMP/aa" --config "$ROOT/configs/aa.yaml" --fill 10 --same --noise 0.03 \
		--seed $seed >/dev/null || exit 1
	"$GILBENCH" report --quiet --no-plots "$TMP/aa" >/dev/null 2>&1 || { echo "report failed on seed $seed" >&2; exit 1; }
	set -- $(python3 -c "
import json, sys
c = json.load(open(sys.argv[1]))['comparisons']
print(sum(x['verdict'] == 'same' for x in c), len(c), sum(x['significant'] for x in c))" \
		"$TMP/aa/results.json")
	same=$((same + $1)) total=$((total + $2)) sig=$((sig + $3)) seed=$((seed + 1))
done
echo "report-aa-synthetic: $same of $total comparisons same ($((100 * same / total))%, expect 90% or more)"
echo "report-aa-significant: $sig of $total significant before the run.tie threshold (false alarms; expect about 5% or less)"
