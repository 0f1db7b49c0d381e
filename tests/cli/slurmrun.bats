#!/usr/bin/env bats
# tests/cli/slurmrun.bats: `gilbench run --slurm` (and compare, status, --resume) against a
# real Slurm: the one-node test cluster of tests/lib/slurm.sh, started and stopped as in
# slurm.bats (and skipped, saying why, only where Slurm cannot run here).
#
# Most tests build the fake CPython tree (tests/lib/fakecpython: a build takes a second) in
# a fresh work area, so the builds are Slurm jobs too, and measure tiny sleeping scripts with
# the interference and canary guards off (the machine is shared: the guards would repeat
# trials and change the counts these tests compare). They check: a run in 3 shards holds the
# very trials, cells and statistics of the same run here; scancel of one array task, then
# --resume --slurm, submits that shard alone and ends with every trial once; a shard that
# fails every time is named with its log's last lines, attempt after attempt; a build job
# that fails cancels the shards and is named; a run continued without --slurm finishes its
# shards here; --no-wait and status; compare of two git revisions; bad input refused before
# anything is submitted; a real run of configs/quick.yaml (builds cached in $GILBENCH_WORK)
# whose archive verifies; nightly --slurm over a fake history into a history database; and
# bisect --slurm, the whole search as one job.
load helpers

setup_file() {
	slurm_up || return 1
	# the real CPython builds are shared with the other suites, as e2e.bats has them
	export REAL_WORK=${GILBENCH_WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/gilbench/work}
}

teardown_file() {
	slurm_down
}

setup() {
	[ -z "${SLURM_SKIP:-}" ] || skip "$SLURM_SKIP"
	common_setup
	export GILBENCH_WORK=$T/work
	mkdir -p "$T/pkg/fakecpython-3.13.5" "$T/cfg/experiments"
	cp -R "$ROOT/tests/lib/fakecpython/." "$T/pkg/fakecpython-3.13.5/"
	tar -czf "$T/fake.tar.gz" -C "$T/pkg" fakecpython-3.13.5
	SHA=$(sha256sum "$T/fake.tar.gz" | cut -d' ' -f1)
	sleepy 0.02
	cat >"$T/cfg/experiments/die.py" <<'PY'
import json, os, signal, sys, time
# point n=2 kills the gilbench that runs it: its shard can never finish
if sys.argv[sys.argv.index("--n") + 1] == "2":
    os.kill(os.getppid(), signal.SIGKILL)
    time.sleep(1)
print(json.dumps({"seconds": 0.01}))
PY
	config sleepy >"$T/cfg/c.yaml"
}

teardown() {
	# jobs a failed test left behind
	local ids
	ids=$(squeue -h -o '%A %j' 2>/dev/null | awk -v n="gilbench-fakeslurm-" 'index($2, n) == 1 { print $1 }')
	[ -z "$ids" ] || scancel $ids 2>/dev/null || true
}

# sleepy SECONDS: the experiment script sleeps that long
sleepy() {
	cat >"$T/cfg/experiments/sleepy.py" <<PY
import json, time
t = time.perf_counter()
time.sleep($1)
print(json.dumps({"seconds": time.perf_counter() - t}))
PY
}

