#!/bin/sh
# tests/bench/canary.sh: the speed canary's own noise, its cost, and what it detects.
#
# A shared machine's other work slows the canary as it would slow trials; where a cgroup
# CPU controller is writable, "shielded" runs go into a group with no quota and the highest
# CPU weight (tests/lib/cpuquota.sh max), where other work barely takes their CPU, which is
# as close to an idle machine as a shared one gets.
#
#   1. noise: N (100) samples of the C canary and of the Python canary (/usr/bin/python3)
#      in a row, with `gilbench canary --json --no-update`, plainly and shielded: their CV,
#      and the load average meanwhile;
#   2. cost: the median time one sample takes (repetitions, pinning, and for Python the
#      interpreter's start), from the same samples;
#   3. detection: 5 interleaved rounds of 6 samples each in a cgroup with no quota
#      (unthrottled, shielded; these runs set the stored reference) and in one at 90%, 70%
#      and 50% of one CPU (a machine 10%, 30% and 50% slower): the measured slowdown
#      (median over rounds of each run's median against the same round's unthrottled run)
#      and the expected one (100/PCT - 1), the slowdown against the stored reference and
#      the samples it flags at the default 5% threshold, and the share of the time on the
#      CPU. Skipped with cpuquota.sh's message where no cgroup CPU controller is writable;
#   4. cost as a share of the lab's run time: the rounds of configs/lab.yaml (its plan) and
#      the time of one round per point, measured (shielded) by running the lab's
#      experiments with their parameters on /usr/bin/python3 standing in for both builds
#      (`gilbench measure` on a fake run directory, one warm-up and one measured round per
#      point), so the lab's trial time is an estimate; then the shielded canary's cost per
#      round over the lab's time per round, for a C sample before and after every round,
#      for one sample between rounds (the after of one round is the before of the next),
#      and with the Python canary too. Set LAB=0 to skip this part (it takes a minute or two).
# Figures, not assertions.
set -eu
: "${GILBENCH:=$(pwd)/gilbench}"
ROOT=${ROOT:-$(pwd)}
N=${N:-100}
PY=/usr/bin/python3
QUOTA="$ROOT/tests/lib/cpuquota.sh"
W=$(mktemp -d /tmp/gilbench-canary.XXXXXX)
trap 'rm -rf "$W"' EXIT
export GILBENCH_CACHE="$W/cache"

# shielded CMD...: run CMD in a cgroup with no quota and the highest CPU weight where one
# can be made (other work on a shared machine then barely takes its CPU), else plainly
if sh "$QUOTA" check 2>"$W/why"; then QOK=1; else QOK=0; fi
shielded() {
	if [ "$QOK" = 1 ]; then sh "$QUOTA" max -- "$@"; else "$@"; fi
}

# 1 and 2: noise and cost, plainly and shielded
read -r l0 _ </proc/loadavg
"$GILBENCH" canary --samples "$N" --python "$PY" --json --no-update >"$W/plain.json" 2>/dev/null
shielded "$GILBENCH" canary --samples "$N" --python "$PY" --json --no-update >"$W/shielded.json" 2>/dev/null
read -r l1 _ </proc/loadavg
"$PY" - "$W" "$N" "$l0" "$l1" "$QOK" <<'PY'
import json, statistics as st, sys
w, n, l0, l1, qok = sys.argv[1:]
hows = (("plain", "plainly"), ("shielded", "in a cgroup with the highest CPU weight" if qok == "1" else "plainly again"))
print(f"load average before/after the samples: {l0} / {l1}")
for f, how in hows:
    d = json.load(open(f"{w}/{f}.json"))
    for c in d["canaries"]:
        walls = [s["wall"] for s in c["samples"]]
        name = "C" if c["series"] == "c" else "Python"
        print(f"canary CV over {len(walls)} samples ({name}, {how}): {100 * st.pstdev(walls) / st.mean(walls):.2f}% "
              f"(median {1e3 * st.median(walls):.2f} ms, min {1e3 * min(walls):.2f}, max {1e3 * max(walls):.2f}; "
              f"{100 * c['oncpu']:.0f}% of the time on the CPU); cost per sample {1e3 * c['cost']:.1f} ms (median)")
PY
cp "$W/shielded.json" "$W/cost.json"

