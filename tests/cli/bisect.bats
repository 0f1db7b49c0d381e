#!/usr/bin/env bats
# bisect.bats: `gilbench bisect` on a fake history and on real CPython.
#
# The fake history (tests/lib/mkfakebisect.sh) has 17 first-parent commits, c0 to c16,
# whose installed pythons tell the experiment which commit built them; the experiment
# sleeps 20 ms, and 40 ms from commit $FAKE_STEP_AT on (trials get FAKE_* through
# run.pass_env), so one config and one set of builds serve a step planted anywhere. Its
# builds take a second and are shared by the file's tests (a work area under
# $BATS_FILE_TMPDIR). The real test bisects io-threads over the shared repository of real
# CPython 3.13.5 (tests/lib/mkcpythonrepo.sh: eight commits, the fourth slows
# Thread.start()); its builds are cached in $GILBENCH_WORK, and a commit next to a built one
# costs configure, a make that hits ccache, and install.
load helpers

setup() {
	common_setup
	REAL_WORK=${GILBENCH_WORK:-} # the real test's builds go where the other real tests' are
	export GILBENCH_CACHE=$BATS_FILE_TMPDIR/cache GILBENCH_WORK=$BATS_FILE_TMPDIR/work
	REPO=$BATS_FILE_TMPDIR/repo
	[ -d "$REPO/.git" ] || sh "$ROOT/tests/lib/mkfakebisect.sh" "$REPO"
	mkdir -p "$T/cfg/experiments"
	cat >"$T/cfg/experiments/sleepy.py" <<'PY'
import json, os, time
c = int(os.environ["FAKE_COMMIT"])
def at(name):
    return int(os.environ.get(name) or 10**6)
affected = os.environ.get("FAKE_NOGIL") == "true" or os.environ.get("FAKE_ONLY_NOGIL") != "1"
if os.environ.get("FAKE_STEP2_AT"):   # two half steps
    d = 0.020 * (1 + 0.5 * ((c >= at("FAKE_STEP_AT")) + (c >= at("FAKE_STEP2_AT"))))
else:
    d = 0.040 if c >= at("FAKE_STEP_AT") and affected else 0.020
if os.environ.get("FAKE_IMPROVE") == "1":
    d = 0.060 - d
t = time.perf_counter()
time.sleep(d)
print(json.dumps({"seconds": time.perf_counter() - t}))
PY
	fakeconfig "$REPO" >"$T/cfg/c.yaml"
}

fakeconfig() { # fakeconfig REPO: the fake history's config
	cat <<EOF
version: 1
name: fakebisect
source:
  git: {url: "file://$1", ref: main}
builds:
  - name: gil
    configure: []
  - name: nogil
    configure: [--disable-gil]
run:
  pass_env: [FAKE_STEP_AT, FAKE_STEP2_AT, FAKE_IMPROVE, FAKE_ONLY_NOGIL]
  # sleeps are not CPU-bound: neither what other processes take nor the canary matters
  interference: 0
  canary: 0
experiments:
  - name: sleepy
    script: experiments/sleepy.py
    trials: 3
  - name: other
    script: experiments/sleepy.py
    matrix: {n: [1, 2]}
    trials: 3
EOF
}

commit() { # commit N: the full id of fake commit N
	git -C "${2:-$REPO}" rev-parse "c$1"
}

answer() { # answer RUN_DIR: "OUTCOME FIRST_BAD_SUMMARY SIDES" from bisect.json
	python3 - "$1/bisect.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fb = d["first_bad"]["summary"] if d["first_bad"] else "-"
print(d["outcome"], fb.replace(" ", "_"), d["builds"]["sides"], "other" if d["other_changes"] else "one")
PY
}

