#!/usr/bin/env bats
# tests/cli/guards.bats: what the run stage does about a busy or slow machine (issues 10, 14).
#
# Fake builds (tests/lib/fakebuilds.sh), trials pinned to CPU 0. Interference: a CPU hog
# pinned to the same CPU, started by chosen trials themselves (so that exactly those are
# spoiled) or by the test for the whole run; those trials are contaminated, kept in
# results.jsonl, left out of the statistics and repeated, and a hog that never stops ends
# with the cells marked, not with an endless run. The speed canary: a CPU quota on a cgroup
# (tests/lib/cpuquota.sh) holding gilbench and its trials for the whole run, or for part of
# it, against a reference taken unthrottled; those tests skip, saying why, where no cgroup
# CPU controller is writable.
load helpers

setup() {
	common_setup
	. "$ROOT/tests/lib/fakebuilds.sh"
	QUOTA=$ROOT/tests/lib/cpuquota.sh
	R=$T/run
	mkdir -p "$R/exp"
	# work.py: 0.3 s of CPU; the trials whose number (counted in $HOME/count) is listed in
	# GB_HOGS start a hog on CPU 0 beside them and kill it when done (the hog is orphaned at
	# once, as another user's process would be: a hog the trial waited for would be the
	# trial's own CPU time, which is no interference)
	cat >"$R/exp/work.py" <<'PY'
import json, os, signal, subprocess, sys, time
path = os.path.join(os.environ["HOME"], "count")
n = int(open(path).read()) + 1 if os.path.exists(path) else 1
open(path, "w").write(str(n))
hog = None
if str(n) in os.environ.get("GB_HOGS", "").split(","):
    # a stranger's process, not this trial's: started through a child that exits at once,
    # so that init, not the trial, reaps it and its CPU time is not the trial's own
    sh = subprocess.run(["sh", "-c", sys.executable + " -c 'import os\nos.sched_setaffinity(0, {0})\nwhile True: pass' </dev/null >/dev/null 2>&1 & echo $!"],
                        capture_output=True, text=True, check=True)
    hog = int(sh.stdout)
    time.sleep(0.05)
t, x = time.process_time(), 0
w = time.perf_counter()
while time.process_time() - t < 0.3:
    x += 1
if hog:
    os.kill(hog, signal.SIGKILL)
print(json.dumps({"seconds": time.perf_counter() - w}))
PY
}

# mkrun CANARY REPEATS: the run directory, trials pinned to CPU 0
mkrun() {
	{ fake_config_head; cat <<YAML
run: {cpus: "0", interference: 0.1, canary: $1, repeats: $2, pass_env: [GB_HOGS]}
experiments:
  - {name: work, script: exp/work.py, trials: 3}
YAML
	} | fake_rundir "$R"
}

pyq() {
	python3 -c '
import json, os, sys
rows = [json.loads(l) for l in open(sys.argv[1] + "/results.jsonl")]
meta = json.load(open(sys.argv[1] + "/metadata.json"))
rounds = [json.loads(l) for l in open(sys.argv[1] + "/rounds.jsonl")] if os.path.exists(sys.argv[1] + "/rounds.jsonl") else []
print(eval(sys.argv[2]))' "$R" "$1"
}

@test "guards: a hog beside chosen trials spoils exactly those; they are repeated and left out of the statistics" {
	mkrun 0 3
	GB_HOGS=2,5 run "$GILBENCH" measure "$R"
	echo "$output"
	[ "$status" -eq 0 ]
	# trial 2 is nogil's of round 1, trial 5 gil's of round 3 (the order rotates each round)
	pyq '"\n".join(str((i + 1, r["contaminated"], r["interference"])) for i, r in enumerate(rows))'
	[ "$(pyq '[i + 1 for i, r in enumerate(rows) if r["contaminated"]]')" = "[2, 5]" ]
	[ "$(pyq '[(r["variant"], r["round"]) for r in rows if r["contaminated"]]')" = "[('nogil', 1), ('gil', 3)]" ]
	[ "$(pyq 'all(r["interference"]["share"] > 0.1 for r in rows if r["contaminated"])')" = True ]
	# one interleaved round more gives each cell its three clean trials
	[ "$(pyq 'len(rows), max(r["round"] for r in rows)')" = "(8, 4)" ]
	[ "$(pyq 'meta["interference"]["contaminated"], meta["interference"]["repeated_rounds"], meta["interference"]["short"]')" = "(2, 1, [])" ]
	"$GILBENCH" report --no-plots "$R"
	[ "$(python3 -c 'import json,sys; print(sorted((c["variant"], c["n"]) for c in json.load(open(sys.argv[1]))["cells"]))' "$R/results.json")" = \
	  "[('gil', 3), ('nogil', 3)]" ]
	grep -q '2 trials left out (2 interfered with, 0 on a slow machine) and repeated' "$R/report.md"
	grep -q 'Interference: other processes spoiled 2 trials' "$R/report.md"
}

