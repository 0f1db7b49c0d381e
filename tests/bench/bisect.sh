#!/bin/sh
# tests/bench/bisect.sh: what a bisect costs, and how it fares against noise.
#
# 1. The noisy-search table (obj/rel/bench_bisect, SEEDS searches per cell, default 20): a
#    10% step at every place of a 16-commit range, trials at CV 1/2/5/8%, found/undecided/
#    wrong, and two half steps; about 3 minutes of CPU.
# 2. The real bisect: io-threads over the shared repository of real CPython 3.13.5
#    (tests/lib/mkcpythonrepo.sh: eight first-parent commits, the fourth slows
#    Thread.start()), in a scratch work area, so every side is built here: GOOD first,
#    with ccache cold for these paths, then BAD and each step with ccache at the same stable
#    paths. Printed: the answer, the builds, the wall time, each build's time, and what a
#    cold build per side would have cost (GOOD's build time for each). Skipped unless the
#    CPython 3.13.5 tarball is in the download cache (BISECT_REAL=0 skips it always); on 2
#    cores it takes most of an hour.
set -eu
: "${GILBENCH:=$(pwd)/gilbench}"
: "${ROOT:=$(pwd)}"
SEEDS=${SEEDS:-20}
shared=${XDG_CACHE_HOME:-$HOME/.cache}/gilbench
tarball=$shared/downloads/93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640

if [ -x "$ROOT/obj/rel/bench_bisect" ]; then
	"$ROOT/obj/rel/bench_bisect" "$SEEDS"
else
	echo "bisect noisy-search table: skipped (make obj/rel/bench_bisect)"
fi
echo

if [ "${BISECT_REAL:-1}" = 0 ] || [ ! -f "$tarball" ]; then
	echo "real bisect: skipped (no CPython 3.13.5 tarball in $shared/downloads, or BISECT_REAL=0)"
	exit 0
fi
eval "$(sh "$ROOT/tests/lib/mkcpythonrepo.sh" "$tarball" "$shared/cpython-history-repo")"
W=$(mktemp -d /tmp/gilbench-bench-bisect.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/cfg"
cp -R "$ROOT/configs/experiments" "$W/cfg/"
cat >"$W/cfg/real.yaml" <<EOF
version: 1
name: benchbisect
source:
  git: {url: "$shared/cpython-history-repo", ref: main}
builds:
  - name: gil
    configure: []
run:
  timeout: 120
experiments:
  - name: io-threads
    script: experiments/io_threads.py
    args: {threads: 10, sleep: 0.02}
    trials: 5
EOF
t0=$(date +%s)
GILBENCH_CACHE=$shared GILBENCH_WORK=$W/work "$GILBENCH" bisect "$W/cfg/real.yaml" "$BASE" "$HEAD" \
	--experiment io-threads --out "$W/run" --no-archive >"$W/out" 2>&1 || true
t1=$(date +%s)
python3 - "$W/run" "$SLOW" $((t1 - t0)) <<'PY'
import glob, json, os, statistics, sys
run, slow, wall = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = json.load(open(os.path.join(run, "bisect.json")))
recs = {}
for p in glob.glob(os.path.join(run, "builds", "*", "build.json")):
    b = json.load(open(p))
    recs[os.path.basename(os.path.dirname(p))] = sum(b.get("steps", {}).values())
print("real bisect, io-threads over 7 commits of CPython 3.13.5: %s %s (%s)" % (
    d["outcome"], (d["first_bad"] or {}).get("commit", "-")[:12],
    "right" if d["first_bad"] and d["first_bad"]["commit"] == slow else "NOT the slow commit"))
b = d["builds"]
print("real bisect: %d builds (%d built here, %d reused, %d failed), %d measurements, wall %d s" % (
    b["sides"], b["built"], b["reused"], b["failed"], len(d["steps"]), wall))
cold = recs.get("gil.good")
others = [v for k, v in recs.items() if k != "gil.good"]
print("real bisect: builds: GOOD %.0f s (ccache cold), the others %s s (median %.0f s)" % (
    cold or 0, ", ".join("%.0f" % v for v in sorted(others)), statistics.median(others) if others else 0))
if cold:
    trials = wall - sum(recs.values())
    print("real bisect: against a cold build per side: %d x %.0f s = %.0f s of builds, %.0f s with trials "
          "(measured: %.0f s of builds, %d s in all)" % (len(recs), cold, len(recs) * cold,
          len(recs) * cold + trials, sum(recs.values()), wall))
PY