# config SCRIPT: the fake builds, a 3-point experiment and a plain one (4 points, 22 trials)
config() {
	cat <<EOF
version: 1
name: fakeslurm
source:
  tarball:
    sha256: $SHA
    from: [file://$T/fake.tar.gz]
builds:
  - name: gil
    configure: []
  - name: nogil
    configure: [--disable-gil]
run: {interference: 0, canary: 0}
experiments:
  - name: $1
    script: experiments/$1.py
    matrix: {n: [1, 2, 3]}
    trials: 3
  - name: other
    script: experiments/sleepy.py
    trials: 2
EOF
}

# pyrun DIR CODE: python with `rows` (DIR/results.jsonl), `meta` (DIR/metadata.json) and
# `state` (DIR/run.json's extra.slurm) in scope
pyrun() {
	python3 - "$1" <<PY
import collections, json, os, sys
d = sys.argv[1]
rows = [json.loads(l) for l in open(os.path.join(d, "results.jsonl"))] if os.path.exists(os.path.join(d, "results.jsonl")) else []
meta = json.load(open(os.path.join(d, "metadata.json"))) if os.path.exists(os.path.join(d, "metadata.json")) else None
state = json.load(open(os.path.join(d, "run.json")))["extra"].get("slurm")
$2
PY
}

# once_each DIR N: DIR/results.jsonl holds N trials, each (cell, round) once
once_each() {
	run pyrun "$1" 'print(len(rows), len({(r["cell"], r["round"]) for r in rows}))'
	echo "trials, distinct (cell, round): $output (want $2 $2)"
	[ "$output" = "$2 $2" ]
}

# arrayjob DIR: the array job of DIR's last submission, once run.json records it
arrayjob() {
	local i
	for i in $(seq 300); do
		a=$(pyrun "$1" 'print(state["submissions"][-1]["array"] if state and state.get("submissions") else "")' 2>/dev/null)
		[ -n "$a" ] && { echo "$a"; return 0; }
		sleep 0.1
	done
	return 1
}

@test "slurm: status and slurm-task have --help with their usage line, quoted in the README" {
	run "$GILBENCH" status --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: gilbench status RUN_DIR [--json]" ]
	grep -qF -- "gilbench status RUN_DIR [--json]" "$ROOT/README.md"
	run "$GILBENCH" slurm-task --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: gilbench slurm-task build RUN_DIR --only NAME"* ]]
	grep -qF -- "$(sed 's/|/\\|/g' <<<"${lines[0]#usage: }")" "$ROOT/README.md"
	run "$GILBENCH" run --help
	[[ "$output" == *"--slurm "*"--partition P"*"--shards N"*"--array-limit K"*"--sbatch ARG"*"--no-wait"* ]]
	# a task outside Slurm, or an unknown one, is a usage error
	run "$GILBENCH" slurm-task measure "$T"
	[ "$status" -eq 2 ]
	[[ "$output" == *'measure runs as a Slurm array task ($SLURM_ARRAY_TASK_ID is not set)'* ]]
	run "$GILBENCH" slurm-task frob "$T"
	[ "$status" -eq 2 ]
}

@test "slurm run: 3 shards on Slurm hold the very trials, cells and statistics of the same run here" {
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/sl" --slurm --shards 3
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"build gil: not installed; Slurm job "*"build nogil: not installed; Slurm job "* ]]
	[[ "$output" == *"3 of 3 shards (0-2): Slurm job array "* ]]
	[[ "$output" == *"shards 3 done, 0 running, 0 pending, 0 failed"* ]]
	[[ "$output" == *"$T/sl/report.md"* ]]
	"$GILBENCH" verify "$T/sl.tar.gz"
	# the builds were jobs and left their records and logs
	[ "$(pyrun "$T/sl" 'print(len(state["submissions"][0]["builds"]), state["shards"])')" = "2 3" ]
	ls "$T/sl/slurm/"build-gil-*.log "$T/sl/builds/nogil/make.log"
	# the same config here (the builds are installed now: reused)
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/here"
	[ "$status" -eq 0 ]
	once_each "$T/sl" 22
	run python3 - "$T/sl" "$T/here" <<'PY'
import json, os, sys
sl, here = sys.argv[1:]
def rows(d): return [json.loads(l) for l in open(os.path.join(d, "results.jsonl"))]
a, b = rows(sl), rows(here)
# the same trials in the same order: point by point in plan order, rounds rotated alike
key = lambda r: (r["cell"], r["round"], r["variant"], r["warmup"], r["status"])
assert [key(r) for r in a] == [key(r) for r in b], "trial order differs"
# every Slurm trial says where it ran; a point's trials all come from one task
assert all(r["slurm"]["node"] == "localhost" and r["slurm"]["job"] > 0 for r in a)
assert not any("slurm" in r for r in b)
task = {}
for r in a:
    task.setdefault(r["point"] + r["experiment"], set()).add(r["slurm"]["task"])
assert all(len(t) == 1 for t in task.values()), task
assert len({next(iter(t)) for t in task.values()}) == 3
# the same cells with the same counts, and the same statistics shape
ra, rb = (json.load(open(os.path.join(d, "results.json"))) for d in (sl, here))
cells = lambda r: [(c["id"], c["n"], c["trials"], c["warmup"], c["failed"], sorted(c)) for c in r["cells"]]
assert cells(ra) == cells(rb), (cells(ra), cells(rb))
cmp = lambda r: [(c["experiment"], c["point"], c["other"], sorted(c)) for c in r["comparisons"]]
assert cmp(ra) == cmp(rb)
assert sorted(ra) == sorted(list(rb) + ["nodes"]), (sorted(ra), sorted(rb))
assert [s["experiment"] for s in ra["summary"]] == [s["experiment"] for s in rb["summary"]]
assert open(os.path.join(sl, "plan.json")).read() == open(os.path.join(here, "plan.json")).read()
ma, mb = (json.load(open(os.path.join(d, "metadata.json"))) for d in (sl, here))
assert ma["status"] == "complete" and ma["shards"] == 3 and len(ma["nodes"]) == 3
assert [n["trials"] for n in ma["nodes"]] == [10, 6, 6], ma["nodes"]
for k in ("planned", "ran", "ok", "failed"):
    assert ma["trials"][k] == mb["trials"][k], (k, ma["trials"], mb["trials"])
assert ra["nodes"] == {"shards": 3, "names": ["localhost"] * 3, "differ": []}, ra["nodes"]
PY
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^### Nodes' "$T/sl/report.md"
	! grep -q 'the nodes differ' "$T/sl/report.md"
	! grep -q '^### Nodes' "$T/here/report.md"
	# nodes that differ are named in the report and on stderr
	python3 - "$T/sl/metadata.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["nodes"][1]["machine"]["kernel"] = "Linux 9.9.9 other"
json.dump(m, open(sys.argv[1], "w"))
PY
	run "$GILBENCH" report "$T/sl"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: the nodes of this run differ: kernel: "*" (shards 0, 2); Linux 9.9.9 other (shard 1)"* ]]
	grep -q '^Warning: the nodes differ. kernel: ' "$T/sl/report.md"
}

