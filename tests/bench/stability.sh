#!/bin/sh
# tests/bench/stability.sh: do the lab's verdicts hold from one run to the next, on a quiet
# machine and beside a one-core hog? (issue 10; minutes to hours, never part of make check)
#
#   STABILITY_CONFIG  the config (default configs/lab.yaml: its two PGO builds must be cached,
#                     or they are built first, about 12 minutes on 2 cores)
#   STABILITY_RUNS    runs per condition (default 3)
#   STABILITY=1       needed: `make bench` skips this one otherwise
#
# Three conditions, each STABILITY_RUNS runs on the same cached builds: idle; with a one-core
# hog throughout, with the guards (the config as it is); and with the hog and the guards off
# (run.interference 0, run.canary 0, run.repeats 0, no adaptive trials: how the lab ran
# before). Prints each run's Winner column and medians, and whether the Winner column of every
# run of a condition is the same as the idle runs'.
set -u
if [ "${STABILITY:-0}" != 1 ]; then
	echo "stability: skipped (it takes hours; STABILITY=1 make bench runs it)"
	exit 0
fi
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
GILBENCH=${GILBENCH:-$ROOT/gilbench}
CONFIG=${STABILITY_CONFIG:-$ROOT/configs/lab.yaml}
RUNS=${STABILITY_RUNS:-3}
TMP=$(mktemp -d /tmp/gilbench-bench-stability.XXXXXX)
trap 'kill $HOG 2>/dev/null; rm -rf "$TMP"' EXIT
HOG=
mkdir -p "$TMP/cfg"
cp -R "$(dirname "$CONFIG")/experiments" "$TMP/cfg/"
cp "$CONFIG" "$TMP/cfg/on.yaml"
python3 - "$CONFIG" "$TMP/cfg/off.yaml" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
t = re.sub(r"\n  (min_trials|max_trials|target): [^\n]*", "", t)
t = t.replace("\nrun:\n", "\nrun:\n  interference: 0\n  canary: 0\n  repeats: 0\n", 1)
open(sys.argv[2], "w").write(t)
PY
"$GILBENCH" build "$TMP/cfg/on.yaml" --out "$TMP/build" >/dev/null 2>&1 || { echo "stability: the builds failed"; exit 1; }
one() { # one NAME CONFIG: a run, its summary as one line per row
	"$GILBENCH" run "$2" --out "$TMP/$1" --no-archive >/dev/null 2>"$TMP/$1.err"
	python3 - "$TMP/$1/results.json" "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for s in r["summary"]:
    vals = s.get("median") or s.get("avg_lost")
    print("%s\t%s\t%s\t%s\t%s" % (sys.argv[2], s["experiment"], s["text"],
          " ".join("%s=%.4g" % (k, v) for k, v in vals.items() if v is not None), len(s.get("notes") or [])))
PY
}
for i in $(seq "$RUNS"); do one "idle-$i" "$TMP/cfg/on.yaml"; done >"$TMP/table"
python3 -c 'while True: pass' &
HOG=$!
for i in $(seq "$RUNS"); do one "hog-guards-$i" "$TMP/cfg/on.yaml"; done >>"$TMP/table"
for i in $(seq "$RUNS"); do one "hog-noguards-$i" "$TMP/cfg/off.yaml"; done >>"$TMP/table"
kill $HOG
echo "run	experiment	winner	medians	notes"
cat "$TMP/table"
python3 - "$TMP/table" <<'PY'
import collections, sys
w = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    run, exp, text = line.split("\t")[:3]
    w[run.rsplit("-", 1)[0]].setdefault(run, {})[exp] = text
base = list(w["idle"].values())[0]
for cond, runs in w.items():
    same = sum(all(r[e] == base[e] for e in base) for r in runs.values())
    print(f"{cond}: {same} of {len(runs)} runs with the idle Winner column")
PY