@test "guards: a hog that never stops ends with the cells marked, after run.repeats rounds, not an endless run" {
	mkrun 0 2
	python3 -c 'import os, sys
os.sched_setaffinity(0, {0})
open(sys.argv[1], "w").close()
while True: pass' "$T/hog-up" &
	hog=$!
	# the hog spins before gilbench starts (a hog still starting could leave the first trial clean)
	for i in $(seq 200); do [ -e "$T/hog-up" ] && break; nap 0.05; done
	run timeout 120 "$GILBENCH" measure "$R"
	kill $hog
	echo "$output"
	[ "$status" -eq 0 ]
	pyq '"\n".join(str((i + 1, r["variant"], r["round"], r["contaminated"], r["interference"])) for i, r in enumerate(rows))'
	[ "$(pyq 'len(rows), sum(r["contaminated"] for r in rows)')" = "(10, 10)" ]
	[ "$(pyq 'sorted((c["variant"], c["clean"], c["wanted"]) for c in meta["interference"]["short"])')" = \
	  "[('gil', 0, 3), ('nogil', 0, 3)]" ]
	[[ "$output" == *"work gil: 0 clean trials of 3"* ]]
	"$GILBENCH" report --no-plots "$R"
	grep -q 'GIL: 0 clean trials of 3; no-GIL: 0 clean trials of 3' "$R/report.md"
}

@test "guards: --resume after a kill decides the same repeats (the recorded trials' marks are kept)" {
	mkrun 0 3
	GB_HOGS=2,5 "$GILBENCH" measure "$R" >/dev/null 2>&1 &
	pid=$!
	await_lines "$R/results.jsonl" 5 750 || :
	kill -KILL $pid; wait $pid || true
	# the trial gilbench was running when killed runs on, orphaned, to its end: wait for it,
	# or it competes with the resumed trials on CPU 0 (and rightly spoils one)
	for i in $(seq 200); do pgrep -f "$R/exp/work.py" >/dev/null || break; sleep 0.05; done
	cp "$R/results.jsonl" "$T/before.jsonl"
	# trials counted from here on are past 5: no more hogs
	run "$GILBENCH" measure --resume "$R"
	echo "$output"
	[ "$status" -eq 0 ]
	pyq '"\n".join(str((i + 1, r["round"], r["contaminated"])) for i, r in enumerate(rows))'
	# the recorded lines and their marks are kept as they were; the hogs' trials are among the
	# contaminated (on a busy machine the test's own polling may spoil one more, rightly);
	# every (cell, round) once, and each cell ends with its three clean trials
	python3 - "$R/results.jsonl" "$T/before.jsonl" <<'PY'
import collections, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
before = [json.loads(l) for l in open(sys.argv[2]) if l.endswith("\n")]  # a torn last line is redone
assert rows[:len(before)] == before, "a recorded line changed"
bad = [i + 1 for i, r in enumerate(rows) if r["contaminated"]]
assert {2, 5} <= set(bad), bad
assert len(rows) == len({(r["cell"], r["round"]) for r in rows}), "a (cell, round) twice"
clean = collections.Counter(r["cell"] for r in rows if not r["contaminated"])
assert len(clean) == 2 and min(clean.values()) >= 3, clean
PY
}

# needquota: skip with cpuquota.sh's message where no cgroup CPU controller is writable
needquota() {
	local why
	why=$("$QUOTA" check 2>&1) || skip "$why"
}

@test "canary: a run entirely under a 50% CPU quota is reported as run on a slower machine" {
	needquota
	mkrun 0.05 0
	# the machine's reference, unthrottled (in a group with the highest CPU weight)
	"$QUOTA" max -- "$GILBENCH" canary --cpus 0 --samples 15 >/dev/null
	run "$QUOTA" 50 -- "$GILBENCH" measure "$R"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(pyq 'meta["canary"]["slow_run"], meta["canary"]["slowdown"] > 0.3')" = "(True, True)" ]
	[ "$(pyq 'meta["canary"]["reference_runs"] >= 1')" = True ]
	"$GILBENCH" report --no-plots "$R"
	grep -q 'This run was on a slow machine' "$R/report.md"
}