@test "bisect: --help, and bad command lines exit 2 before any work" {
	run "$GILBENCH" bisect --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: gilbench bisect CONFIG GOOD BAD --experiment NAME"* ]]
	[[ "$output" == *"gilbench bisect --resume RUN_DIR"* ]]
	[[ "$output" == *"4 the answer is a range"* ]]
	run "$GILBENCH" bisect "$T/cfg/c.yaml" c0 c16
	[ "$status" -eq 2 ]
	[[ "$output" == *"--experiment NAME is needed"* ]]
	run "$GILBENCH" bisect "$T/cfg/c.yaml" c0 --experiment sleepy
	[ "$status" -eq 2 ]
	run "$GILBENCH" bisect "$T/cfg/c.yaml" --alert 1 --variant gil
	[ "$status" -eq 2 ]
	[[ "$output" == *"--alert gives the series"* ]]
	run "$GILBENCH" bisect --resume "$T/x" --max-trials 5
	[ "$status" -eq 2 ]
	run "$GILBENCH" bisect "$T/cfg/c.yaml" c0 c16 --experiment sleepy --threshold lots
	[ "$status" -eq 2 ]
	# the selection is checked against the config before anything is built
	run "$GILBENCH" bisect "$T/cfg/c.yaml" c0 c16 --experiment sleepy --out "$T/run"
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"the config has the variants gil, nogil; choose one with --variant"* ]]
	run "$GILBENCH" bisect "$T/cfg/c.yaml" c0 c16 --experiment other --variant gil --out "$T/run"
	[ "$status" -eq 2 ]
	[[ "$output" == *"experiment other has the points n=1, n=2; choose one with --point"* ]]
	run "$GILBENCH" bisect "$T/cfg/c.yaml" c0 c16 --experiment nope --variant gil --out "$T/run"
	[ "$status" -eq 2 ]
	run "$GILBENCH" bisect "$T/cfg/c.yaml" c0 c16 --experiment sleepy --variant gil --variant gil --out "$T/run"
	[ "$status" -eq 2 ]
	[ ! -e "$T/run" ]
	# refs: unknown, the wrong way round, a tarball config
	run "$GILBENCH" bisect "$T/cfg/c.yaml" c0 nosuch --experiment sleepy --variant gil --out "$T/run"
	[ "$status" -eq 1 ]
	[[ "$output" == *"BAD (nosuch)"*"unknown ref 'nosuch'"* ]]
	run "$GILBENCH" bisect "$T/cfg/c.yaml" c9 c3 --experiment sleepy --variant gil --out "$T/run"
	[ "$status" -eq 1 ]
	[[ "$output" == *"is not an ancestor of"* ]]
	run "$GILBENCH" bisect "$ROOT/configs/quick.yaml" a b --experiment single-thread --variant gil --out "$T/run"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bisect needs a git source"* ]]
	[ ! -e "$T/run" ]
}

@test "bisect: a step planted at the first, a middle and the last commit is found each time in at most 6 builds" {
	for at in 1 8 16; do
		FAKE_STEP_AT=$at run "$GILBENCH" bisect "$T/cfg/c.yaml" c0 c16 --experiment sleepy --variant gil \
			--out "$T/run$at" --no-archive
		echo "$output"
		[ "$status" -eq 0 ] || { ls "$T/run$at"; cat "$T/run$at/run.json"; grep -v "\"ok\"" "$T/run$at/results.jsonl" | head -3; false; }
		read -r outcome first sides one <<<"$(answer "$T/run$at")"
		[ "$outcome" = found ] && [ "$first" = "fake_commit_$at" ] && [ "$one" = one ]
		# ceil(log2 16) steps and the two ends
		[ "$sides" -le 6 ]
		[[ "$output" == *"Commit $(commit $at | cut -c1-12) is the first commit that behaves like BAD."* ]]
		[[ "$output" == *"Builds: $sides ("* ]]
		# only GOOD, BAD and the commits stepped to were built, each once
		[ "$(ls "$T/run$at/builds" | wc -l)" -eq "$sides" ]
		grep -q "\"source\": \"$(commit 0)\"" "$T/run$at/builds/gil.good/build.json"
	done
	# the report, the derived config and the state
	[ -f "$T/run8/bisect.html" ] && [ -f "$T/run8/report.md" ]
	run "$GILBENCH" plan "$T/run8/config.yaml"
	[ "$status" -eq 0 ]
	! grep -q 'nogil\|other' "$T/run8/config.yaml"
	python3 - "$T/run8/bisect.json" "$(commit 8)" "$(commit 7)" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["first_bad"]["commit"] == sys.argv[2] and d["last_good"]["commit"] == sys.argv[3], d
assert d["first_bad"]["author"] == "gilbench <gilbench@example.invalid>", d["first_bad"]
assert d["change"]["verdict"] == "slower" and 1.6 < d["change"]["ratio"] < 2.4, d["change"]
asks = [s["ask"] for s in d["steps"]]
assert asks[0] == "confirm" and asks[-1] == "check" and asks.count("step") == 4, asks
for s in d["steps"]:
    if s["ask"] == "step":
        assert s["verdict"] == ("like BAD" if s["k"] >= 8 else "like GOOD"), s
        assert s["rounds"] >= 3
PY
}

