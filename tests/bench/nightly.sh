#!/bin/sh
# tests/bench/nightly.sh: figures of `gilbench nightly` and its history (docs/nightly.md).
#
#   - nightly with nothing new, start to exit (target < 1 s): a local repository of the fake
#     CPython tree (tests/lib/mkfakehistory.sh) with its head measured; the median of 5;
#   - importing one run into the history, from its directory and from its archive;
#   - history bytes per night: the fake nights, and a synthetic night of configs/nightly.yaml's
#     shape (18 cells x 10 trials) written by obj/rel/bench_history;
#   - `history report` (detection and pages) over a synthetic history of 1,000 commits x 20
#     series x 10 trials (target < 2 s), written through history_insert() by bench_history;
#   - with BENCH_REAL=1 (about 3 builds of real CPython: 10 minutes on an idle 2-core
#     machine): a neutral next commit's build with ccache against a cold one (target <= 30%),
#     in a private work area and ccache, on the shared repository of real CPython
#     (tests/lib/mkcpythonrepo.sh).
# `make bench` builds obj/rel/bench_history first. Figures are printed, never asserted.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
GILBENCH=${GILBENCH:-$ROOT/gilbench}
BH=$ROOT/obj/rel/bench_history
tmp=$(mktemp -d /tmp/gilbench-bench-nightly.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export GILBENCH_PLAIN=1

ms() { date +%s%N | cut -c1-13; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# --- the fake history: four nights, then nothing new ---
eval "$(sh "$ROOT/tests/lib/mkfakehistory.sh" "$tmp/fh" 4 9)"
export GILBENCH_WORK=$tmp/fh/work GILBENCH_CACHE=$tmp/fh/cache GILBENCH_DB=$tmp/fh/history.sqlite
"$GILBENCH" nightly "$CFG" --backfill 3 --out "$tmp/fh/nightly" >/dev/null 2>"$tmp/err" ||
	{ echo "nightly: the backfill failed: $(tail -1 "$tmp/err")"; exit 1; }
for i in 1 2 3 4 5; do
	t0=$(ms)
	"$GILBENCH" nightly "$CFG" --out "$tmp/fh/nightly" >"$tmp/out" 2>&1
	echo $(($(ms) - t0))
done | median >"$tmp/t"
grep -q "nothing new" "$tmp/out" || echo "nightly: the last call was not 'nothing new': $(tail -1 "$tmp/out")"
echo "nightly, nothing new (local repository, 4 nights in the history): $(cat "$tmp/t") ms (target < 1000 ms)"

# --- importing one run ---
run=$(ls -d "$tmp"/fh/nightly/2*-* | grep -v tar.gz | head -1)
t0=$(ms)
"$GILBENCH" history import --db "$tmp/one.sqlite" "$run" >/dev/null 2>&1
t1=$(ms)
"$GILBENCH" history import --db "$tmp/two.sqlite" "$run.tar.gz" >/dev/null 2>&1
t2=$(ms)
echo "history import of one run (28 trials): $((t1 - t0)) ms from its directory, $((t2 - t1)) ms from its archive (verified first)"
b=$(stat -c %s "$GILBENCH_DB")
echo "history bytes per night (fake nights, 8 cells x 28 trials): $((b / 4)) bytes (the whole file: $b bytes for 4 nights)"

# --- synthetic histories ---
if [ ! -x "$BH" ]; then
	echo "nightly: $BH is not built (make obj/rel/bench_history): no synthetic figures"
	exit 0
fi
"$BH" "$tmp/shape.sqlite" 100 9 10 >"$tmp/out" && b=$(stat -c %s "$tmp/shape.sqlite") &&
	echo "history bytes per night (configs/nightly.yaml's shape, 18 cells x 10 trials, 100 nights): $((b / 100)) bytes"
"$BH" "$tmp/big.sqlite" 1000 10 10 >"$tmp/out" || exit 1
echo "synthetic history of 1,000 commits x 20 series x 10 trials: $(cat "$tmp/out")"
for i in 1 2 3; do
	sqlite3 "$tmp/big.sqlite" 'UPDATE runs SET detected = 0; DELETE FROM alerts' 2>/dev/null
	t0=$(ms)
	"$GILBENCH" history report --db "$tmp/big.sqlite" --out "$tmp/pages" >/dev/null 2>&1
	echo $(($(ms) - t0))
done | median >"$tmp/t"
echo "history report over it (detection over 30 series, 10 plots, the page): $(cat "$tmp/t") ms (target < 2000 ms); page $(stat -c %s "$tmp/pages/synthetic/index.html") bytes"

# --- a neutral next commit's build, with ccache and cold (real CPython) ---
[ "${BENCH_REAL:-0}" = 1 ] || { echo "(BENCH_REAL=1 adds the build with ccache against a cold one: ~3 real builds)"; exit 0; }
shared=${XDG_CACHE_HOME:-$HOME/.cache}/gilbench
tarball=$shared/downloads/93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
[ -f "$tarball" ] || { echo "nightly: no CPython 3.13.5 tarball in $shared/downloads (the test suite fetches it)"; exit 0; }
eval "$(sh "$ROOT/tests/lib/mkcpythonrepo.sh" "$tarball" "$shared/cpython-history-repo")"
set -- $COMMITS
prev=$7 next=$8
mkdir -p "$tmp/real"
cat >"$tmp/real/c.yaml" <<EOF
version: 1
name: buildbench
source:
  git: {url: "$shared/cpython-history-repo", ref: main}
builds:
  - name: gil
    configure: []
experiments:
  - name: none
    script: x.py
EOF
echo 'print("{\"seconds\": 0}")' >"$tmp/real/x.py"
took() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["steps"]; print("%.0f %.0f %.0f %.0f" % (sum(s.values()), s["configure"], s["make"], s["install"]))' "$1/builds/gil/build.json"; }
export GILBENCH_CACHE=$tmp/real/cache
GILBENCH_CCACHE=0 "$GILBENCH" build "$tmp/real/c.yaml" --ref "$next" --work "$tmp/real/cold" --out "$tmp/real/r0" >/dev/null 2>&1
"$GILBENCH" build "$tmp/real/c.yaml" --ref "$prev" --work "$tmp/real/warm" --out "$tmp/real/r1" >/dev/null 2>&1
"$GILBENCH" build "$tmp/real/c.yaml" --ref "$next" --work "$tmp/real/warm" --out "$tmp/real/r2" >/dev/null 2>&1
set -- $(took "$tmp/real/r0")
cold=$1
echo "real CPython, cold build (no ccache): $1 s (configure $2, make $3, install $4)"
set -- $(took "$tmp/real/r2")
echo "real CPython, the next (neutral) commit with ccache: $1 s (configure $2, make $3, install $4): $((100 * $1 / cold))% of cold (target <= 30%)"