@test "slurm run: scancel of one array task mid-run, then run --resume --slurm submits that shard alone: every trial once" {
	sleepy 0.3
	"$GILBENCH" run "$T/cfg/c.yaml" --out "$T/r" --slurm --shards 3 >"$T/out" 2>&1 &
	pid=$!
	a=$(arrayjob "$T/r")
	# shard 1 runs (the node is exclusive: after shard 0) and has recorded a trial
	for i in $(seq 600); do
		[ -s "$T/r/shards/1/results.jsonl" ] && break
		sleep 0.1
	done
	[ -s "$T/r/shards/1/results.jsonl" ]
	scancel "${a}_1"
	rc=0
	wait "$pid" || rc=$?
	cat "$T/out"
	[ "$rc" -eq 1 ]
	grep -q "1 of 3 shards did not complete; continue with gilbench run --resume $T/r --slurm" "$T/out"
	grep -q "  shard 1 (sleepy n=2): interrupted with [1-9] trials\?, after 1 attempt; $T/r/slurm/shard-1-$a.log ends:" "$T/out"
	grep -q "    | .*CANCELLED" "$T/out"
	[ ! -e "$T/r.tar.gz" ]
	run "$GILBENCH" status "$T/r"
	echo "$output"
	[[ "$output" == *"shard 1 (sleepy n=2): failed, "*" trials, node localhost, 1 attempt"* ]]
	[[ "$output" == *"shard 0 (sleepy n=1, other): complete, 10 trials"* ]]
	run "$GILBENCH" run --resume "$T/r" --slurm
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"1 of 3 shards (1): Slurm job array "* ]]
	"$GILBENCH" verify "$T/r.tar.gz"
	once_each "$T/r" 22
	run pyrun "$T/r" '
subs = state["submissions"]
print([s["shards"] for s in subs], len(subs[1]["builds"]))
print(sorted({r["slurm"]["job"] for r in rows if r["point"] == "n=2"}) == sorted([subs[0]["array"], subs[1]["array"]]))'
	echo "$output"
	[ "${lines[0]}" = "[[0, 1, 2], [1]] 0" ]
	[ "${lines[1]}" = True ]
	run "$GILBENCH" status "$T/r"
	[[ "$output" == *"shard 1 (sleepy n=2): complete, 6 trials, node localhost, 2 attempts"* ]]
	[[ "$output" == *"merge: job "*", ended, exit 0, $T/r/report.md"* ]]
}

