#!/usr/bin/env bats
# tests/cli/measure.bats: the run stage (`gilbench measure`) on fake builds.
#
# Each test makes a run directory whose builds are the system python3 behind small wrappers
# (tests/lib/fakebuilds.sh), writes tiny experiment scripts into it and checks what lands in
# results.jsonl and metadata.json: interleaving and rotation, warm-ups, failures, bad output,
# timeouts that kill grandchildren, the minimal environment, interruption and resume
# (SIGINT, SIGTERM, and SIGKILL at random moments), adaptive trials, CPU pinning and the
# wait4 figures. Checks on JSON are done with python3.
load helpers

setup() {
	common_setup
	. "$ROOT/tests/lib/fakebuilds.sh"
	R=$T/run
	mkdir -p "$R/exp"
	cat >"$R/exp/ok.py" <<'PY'
import json, sys
print("some chatter first")
print(json.dumps({"seconds": 0.001, "args": sys.argv[1:]}))
PY
	cat >"$R/exp/slow.py" <<'PY'
import json, sys, time
time.sleep(float(sys.argv[sys.argv.index("--sleep") + 1]))
print(json.dumps({"seconds": 0.01}))
PY
}

# mkrun: the config body (variants, run, experiments) from stdin, after fake_config_head; a
# body without run: gets GUARDS_OFF (these tests check the schedule, not the machine)
mkrun() {
	local body
	body=$(cat)
	{ fake_config_head; printf '%s\n' "$body"; case $body in *"run:"*) ;; *) echo "$GUARDS_OFF" ;; esac; } |
		fake_rundir "$R"
}

# pyq EXPR: evaluate a python expression with `rows` (results.jsonl, parsed) and `meta`
# (metadata.json, or None) in scope, and print it
pyq() {
	python3 -c '
import json, os, sys
rows = [json.loads(l) for l in open(sys.argv[1] + "/results.jsonl")] if os.path.exists(sys.argv[1] + "/results.jsonl") else []
meta = json.load(open(sys.argv[1] + "/metadata.json")) if os.path.exists(sys.argv[1] + "/metadata.json") else None
print(eval(sys.argv[2]))' "$R" "$1"
}

# every_line_whole: each line of results.jsonl parses and ends with a newline
every_line_whole() {
	python3 -c '
import json, sys
data = open(sys.argv[1], "rb").read()
assert data == b"" or data.endswith(b"\n"), "last line is torn"
for i, l in enumerate(data.splitlines()):
    json.loads(l)' "$R/results.jsonl"
}

# once_each N: results.jsonl holds N trials, each (cell, round) exactly once
once_each() {
	run pyq "(len(rows), len({(r['cell'], r['round']) for r in rows}))"
	echo "trials, distinct (cell, round): $output (want $1)"
	[ "$output" = "($1, $1)" ]
}

@test "measure: interleaved rounds, order rotated each round, warm-ups first and marked" {
	mkrun <<'YAML'
variants:
  - {name: gil, build: gil}
  - {name: nogil, build: nogil}
  - {name: nogil-gil1, build: nogil, env: {PYTHON_GIL: "1"}}
experiments:
  - name: ok
    script: exp/ok.py
    matrix: {threads: [1, 2]}
    warmup: 1
    trials: 3
YAML
	run "$GILBENCH" measure "$R"
	echo "$output"
	[ "$status" -eq 0 ]
	run pyq '" ".join("%s/%d/%s/%s" % (r["point"], r["round"], r["variant"], "w" if r["warmup"] else "m") for r in rows)'
	echo "$output"
	want="threads=1/1/gil/w threads=1/1/nogil/w threads=1/1/nogil-gil1/w"
	want="$want threads=1/2/nogil/m threads=1/2/nogil-gil1/m threads=1/2/gil/m"
	want="$want threads=1/3/nogil-gil1/m threads=1/3/gil/m threads=1/3/nogil/m"
	want="$want threads=1/4/gil/m threads=1/4/nogil/m threads=1/4/nogil-gil1/m"
	want="$want threads=2/1/gil/w threads=2/1/nogil/w threads=2/1/nogil-gil1/w"
	want="$want threads=2/2/nogil/m threads=2/2/nogil-gil1/m threads=2/2/gil/m"
	want="$want threads=2/3/nogil-gil1/m threads=2/3/gil/m threads=2/3/nogil/m"
	want="$want threads=2/4/gil/m threads=2/4/nogil/m threads=2/4/nogil-gil1/m"
	[ "$output" = "$want" ]
	# the script got its arguments, the metric and result were recorded
	[ "$(pyq 'rows[-1]["result"]["args"]')" = "['--threads', '2']" ]
	[ "$(pyq 'all(r["status"] == "ok" and r["metric"] == 0.001 for r in rows)')" = True ]
	# plan.json and metadata.json are there, and the cells of results.jsonl are the plan's
	[ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cells"]))' "$R/plan.json")" = 6 ]
	[ "$(pyq 'meta["status"], meta["trials"]["ran"], meta["variants"]["nogil-gil1"]["gil_enabled"]')" = "('complete', 24, True)" ]
	[ "$(pyq 'meta["source"], meta["config"]["name"], sorted(meta["machine"])')" = \
	  "('fake-source-id', 'fake', ['aslr', 'cores', 'cpu', 'governor', 'kernel', 'machine', 'memory_kb', 'turbo'])" ]
	# a second measure refuses to append without --resume
	run "$GILBENCH" measure "$R"
	[ "$status" -eq 1 ]
	[[ "$output" == *"use --resume"* ]]
}