@test "bisect: an improvement is found like a slowdown" {
	FAKE_STEP_AT=11 FAKE_IMPROVE=1 "$GILBENCH" bisect "$T/cfg/c.yaml" c0 c16 --experiment sleepy --variant gil \
		--out "$T/run" --json --no-archive >"$T/out.json"
	# --json prints bisect.json and nothing else
	cmp "$T/out.json" "$T/run/bisect.json"
	python3 - "$T/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["outcome"] == "found" and d["first_bad"]["summary"] == "fake commit 11", d
assert d["change"]["verdict"] == "faster" and d["change"]["ratio"] < 0.7, d["change"]
PY
}

@test "bisect: the no-GIL/GIL ratio series, when only the free-threaded build changes" {
	FAKE_STEP_AT=6 FAKE_ONLY_NOGIL=1 run "$GILBENCH" bisect "$T/cfg/c.yaml" c0 c16 --experiment sleepy \
		--variant nogil --variant gil --out "$T/run" --no-archive
	echo "$output"
	[ "$status" -eq 0 ]
	read -r outcome first sides one <<<"$(answer "$T/run")"
	[ "$outcome" = found ] && [ "$first" = fake_commit_6 ]
	[[ "$output" == *"# Bisect of fakebisect: sleepy nogil/gil"* ]]
	# both builds of every side, trials of both variants
	[ -f "$T/run/builds/nogil.good/build.json" ] && [ -f "$T/run/builds/gil.bad/build.json" ]
	grep -q '"variant": *"nogil.bad"' "$T/run/results.jsonl"
	# the GIL build alone did not change at all: bisecting it finds nothing to bisect, exit 1
	FAKE_STEP_AT=6 FAKE_ONLY_NOGIL=1 run "$GILBENCH" bisect "$T/cfg/c.yaml" c0 c16 --experiment sleepy \
		--variant gil --out "$T/run2" --no-archive
	echo "$output"
	[ "$status" -eq 1 ]
	# shown the same, or (on a busy machine) not shown to differ in --max-trials rounds
	[[ "$output" == *"No change to bisect: GOOD and BAD are the same within 5% here"* ||
	   "$output" == *"No change to bisect: GOOD and BAD could not be shown to differ by at least 5% here"* ]]
	[[ "$output" == *"GOOD and BAD do not differ by the threshold here: nothing to bisect"* ]]
	[ "$(ls "$T/run2/builds")" = "$(printf 'gil.bad\ngil.good')" ]
}

@test "bisect: a commit that fails to build is skipped; the answer is a range when it must be" {
	mkdir -p "$T/broken"
	sh "$ROOT/tests/lib/mkfakebisect.sh" "$T/broken/repo" 8
	fakeconfig "$T/broken/repo" >"$T/cfg/b.yaml"
	FAKE_STEP_AT=12 run "$GILBENCH" bisect "$T/cfg/b.yaml" c0 c16 --experiment sleepy --variant gil --out "$T/run" \
		--no-archive
	echo "$output"
	[ "$status" -eq 0 ]
	read -r outcome first sides one <<<"$(answer "$T/run")"
	[ "$outcome" = found ] && [ "$first" = fake_commit_12 ]
	[[ "$output" == *"| 1 | $(commit 8 "$T/broken/repo" | cut -c1-12) | 8/16 |"*"| skipped: build gil."*"failed at configure"* ]]
	# the first slow commit itself does not build: (7, 9], exit 4
	FAKE_STEP_AT=8 run "$GILBENCH" bisect "$T/cfg/b.yaml" c0 c16 --experiment sleepy --variant gil --out "$T/run2" \
		--no-archive
	echo "$output"
	[ "$status" -eq 4 ]
	[[ "$output" == *"The change lies in a range of 2 commits"* ]]
	python3 - "$T/run2/bisect.json" "$(commit 7 "$T/broken/repo")" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["outcome"] == "range" and d["first_bad"] is None, d
assert d["last_good"]["commit"] == sys.argv[2], d["last_good"]
assert [c["summary"] for c in d["range"]] == ["fake commit 8", "fake commit 9"], d["range"]
assert d["range"][0]["verdict"] == "skipped" and d["range"][1]["verdict"] == "like BAD", d["range"]
assert d["builds"]["failed"] == 1, d["builds"]
PY
}