@test "slurm run: a shard that fails every time is named with its log's last lines, attempt after attempt" {
	config die >"$T/cfg/c.yaml"
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/d" --slurm --shards 3
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"gilbench: 1 of 3 shards did not complete; continue with gilbench run --resume $T/d --slurm"* ]]
	[[ "$output" == *"  shard 1 (die n=2): running with 0 trials, after 1 attempt; $T/d/slurm/shard-1-"*".log ends:"* ]]
	[[ "$output" == *"    | "*"run fakeslurm: $T/d"* ]]
	# shards 0 and 2 are complete and are not submitted again
	run "$GILBENCH" run --resume "$T/d" --slurm
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"1 of 3 shards (1): Slurm job array "* ]]
	[[ "$output" == *"  shard 1 (die n=2): running with 0 trials, failed in each of its 2 attempts; $T/d/slurm/shard-1-"* ]]
	run "$GILBENCH" status --json "$T/d"
	run python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print([(s["state"], s["attempts"]) for s in d["shard"]], d["merge"]["exit"])' "$output"
	[ "$output" = "[('complete', 1), ('failed', 2), ('complete', 1)] 1" ]
}

@test "slurm run: a build job that fails cancels the shards; the merge names the build with its log; resume builds it" {
	export FAKECPY_SLEEP=1 # make takes 4 s: time to cancel it
	"$GILBENCH" run "$T/cfg/c.yaml" --out "$T/b" --slurm --shards 2 >"$T/out" 2>&1 &
	pid=$!
	for i in $(seq 300); do grep -q "Slurm job array" "$T/out" && [ -s "$T/b/builds/nogil/configure.log" ] && break; sleep 0.1; done
	b=$(pyrun "$T/b" 'print([x["job"] for x in state["submissions"][-1]["builds"] if x["name"] == "nogil"][0])')
	scancel "$b"
	rc=0
	wait "$pid" || rc=$?
	cat "$T/out"
	[ "$rc" -eq 1 ]
	grep -q "2 of 2 shards did not complete" "$T/out"
	grep -q "^  shard 0 (sleepy n=1, sleepy n=3): never started, after 1 attempt; " "$T/out"
	grep -q "^  build nogil: interrupted at [a-z]*; $T/b/slurm/build-nogil-$b.log ends:" "$T/out"
	grep -q "    | .*CANCELLED" "$T/out"
	unset FAKECPY_SLEEP
	run "$GILBENCH" run --resume "$T/b" --slurm
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"build gil: reusing "* ]]
	[[ "$output" == *"build nogil: not installed; Slurm job "* ]]
	once_each "$T/b" 22
}

@test "slurm run: a run split into shards, continued without --slurm, measures the shards left here" {
	sleepy 0.3
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/h" --slurm --shards 3 --no-wait
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Follow it with: gilbench status $T/h"* ]]
	a=$(arrayjob "$T/h")
	jobs=$(pyrun "$T/h" 's = state["submissions"][-1]; print(" ".join(str(j) for j in [b["job"] for b in s["builds"]] + [s["array"], s["merge"]]))')
	# while its jobs are queued, nothing else may measure it
	run "$GILBENCH" run --resume "$T/h"
	[ "$status" -eq 1 ]
	[[ "$output" == *"its Slurm jobs from the last submission are still queued or running"* ]]
	scancel $jobs
	for i in $(seq 100); do [ -z "$(squeue -h -j "${jobs// /,}" 2>/dev/null)" ] && break; sleep 0.2; done
	run "$GILBENCH" run --resume "$T/h"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"shard 2 of 3: measured here"* ]]
	[[ "$output" == *"merged 3 shards: 22 trials"* ]]
	once_each "$T/h" 22
	"$GILBENCH" verify "$T/h.tar.gz"
}