@test "measure: failing script -> failed with stderr's tail; bad output -> bad-output; the run goes on" {
	cat >"$R/exp/fail.py" <<'PY'
import sys
for i in range(30):
    print("noise line %d" % i, file=sys.stderr)
print("ValueError: the last words", file=sys.stderr)
sys.exit(3)
PY
	printf 'print("this is not json")\n' >"$R/exp/bad.py"
	printf 'import json\nprint(json.dumps({"other": 1}))\n' >"$R/exp/nometric.py"
	mkrun <<'YAML'
experiments:
  - {name: fails, script: exp/fail.py, trials: 1}
  - {name: bad, script: exp/bad.py, trials: 1}
  - {name: nometric, script: exp/nometric.py, trials: 1}
  - {name: ok, script: exp/ok.py, trials: 1}
YAML
	run "$GILBENCH" measure "$R"
	echo "$output"
	[ "$status" -eq 4 ]
	[ "$(pyq '[(r["experiment"], r["status"]) for r in rows if r["variant"] == "gil"]')" = \
	  "[('fails', 'failed'), ('bad', 'bad-output'), ('nometric', 'bad-output'), ('ok', 'ok')]" ]
	run pyq 'rows[0]["error"]'
	echo "$output"
	[[ "$output" == *"ValueError: the last words"* ]]
	[[ "$output" == *"noise line 29"* ]]
	[[ "$output" != *"noise line 10"* ]]  # only the last 10 lines
	[ "$(pyq 'rows[0]["exit_code"], rows[0]["metric"]')" = "(3, None)" ]
	[[ "$(pyq 'rows[2]["error"]')" == *"this is not json"* ]]
}

@test "measure: 20 MiB of output, or a NUL byte, before the result line: still ok (issue 9)" {
	cat >"$R/exp/loud.py" <<'PY'
import sys
line = b"x" * 1023 + b"\n"
for _ in range(20 * 1024):
    sys.stdout.buffer.write(line)
sys.stdout.buffer.write(b'{"seconds": 0.1}\n')
PY
	cat >"$R/exp/nul.py" <<'PY'
import sys
sys.stdout.buffer.write(b'chatter \x00 with a NUL\n\x00\n{"seconds": 0.2}\n')
sys.stderr.buffer.write(b'warning \x00 on stderr\n')
PY
	mkrun <<'YAML'
experiments:
  - {name: loud, script: exp/loud.py, trials: 1}
  - {name: nul, script: exp/nul.py, trials: 1}
YAML
	run "$GILBENCH" measure "$R"
	echo "$output"
	[ "$status" -eq 0 ]
	run pyq '[(r["experiment"], r["status"], r["metric"]) for r in rows if r["variant"] == "gil"]'
	echo "$output"
	[ "$output" = "[('loud', 'ok', 0.1), ('nul', 'ok', 0.2)]" ]
}