@test "canary: a run slow from start to end is judged against its own canary once 80% of five samples are slow: its later rounds are kept" {
	needquota
	mkrun 0.05 0
	# the interference guard off: under a quota the trial's tasks wait for the CPU, and the
	# machine's own background then counts as other processes' share (the guard is tested above)
	sed -i 's/trials: 3}/trials: 8}/; s/interference: 0.1/interference: 0/' "$R/config.yaml"
	"$QUOTA" max -- "$GILBENCH" canary --cpus 0 --samples 15 >/dev/null
	run "$QUOTA" 50 -- "$GILBENCH" measure "$R"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"rounds are judged against this run's own canary"* ]]
	[ "$(pyq 'meta["canary"]["slow_run"], meta["canary"]["self_judged"]')" = "(True, True)" ]
	pyq '[(r["round"], r["slow"], round(r["slowdown"] or 0, 2)) for r in rounds]'
	# the rounds judged on four samples or fewer (the first three: a sample before the first
	# round, one after each) against the reference, slow; most of the later ones, against the
	# run's own median, not (one slower than the rest of the run still may be)
	[ "$(pyq 'all(r["slow"] for r in rounds[:3])')" = True ]
	[ "$(pyq 'sum(not r["slow"] for r in rounds[3:]) >= len(rounds[3:]) - 2 >= 3')" = True ]
	"$GILBENCH" report --no-plots "$R"
	grep -q 'This run was on a slow machine' "$R/report.md"
	grep -q "rounds were judged against this run's own canary" "$R/report.md"
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1] + "/results.json"))
assert all(c["n"] >= 3 for c in r["cells"]), r["cells"]' "$R"
}

@test "canary: throttled for part of a run, the rounds inside the throttle are slow, the others not, and are repeated" {
	needquota
	# a 30% threshold: one sample each side of a round is noisier than a run's median (5% is
	# within its spread on a shared machine); the 40% quota makes the canary 2.5 times slower
	mkrun 0.3 4
	cat >"$R/exp/work.py" <<'PY'
import json, time
t, x = time.process_time(), 0
w = time.perf_counter()
while time.process_time() - t < 0.1:
    x += 1
print(json.dumps({"seconds": time.perf_counter() - w}))
PY
	sed -i 's/trials: 3}/trials: 8}/' "$R/config.yaml"
	"$QUOTA" max -- "$GILBENCH" canary --cpus 0 --samples 15 >/dev/null
	fast=$("$QUOTA" create max)
	slow=$("$QUOTA" create 40)
	# gilbench itself ($! is its pid: a simple command in the background is exec'd), in the
	# unthrottled group from its first trial on; the trials it starts go where it is then
	"$GILBENCH" measure "$R" >"$T/out" 2>&1 &
	pid=$!
	"$QUOTA" add "$fast" $pid
	# polling that forks nothing (helpers.bash): a loop of wc and sleep was enough to make the
	# unthrottled rounds slow by the 30% threshold
	await_lines "$R/results.jsonl" 6
	"$QUOTA" add "$slow" $pid
	countlines "$R/results.jsonl"; from=$N
	await_lines "$R/results.jsonl" $((from + 8))
	"$QUOTA" add "$fast" $pid
	countlines "$R/results.jsonl"; to=$N
	wait $pid
	"$QUOTA" destroy "$slow"
	"$QUOTA" destroy "$fast"
	cat "$T/out"
	# rounds wholly inside the throttle are slow: their first trial is from+3 or later (the
	# canary before it ran after trial from+2 ended, well after the move) and their last is
	# to-1 or earlier (the canary after it ran while trial `to` still had to run throttled);
	# none wholly outside is (the canary after the round that trial `from` ended may run after
	# the move; trials to+1 and to+2 may still run throttled: they were started in the slow
	# group)
	python3 - "$R" "$from" "$to" <<'PY'
import json, sys
rundir, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = [json.loads(l) for l in open(rundir + "/results.jsonl")]
rounds = {r["round"]: r for r in map(json.loads, open(rundir + "/rounds.jsonl"))}
first = {}
for i, r in enumerate(rows, 1):
    first.setdefault(r["round"], []).append(i)
inside = [k for k, ix in first.items() if min(ix) > lo + 2 and max(ix) < hi]
outside = [k for k, ix in first.items() if max(ix) < lo or min(ix) > hi + 2]
print("inside", inside, "outside", outside, {k: (v["slow"], round(v["slowdown"] or 0, 2)) for k, v in rounds.items()})
assert inside and all(rounds[k]["slow"] for k in inside), "a throttled round not flagged"
assert not any(rounds[k]["slow"] for k in outside), "an unthrottled round flagged"
meta = json.load(open(rundir + "/metadata.json"))
assert meta["interference"]["repeated_rounds"] >= 1, meta["interference"]
PY
}