@test "slurm run: --no-wait returns at once; status follows the jobs to the end" {
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/n" --slurm --shards 2 --array-limit 1 --no-wait
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"2 of 2 shards (0-1%1): Slurm job array "* ]]
	[[ "$output" == *"Submitted to Slurm: 2 build jobs, 2 of 2 shards as array "*", the merge as job "* ]]
	run "$GILBENCH" status "$T/n"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"build gil: job "* ]]
	[[ "$output" == *"merge: job "*", pending"* || "$output" == *"merge: job "*", running"* ]]
	for i in $(seq 600); do
		st=$("$GILBENCH" status --json "$T/n" | python3 -c 'import json, sys; print(json.load(sys.stdin)["merge"]["state"])')
		[ "$st" = ended ] && break
		sleep 0.2
	done
	run "$GILBENCH" status "$T/n"
	echo "$output"
	[[ "$output" == *"build gil: job "*", built"* ]]
	[[ "$output" == *"shard 0 (sleepy n=1, sleepy n=3): complete, 12 trials, node localhost, 1 attempt"* ]]
	[[ "$output" == *"shard 1 (sleepy n=2, other): complete, 10 trials, node localhost, 1 attempt"* ]]
	[[ "$output" == *"merge: job "*", ended, exit 0, $T/n/report.md"* ]]
	"$GILBENCH" verify "$T/n.tar.gz"
	[ "$(pyrun "$T/n" 'print(state["array_limit"])')" = 1 ]
}

@test "slurm run: bad input is refused before anything is submitted" {
	njobs() { squeue -h -o %j 2>/dev/null | grep -c '^gilbench-fakeslurm-' || true; }
	mkdir -p "$T/empty"
	# no sbatch in PATH
	run env PATH="$T/empty" "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/x" --slurm
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == "gilbench: sbatch not found in PATH (is Slurm installed?"* ]]
	[ ! -e "$T/x" ]
	# a controller that does not answer
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	sed "s/^SlurmctldPort=.*/SlurmctldPort=$port/" "$SLURM_CONF" >"$T/dead.conf"
	run env SLURM_CONF="$T/dead.conf" "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/x" --slurm
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" =~ "gilbench: the Slurm controller does not answer: Slurmctld(primary) at ".*" is DOWN" ]]
	[ ! -e "$T/x" ]
	# the options of --slurm need it, and a run's shards cannot change
	run "$GILBENCH" run "$T/cfg/c.yaml" --shards 2
	[ "$status" -eq 2 ]
	[[ "$output" == *"--shards is an option of --slurm"* ]]
	run "$GILBENCH" run "$T/cfg/c.yaml" --slurm --sbatch=--time=1 --no-wait --out "$T/y" --shards 2
	[ "$status" -eq 0 ]
	for i in $(seq 600); do [ -f "$T/y/slurm/merge.json" ] && [ "$(njobs)" = 0 ] && break; sleep 0.2; done
	grep -q "^exec '.*' 'slurm-task' 'measure' '$T/y'$" "$T/y/slurm/shards.sbatch"
	cp "$T/y/run.json" "$T/y.run.json"
	run env SLURM_CONF="$T/dead.conf" "$GILBENCH" run --resume "$T/y" --slurm
	[ "$status" -eq 1 ]
	[[ "$output" == *"the Slurm controller does not answer"* ]]
	cmp "$T/y/run.json" "$T/y.run.json"
	run "$GILBENCH" run --resume "$T/y" --slurm --shards 3
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--shards 3: $T/y is split into 2 shards already"* ]]
	# sbatch's own refusal, before any job of the run is queued
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/z" --slurm --partition no-such-partition
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"sbatch exited with 1: "*"Invalid partition name specified"* ]]
	[ "$(njobs)" = 0 ]
	# a run measured here in one piece is not handed to Slurm half-way
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/l" --no-archive
	[ "$status" -eq 0 ]
	run "$GILBENCH" run --resume "$T/l" --slurm
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/l was measured here in one piece, not in shards; continue it without --slurm"* ]]
	run "$GILBENCH" status "$T/l"
	[ "$status" -eq 1 ]
	[[ "$output" == *"was not run on Slurm"* ]]
}