@test "measure: --resume keeps a whole last line that lost its newline, and appends after it (issue 9)" {
	mkrun <<'YAML'
experiments:
  - {name: ok, script: exp/ok.py, trials: 3}
YAML
	"$GILBENCH" measure "$R"
	# drop the last two trials, and the newline of the one before them
	head -n 4 "$R/results.jsonl" | head -c -1 >"$T/r" && cp "$T/r" "$R/results.jsonl"
	run "$GILBENCH" measure --resume "$R"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"resume: 4 trials already in results.jsonl"* ]]
	[[ "$output" != *"torn"* ]]
	every_line_whole
	once_each 6
}

@test "measure: a run lock or results.jsonl that is a symlink is refused, its target left alone (issue 9)" {
	mkrun <<'YAML'
experiments:
  - {name: ok, script: exp/ok.py, trials: 1}
YAML
	echo "precious" >"$T/victim"
	ln -s "$T/victim" "$R/.lock"
	run "$GILBENCH" measure "$R"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$R/.lock: not a regular file (a symlink, not followed)"* ]]
	[ "$(cat "$T/victim")" = precious ]
	rm "$R/.lock" && ln -s "$T/victim" "$R/results.jsonl" && : >"$T/victim"
	run "$GILBENCH" measure "$R"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$R/results.jsonl: not a regular file (a symlink, not followed)"* ]]
	[ ! -s "$T/victim" ]
}

@test "measure: expect: correct is recorded for experiments that check a value, absent elsewhere" {
	printf 'import json, os\nprint(json.dumps({"seconds": 0, "value": 5 if "PYTHON_GIL" in os.environ else 4}))\n' >"$R/exp/count.py"
	mkrun <<'YAML'
variants:
  - {name: nogil, build: nogil}
  - {name: nogil-gil1, build: nogil, env: {PYTHON_GIL: "1"}}
experiments:
  - {name: count, script: exp/count.py, trials: 1, expect: {name: value, equals: 5}}
  - {name: ok, script: exp/ok.py, trials: 1}
YAML
	run "$GILBENCH" measure "$R"
	[ "$status" -eq 0 ]
	[ "$(pyq '[(r["variant"], r.get("correct")) for r in rows]')" = \
	  "[('nogil', False), ('nogil-gil1', True), ('nogil', None), ('nogil-gil1', None)]" ]
	[ "$(pyq '"correct" in rows[2]')" = False ]
}

@test "measure: a hanging script times out and its grandchild is killed with it; the run goes on" {
	cat >"$R/exp/hang.py" <<'PY'
import os, subprocess, time
p = subprocess.Popen(["sleep", "1000"])
with open(os.path.join(os.environ["HOME"], "grandchild.pid"), "w") as f:
    f.write(str(p.pid))
time.sleep(1000)
PY
	mkrun <<'YAML'
variants:
  - {name: gil, build: gil}
experiments:
  - {name: hang, script: exp/hang.py, trials: 1, timeout: 1}
  - {name: ok, script: exp/ok.py, trials: 1}
YAML
	run "$GILBENCH" measure "$R"
	echo "$output"
	[ "$status" -eq 4 ]
	[ "$(pyq '[r["status"] for r in rows]')" = "['timeout', 'ok']" ]
	[ "$(pyq 'rows[0]["wall"] < 5')" = True ]
	pid=$(cat "$R/grandchild.pid")
	[ -n "$pid" ]
	for i in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	! kill -0 "$pid" 2>/dev/null
}

@test "measure: trials get a minimal fixed environment, pass_env and the variant's env" {
	printf 'import json, os\nprint(json.dumps({"seconds": 0, "env": dict(os.environ)}))\n' >"$R/exp/env.py"
	mkrun <<'YAML'
variants:
  - {name: nogil, build: nogil}
  - {name: nogil-gil1, build: nogil, env: {PYTHON_GIL: "1"}}
run:
  pass_env: [GB_PASSED, GB_UNSET]
  interference: 0
  canary: 0
experiments:
  - {name: env, script: exp/env.py, trials: 1}
YAML
	export GB_PASSED=passed-through GB_LEAK=must-not-leak
	unset GB_UNSET
	run "$GILBENCH" measure "$R"
	echo "$output"
	[ "$status" -eq 0 ]
	run pyq '[sorted(r["result"]["env"].items()) for r in rows]'
	echo "$output"
	[ "$output" = "[[('GB_PASSED', 'passed-through'), ('HOME', '$R'), ('LANG', 'C.UTF-8'), ('PATH', '/usr/local/bin:/usr/bin:/bin'), ('PYTHONDONTWRITEBYTECODE', '1'), ('PYTHONHASHSEED', '0')], [('GB_PASSED', 'passed-through'), ('HOME', '$R'), ('LANG', 'C.UTF-8'), ('PATH', '/usr/local/bin:/usr/bin:/bin'), ('PYTHONDONTWRITEBYTECODE', '1'), ('PYTHONHASHSEED', '0'), ('PYTHON_GIL', '1')]]" ]
}

