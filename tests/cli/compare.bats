#!/usr/bin/env bats
# compare.bats: `gilbench compare` on two runs, on archives, and on two git revisions.
#
# Runs are synthetic (tests/lib/mkcompare.py: fixed values per cell, seeded jitter, a
# warm-up outlier). Two revisions are built twice: fast, from a git repository of the fake
# CPython tree (tests/lib/fakecpython) whose second commit makes the installed python set
# FAKE_SLOW, which one experiment turns into a longer sleep; and for real, from a
# repository of the CPython 3.13.5 tarball whose second commit slows Thread.start() down
# (tests/lib/mkcpythonrepo.sh). The real builds are cached in $GILBENCH_WORK (and the
# repository beside the shared download cache), so only the first run on a machine pays
# for them (about 5 minutes of CPU on 2 cores).
load helpers

setup() {
	common_setup
}

mk() { # mk DIR ARGS...: a synthetic run directory
	python3 "$ROOT/tests/lib/mkcompare.py" "$@"
}

row() { # row EXP POINT VARIANT: the table row of that cell in $output
	printf '%s\n' "$output" | grep -F "| $1 | $2 | $3 |"
}

@test "compare: --help, and a wrong number of arguments is a usage error" {
	run "$GILBENCH" compare --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: gilbench compare RUN_A RUN_B [--out DIR] [--tie PCT] [--fail-on-regression PCT] [--fail-on-inconclusive]"* ]]
	[[ "$output" == *"gilbench compare CONFIG REV_A REV_B [--out RUN_DIR] [--tie PCT] [--fail-on-regression PCT]"* ]]
	[[ "$output" == *"gilbench compare --resume RUN_DIR"* ]]
	run "$GILBENCH" compare "$T"
	[ "$status" -eq 2 ]
	run "$GILBENCH" compare a b --tie lots
	[ "$status" -eq 2 ]
	[[ "$output" == *"--tie wants a percentage"* ]]
	# two finished runs build nothing, so they make no archive either
	run "$GILBENCH" compare a b --no-archive
	[ "$status" -eq 2 ]
	[[ "$output" == *"--no-archive is not for two finished runs"* ]]
}

@test "compare: identical data is the same everywhere, exit 0 even with --fail-on-regression" {
	mk "$T/a"
	mk "$T/b"
	run "$GILBENCH" compare "$T/a" "$T/b" --fail-on-regression 1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c '| same |')" -eq 8 ]
	! printf '%s\n' "$output" | grep -q '| slower\|| faster'
	[[ "$output" == *"Summary: 8 cells compared: 0 slower, 0 faster, 8 same, 0 inconclusive."* ]]
}

@test "compare: one cell clearly slower is called slower, the others unchanged, and --fail-on-regression 5 exits 5" {
	mk "$T/a"
	mk "$T/b" --scale thread-scaling/nogil/threads=2=1.10
	run "$GILBENCH" compare "$T/a" "$T/b"
	echo "$output"
	[ "$status" -eq 0 ]
	row thread-scaling threads=2 nogil | grep -q '| 1.100 \[.*\] | <0.001 | slower (+10.0%) |'
	row single-thread — gil | grep -q '| same |'
	row thread-scaling threads=2 gil | grep -q '| same |'
	[ "$(printf '%s\n' "$output" | grep -c '| same |')" -eq 7 ]
	[[ "$output" == *"Worst slowdown: +10.0% (thread-scaling threads=2 nogil)"* ]]

	run "$GILBENCH" compare "$T/a" "$T/b" --fail-on-regression 5
	[ "$status" -eq 5 ]
	[[ "$output" == *"1 cell significantly worse by more than 5%"* ]]
	# a 10% slowdown is not a regression by more than 20%, and within a 15% tie it is the same
	run "$GILBENCH" compare "$T/a" "$T/b" --fail-on-regression 20
	[ "$status" -eq 0 ]
	run "$GILBENCH" compare "$T/a" "$T/b" --tie 15 --fail-on-regression 5
	[ "$status" -eq 0 ]
	row thread-scaling threads=2 nogil | grep -q '| same |'
}