# a git repository of the fake tree: commit "slow" makes its python export FAKE_SLOW=1
fakerepo() {
	local r=$T/repo
	mkdir -p "$r"
	cp -R "$ROOT/tests/lib/fakecpython/." "$r/"
	git -C "$r" init -q -b main
	git -C "$r" add -A
	git -C "$r" -c user.name=t -c user.email=t@t commit -q -m base
	git -C "$r" tag base
	sed -i 's/^exec python3 /export FAKE_SLOW=1; exec python3 /' "$r/fakebuild.sh"
	git -C "$r" -c user.name=t -c user.email=t@t commit -q -a -m slow
	git -C "$r" tag slow
	cat >"$T/cfg/experiments/slowable.py" <<'PY'
import json, os, time
t = time.perf_counter()
time.sleep(0.08 if os.environ.get("FAKE_SLOW") == "1" else 0.02)
print(json.dumps({"seconds": time.perf_counter() - t}))
PY
	cat >"$T/cfg/g.yaml" <<EOF
version: 1
name: fakeslurm
source:
  git: {url: "file://$r", ref: main}
builds:
  - name: gil
    configure: []
  - name: nogil
    configure: [--disable-gil]
run: {interference: 0, canary: 0}
experiments:
  - name: slowable
    script: experiments/slowable.py
    matrix: {n: [1, 2]}
    trials: 5
EOF
}

@test "slurm compare: two git revisions on Slurm, each point's A and B on one node, the comparison as here" {
	fakerepo
	run "$GILBENCH" compare "$T/cfg/g.yaml" base slow --out "$T/c" --slurm --shards 2 --fail-on-regression 10
	echo "$output"
	tail -n 15 "$T/c"/slurm/*.log
	[ "$status" -eq 5 ]
	[[ "$output" == *"build nogil.B: not installed; Slurm job "* ]]
	[[ "$output" == *"| slowable | n=1 | gil |"*"slower"* ]]
	[[ "$output" == *"$T/c/compare.md"* ]]
	[[ "$output" == *"significantly worse by more than 10%"* ]]
	[ -f "$T/c/compare.json" ] && [ -f "$T/c.tar.gz" ]
	run pyrun "$T/c" '
tasks = {}
for r in rows:
    tasks.setdefault(r["point"], set()).add((r["slurm"]["task"], r["variant"][-1]))
print(sorted((p, sorted({t for t, _ in v}), sorted({s for _, s in v})) for p, v in tasks.items()))'
	echo "$output"
	[ "$output" = "[('n=1', [0], ['A', 'B']), ('n=2', [1], ['A', 'B'])]" ]
}

@test "slurm-task build: a build job builds its own side and never writes run.json (the submitter records the other side's commit meanwhile)" {
	fakerepo
	run "$GILBENCH" compare "$T/cfg/g.yaml" base slow --out "$T/c" --no-archive --fail-on-regression 10
	echo "$output"
	[ "$status" -eq 5 ]
	# as a build job of side A can find run.json when it starts: side B not resolved yet (a
	# job that resolved and recorded it wrote its stale copy of run.json over the one where
	# the submitter had recorded the shards meanwhile: every shard failed, "not split into
	# shards", in a hogged ASan pass)
	python3 - "$T/c/run.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["sides"][1]["commit"] = None
json.dump(d, open(sys.argv[1], "w"), indent=2)
PY
	rm -rf "$T/c/builds/gil.A" "$T/c/builds/gil.B"
	cp "$T/c/run.json" "$T/before.json"
	run "$GILBENCH" slurm-task build "$T/c" --only gil.A
	echo "$output"
	[ "$status" -eq 0 ]
	cmp "$T/c/run.json" "$T/before.json"
	grep -q '"ok": true' "$T/c/builds/gil.A/build.json"
	[ ! -e "$T/c/builds/gil.B" ]
	# B's own build job, with B's commit missing (never so: it is recorded before B's builds are
	# submitted), refuses rather than writes
	run "$GILBENCH" slurm-task build "$T/c" --only gil.B
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$T/c: run.json records no commit for B, not "*"(the run directory is not locked: nothing is written)"* ]]
	cmp "$T/c/run.json" "$T/before.json"
}

@test "slurm run: configs/quick.yaml on real CPython through Slurm (builds cached) completes and its archive verifies" {
	export GILBENCH_WORK=$REAL_WORK
	run "$GILBENCH" run "$ROOT/configs/quick.yaml" --out "$T/q" --slurm --shards 3
	echo "$output" | tail -30
	[ "$status" -eq 0 ]
	"$GILBENCH" verify "$T/q.tar.gz"
	run pyrun "$T/q" '
exps = collections.Counter((r["experiment"], r["variant"]) for r in rows if not r["warmup"])
assert all(exps[(e, v)] >= 3 for e in ("single-thread", "io-threads", "race", "multiprocessing", "thread-scaling", "contended-lock") for v in ("gil", "nogil")), exps
assert len({(r["cell"], r["round"]) for r in rows}) == len(rows)
assert all(r["slurm"]["node"] for r in rows)
race = {v: [r["result"]["value"] for r in rows if r["experiment"] == "race" and r["variant"] == v] for v in ("gil", "nogil")}
assert all(x == 1600000 for x in race["gil"]), race
print(meta["shards"], len(meta["nodes"]))'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "3 3" ]
	grep -q 'Avg lost' "$T/q/report.md"
}

@test "nightly --slurm: each night's builds and shards are Slurm jobs; the history records every trial, once" {
	eval "$(sh "$ROOT/tests/lib/mkfakehistory.sh" "$T/h" 4 9)"
	export GILBENCH_CACHE=$T/h/cache
	run "$GILBENCH" nightly "$CFG" --backfill 1 --slurm --shards 2 --db "$T/h.sqlite" --out "$T/n"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sqlite3 "$T/h.sqlite" 'SELECT count(*) FROM runs')" -eq 2 ]
	# 28 trials a night (the fake history's config), each recorded once
	[ "$(sqlite3 "$T/h.sqlite" 'SELECT count(*) FROM trials')" -eq $((2 * 28)) ]
	for d in "$T"/n/2*/; do
		[ -f "$d/shards/0/results.jsonl" ] && [ -f "$d/shards/1/results.jsonl" ]
		ls "$d"/slurm/merge-*.log >/dev/null
		# the merge job's nightly finish stamped the commit's place and the machine
		python3 -c 'import json, sys; e = json.load(open(sys.argv[1]))["extra"]; assert e["commit"]["id"] and e["machine_id"], e' "$d/run.json"
		[ -f "${d%/}.tar.gz" ]
	done
	[ -f "$T/n/index.html" ]
	run "$GILBENCH" nightly "$CFG" --slurm --db "$T/h.sqlite" --out "$T/n"
	[ "$status" -eq 0 ]
	[[ "$output" == *"nothing new"* ]]
	# a nightly needs the night recorded before it goes on: no --no-wait
	run "$GILBENCH" nightly "$CFG" --slurm --no-wait --db "$T/h.sqlite" --out "$T/n"
	[ "$status" -eq 2 ]
}

