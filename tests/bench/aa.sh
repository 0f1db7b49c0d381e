#!/bin/sh
# tests/bench/aa.sh: the A/A check on real CPython, and the single-thread experiment's
# coefficient of variation.
#
# `gilbench run configs/aa.yaml` measures one build (quick.yaml's GIL build, cached) as two
# variants, a and b, 10 interleaved trials per cell. Every difference between them is
# noise, so the report should call at most about 5% of the comparisons different (faster or
# slower); the rest are "same" or, with too few clean trials, "inconclusive". The CV of the single-thread cells over their 10 trials says how quiet the
# machine was (pyperf calls above 10% unstable). Figures, never assertions; run it on an
# idle machine for figures worth quoting.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
GILBENCH=${GILBENCH:-$ROOT/gilbench}
TMP=$(mktemp -d /tmp/gilbench-bench-aa.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
"$GILBENCH" run "$ROOT/configs/aa.yaml" --out "$TMP/aa" --no-archive >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 4 ] || { echo "aa: gilbench run failed ($rc):"; tail -5 "$TMP/err"; exit 1; }
python3 - "$TMP/aa/results.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
comps = d["comparisons"]
count = {v: sum(1 for c in comps if c["verdict"] == v) for v in ("same", "inconclusive")}
diff = len(comps) - count["same"] - count["inconclusive"]
print(f"A/A: of {len(comps)} comparisons {count['same']} same, {count['inconclusive']} inconclusive, "
      f"{diff} different (target: at most 5% different)")
for c in d["cells"]:
    if c["experiment"] == "single-thread":
        print(f"single-thread CV over {c['n']} trials, variant {c['variant']}: {100 * c['cv']:.1f}%")
PY