@test "compare: faster cells, warm-ups left out, and a change shown within the tie is the same" {
	mk "$T/b" --scale contended-lock/nogil/=0.5 --scale single-thread/gil/=1.01 --jitter 0.001
	mk "$T/a2" --jitter 0.001
	run "$GILBENCH" compare "$T/a2" "$T/b"
	echo "$output"
	row contended-lock — nogil | grep -q 'faster (-50.0%)'
	# 1% slower, clearly significant with 0.1% jitter, but shown within the 5% tie
	row single-thread — gil | grep -q '| <0.001 | same |'
	# medians of the measured trials only: the warm-up is 10 times the base value
	row contended-lock — gil | grep -Eq '\| 0\.(0999[0-9]*|1|100[0-9]*) \['
}

@test "compare: --out writes compare.md and compare.json with every cell's numbers" {
	mk "$T/a"
	mk "$T/b" --scale single-thread/nogil/=1.2
	run "$GILBENCH" compare "$T/a" "$T/b" --out "$T/out"
	[ "$status" -eq 0 ]
	[ -f "$T/out/compare.md" ]
	printf '%s\n' "$output" | cmp - "$T/out/compare.md"
	run python3 - "$T/out/compare.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cells = {(c["experiment"], c["variant"], c["point"]): c for c in d["cells"]}
assert len(cells) == 8, cells.keys()
c = cells[("single-thread", "nogil", "")]
assert c["verdict"] == "slower" and c["significant"], c
assert abs(c["ratio"] - 1.2) < 0.02 and c["ratio_lo"] > 1.1 and c["ratio_hi"] < 1.3, c
assert c["a"]["n"] == 5 and c["b"]["n"] == 5 and c["p"] < 0.001, c
assert abs(c["slowdown"] - 0.2) < 0.02 and c["lower_is_better"] is True
assert d["summary"]["slower"] == 1 and d["summary"]["same"] == 7 and d["tie"] == 0.05, d["summary"]
assert c["equivalence"] == [0.95, 1.05] and c["worse"] is True, c
same = cells[("single-thread", "gil", "")]
assert same["verdict"] == "same" and same["tost_p"] < 0.05 and -0.05 < same["rel_lo"] <= same["rel_hi"] < 0.05, same
assert d["summary"]["worst_cell"] == "single-thread nogil"
PY
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "compare: cells present on one side only are listed, and a side without ok trials has no data" {
	mk "$T/a" --add race/gil/=0.5
	mk "$T/b" --drop contended-lock/nogil/ --add race/nogil/=0.6 --fail single-thread/gil/
	run "$GILBENCH" compare "$T/a" "$T/b"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Only in A:"*"- contended-lock — nogil"*"- race — gil"* ]]
	[[ "$output" == *"Only in B:"*"- race — nogil"* ]]
	row single-thread — gil | grep -q '| — | — | — | no data |'
	[[ "$output" == *"1 without data; 2 only in A, 1 only in B"* ]]
}

@test "compare: archives are verified and accepted; a tampered archive exits 3 naming the member" {
	mk "$T/a"
	mk "$T/b" --scale single-thread/gil/=1.3
	"$GILBENCH" archive "$T/a"
	"$GILBENCH" archive "$T/b"
	run "$GILBENCH" compare "$T/a.tar.gz" "$T/b.tar.gz" --fail-on-regression 10
	echo "$output"
	[ "$status" -eq 5 ]
	[[ "$output" == *"- A: $T/a.tar.gz"* ]]
	row single-thread — gil | grep -q 'slower (+30.0%)'
	# one archive, one directory; the extraction goes to a temporary folder, removed after
	mkdir "$T/tmp"
	TMPDIR=$T/tmp run "$GILBENCH" compare "$T/a.tar.gz" "$T/a"
	[ "$status" -eq 0 ]
	[ -z "$(ls -A "$T/tmp")" ]
	# results.jsonl changed inside the archive, manifest kept: verification fails
	mkdir "$T/x" && tar -xzf "$T/b.tar.gz" -C "$T/x"
	sed -i '1s/^{/{ /' "$T/x/b/results.jsonl"
	tar -czf "$T/bad.tar.gz" -C "$T/x" b
	TMPDIR=$T/tmp run "$GILBENCH" compare "$T/a.tar.gz" "$T/bad.tar.gz"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"bad.tar.gz: the archive failed verification"* ]]
	[[ "$output" == *"results.jsonl"* ]]
	[ -z "$(ls -A "$T/tmp")" ]
}

