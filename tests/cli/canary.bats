#!/usr/bin/env bats
# tests/cli/canary.bats: `gilbench canary`, the speed canary and this machine's reference.
#
# Each test has its own empty $GILBENCH_CACHE. The Python canary runs on a fake interpreter
# (tests/lib/fakebuilds.sh fake_python, the system python3 behind a wrapper). The slower
# machine is a CPU quota on a cgroup (tests/lib/cpuquota.sh); those tests skip with the
# script's message where no cgroup CPU controller is writable. Their reference is taken in
# a group with no quota (`cpuquota.sh max`), unthrottled, but with the group's high CPU
# weight, as the throttled runs have, so that other work on a shared machine slows neither
# it nor them: the quota alone sets the speed. JSON is checked with python3.
load helpers
bats_require_minimum_version 1.5.0

setup() {
	common_setup
	. "$ROOT/tests/lib/fakebuilds.sh"
	mkdir -p "$T/bin"
	fake_python "$T/bin/python" 1
	QUOTA=$ROOT/tests/lib/cpuquota.sh
}

# refcount SERIES: the number of runs the reference file holds for SERIES
refcount() {
	python3 - "$GILBENCH_CACHE/canary" "$1" <<'PY'
import glob, json, sys
files = glob.glob(sys.argv[1] + "/*.json")
assert len(files) == 1, files
doc = json.load(open(files[0]))
print(len(doc["series"][sys.argv[2]]["runs"]) if sys.argv[2] in doc["series"] else 0)
PY
}