interrupt_test() { # interrupt_test SIGNAL
	mkrun <<'YAML'
experiments:
  - name: slow
    script: exp/slow.py
    args: {sleep: 0.25}
    matrix: {n: [1, 2]}
    trials: 4
YAML
	"$GILBENCH" measure "$R" 2>"$T/err" &
	pid=$!
	# wait for the first trials to land (up to 30 s on a loaded machine), then interrupt
	for i in $(seq 300); do
		[ "$(wc -l <"$R/results.jsonl" 2>/dev/null || echo 0)" -ge 2 ] && break
		sleep 0.1
	done
	sleep 0.1
	kill "-$1" "$pid"
	rc=0
	wait "$pid" || rc=$?
	cat "$T/err"
	[ "$rc" -eq 130 ]
	grep -q "interrupted by $1 after [0-9]* trials" "$T/err"
	grep -q "continue it with gilbench run --resume $R" "$T/err"
	every_line_whole
	n=$(pyq 'len(rows)')
	[ "$n" -gt 0 ] && [ "$n" -lt 16 ]
	[ "$(pyq 'meta["status"]')" = interrupted ]
	run "$GILBENCH" measure --resume "$R"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"resume: $n trials already in results.jsonl"* ]]
	once_each 16
	[ "$(pyq 'meta["status"], meta["trials"]["resumed"], len(meta["resumed"])')" = "('complete', $n, 1)" ]
	[ "$(pyq 'meta["started"] <= meta["resumed"][0] <= meta["ended"]')" = True ]
}

@test "measure: SIGINT mid-run -> exit 130, whole lines only, --resume completes each (cell, round) once" {
	interrupt_test SIGINT
}

@test "measure: SIGTERM mid-run -> exit 130, --resume completes" {
	interrupt_test SIGTERM
}

@test "measure: SIGKILL at random moments, 20 times, then --resume until done: every trial once" {
	mkrun <<'YAML'
experiments:
  - name: slow
    script: exp/slow.py
    args: {sleep: 0.02}
    matrix: {n: [1, 2, 3, 4]}
    warmup: 1
    trials: 15
YAML
	for i in $(seq 20); do
		"$GILBENCH" measure --resume "$R" 2>>"$T/err" &
		pid=$!
		sleep "$(python3 -c 'import random; print(random.uniform(0.05, 0.5))')"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" || true
		python3 -c '
import json, sys
for l in open(sys.argv[1], "rb").read().splitlines(True):
    if l.endswith(b"\n"): json.loads(l)' "$R/results.jsonl"
		# metadata.json is written before the first trial, atomically: never half a file
		if [ -s "$R/results.jsonl" ]; then
			python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["status"]' "$R/metadata.json"
		fi
	done
	n=$(pyq 'len(rows)')
	echo "after 20 kills: $n of 128 trials"
	[ "$n" -gt 0 ]
	for i in 1 2 3 4 5; do
		run "$GILBENCH" measure --resume "$R"
		[ "$status" -eq 0 ] && break
	done
	echo "$output"
	[ "$status" -eq 0 ]
	every_line_whole
	once_each 128
}

@test "measure: adaptive trials stop at --max-trials and list the cells that did not converge" {
	printf 'import json, random\nprint(json.dumps({"seconds": random.uniform(0.5, 1.5)}))\n' >"$R/exp/noisy.py"
	printf 'import json\nprint(json.dumps({"seconds": 1.0}))\n' >"$R/exp/steady.py"
	mkrun <<'YAML'
experiments:
  - {name: noisy, script: exp/noisy.py, trials: 3}
  - {name: steady, script: exp/steady.py, trials: 3}
YAML
	run "$GILBENCH" measure --min-trials 2 --max-trials 5 --target 1 "$R"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"noisy gil: not decided after 5 trials"* ]]
	[[ "$output" == *"2 cells were not decided (the 1.0% target, or a comparison still inconclusive) in 5 trials"* ]]
	[ "$(pyq '[sum(1 for r in rows if r["experiment"] == e) for e in ("noisy", "steady")]')" = "[10, 4]" ]
	[ "$(pyq 'sorted((c["experiment"], c["variant"], c["trials"]) for c in meta["nonconverged"])')" = \
	  "[('noisy', 'gil', 5), ('noisy', 'nogil', 5)]" ]
	[ "$(pyq 'meta["runopts"]["target"], meta["runopts"]["max_trials"]')" = "(0.01, 5)" ]
}