@test "compare: a broken run directory is a clear error, exit 1" {
	mk "$T/a"
	run "$GILBENCH" compare "$T/a" "$T/nothere"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/nothere: no such run directory or .tar.gz archive"* ]]
	mkdir "$T/empty"
	run "$GILBENCH" compare "$T/empty" "$T/a"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/empty: not a run directory (no run.json)"* ]]
	mk "$T/b"
	sed -i '4s/.*/{"cell": "x", this is not json/' "$T/b/results.jsonl"
	run "$GILBENCH" compare "$T/a" "$T/b"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == "gilbench: $T/b"*"results.jsonl"*"4"* ]]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
}

@test "compare: a tarball config cannot compare revisions" {
	run "$GILBENCH" compare "$ROOT/configs/quick.yaml" v1 v2 --out "$T/run"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"compare needs a git source"* ]]
	[ ! -e "$T/run" ]
}

# A git repository of the fake CPython tree: commit 1 as it is, commit 2 with an installed
# python that exports FAKE_SLOW=1 to the scripts it runs.
fakerepo() {
	local r=$T/repo
	mkdir -p "$r"
	cp -R "$ROOT/tests/lib/fakecpython/." "$r/"
	git -C "$r" init -q -b main
	git -C "$r" add -A
	git -C "$r" -c user.name=t -c user.email=t@t commit -q -m base
	git -C "$r" tag base
	sed -i 's/^exec python3 /export FAKE_SLOW=1; exec python3 /' "$r/fakebuild.sh"
	grep -q '^export FAKE_SLOW=1; exec python3 ' "$r/fakebuild.sh"
	git -C "$r" -c user.name=t -c user.email=t@t commit -q -a -m slow
	git -C "$r" tag slow
	mkdir -p "$T/cfg/experiments"
	cat >"$T/cfg/experiments/sleepy.py" <<'PY'
import json, os, sys, time
slow = os.environ.get("FAKE_SLOW") == "1" and "--affected" in sys.argv
t = time.perf_counter()
time.sleep(0.06 if slow else 0.02)
print(json.dumps({"seconds": time.perf_counter() - t}))
PY
	cat >"$T/cfg/c.yaml" <<EOF
version: 1
name: fakecmp
description: two revisions of the fake tree
source:
  git: {url: "file://$r", ref: main}
builds:
  - name: gil
    configure: []
    make: {PROFILE_TASK: "-m test --pgo"}
  - name: nogil
    configure: [--disable-gil]
variants:
  - {name: gil, build: gil}
  - {name: nogil, build: nogil}
  - name: nogil-gil1
    build: nogil
    env: {PYTHON_GIL: "1"}
run: {interference: 0, canary: 0}
experiments:
  - name: affected
    script: experiments/sleepy.py
    args: {affected: "yes"}
    trials: 6
    reference: {gil: 0.02}
  - name: unrelated
    script: experiments/sleepy.py
    matrix: {n: [1]}
    trials: 6
EOF
}