@test "bisect --slurm: the whole search as one exclusive job, waited for; its answer and exit code as here" {
	sh "$ROOT/tests/lib/mkfakebisect.sh" "$T/b"
	export GILBENCH_CACHE=$T/bcache
	cat >"$T/cfg/experiments/step.py" <<'PY'
import json, os, time
d = 0.040 if int(os.environ["FAKE_COMMIT"]) >= 11 else 0.020
t = time.perf_counter()
time.sleep(d)
print(json.dumps({"seconds": time.perf_counter() - t}))
PY
	cat >"$T/cfg/b.yaml" <<EOF
version: 1
name: fakeslurm
source:
  git: {url: "file://$T/b", ref: main}
builds:
  - {name: gil, configure: []}
run: {interference: 0, canary: 0}
experiments:
  - {name: step, script: experiments/step.py, trials: 3}
EOF
	run "$GILBENCH" bisect "$T/cfg/b.yaml" c0 c16 --experiment step --slurm --out "$T/run" --no-archive
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Slurm job "*" on one node of its own"* ]]
	[[ "$output" == *"Commit $(git -C "$T/b" rev-parse c11 | cut -c1-12) is the first commit that behaves like BAD."* ]]
	ls "$T"/run/slurm/run-*.log >/dev/null
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["outcome"] == "found" and d["first_bad"]["summary"] == "fake commit 11", d' "$T/run/bisect.json"
	python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); assert o["exit"] == 0 and o["range"] is False, o' "$T/run/slurm/merge.json"
	# --json prints bisect.json as a bisect here does
	"$GILBENCH" bisect --resume "$T/run" --json --slurm >"$T/out.json" 2>"$T/err" || { cat "$T/err"; false; }
	python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["outcome"] == "found"' "$T/out.json"
	# the Slurm options of a bisect: no shards, no --no-wait
	run "$GILBENCH" bisect "$T/cfg/b.yaml" c0 c16 --experiment step --slurm --shards 2
	[ "$status" -eq 2 ]
}