@test "bisect: two half steps in the range are never one wrong commit" {
	FAKE_STEP_AT=4 FAKE_STEP2_AT=12 run "$GILBENCH" bisect "$T/cfg/c.yaml" c0 c16 --experiment sleepy --variant gil \
		--out "$T/run" --max-trials 8 --no-archive
	echo "$output"
	read -r outcome first sides one <<<"$(answer "$T/run")"
	if [ "$outcome" = found ]; then
		# one of the two steps: with "more than one change" when a step was seen between them
		# (exit 4), alone when every commit between happened to look like one end (exit 0)
		[ "$first" = fake_commit_4 ] || [ "$first" = fake_commit_12 ]
		if [ "$one" = other ]; then [ "$status" -eq 4 ]; else [ "$status" -eq 0 ]; fi
	else
		# a range holding a step, with the commits set aside in it
		[ "$outcome" = range ] && [ "$status" -eq 4 ]
		python3 - "$T/run/bisect.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
places = [int(c["summary"].split()[-1]) for c in d["range"]]
assert 4 in places or 12 in places, places
PY
	fi
}

@test "bisect: SIGKILL during a step, then --resume: nothing built or measured twice, every trial kept once" {
	export FAKECPY_COUNT=$T/configures GILBENCH_WORK=$T/work
	FAKE_STEP_AT=11 "$GILBENCH" bisect "$T/cfg/c.yaml" c0 c16 --experiment sleepy --variant gil --out "$T/run" \
		>"$T/log" 2>&1 &
	pid=$!
	# wait for the second step's trials (a variant named after a commit), then kill
	for _ in $(seq 1 600); do
		n=$(grep -c '"variant": *"gil\.[0-9a-f]\{12\}"' "$T/run/results.jsonl" 2>/dev/null || true)
		[ "${n:-0}" -ge 4 ] && break
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" || true
	[ "${n:-0}" -ge 4 ]
	cp "$T/run/results.jsonl" "$T/before.jsonl"
	built=$(wc -l <"$T/configures")
	steps=$(ls "$T/run/builds" | wc -l)
	FAKE_STEP_AT=11 run "$GILBENCH" bisect --resume "$T/run" --no-archive
	echo "$output"
	[ "$status" -eq 0 ]
	read -r outcome first sides one <<<"$(answer "$T/run")"
	[ "$outcome" = found ] && [ "$first" = fake_commit_11 ]
	# the sides built before the kill were not built again: one configure per side in all
	[ "$(wc -l <"$T/configures")" -eq "$sides" ]
	[ "$built" -eq "$steps" ]
	# every trial recorded before the kill is still there (a torn last line aside), none twice
	python3 - "$T/before.jsonl" "$T/run/results.jsonl" <<'PY'
import collections, json, sys
before = [l for l in open(sys.argv[1]) if l.endswith("\n")]
after = open(sys.argv[2]).readlines()
assert after[:len(before)] == before, "trials recorded before the kill were changed"
keys = collections.Counter((json.loads(l)["cell"], json.loads(l)["round"]) for l in after)
assert max(keys.values()) == 1, [k for k, v in keys.items() if v > 1]
PY
	# a finished bisect resumed again measures nothing more, by either command
	ntrials=$(wc -l <"$T/run/results.jsonl")
	FAKE_STEP_AT=11 run "$GILBENCH" run --resume "$T/run" --no-archive
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$T/run/results.jsonl")" -eq "$ntrials" ]
	[ "$(answer "$T/run")" = "$outcome $first $sides $one" ]
	# the wrong kind's command names the right one
	run "$GILBENCH" compare --resume "$T/run"
	[ "$status" -eq 1 ]
	[[ "$output" == *"is a bisect run; continue it with gilbench bisect --resume"* ]]
}