@test "compare: two git revisions of a (fake) tree are built, interleaved and compared" {
	fakerepo
	export GILBENCH_WORK=$T/work
	run "$GILBENCH" compare "$T/cfg/c.yaml" base slow --out "$T/run" --tie 25 --fail-on-regression 30
	echo "$output"
	[ "$status" -eq 5 ]
	base=$(git -C "$T/repo" rev-parse base) slow=$(git -C "$T/repo" rev-parse slow)
	# each build twice, from its own commit; each variant twice
	for b in gil.A gil.B nogil.A nogil.B; do grep -q '"ok": true' "$T/run/builds/$b/build.json"; done
	grep -q "\"source\": \"$base\"" "$T/run/builds/gil.A/build.json"
	grep -q "\"source\": \"$slow\"" "$T/run/builds/nogil.B/build.json"
	# the derived config loads, and was written by libyaml (same flags, references dropped)
	run "$GILBENCH" plan "$T/run/config.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	for v in gil.A gil.B nogil.A nogil.B nogil-gil1.A nogil-gil1.B; do [[ "$output" == *" $v "* ]]; done
	grep -q 'PROFILE_TASK' "$T/run/config.yaml"
	! grep -q 'reference' "$T/run/config.yaml"
	# both revisions interleaved within each round: A and B alternate in results.jsonl
	python3 - "$T/run/results.jsonl" <<'PY'
import json, sys
seq = [json.loads(l)["variant"][-1] for l in open(sys.argv[1])]
assert seq[:6].count("A") == 3 and seq[:6].count("B") == 3, seq
PY
	# compare.json: refs and commits, and the comparison
	python3 - "$T/run/compare.json" "$base" "$slow" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["a"] == {"ref": "base", "commit": sys.argv[2]}, d["a"]
assert d["b"]["ref"] == "slow" and d["b"]["commit"] == sys.argv[3], d["b"]
cells = {(c["experiment"], c["variant"]): c["verdict"] for c in d["comparison"]["cells"]}
assert len(cells) == 6, cells
for v in ("gil", "nogil", "nogil-gil1"):
    # three times the sleep is slower on any machine; the same sleep is never called different
    assert cells[("affected", v)] == "slower", cells
    assert cells[("unrelated", v)] in ("same", "inconclusive"), cells
PY
	[ -f "$T/run/compare.md" ] && [ -f "$T/run/report.md" ]
	# the run directory is archived beside it, and the archive holds the comparison
	run "$GILBENCH" verify "$T/run.tar.gz"
	echo "$output"
	[ "$status" -eq 0 ]
	tar -tzf "$T/run.tar.gz" | grep -qx 'run/compare.json'
	# a second compare of the same commits reuses all four builds; --no-archive makes none
	run "$GILBENCH" compare "$T/cfg/c.yaml" base slow --out "$T/run2" --tie 25 --no-archive
	[ "$status" -eq 0 ]
	[ ! -e "$T/run2.tar.gz" ]
	for b in gil.A gil.B nogil.A nogil.B; do grep -q '"reused": true' "$T/run2/builds/$b/build.json"; done
	# an unknown revision names itself
	run "$GILBENCH" compare "$T/cfg/c.yaml" base nosuchref --out "$T/run3"
	[ "$status" -eq 1 ]
	[[ "$output" == *"side B (nosuchref)"*"nosuchref"* ]]
}

# interrupt_compare OUT: start a two-revision compare of the fake repository into OUT and
# interrupt it with SIGINT once a few trials are on disk; exit 130 expected
interrupt_compare() {
	"$GILBENCH" compare "$T/cfg/c.yaml" base slow --out "$1" --tie 25 >"$T/out" 2>&1 &
	pid=$!
	for i in $(seq 600); do
		[ -f "$1/results.jsonl" ] && [ "$(wc -l <"$1/results.jsonl")" -ge 4 ] && break
		sleep 0.1
	done
	kill -INT $pid
	wait $pid && status=0 || status=$?
	cat "$T/out"
	[ "$status" -eq 130 ]
	grep -q "continue it with gilbench compare --resume $1" "$T/out"
	[ ! -e "$1/compare.json" ]
}

