#!/bin/sh
# tests/bench/overhead.sh: what gilbench adds to each trial.
#
# One build (the system python3, no wrapper) and one experiment whose script prints
# {"seconds": 0} and exits: N trials through `gilbench measure`, against the same script
# run N times by a plain sh loop. REPS (5) alternating repetitions of each; the best and
# the median repetition are printed (the best is the fairer figure on a busy machine, where
# other work only ever adds time): the direct time per run, the wall time gilbench records per trial (spawn to
# exit, as results.jsonl holds it), and gilbench's whole run divided by N (which also pays
# for start-up, the interpreter probe, plan.json and metadata.json). On a busy machine those
# differences drown in scheduling noise, so it also prints gilbench's own CPU time per trial
# (metadata.json's gilbench_cpu over N), which load does not inflate. Figures, not assertions.
set -eu
: "${GILBENCH:=$(pwd)/gilbench}"
N=${N:-50}
PY=/usr/bin/python3
W=$(mktemp -d /tmp/gilbench-overhead.XXXXXX)
trap 'rm -rf "$W"' EXIT
printf 'import json\nprint(json.dumps({"seconds": 0}))\n' >"$W/zero.py"

ms() { date +%s%N; }

mkrundir() {
	rm -rf "$W/run"
	mkdir -p "$W/run/builds/gil"
	cp "$W/zero.py" "$W/run/zero.py"
	printf '{"name": "gil", "ok": true, "python": "%s", "inputs": {"source": "bench"}}\n' "$PY" \
		>"$W/run/builds/gil/build.json"
	cat >"$W/run/config.yaml" <<YAML
version: 1
name: overhead
source:
  tarball:
    sha256: 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
    from: [file:///nonexistent.tar.xz]
builds:
  - {name: gil, configure: []}
experiments:
  - {name: zero, script: zero.py, trials: $N}
YAML
}

direct= recorded= whole= selfcpu=
for rep in $(seq "${REPS:-5}"); do
	t0=$(ms)
	i=0
	while [ $i -lt "$N" ]; do
		PYTHONHASHSEED=0 "$PY" "$W/zero.py" >/dev/null
		i=$((i + 1))
	done
	t1=$(ms)
	direct="$direct $(( (t1 - t0) / N ))"
	mkrundir
	t0=$(ms)
	GILBENCH_PLAIN=1 "$GILBENCH" measure "$W/run" 2>"$W/err" || { cat "$W/err"; exit 1; }
	t1=$(ms)
	whole="$whole $(( (t1 - t0) / N ))"
	recorded="$recorded $("$PY" -c '
import json, statistics, sys
print(int(statistics.median(json.loads(l)["wall"] for l in open(sys.argv[1])) * 1e9))' "$W/run/results.jsonl")"
	selfcpu="$selfcpu $("$PY" -c '
import json, sys
print(int(json.load(open(sys.argv[1]))["gilbench_cpu"] * 1e9))' "$W/run/metadata.json")"
done

W=$W "$PY" - "$direct" "$recorded" "$whole" "$selfcpu" "$N" <<'PY'
import os, statistics, sys, tempfile, time

def fsync_ms():
    ts = []
    with tempfile.NamedTemporaryFile(dir=os.environ.get("W", "/tmp")) as f:
        for _ in range(50):
            t = time.perf_counter()
            os.write(f.fileno(), b"x" * 400 + b"\n")
            os.fsync(f.fileno())
            ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1e3

reps = [[int(x) / 1e6 for x in s.split()] for s in sys.argv[1:5]]
n = sys.argv[5]
print(f"append + fsync of one results line on this disk: {fsync_ms():.2f} ms (median of 50; "
      "paid between trials, outside the recorded wall)")
print(f"gilbench's own CPU time per trial (user+system, trials excluded): "
      f"{statistics.median(reps[3]) / int(n):.2f} ms (median of {len(reps[3])})")
reps = reps[:3]
for how, f in (("best", min), ("median", statistics.median)):
    d, r, w = (f(x) for x in reps)
    print(f"{how} of {len(reps[0])}: direct run (sh loop, {n} runs): {d:.2f} ms per run")
    print(f"{how} of {len(reps[0])}: gilbench recorded wall per trial: {r:.2f} ms (median of {n})")
    print(f"{how} of {len(reps[0])}: per-trial overhead (recorded wall - direct): {r - d:.2f} ms (target <= 2 ms)")
    print(f"{how} of {len(reps[0])}: gilbench whole measure / {n} trials: {w:.2f} ms; "
          f"overhead {w - d:.2f} ms per trial, start-up and probe included")
PY