# histdb FILE GIL NOGIL [SCHEMA]: a nightly history holding alert 1 (c0 to c16, the series of cell GIL, x2),
# and alert 2 (the no-GIL/GIL ratio of sleepy), with the columns the nightly's schema 1 has
histdb() {
	python3 - "$1" "$2" "$3" "${4:-1}" "$(commit 0)" "$(commit 16)" <<'PY'
import sqlite3, sys
path, gil, nogil, schema, good, bad = sys.argv[1:]
db = sqlite3.connect(path)
db.executescript("""
CREATE TABLE schema_version(version INTEGER NOT NULL);
CREATE TABLE series(id INTEGER PRIMARY KEY, machine TEXT NOT NULL, config TEXT NOT NULL, cell TEXT NOT NULL,
  experiment TEXT NOT NULL, point TEXT NOT NULL, variant TEXT NOT NULL, metric TEXT NOT NULL,
  UNIQUE(machine, config, cell));
CREATE TABLE alerts(id INTEGER PRIMARY KEY, machine TEXT NOT NULL, config TEXT NOT NULL, series TEXT NOT NULL,
  label TEXT NOT NULL, experiment TEXT NOT NULL, last_good TEXT NOT NULL, first_bad TEXT NOT NULL,
  ratio REAL NOT NULL, lo REAL NOT NULL, hi REAL NOT NULL, evidence TEXT NOT NULL, raised TEXT NOT NULL);
""")
db.execute("INSERT INTO schema_version VALUES (?)", (int(schema),))
for cell, variant in ((gil, "gil"), (nogil, "nogil")):
    db.execute("INSERT INTO series(machine, config, cell, experiment, point, variant, metric) VALUES "
               "('m', 'fakebisect', ?, 'sleepy', '', ?, 'seconds')", (cell, variant))
db.execute("INSERT INTO alerts VALUES (1, 'm', 'fakebisect', ?, 'sleepy GIL', 'sleepy', ?, ?, 2.0, 1.9, 2.1, '{}', 'now')",
           ("cell:" + gil, good, bad))
db.execute("INSERT INTO alerts VALUES (2, 'm', 'fakebisect', ?, 'sleepy no-GIL/GIL', 'sleepy', ?, ?, 2.0, 1.9, 2.1, "
           "'{}', 'now')", ("ratio:%s/%s" % (nogil, gil), good, bad))
db.execute("INSERT INTO alerts VALUES (3, 'm', 'fakebisect', 'eff:x/y', 'other efficiency', 'other', ?, ?, 0.8, "
           "0.7, 0.9, '{}', 'now')", (good, bad))
db.commit()
PY
}