# 3: detection under a CPU quota: 5 rounds of no quota, 90%, 70%, 50%, 6 samples each,
# the unthrottled runs recorded as the reference; interleaved, so that the shared machine's own
# drift hits every quota alike
if [ "$QOK" = 1 ]; then
	rm -rf "$GILBENCH_CACHE"
	for r in 1 2 3 4 5; do
		sh "$QUOTA" max -- "$GILBENCH" canary --samples 6 --json >"$W/q100.$r.json" 2>/dev/null
		for p in 90 70 50; do
			sh "$QUOTA" "$p" -- "$GILBENCH" canary --samples 6 --json --no-update >"$W/q$p.$r.json" 2>/dev/null
		done
	done
	"$PY" - "$W" <<'PY'
import json, statistics as st, sys
def load(p, r):
    return json.load(open(f"{sys.argv[1]}/q{p}.{r}.json"))["canaries"][0]
full = [load(100, r) for r in range(1, 6)]
ref = json.load(open(f"{sys.argv[1]}/q100.5.json"))["canaries"][0]["reference_after"]
walls = [s["wall"] for c in full for s in c["samples"]]
print(f"unthrottled: median {1e3 * st.median(walls):.2f} ms, CV {100 * st.pstdev(walls) / st.mean(walls):.1f}% "
      f"over {len(walls)} samples; stored reference after its 5 runs {1e3 * ref:.2f} ms")
for p in (90, 70, 50):
    runs = [load(p, r) for r in range(1, 6)]
    paired = st.median(c["median"] / f["median"] - 1 for c, f in zip(runs, full))
    samples = [s["wall"] for c in runs for s in c["samples"]]
    flagged = sum(w / ref - 1 > 0.05 for w in samples)
    vs_ref = st.median(samples) / ref - 1
    oncpu = st.median(c["oncpu"] for c in runs)
    print(f"detection at {p}% of one CPU ({100 - p}% slower machine): measured slowdown {100 * paired:+.1f}% "
          f"(paired with the unthrottled runs; expected {100 * (100 / p - 1):+.1f}%), {100 * vs_ref:+.1f}% against the "
          f"stored reference, {flagged}/{len(samples)} samples flagged at 5%, {100 * oncpu:.0f}% of the time on the CPU")
PY
else
	echo "detection: skipped ($(cat "$W/why"))"
fi

# 4: cost as a share of the lab's run time
[ "${LAB:-1}" = 1 ] || exit 0
. "$ROOT/tests/lib/fakebuilds.sh"
R=$W/lab
mkdir -p "$R"
cp -r "$ROOT/configs/experiments" "$R/experiments"
fake_rundir "$R" <"$ROOT/configs/lab.yaml"
"$GILBENCH" plan "$ROOT/configs/lab.yaml" --json >"$W/plan.json"
shielded "$GILBENCH" measure "$R" --min-trials 1 --max-trials 1 >/dev/null 2>"$W/measure.err" || {
	echo "lab estimate: gilbench measure failed:"; tail -5 "$W/measure.err"; exit 0; }
"$PY" - "$W/plan.json" "$R/results.jsonl" "$W/cost.json" <<'PY'
import json, sys
from collections import defaultdict
plan = json.load(open(sys.argv[1]))
rows = [json.loads(l) for l in open(sys.argv[2])]
cost = {("C" if c["series"] == "c" else "Python"): c["cost"] for c in json.load(open(sys.argv[3]))["canaries"]}
rounds = {}   # point -> rounds in the lab (warm-ups included)
for c in plan["cells"]:
    rounds[(c["experiment"], c["point"])] = c["warmup"] + c["trials"]
wall = defaultdict(list)   # point -> trial walls measured here
for r in rows:
    wall[(r["experiment"], r["point"])].append(r["wall"])
nrounds = sum(rounds.values())
# a round runs both variants once: two trials of the point's mean time
lab = sum(n * 2 * sum(wall[p]) / len(wall[p]) for p, n in rounds.items())
print(f"lab: {nrounds} rounds over {len(rounds)} points; estimated trial time {lab:.0f} s "
      f"({lab / nrounds:.2f} s per round; /usr/bin/python3 standing in for both builds)")
for what, k, py in (("a C sample before and after every round", 2, 0),
                    ("one C sample between rounds", 1, 0),
                    ("C and Python samples before and after every round", 2, 2),
                    ("one C and one Python sample between rounds", 1, 1)):
    n = nrounds + 1 if k == 1 else 2 * nrounds
    c = n * cost["C"] + (n * cost.get("Python", 0) if py else 0)
    print(f"canary cost, {what}: {c:.2f} s, {100 * c / lab:.2f}% of the lab's run time (target <= 1%)")
PY
