#!/bin/sh
# tests/bench/startup.sh: time from `gilbench run` starting to its first trial when every
# build is cached (target: under 1 s), as gilbench itself logs it ("N s from start to the
# first trial"), and the wall time of the whole command, median of 5.
#
# The config is configs/quick.yaml's source and builds (so the builds are the cached ones
# from the end-to-end test; the first call builds them if they are missing) with one
# trivial experiment, so that the figure is about gilbench, not the trials.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
GILBENCH=${GILBENCH:-$ROOT/gilbench}
TMP=$(mktemp -d /tmp/gilbench-bench-startup.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/experiments"
printf 'import json\nprint(json.dumps({"seconds": 0.0}))\n' >"$TMP/experiments/zero.py"
sed -n '/^version:/,/^run:/p' "$ROOT/configs/quick.yaml" | sed '$d' >"$TMP/startup.yaml"
cat >>"$TMP/startup.yaml" <<'YAML'
experiments:
  - name: zero
    script: experiments/zero.py
    trials: 1
YAML
"$GILBENCH" run "$TMP/startup.yaml" --out "$TMP/warm" --no-archive >/dev/null 2>"$TMP/warm.err" ||
	{ echo "startup: the warm-up run failed:"; tail -5 "$TMP/warm.err"; exit 1; }
first= whole=
for i in 1 2 3 4 5; do
	t0=$(date +%s%N)
	"$GILBENCH" run "$TMP/startup.yaml" --out "$TMP/run$i" --no-archive >/dev/null 2>"$TMP/err$i" || { tail -5 "$TMP/err$i"; exit 1; }
	t1=$(date +%s%N)
	first="$first $(sed -n 's/.*gilbench: \([0-9.]*\) s from start to the first trial.*/\1/p' "$TMP/err$i")"
	whole="$whole $(( (t1 - t0) / 1000000 ))"
done
med() { echo "$@" | tr ' ' '\n' | grep . | sort -n | sed -n 3p; }
echo "cached start to first trial: $(med $first) s median of 5 (target < 1 s; all:$first)"
echo "whole cached run of one trivial trial per build: $(med $whole) ms median of 5"