@test "bisect --alert: the range, series and size of a nightly alert; bad alerts are refused" {
	cells=$("$GILBENCH" plan "$T/cfg/c.yaml" --json | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(" ".join(c["id"] for v in ("gil", "nogil") for c in d["cells"] if c["experiment"] == "sleepy" and c["variant"] == v))')
	read -r gil nogil <<<"$cells"
	histdb "$T/h.sqlite" "$gil" "$nogil"
	FAKE_STEP_AT=3 run "$GILBENCH" bisect "$T/cfg/c.yaml" --alert 1 --db "$T/h.sqlite" --out "$T/run" --no-archive
	echo "$output"
	[ "$status" -eq 0 ]
	read -r outcome first sides one <<<"$(answer "$T/run")"
	[ "$outcome" = found ] && [ "$first" = fake_commit_3 ]
	python3 - "$T/run/bisect.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["alert"]["id"] == 1 and d["alert"]["label"] == "sleepy GIL", d["alert"]
assert d["variants"] == ["gil"] and abs(d["threshold"] - 0.5) < 1e-9, (d["variants"], d["threshold"])
PY
	# the ratio series, from $GILBENCH_DB
	FAKE_STEP_AT=14 FAKE_ONLY_NOGIL=1 GILBENCH_DB=$T/h.sqlite run "$GILBENCH" bisect "$T/cfg/c.yaml" --alert 2 \
		--out "$T/run2" --no-archive
	[ "$status" -eq 0 ]
	read -r outcome first sides one <<<"$(answer "$T/run2")"
	[ "$outcome" = found ] && [ "$first" = fake_commit_14 ]
	grep -q '"variant": *"nogil.good"' "$T/run2/results.jsonl"
	# refused, naming the database: no such alert, an efficiency series, a newer schema, no file
	run "$GILBENCH" bisect "$T/cfg/c.yaml" --alert 9 --db "$T/h.sqlite" --out "$T/run3"
	[ "$status" -eq 1 ]
	[[ "$output" == *"--alert 9: $T/h.sqlite: no alert 9"* ]]
	run "$GILBENCH" bisect "$T/cfg/c.yaml" --alert 3 --db "$T/h.sqlite" --out "$T/run3"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not one cell's metric or the no-GIL/GIL ratio"* ]]
	histdb "$T/new.sqlite" "$gil" "$nogil" 2
	run "$GILBENCH" bisect "$T/cfg/c.yaml" --alert 1 --db "$T/new.sqlite" --out "$T/run3"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/new.sqlite: made by a newer gilbench (history schema 2; this one reads 1)"* ]]
	run "$GILBENCH" bisect "$T/cfg/c.yaml" --alert 1 --db "$T/none.sqlite" --out "$T/run3"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/none.sqlite: no history database there"* ]]
	[ ! -e "$T/none.sqlite" ] && [ ! -e "$T/run3" ]
	# an alert of another config
	sed 's/^name: fakebisect/name: another/' "$T/cfg/c.yaml" >"$T/cfg/other.yaml"
	run "$GILBENCH" bisect "$T/cfg/other.yaml" --alert 1 --db "$T/h.sqlite" --out "$T/run3"
	[ "$status" -eq 1 ]
	[[ "$output" == *"alert 1 is of config fakebisect"* ]]
}

@test "bisect: REAL CPython 3.13.5, eight commits: the one that slows Thread.start() is named, and the builds are logged" {
	cpython_history_repo
	shared=${XDG_CACHE_HOME:-$HOME/.cache}/gilbench
	# the shared cache keeps the mirror and ccache between runs; builds stay in GILBENCH_WORK
	export GILBENCH_CACHE=$shared
	export GILBENCH_WORK=${REAL_WORK:-$shared/work}
	mkdir -p "$T/real"
	cp -R "$ROOT/configs/experiments" "$T/real/"
	cat >"$T/real/real.yaml" <<EOF
version: 1
name: realbisect
source:
  git: {url: "$REPO", ref: main}
builds:
  - name: gil
    configure: []
run:
  timeout: 120
  # the test machines are shared: trials others interfere with are kept (bisect's own
  # rounds and verdicts are what this test checks, not the machine guards)
  interference: 0
  canary: 0
experiments:
  - name: io-threads
    script: experiments/io_threads.py
    args: {threads: 10, sleep: 0.02}
    trials: 5
EOF
	run "$GILBENCH" bisect "$T/real/real.yaml" "$BASE" "$HEAD" --experiment io-threads --out "$T/run" --no-archive
	echo "$output"
	[ "$status" -eq 0 ]
	python3 - "$T/run/bisect.json" "$SLOW" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["outcome"] == "found" and d["first_bad"]["commit"] == sys.argv[2], (d["outcome"], d["first_bad"])
assert d["first_bad"]["summary"].startswith("threading: Thread.start() counts to 200,000"), d["first_bad"]
assert d["change"]["verdict"] == "slower" and d["builds"]["sides"] <= 2 + 3, d["builds"]
PY
	[[ "$output" == *"bisect: 7 commits from "* ]]
	[[ "$output" == *"Builds: "*" built, "*" reused, 0 failed); "* ]]
}