# the run directory's B builds are B's and the comparison says B is slower
check_resumed_compare() {
	local base slow
	base=$(git -C "$T/repo" rev-parse base) slow=$(git -C "$T/repo" rev-parse slow)
	for b in gil nogil; do
		grep -q "\"source\": \"$base\"" "$1/builds/$b.A/build.json"
		grep -q "\"source\": \"$slow\"" "$1/builds/$b.B/build.json"
	done
	python3 - "$1" <<'PY'
import collections, json, sys
d = json.load(open(sys.argv[1] + "/compare.json"))
cells = {(c["experiment"], c["variant"]): c["verdict"] for c in d["comparison"]["cells"]}
assert all(cells[("affected", v)] == "slower" for v in ("gil", "nogil", "nogil-gil1")), cells
rows = [json.loads(l) for l in open(sys.argv[1] + "/results.jsonl")]
seen = collections.Counter((r["cell"], r["round"]) for r in rows)
assert max(seen.values()) == 1, [k for k, n in seen.items() if n > 1]
PY
}

@test "compare: an interrupted two-revision compare resumed with run --resume still measures B's commit" {
	fakerepo
	export GILBENCH_WORK=$T/work
	interrupt_compare "$T/run"
	# main moves on meanwhile: the resume must build B from the commit recorded, not from a ref
	git -C "$T/repo" -c user.name=t -c user.email=t@t commit -q --allow-empty -m later
	run "$GILBENCH" run --resume "$T/run"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$T/run/compare.md"* ]]
	check_resumed_compare "$T/run"
	"$GILBENCH" verify "$T/run.tar.gz"
}

@test "compare: compare --resume continues it too; a resume by the wrong command names the right one" {
	fakerepo
	export GILBENCH_WORK=$T/work
	interrupt_compare "$T/run"
	run "$GILBENCH" reproduce --resume "$T/run"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/run is a compare run; continue it with gilbench compare --resume $T/run"* ]]
	run "$GILBENCH" compare --resume "$T/run" --fail-on-regression 30
	echo "$output"
	[ "$status" -eq 5 ]
	check_resumed_compare "$T/run"
}

@test "compare: two revisions of REAL CPython 3.13.5: a slower Thread.start() is found, single-thread is unchanged" {
	cpython_history_repo
	shared=${XDG_CACHE_HOME:-$HOME/.cache}/gilbench
	# the shared cache keeps the mirror (and ccache) between runs; builds stay in GILBENCH_WORK
	export GILBENCH_CACHE=$shared
	export GILBENCH_WORK=${GILBENCH_WORK:-$shared/work}
	mkdir -p "$T/cfg"
	cp -R "$ROOT/configs/experiments" "$T/cfg/"
	cat >"$T/cfg/real.yaml" <<EOF
version: 1
name: realcmp
source:
  git: {url: "$REPO", ref: main}
builds:
  - name: gil
    configure: []
run:
  timeout: 120
experiments:
  - name: io-threads
    script: experiments/io_threads.py
    args: {threads: 10, sleep: 0.02}
    trials: 7
  - name: single-thread
    script: experiments/single_thread.py
    args: {iterations: 2000000}
    trials: 7
EOF
	run "$GILBENCH" compare "$T/cfg/real.yaml" base slow --out "$T/run" --fail-on-regression 50
	echo "$output"
	[ "$status" -eq 5 ]
	grep -q "\"source\": \"$BASE\"" "$T/run/builds/gil.A/build.json"
	grep -q "\"source\": \"$SLOW\"" "$T/run/builds/gil.B/build.json"
	row io-threads — gil | grep -q '| slower (+'
	# single-thread starts no thread: never called different (same, or inconclusive on a busy machine)
	row single-thread — gil | grep -Eq '\| (same|inconclusive[^|]*) \|$'
}