@test "measure: --cpus 0 pins the trials; wait4's CPU time and peak RSS are recorded" {
	printf 'import json, os\nprint(json.dumps({"seconds": 0, "cpus": sorted(os.sched_getaffinity(0))}))\n' >"$R/exp/aff.py"
	cat >"$R/exp/burn.py" <<'PY'
import json, time
t = time.process_time()
x = 0
while time.process_time() - t < 0.3:
    for i in range(100000):
        x += i
print(json.dumps({"seconds": 0.3}))
PY
	printf 'import json\nb = b"x" * (120 << 20)\nprint(json.dumps({"seconds": len(b)}))\n' >"$R/exp/alloc.py"
	mkrun <<'YAML'
variants:
  - {name: gil, build: gil}
experiments:
  - {name: aff, script: exp/aff.py, trials: 1}
  - {name: burn, script: exp/burn.py, trials: 1}
  - {name: alloc, script: exp/alloc.py, trials: 1}
YAML
	run "$GILBENCH" measure --cpus 0 "$R"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(pyq 'rows[0]["result"]["cpus"], rows[0]["cpus"]')" = "([0], '0')" ]
	[ "$(pyq 'rows[1]["utime"] > 0.1, rows[1]["maxrss_kb"] < 100000')" = "(True, True)" ]
	[ "$(pyq 'rows[2]["maxrss_kb"] > 100000')" = True ]
	# the trial's own peak, not gilbench's: a small script stays below gilbench's size
	[ "$(pyq 'rows[0]["maxrss_kb"] < 0.85 * meta["gilbench_maxrss_kb"]')" = True ]
}

@test "measure: a failed build's variants are skipped and reported; a wrong GIL state exits 3" {
	mkrun <<'YAML'
experiments:
  - {name: ok, script: exp/ok.py, trials: 2}
YAML
	fake_build "$R" nogil "$R/bin/python-nogil" false
	run "$GILBENCH" measure "$R"
	echo "$output"
	[ "$status" -eq 4 ]
	[[ "$output" == *"build nogil failed (make failed (fake)): variant nogil is skipped"* ]]
	[ "$(pyq 'sorted({r["variant"] for r in rows}), meta["variants"]["nogil"]["skipped"]')" = "(['gil'], True)" ]
	# a "free-threaded" build whose interpreter has the GIL
	rm -f "$R/results.jsonl"
	fake_build "$R" nogil "$R/bin/python-gil"
	run "$GILBENCH" measure "$R"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"variant nogil:"*"sys._is_gil_enabled() is True, but the config expects False"* ]]
	[ ! -s "$R/results.jsonl" ]
}

@test "measure: usage errors exit 2" {
	run "$GILBENCH" measure
	[ "$status" -eq 2 ]
	run "$GILBENCH" measure --target 0 "$R"
	[ "$status" -eq 2 ]
	run "$GILBENCH" measure --min-trials 5 --max-trials 2 "$R"
	[ "$status" -eq 2 ]
	run "$GILBENCH" measure "$T/nowhere"
	[ "$status" -eq 1 ]
	mkrun <<'YAML'
experiments:
  - {name: ok, script: exp/ok.py, trials: 1}
YAML
	run "$GILBENCH" measure --cpus 1000 "$R"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--cpus: '1000' names CPUs this process cannot run on"* ]]
	run "$GILBENCH" measure --cpus zero "$R"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--cpus: CPU list \"zero\": expected a CPU number at \"zero\""* ]]
	run "$GILBENCH" measure --cpus "" "$R"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--cpus: empty CPU list"* ]]
	run "$GILBENCH" measure --cpus 1,0 "$R"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--cpus: CPU list \"1,0\": CPU 0 comes after 1"* ]]
	[ ! -e "$R/results.jsonl" ]
}
