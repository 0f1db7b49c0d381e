#!/usr/bin/env bats
# tests/cli/e2e.bats: the whole pipeline on REAL CPython 3.13.5, both builds.
#
# `gilbench run configs/quick.yaml` fetches the official tarball (cached per machine),
# builds it with and without --disable-gil (cached in $GILBENCH_WORK, outside the clone,
# so only the first run on a machine pays ~5 minutes), verifies both, runs the six
# experiments, reports and archives. The race must lose no update with the GIL and some
# without it; the archive must verify, and fail to after one byte changes.
load helpers

setup_file() {
	export RUN=$BATS_FILE_TMPDIR/run
	"$GILBENCH" run "$ROOT/configs/quick.yaml" --out "$RUN" >"$BATS_FILE_TMPDIR/out" 2>"$BATS_FILE_TMPDIR/err"
	echo $? >"$BATS_FILE_TMPDIR/rc"
}

@test "e2e: gilbench run configs/quick.yaml succeeds on real CPython" {
	cat "$BATS_FILE_TMPDIR/err"
	[ "$(cat "$BATS_FILE_TMPDIR/rc")" = 0 ]
	[ -f "$RUN/report.md" ] && [ -f "$RUN/results.json" ] && [ -f "$RUN.tar.gz" ]
}

@test "e2e: both builds verified, one with and one without the GIL" {
	run python3 - "$RUN" <<'PY'
import json, sys, os
run = sys.argv[1]
gil = json.load(open(os.path.join(run, "builds/gil/build.json")))
nogil = json.load(open(os.path.join(run, "builds/nogil/build.json")))
assert gil["ok"] and nogil["ok"], (gil.get("error"), nogil.get("error"))
assert gil["gil_disabled"] is False and nogil["gil_disabled"] is True
assert "3.13.5" in gil["version"] and "free-threading" in nogil["version"], nogil["version"]
assert os.access(gil["python"], os.X_OK) and nogil["python"].endswith("t")
PY
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "e2e: every experiment ran on both builds and the race lost updates only without the GIL" {
	run python3 - "$RUN" <<'PY'
import json, sys, os, collections
lines = [json.loads(l) for l in open(os.path.join(sys.argv[1], "results.jsonl"))]
seen = collections.Counter((t["experiment"], t["variant"]) for t in lines if not t["warmup"])
for exp in ["single-thread", "io-threads", "race", "multiprocessing", "thread-scaling", "contended-lock"]:
    for v in ["gil", "nogil"]:
        assert seen[(exp, v)] >= 3, (exp, v, seen)
assert all(t["status"] == "ok" for t in lines), [t for t in lines if t["status"] != "ok"]
race = {v: [t["result"]["value"] for t in lines if t["experiment"] == "race" and t["variant"] == v] for v in ["gil", "nogil"]}
assert all(x == 1600000 for x in race["gil"]), race
assert any(x < 1600000 for x in race["nogil"]), race
lock = [t for t in lines if t["experiment"] == "contended-lock"]
assert all(t["correct"] for t in lock)
PY
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "e2e: the report has the write-up's tables" {
	grep -q 'Avg lost' "$RUN/report.md"
	grep -q 'speedup' "$RUN/report.md"
	grep -q 'Winner' "$RUN/report.md"
	grep -q 'GIL (safer)' "$RUN/report.md"
}

@test "e2e: the archive verifies, and fails after one byte changes" {
	run "$GILBENCH" verify "$RUN.tar.gz"
	[ "$status" -eq 0 ]
	cp "$RUN.tar.gz" "$BATS_TEST_TMPDIR/bad.tar.gz"
	size=$(stat -c %s "$BATS_TEST_TMPDIR/bad.tar.gz")
	flipgz "$BATS_TEST_TMPDIR/bad.tar.gz" "$((size / 2))"
	run "$GILBENCH" verify "$BATS_TEST_TMPDIR/bad.tar.gz"
	echo "$output"
	[ "$status" -eq 3 ]
}

@test "e2e: a second run reuses both builds without configure or make" {
	run "$GILBENCH" run "$ROOT/configs/quick.yaml" --out "$BATS_TEST_TMPDIR/again" --no-archive
	echo "$output"
	[ "$status" -eq 0 ]
	python3 -c "
import json, sys
for b in ('gil', 'nogil'):
    r = json.load(open(sys.argv[1] + '/builds/' + b + '/build.json'))
    assert r['reused'] is True, r" "$BATS_TEST_TMPDIR/again"
	[ ! -e "$BATS_TEST_TMPDIR/again/builds/gil/configure.log" ] || ! grep -q 'checking' "$BATS_TEST_TMPDIR/again/builds/gil/configure.log"
}