# needquota: skip with cpuquota.sh's message where no cgroup CPU controller is writable
needquota() {
	run sh "$QUOTA" check
	[ "$status" -ne 77 ] || skip "$output"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "canary --help: its usage line, quoted in the README; gilbench --help lists it" {
	run "$GILBENCH" canary --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: gilbench canary [--samples N]"* ]]
	grep -qF -- "${lines[0]#usage: }" "$ROOT/README.md"
	run "$GILBENCH" --help
	[[ "$output" == *"canary "* ]]
}

@test "canary: the first run sets the reference in an empty cache, the next one is judged against it" {
	run "$GILBENCH" canary --samples 3
	[ "$status" -eq 0 ]
	[[ "$output" =~ canary:\ [0-9.]+\ ms\ \(C\),\ no\ reference\ yet\ for\ this\ machine:\ set\ to\ [0-9.]+\ ms ]]
	[[ "$output" == *"3 samples, CV "* ]]
	ls "$GILBENCH_CACHE"/canary/*.json
	[[ "$(basename "$GILBENCH_CACHE"/canary/*.json)" =~ ^[0-9a-f]{64}\.json$ ]]
	[ "$(refcount c)" = 1 ]
	run "$GILBENCH" canary --samples 3
	[ "$status" -eq 0 ]
	[[ "$output" =~ canary:\ [0-9.]+\ ms\ \(C\),\ reference\ [0-9.]+\ ms,\ [0-9.]+%\ (slower|faster):\ (normal|SLOW|faster\ than\ the\ reference) ]]
	[[ "$output" == *"reference now "*" ms (2 runs)"* ]]
	[ "$(refcount c)" = 2 ]
}

@test "canary --no-update: says there is no reference and writes none" {
	run "$GILBENCH" canary --samples 1 --no-update
	[ "$status" -eq 0 ]
	[[ "$output" == *"no reference yet for this machine: none set (--no-update)"* ]]
	[ -z "$(ls -A "$GILBENCH_CACHE/canary" 2>/dev/null)" ]
	"$GILBENCH" canary --samples 2 2>/dev/null
	run "$GILBENCH" canary --samples 2 --no-update
	[ "$status" -eq 0 ]
	[ "$(refcount c)" = 1 ]
}

@test "canary --json --python: parses, with every sample, the verdict and both series" {
	"$GILBENCH" canary --samples 2 --python "$T/bin/python" 2>/dev/null
	run --separate-stderr "$GILBENCH" canary --samples 4 --json --python "$T/bin/python"
	[ "$status" -eq 0 ]
	echo "$output" >"$T/out.json"
	python3 - "$T/bin/python" "$T/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[2]))
assert len(d["machine_id"]) == 64 and d["file"].endswith(d["machine_id"] + ".json"), d["file"]
assert d["threshold"] == 0.05 and d["updated"] is True
c, p = d["canaries"]
assert c["series"] == "c" and c["label"] == "C"
assert p["series"].startswith("python:") and sys.argv[1] in p["label"] and "Python 3" in p["label"], p["label"]
for s in (c, p):
    assert len(s["samples"]) == 4
    assert s["runs"] == 1 and s["runs_after"] == 2
    assert s["reference"] > 0 and s["verdict"] in ("normal", "slow", "faster")
    assert abs(s["slowdown"] - (s["median"] / s["reference"] - 1)) < 1e-6
    assert 0 < s["oncpu"] <= 1.05 and s["cost"] > 0
    for x in s["samples"]:
        assert len(x["reps"]) == 3 and x["wall"] > 0 and x["cost"] >= x["wall"]
        assert x["series"] == s["series"]
assert all(x["result"] == "d9d24b73d402f472" for x in c["samples"])
PY
}

@test "canary --python: an interpreter that cannot run is an error naming it" {
	run "$GILBENCH" canary --samples 1 --python "$T/nonexistent/python"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/nonexistent/python"* ]]
}

@test "canary: a corrupt reference file is an error naming the file, and is left as it was" {
	"$GILBENCH" canary --samples 1 2>/dev/null
	f=$(ls "$GILBENCH_CACHE"/canary/*.json)
	echo '{"format": "gilbench canary reference", "version": 1, "machine_id": 12}' >"$f"
	run "$GILBENCH" canary --samples 1
	[ "$status" -eq 1 ]
	[[ "$output" == *"$f"*"machine_id"* ]]
	grep -q '"machine_id": 12' "$f"
}

@test "canary: bad options are usage errors" {
	run "$GILBENCH" canary --samples 0
	[ "$status" -eq 2 ]
	run "$GILBENCH" canary --threshold x
	[ "$status" -eq 2 ]
	run "$GILBENCH" canary --cpus 3-1
	[ "$status" -eq 2 ]
	[[ "$output" == *"--cpus"* ]]
	run "$GILBENCH" canary extra
	[ "$status" -eq 2 ]
}

@test "canary --cpus: pinned samples run and are judged" {
	run "$GILBENCH" canary --samples 2 --cpus 0 --python "$T/bin/python"
	[ "$status" -eq 0 ]
	[[ "$output" == *"(C), no reference yet"* ]]
	[[ "$output" == *"(Python 3"* ]]
}

@test "cpuquota.sh: moves a running process into a quota group and out again, and cleans up" {
	needquota
	sleep 30 &
	pid=$!
	g=$(sh "$QUOTA" create 50)
	[ -d "$g" ]
	[[ "$(basename "$g")" == gilbench-quota.* ]]
	sh "$QUOTA" add "$g" "$pid"
	grep -qx "$pid" "$g/cgroup.procs"
	sh "$QUOTA" remove "$g" "$pid"
	! grep -qx "$pid" "$g/cgroup.procs"
	sh "$QUOTA" add "$g" "$pid"
	sh "$QUOTA" destroy "$g"
	[ ! -d "$g" ]
	kill "$pid"
	run sh "$QUOTA" 50 -- sh -c 'cat /proc/self/cgroup'
	[ "$status" -eq 0 ]
	[[ "$output" == *gilbench-quota.* ]]
	run sh "$QUOTA" 50 -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run sh "$QUOTA" 5 -- true
	[ "$status" -eq 2 ]
}

@test "canary under a 50% CPU quota: slower than the reference by 30% or more, and says it waited for the CPU" {
	needquota
	sh "$QUOTA" max -- "$GILBENCH" canary --samples 5 2>/dev/null
	run --separate-stderr sh "$QUOTA" 50 -- "$GILBENCH" canary --samples 5 --json --no-update
	[ "$status" -eq 0 ]
	echo "$output" >"$T/out.json"
	python3 - "$T/out.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["canaries"][0]
print("slowdown", c["slowdown"], "oncpu", c["oncpu"])
assert c["slowdown"] >= 0.30, c["slowdown"]
assert c["verdict"] == "slow" and c["slow_run"] and c["slow"] == 5
assert c["oncpu"] < 0.8, c["oncpu"]
PY
	run sh "$QUOTA" 50 -- "$GILBENCH" canary --samples 3 --no-update
	[ "$status" -eq 0 ]
	[[ "$output" =~ %\ slower:\ SLOW ]]
	[[ "$output" == *"the canary waited for the CPU"* ]]
}

@test "canary throttled for part of a run: the slow samples are one long block in its middle (the machine's own hiccups aside)" {
	needquota
	sh "$QUOTA" max -- "$GILBENCH" canary --samples 5 --json >"$T/ref.json" 2>/dev/null
	# enough samples for about 4 s unthrottled, whatever this machine's speed: throttled
	# from 1 s to 2 s, the block falls inside the run
	n=$(python3 -c 'import json, sys; print(max(60, int(4 / json.load(open(sys.argv[1]))["canaries"][0]["cost"])))' "$T/ref.json")
	full=$(sh "$QUOTA" create max)
	half=$(sh "$QUOTA" create 50)
	"$GILBENCH" canary --samples "$n" --json --no-update >"$T/out.json" 2>/dev/null &
	pid=$!
	sh "$QUOTA" add "$full" "$pid"
	sleep 1
	sh "$QUOTA" add "$half" "$pid"
	sleep 1
	sh "$QUOTA" add "$full" "$pid"
	wait "$pid"
	sh "$QUOTA" destroy "$half"
	sh "$QUOTA" destroy "$full"
	python3 - "$T/out.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["canaries"][0]
# 50% of a CPU doubles the time; 40% keeps a shared machine's own noise (up to ~15% here) out
slow = [s["wall"] / c["reference"] - 1 > 0.40 for s in c["samples"]]
print("".join("S" if x else "." for x in slow))
assert len(slow) >= 60
# a shared machine slows the odd sample on its own, and the odd throttled one escapes: a
# sample counts as slow when most of it and its two neighbours are
sm = [sum(slow[max(i - 1, 0):i + 2]) * 2 > len(slow[max(i - 1, 0):i + 2]) for i in range(len(slow))]
blocks = [(i, (sm[i:].index(False) if False in sm[i:] else len(sm) - i)) for i in range(len(sm))
          if sm[i] and (i == 0 or not sm[i - 1])]
assert blocks, "the throttled stretch should show as a block of slow samples"
first, n = max(blocks, key=lambda b: b[1])
assert n >= 5, "the throttled stretch should be several samples long"
assert first > 2 and first + n < len(sm) - 3, "throttling should start and end inside the run"
# outside it, the machine's own hiccups only: a few samples at most, in blocks far shorter
others = [b for b in blocks if b[0] != first]
assert sum(k for _, k in others) <= max(3, len(sm) // 20) and all(k * 3 <= n for _, k in others), \
    "slow samples outside the throttled stretch: " + repr(others)
PY
}
