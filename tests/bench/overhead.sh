#!/bin/sh
# tests/bench/overhead.sh: what gilbench adds to each trial.
#
# One build (the system python3, no wrapper) and one experiment whose script prints
# {"seconds": 0} and exits: N trials through `gilbench measure`, against the same script
# run N times by a plain sh loop. Three alternating repetitions of each; the medians are
# printed: the direct time per run, the wall time gilbench records per trial (spawn to
# exit, as results.jsonl holds it), and gilbench's whole run divided by N (which also pays
# for start-up, the interpreter probe, plan.json and metadata.json). Figures, not assertions.
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

direct= recorded= whole=
for rep in 1 2 3; do
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
done

"$PY" - "$direct" "$recorded" "$whole" "$N" <<'PY'
import statistics, sys
d, r, w = (statistics.median(int(x) for x in s.split()) / 1e6 for s in sys.argv[1:4])
n = sys.argv[4]
print(f"direct run (sh loop, {n} runs): {d:.2f} ms per run")
print(f"gilbench recorded wall per trial: {r:.2f} ms (median)")
print(f"per-trial overhead (recorded wall - direct): {r - d:.2f} ms (target <= 2 ms)")
print(f"gilbench whole measure / {n} trials: {w:.2f} ms; overhead {w - d:.2f} ms per trial, start-up and probe included")
PY
