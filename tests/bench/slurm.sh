#!/bin/sh
# tests/bench/slurm.sh: what the test cluster costs. Time from `tests/lib/slurm.sh start` to
# the node idle (as slurm.sh reports it) and the whole stop, median of 3; then Slurm's
# overhead per array task: seconds from submitting (through slurm.c, by slurm_probe) an
# array of N tasks of a trivial command (touch a file) to all N files written, for N = 1, 4
# and 8, median of 3, exclusive (one task per node at a time, as gilbench's shards run) and
# not. Then what `gilbench run --slurm` adds to a run of fake trials (the fake CPython
# tree, its builds installed first; 8 points x 2 variants x 3 trials of a 50 ms sleep), from
# submission to the merged report and archive, against the same run here, with 1, 2 and 4
# shards (median of 3): on the one node shards run one after the other, so the growth per
# shard is what each shard costs and the rest is the fixed cost (submission, the merge job,
# polling). Last, on paper: the lab's points (configs/lab.yaml, costed from the write-up's
# figures, or from a finished lab run given as LAB_RUN=DIR) over 1, 8 and 64 nodes with
# those costs. The cluster is a private one (its own state folder and free ports), so a
# cluster already running is not disturbed. Needs root and slurm-wlm; says why and stops
# otherwise.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
PROBE=$ROOT/obj/rel/slurm_probe
[ -x "$PROBE" ] || { echo "slurm: $PROBE is not built (make obj/rel/slurm_probe)"; exit 1; }
S=$(mktemp -d /tmp/gilbench-bench-slurm.XXXXXX)
chmod 0755 "$S"
GILBENCH_SLURM_STATE=$S
GILBENCH_SLURM_PORT=$(python3 -c 'import socket
for p in range(26817, 27817, 2):
    try:
        for q in (p, p + 1):
            socket.socket().bind(("127.0.0.1", q))
        print(p)
        break
    except OSError:
        pass')
export GILBENCH_SLURM_STATE GILBENCH_SLURM_PORT SLURM_CONF="$S/slurm.conf"
trap '"$ROOT/tests/lib/slurm.sh" stop >/dev/null 2>&1; rm -rf "$S"' EXIT

med() { echo "$@" | tr ' ' '\n' | grep . | sort -n | sed -n 2p; }
secs() { awk "BEGIN { printf \"%.2f\", ($2 - $1) / 1e9 }"; }

idle= stops=
for i in 1 2 3; do
	out=$("$ROOT/tests/lib/slurm.sh" start 2>&1)
	rc=$?
	[ $rc -eq 77 ] && { echo "slurm: skipped: ${out#slurm.sh: }"; exit 0; }
	[ $rc -eq 0 ] || { echo "slurm: the cluster did not start:"; echo "$out"; exit 1; }
	idle="$idle $(echo "$out" | sed -n 's/.*node idle after \([0-9.]*\) s.*/\1/p')"
	if [ $i -lt 3 ]; then
		t0=$(date +%s%N)
		"$ROOT/tests/lib/slurm.sh" stop 2>/dev/null
		stops="$stops $(secs "$t0" "$(date +%s%N)")"
	fi
done
echo "test cluster start to node idle: $(med $idle) s median of 3 (all:$idle)"
echo "test cluster stop: $(echo $stops | awk '{ printf "%.1f", ($1 + $2) / 2 }') s mean of 2 (all: $stops)"

# run N EXCL: seconds from submission to N task files
run() {
	w=$S/w.$1.$2.$$
	mkdir -p "$w"
	t0=$(date +%s%N)
	if [ "$2" = exclusive ]; then x=--exclusive; else x=--nomultithread; fi
	"$PROBE" submit --name bench --script "$w/job.sbatch" --chdir "$w" --output /dev/null \
		--array "0-$(($1 - 1))" $x -- sh -c 'touch "t-$SLURM_ARRAY_TASK_ID"' >/dev/null || return 1
	until [ "$(find "$w" -name 't-*' | wc -l)" -ge "$1" ]; do sleep 0.02; done
	secs "$t0" "$(date +%s%N)"
	rm -rf "$w"
}

for mode in exclusive shared; do
	for n in 1 4 8; do
		all=
		for i in 1 2 3; do all="$all $(run $n $mode)"; sleep 1; done
		m=$(med $all)
		echo "array of $n trivial tasks ($mode), submit to all files: $m s median of 3," \
			"$(awk "BEGIN { printf \"%.2f\", $m / $n }") s per task (all:$all)"
	done
done

# ---- gilbench run --slurm against the same run here ----

GB=${GILBENCH:-$ROOT/gilbench}
F=$S/fake
mkdir -p "$F/pkg/fakecpython-3.13.5" "$F/cfg/experiments"
cp -R "$ROOT/tests/lib/fakecpython/." "$F/pkg/fakecpython-3.13.5/"
tar -czf "$F/fake.tar.gz" -C "$F/pkg" fakecpython-3.13.5
cat >"$F/cfg/experiments/sleepy.py" <<'PY'
import json, time
t = time.perf_counter()
time.sleep(0.05)
print(json.dumps({"seconds": time.perf_counter() - t}))
PY
cat >"$F/cfg/c.yaml" <<YAML
version: 1
name: benchslurm
source:
  tarball:
    sha256: $(sha256sum "$F/fake.tar.gz" | cut -d' ' -f1)
    from: [file://$F/fake.tar.gz]
builds:
  - {name: gil, configure: []}
  - {name: nogil, configure: [--disable-gil]}
run: {interference: 0, canary: 0}
experiments:
  - name: sleepy
    script: experiments/sleepy.py
    matrix: {n: [1, 2, 3, 4, 5, 6, 7, 8]}
    trials: 3
YAML
export GILBENCH_WORK="$F/work" GILBENCH_CACHE="$F/cache"
"$GB" run "$F/cfg/c.yaml" --out "$F/warm" --no-archive >/dev/null 2>&1 || { echo "slurm: the fake run failed"; exit 1; }

# fakerun NAME ARGS...: seconds of one gilbench run of the fake config
fakerun() {
	name=$1
	shift
	rm -rf "${F:?}/$name" "$F/$name.tar.gz"
	t0=$(date +%s%N)
	"$GB" run "$F/cfg/c.yaml" --out "$F/$name" "$@" >/dev/null 2>"$F/$name.err" || {
		echo "slurm: run $name failed:" >&2
		tail -5 "$F/$name.err" >&2
		return 1
	}
	secs "$t0" "$(date +%s%N)"
}

here= s1= s2= s4=
for i in 1 2 3; do
	here="$here $(fakerun here)"
	s1="$s1 $(fakerun s1 --slurm --shards 1)"
	s2="$s2 $(fakerun s2 --slurm --shards 2)"
	s4="$s4 $(fakerun s4 --slurm --shards 4)"
done
mh=$(med $here) m1=$(med $s1) m2=$(med $s2) m4=$(med $s4)
echo "fake run (48 trials of 50 ms) here: $mh s median of 3 (all:$here)"
for n in 1 2 4; do
	eval "m=\$m$n all=\$s$n"
	echo "fake run --slurm --shards $n, submit to merged report and archive: $m s median of 3," \
		"+$(awk "BEGIN { printf \"%.2f\", $m - $mh }") s over here (all:$all)"
done
per=$(awk "BEGIN { printf \"%.2f\", ($m4 - $m1) / 3 }")
fixed=$(awk "BEGIN { printf \"%.2f\", $m1 - $mh - $per }")
echo "Slurm's cost per shard (the growth from 1 to 4 shards on one node, over 3): $per s"
echo "Slurm's fixed cost per run (submission, the merge job, polling): $fixed s"

# ---- on paper: the lab over 1, 8 and 64 nodes ----
python3 - "$per" "$fixed" "${LAB_RUN:-}" <<'PY'
import json, os, sys
per, fixed, lab = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
# seconds a point's trials take (every variant, warm-up and measured rounds), in plan order
if lab:
    cost = {}
    for l in open(os.path.join(lab, "results.jsonl")):
        t = json.loads(l)
        cost[(t["experiment"], t["point"])] = cost.get((t["experiment"], t["point"]), 0) + (t["wall"] or 0)
    points = list(cost.items())
    source = "the trials' wall times of " + lab
else:
    # the write-up's per-trial times (GIL, no-GIL) and the lab's rounds (1 warm-up + trials); the race
    # has no time in the write-up: the contended lock's GIL time stands for it; 0.05 s of interpreter
    # start per trial
    ref = [("single-thread", "", 1.2979, 1.3993, 5), ("io-threads", "", 0.1112, 0.1141, 5),
           ("race", "", 0.1141, 0.1141, 3), ("multiprocessing", "", 0.3879, 0.4432, 5),
           ("thread-scaling", "threads=1", 0.1714, 0.1848, 5), ("thread-scaling", "threads=2", 0.3152, 0.1842, 5),
           ("thread-scaling", "threads=4", 0.6471, 0.2100, 5), ("thread-scaling", "threads=8", 1.3706, 0.3373, 5),
           ("contended-lock", "", 0.1141, 1.2500, 5)]
    points = [((e, p), (1 + n) * (g + ng + 2 * 0.05)) for e, p, g, ng, n in ref]
    source = "the write-up's figures"
total = sum(c for _, c in points)
build = 330.0  # one PGO build of 3.13.5 on 2 cores (docs: 5 to 6 minutes); the lab has two
print("lab on paper (%d points, %.1f s of trials from %s; %.2f s per shard, %.2f s per run;"
      " two PGO builds of %.0f s each, one after the other here, side by side on two nodes):"
      % (len(points), total, source, per, fixed, build))
print("  here, one machine: %.0f s of builds + %.1f s of trials = %.0f s" % (2 * build, total, 2 * build + total))
for nodes, nshards in ((1, 1), (8, 8), (8, 9), (64, 9)):
    shards = [0.0] * nshards
    for i, (_, c) in enumerate(points):  # round-robin, as shards.c deals them
        shards[i % nshards] += c
    free = [0.0] * nodes  # the array's tasks in order, each on the node free first
    for d in shards:
        k = free.index(min(free))
        free[k] += d + per
    span = max(free) + fixed
    builds = build if nodes > 1 else 2 * build
    print("  %2d node%s, %d shard%s: trials %.1f s (the longest shard %.1f s), with the builds %.0f s: %.1fx the trials' speed,"
          " %.1fx the whole run's" % (nodes, "" if nodes == 1 else "s", nshards, "" if nshards == 1 else "s", span,
                                      max(shards), builds + span, total / span, (2 * build + total) / (builds + span)))
PY
