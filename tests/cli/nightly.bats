#!/usr/bin/env bats
# nightly.bats: `gilbench nightly` and `gilbench history` on the fake CPython tree.
#
# setup_file makes a git repository of the fake tree with eight first-parent commits whose
# fourth makes the GIL variant of one experiment ("sleepy") three times slower
# (tests/lib/mkfakehistory.sh), and backfills it once: eight nights, each an ordinary run
# directory and archive, into one history. The tests then read that history, or change it
# in the order they are written: nothing new, a neutral commit, a SIGKILL mid-nightly, two
# nightlies at once, the builds kept, the page in a real browser. Histories of their own
# cover import, its faults and refusals, and two machines pooled. The same on REAL CPython:
# nightly_real.bats.
load helpers

setup_file() {
	export F=$BATS_FILE_TMPDIR/fh
	eval "$(sh "$ROOT/tests/lib/mkfakehistory.sh" "$F")"
	export REPO CFG SLOWC HEADC COMMITS
	export GILBENCH_WORK=$F/work GILBENCH_CACHE=$F/cache GILBENCH_DB=$F/history.sqlite
	export OUT=$F/nightly
	rc=0
	"$GILBENCH" nightly "$CFG" --backfill 7 --out "$OUT" >"$F/backfill.out" 2>"$F/backfill.err" || rc=$?
	echo $rc >"$F/backfill.rc"
}

setup() {
	T=$BATS_TEST_TMPDIR
}

commit_n() { # commit_n N: a neutral commit N in the fake repository, at a fixed date
	printf '# neutral commit %s\n' "$1" >>"$REPO/configure"
	GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t \
		GIT_AUTHOR_DATE=2026-01-${1}T03:00:00Z GIT_COMMITTER_DATE=2026-01-${1}T03:00:00Z \
		git -C "$REPO" commit -q -a -m "commit $1"
	git -C "$REPO" rev-parse HEAD
}

rundirs() { # the nightly's run directories
	find "$OUT" -mindepth 1 -maxdepth 1 -type d -name '2*' | sort
}

runs_of() { # runs_of COMMIT: how many runs of it the history holds
	sqlite3 "$GILBENCH_DB" "SELECT count(*) FROM runs WHERE commit_id = '$1'"
}

@test "nightly: usage errors, a tarball config, a bad alert threshold" {
	run "$GILBENCH" nightly
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing CONFIG"* ]]
	run "$GILBENCH" nightly "$CFG" --every 2
	[ "$status" -eq 2 ]
	[[ "$output" == *"--every K goes with --backfill N"* ]]
	run "$GILBENCH" nightly "$CFG" --keep-builds many
	[ "$status" -eq 2 ]
	run "$GILBENCH" nightly "$ROOT/configs/quick.yaml" --db "$T/h.sqlite" --out "$T/n"
	[ "$status" -eq 1 ]
	[[ "$output" == *"a nightly follows a git ref"* ]]
	[ ! -e "$T/h.sqlite" ]
	mkdir -p "$T/c" && cp -R "$F/cfg/experiments" "$T/c/"
	sed 's/alert: {threshold: 10}/alert: {threshold: 0}/' "$CFG" >"$T/c/bad.yaml"
	run "$GILBENCH" plan "$T/c/bad.yaml"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" =~ bad.yaml:[0-9]+:[0-9]+:\ experiments\[1\]\.alert\.threshold:\ expected\ a\ number\ above\ 0 ]]
	sed 's/alert: {threshold: 10}/alert: {limit: 10}/' "$CFG" >"$T/c/bad.yaml"
	run "$GILBENCH" plan "$T/c/bad.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"alert.limit: unknown key (allowed: threshold)"* ]]
	run "$GILBENCH" history
	[ "$status" -eq 2 ]
	run "$GILBENCH" history frobnicate
	[ "$status" -eq 2 ]
	run "$GILBENCH" history list --note x
	[ "$status" -eq 2 ]
	[[ "$output" == *"--note is not for list"* ]]
}

@test "nightly --backfill: eight nights, exactly the slow commit flagged for the slowed experiment, exit 5" {
	cat "$F/backfill.out"
	tail -5 "$F/backfill.err"
	[ "$(cat "$F/backfill.rc")" -eq 5 ]
	[ "$(rundirs | wc -l)" -eq 8 ]
	for d in $(rundirs); do [ -f "$d.tar.gz" ] && [ -f "$d/report.md" ]; done
	[ "$(sqlite3 "$GILBENCH_DB" 'SELECT count(*) FROM runs')" -eq 8 ]
	# one row per measured trial: 5 + 5 + 3 + 3 + 4 x 3 a night
	[ "$(sqlite3 "$GILBENCH_DB" 'SELECT count(*) FROM trials')" -eq $((8 * 28)) ]
	grep -q "1 new regression alert in fakenightly" "$F/backfill.out"
	python3 - "$OUT/alerts.json" "$SLOWC" "$COMMITS" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
commits = sys.argv[3].split()
assert len(d["alerts"]) == 1, d["alerts"]
a = d["alerts"][0]
assert a["label"] == "sleepy GIL" and a["first_bad"] == sys.argv[2] and a["status"] == "new", a
assert a["last_good"] == commits[commits.index(sys.argv[2]) - 1]
assert 1.5 < a["ratio"] < 4 and a["lo"] > 1.05, a  # 3x, measured on a shared machine
assert a["evidence"]["before"]["nights"] == 3 and a["evidence"]["after"]["nights"] == 5, a
# every other step is not a regression of a measured series
for c in d["changes"]:
    assert c["alert"] == a["id"] or c["direction"] == "improvement" or c["status"] != "confirmed", c
assert {s["kind"] for s in d["series"]} == {"measured", "ratio", "efficiency"}
assert all(s["nights"] == 8 for s in d["series"]), d["series"]
PY
	# each run directory places itself: its commit and machine are in run.json
	first=${COMMITS%% *}
	d=$(ls -d "$OUT"/*-"${first:0:12}" | grep -v tar.gz)
	python3 - "$d/run.json" <<'PY'
import json, sys
x = json.load(open(sys.argv[1]))
assert x["kind"] == "nightly" and x["extra"]["commit"]["depth"] == 0, x
assert len(x["extra"]["machine_id"]) == 64 and x["sides"][0]["ref"] == "main"
PY
	run "$GILBENCH" verify "$d.tar.gz"
	[ "$status" -eq 0 ]
	[ -f "$OUT/index.html" ] && [ -f "$OUT/alerts.md" ]
	grep -q '^| 1 | new | sleepy GIL |' "$OUT/alerts.md"
}

@test "nightly with nothing new: says so, exit 0, builds nothing, changes nothing" {
	sha=$(sha256sum "$GILBENCH_DB")
	before=$(ls -A "$OUT" | sort)
	run "$GILBENCH" nightly "$CFG" --out "$OUT"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" == "nothing new: main of file://$REPO is commit ${HEADC:0:12}, which this machine has measured already (history $GILBENCH_DB)" ]]
	[[ "$output" != *"build "* && "$output" != *"trials"* ]]
	[ "$(ls -A "$OUT" | sort)" = "$before" ]
	[ "$(sha256sum "$GILBENCH_DB")" = "$sha" ]
}

@test "history list, show and alerts read the history" {
	run "$GILBENCH" history list
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 9 ]
	[[ "${lines[0]}" == "commit "* ]]
	[[ "${lines[4]}" == "${SLOWC:0:12}  2026-01-04 03:00  fakenightly "* ]]
	run "$GILBENCH" history show "${SLOWC:0:8}"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"commit $SLOWC (2026-01-04 03:00)  commit 4"* ]]
	[[ "$output" == *"sleepy"*"gil"*"n=5"*"median 0.06"* ]]
	[[ "$output" == *"alert 1: sleepy GIL: +"* ]]
	run "$GILBENCH" history show "${SLOWC:0:8}" --json
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert len(d["runs"]) == 1 and len(d["runs"][0]["cells"]) == 8 and len(d["alerts"]) == 1' "$output"
	run "$GILBENCH" history show 0123abcd
	[ "$status" -eq 1 ]
	[[ "$output" == *"no run of a commit starting with 0123abcd"* ]]
	run "$GILBENCH" history show xyz
	[ "$status" -eq 2 ]
	run "$GILBENCH" history alerts --json
	[ "$status" -eq 0 ]
	python3 -c 'import json,sys; a=json.loads(sys.argv[1]); assert len(a) == 1 and a[0]["first_bad"] == sys.argv[2] and a[0]["acked"] is None' "$output" "$SLOWC"
	run "$GILBENCH" history list --db "$T/none.sqlite"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no history at $T/none.sqlite"* ]]
	[ ! -e "$T/none.sqlite" ]
}

@test "nightly: a new neutral commit adds one run and no alert" {
	c=$(commit_n 09)
	run "$GILBENCH" nightly "$CFG" --out "$OUT"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"No new regression alert in fakenightly."* ]]
	[ "$(sqlite3 "$GILBENCH_DB" 'SELECT count(*) FROM runs')" -eq 9 ]
	[ "$(runs_of "$c")" -eq 1 ]
	[ "$(sqlite3 "$GILBENCH_DB" 'SELECT count(*) FROM alerts')" -eq 1 ]
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["new_alerts"] == 0 and d["alerts"][0]["status"] == "open"' "$OUT/alerts.json"
}

@test "nightly: SIGKILL mid-run, the next nightly continues the same run directory; no run counted twice" {
	c=$(commit_n 10)
	n=$(rundirs | wc -l)
	"$GILBENCH" nightly "$CFG" --out "$OUT" >"$T/out" 2>"$T/err" &
	pid=$!
	for i in $(seq 600); do
		d=$(ls -d "$OUT"/*-"${c:0:12}" 2>/dev/null | head -1)
		[ -n "$d" ] && [ -s "$d/results.jsonl" ] && break
		sleep 0.1
	done
	kill -9 $pid
	wait $pid || true
	[ -n "$d" ] && [ ! -e "$d.tar.gz" ]
	[ "$(runs_of "$c")" -eq 0 ]
	run "$GILBENCH" nightly "$CFG" --out "$OUT"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$d was left unfinished; continuing it"* ]]
	[ "$(rundirs | wc -l)" -eq $((n + 1)) ]
	[ -f "$d.tar.gz" ]
	[ "$(runs_of "$c")" -eq 1 ]
	python3 - "$d/metadata.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert m["status"] == "complete" and len(m["resumed"]) == 1, m["resumed"]
PY
	run "$GILBENCH" nightly "$CFG" --out "$OUT"
	[[ "$output" == *"nothing new"* ]]
}

@test "nightly: a second nightly of the config waits for the first, then finds nothing new" {
	c=$(commit_n 11)
	"$GILBENCH" nightly "$CFG" --out "$OUT" >"$T/a.out" 2>"$T/a.err" &
	a=$!
	for i in $(seq 600); do
		ls -d "$OUT"/*-"${c:0:12}" >/dev/null 2>&1 && break
		sleep 0.1
	done
	run "$GILBENCH" nightly "$CFG" --out "$OUT"
	echo "$output"
	wait $a
	cat "$T/a.out"
	[ "$status" -eq 0 ]
	[[ "$output" == *"waiting for the nightly of fakenightly ($OUT) (held by pid $a)"* ]]
	[[ "$output" == *"nothing new"* ]]
	grep -q "No new regression alert" "$T/a.out"
	[ "$(runs_of "$c")" -eq 1 ]
	[ "$(ls -d "$OUT"/*-"${c:0:12}" | grep -vc tar.gz)" -eq 1 ]
}

@test "nightly keeps the builds of the last --keep-builds commits it made, never one in use" {
	# the default, 3: the prefixes and source trees of three commits are left
	python3 - "$OUT/builds.json" <<'PY'
import json, sys
made = json.load(open(sys.argv[1]))["made"]
assert len({m["commit"] for m in made}) == 3, made
assert sum("/prefix/" in m["path"] for m in made) == 6 and sum("/src/" in m["path"] for m in made) == 3, made
PY
	[ "$(find "$GILBENCH_WORK/prefix" -mindepth 1 -maxdepth 1 -type d | wc -l)" -eq 6 ]
	[ "$(find "$GILBENCH_WORK/src" -mindepth 1 -maxdepth 1 -type d | wc -l)" -eq 3 ]
	# one of the older commits' prefixes in use (its lock held): --keep-builds 1 keeps it
	held=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["made"]; print(sorted((x["used"], x["path"]) for x in m if "/prefix/" in x["path"])[0][1])' "$OUT/builds.json")
	python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(60)' "$held.lock" "$T/locked" &
	holder=$!
	for i in $(seq 100); do [ -e "$T/locked" ] && break; sleep 0.1; done
	run "$GILBENCH" nightly "$CFG" --out "$OUT" --force --keep-builds 1
	kill $holder
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"keeping $held: in use"* ]]
	[ -d "$held" ]
	[ "$(find "$GILBENCH_WORK/prefix" -mindepth 1 -maxdepth 1 -type d | wc -l)" -eq 3 ]
	[ "$(find "$GILBENCH_WORK/src" -mindepth 1 -maxdepth 1 -type d | wc -l)" -eq 1 ]
	# --force measured the head again: a second run of it, the same night of its series
	[ "$(runs_of "$(git -C "$REPO" rev-parse HEAD)")" -eq 2 ]
}

@test "the history page renders in headless Chromium without console errors, one plot per experiment" {
	command -v chromium >/dev/null || skip "chromium is not installed (make deps installs it)"
	mkdir -p "$ROOT/obj/test-logs"
	prof=$(mktemp -d)
	flags="--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=$prof"
	timeout 120 chromium $flags --enable-logging=stderr --v=0 --dump-dom "file://$OUT/index.html" >"$T/dom.html" 2>"$T/console"
	timeout 120 chromium $flags --screenshot="$ROOT/obj/test-logs/nightly-history.png" --window-size=1200,2000 "file://$OUT/index.html" 2>>"$T/console"
	rm -rf "$prof"
	! grep -E 'Uncaught|ERROR:CONSOLE|CONSOLE\(' "$T/console"
	[ "$(grep -o '<svg' "$T/dom.html" | wc -l)" -eq 3 ]
	[ "$(grep -o '<h2>' "$T/dom.html" | wc -l)" -ge 3 ]
	grep -q "<h2>sleepy</h2>" "$T/dom.html" && grep -q "<h2>steady</h2>" "$T/dom.html" && grep -q "<h2>scaling</h2>" "$T/dom.html"
	! grep -q '<script' "$OUT/index.html"
	! grep -Eq '(src|href)="https?:' "$OUT/index.html"
	# commits link to their nights' reports
	d=$(basename "$(rundirs | head -1)")
	grep -q "<a href=\"$d/report.html\">" "$OUT/index.html"
	[ -s "$ROOT/obj/test-logs/nightly-history.png" ]
}

@test "history ack marks an alert known, with its note" {
	run "$GILBENCH" history ack 1 --note "known: the test slows Thread.start"
	[ "$status" -eq 0 ]
	run "$GILBENCH" history alerts
	echo "$output"
	[[ "$output" == *"alert 1 (acknowledged): sleepy GIL"* ]]
	[[ "$output" == *"note: known: the test slows Thread.start"* ]]
	run "$GILBENCH" history ack 42
	[ "$status" -eq 1 ]
	[[ "$output" == *"has no alert 42"* ]]
	run "$GILBENCH" history ack one
	[ "$status" -eq 2 ]
}

@test "history import: runs and archives, twice changes nothing, a damaged archive is refused" {
	export GILBENCH_DB=$T/h.sqlite
	set -- $(rundirs)
	run "$GILBENCH" history import "$1" "$2.tar.gz"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$1: recorded (commit "* && "$output" == *"$2.tar.gz: recorded (commit "* ]]
	[ "$(sqlite3 "$GILBENCH_DB" 'SELECT count(*) FROM runs')" -eq 2 ]
	[ "$(sqlite3 "$GILBENCH_DB" "SELECT count(*) FROM runs WHERE archive = '$2.tar.gz' AND run_dir = '$2'")" -eq 1 ]
	sha=$(sha256sum "$GILBENCH_DB")
	run "$GILBENCH" history import "$1.tar.gz" "$2" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c 'recorded already, nothing changed')" -eq 3 ]
	[ "$(sha256sum "$GILBENCH_DB")" = "$sha" ]
	# a damaged archive: verification fails, exit 3, the history unchanged
	cp "$3.tar.gz" "$T/bad.tar.gz"
	flipgz "$T/bad.tar.gz" 2000
	run "$GILBENCH" history import "$T/bad.tar.gz"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"bad.tar.gz"*"failed verification"* ]]
	[ "$(sha256sum "$GILBENCH_DB")" = "$sha" ]
	# an unfinished run directory is refused, naming what to do
	cp -R "$3" "$T/unfinished"
	sed -i 's/"status": "complete"/"status": "interrupted"/' "$T/unfinished/metadata.json"
	run "$GILBENCH" history import "$T/unfinished"
	[ "$status" -eq 1 ]
	[[ "$output" == *"the run is not finished (status interrupted); finish it with gilbench run --resume $T/unfinished"* ]]
	[ "$(sha256sum "$GILBENCH_DB")" = "$sha" ]
	# a run of two revisions (a compare) is not a night of one commit
	cp -R "$3" "$T/two"
	python3 - "$T/two/run.json" <<'PY'
import json, sys
p = sys.argv[1]
r = json.load(open(p))
r["kind"] = "compare"
r["sides"] = [dict(r["sides"][0], name="A"), dict(r["sides"][0], name="B")]
json.dump(r, open(p, "w"))
PY
	run "$GILBENCH" history import "$T/two"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/two is a compare of 2 revisions; the history records runs of one revision"* ]]
	[ "$(sha256sum "$GILBENCH_DB")" = "$sha" ]
	# the speed canary of a run's metadata is kept with the run
	cp -R "$3" "$T/canary"
	python3 - "$T/canary/metadata.json" <<'PY'
import json, sys
p = sys.argv[1]
m = json.load(open(p))
m["canary"] = {"reference": 0.005, "median": 0.0055, "slowdown": 0.1, "slow_rounds": 2, "rounds": 8, "slow_run": True}
json.dump(m, open(p, "w"))
PY
	run "$GILBENCH" history import --db "$T/c.sqlite" "$T/canary"
	[ "$status" -eq 0 ]
	[ "$(sqlite3 "$T/c.sqlite" 'SELECT canary_median, canary_reference, canary_slow_rounds, canary_rounds, canary_slow_run FROM runs')" = "0.0055|0.005|2|8|1" ]
	run "$GILBENCH" history list --db "$T/c.sqlite"
	[[ "$output" == *" 5.50ms "* ]]
}

@test "history: a newer schema, a corrupt file and a foreign database are refused by name, unchanged" {
	set -- $(rundirs)
	"$GILBENCH" history import --db "$T/new.sqlite" "$1" >/dev/null
	sqlite3 "$T/new.sqlite" 'UPDATE schema_version SET version = 2'
	sha=$(sha256sum "$T/new.sqlite")
	for cmd in "history list" "history import $2" "nightly $CFG --out $T/n"; do
		run "$GILBENCH" $cmd --db "$T/new.sqlite"
		echo "$output"
		[ "$status" -eq 1 ]
		[[ "$output" == *"$T/new.sqlite: made by a newer gilbench (history schema 2; this one reads 1); nothing was changed"* ]]
		[ "$(sha256sum "$T/new.sqlite")" = "$sha" ]
	done
	head -c 8192 /dev/urandom >"$T/corrupt.sqlite"
	sha=$(sha256sum "$T/corrupt.sqlite")
	run "$GILBENCH" history import --db "$T/corrupt.sqlite" "$1"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/corrupt.sqlite: not a gilbench history: file is not a database"* ]]
	[ "$(sha256sum "$T/corrupt.sqlite")" = "$sha" ]
	sqlite3 "$T/other.sqlite" 'CREATE TABLE notes(x)'
	run "$GILBENCH" history alerts --db "$T/other.sqlite"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/other.sqlite: not a gilbench history (no schema_version table"* ]]
	# a history whose pages were damaged mid-file: the error names the file
	cp "$GILBENCH_DB" "$T/damaged.sqlite"
	python3 - "$T/damaged.sqlite" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
page = int.from_bytes(b[16:18], "big") or 65536
for i in range(page * 2, len(b)):
    b[i] = 0xA5
open(p, "wb").write(bytes(b))
PY
	run "$GILBENCH" history list --db "$T/damaged.sqlite"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/damaged.sqlite"* ]]
}

@test "history import: SIGKILL inside its transaction leaves the history whole; the next import completes, once" {
	export GILBENCH_DB=$T/h.sqlite
	set -- $(rundirs)
	"$GILBENCH" history import "$1" >/dev/null
	# a big run: 40,000 more trials in results.jsonl, so that the transaction lasts
	cp -R "$2" "$T/big"
	python3 - "$T/big/results.jsonl" <<'PY'
import json, sys
path = sys.argv[1]
lines = [json.loads(l) for l in open(path)]
with open(path, "a") as f:
    for k in range(5000):
        for t in lines[:8]:
            t = dict(t, round=t["round"] + 10 * (k + 1))
            f.write(json.dumps(t) + "\n")
PY
	"$GILBENCH" history import "$T/big" >"$T/out" 2>&1 &
	pid=$!
	for i in $(seq 12000); do [ -e "$GILBENCH_DB-journal" ] || ! kill -0 $pid 2>/dev/null && break; sleep 0.01; done
	[ -e "$GILBENCH_DB-journal" ]
	kill -9 $pid
	wait $pid || true
	[ "$(sqlite3 "$GILBENCH_DB" 'PRAGMA integrity_check')" = ok ]
	[ "$(sqlite3 "$GILBENCH_DB" 'SELECT count(*) FROM runs')" -eq 1 ]
	[ "$(sqlite3 "$GILBENCH_DB" 'SELECT count(*) FROM trials')" -eq 28 ]
	run "$GILBENCH" history import "$T/big" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sqlite3 "$GILBENCH_DB" 'SELECT count(*) FROM runs')" -eq 2 ]
	[ "$(sqlite3 "$GILBENCH_DB" 'SELECT count(*) FROM trials')" -eq $((28 + 28 + 40000)) ]
}

@test "nightly --resume RUN_DIR finishes an interrupted nightly's run directory" {
	c=$(commit_n 12)
	"$GILBENCH" nightly "$CFG" --out "$OUT" >"$T/out" 2>"$T/err" &
	pid=$!
	for i in $(seq 600); do
		d=$(ls -d "$OUT"/*-"${c:0:12}" 2>/dev/null | head -1)
		[ -n "$d" ] && [ -s "$d/results.jsonl" ] && break
		sleep 0.1
	done
	kill -INT $pid
	wait $pid || st=$?
	cat "$T/err"
	[ "$st" -eq 130 ]
	grep -q "continue it with gilbench nightly --resume $d" "$T/err"
	run "$GILBENCH" nightly --resume "$d"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(runs_of "$c")" -eq 1 ]
	[ -f "$d.tar.gz" ]
	run "$GILBENCH" nightly --resume "$d" "$CFG"
	[ "$status" -eq 2 ]
}

@test "pooling: two machines' nights in one history, their series never mixed" {
	eval "$(sh "$ROOT/tests/lib/mkfakehistory.sh" "$T/p" 4 9)"
	export GILBENCH_WORK=$T/p/work GILBENCH_CACHE=$T/p/cache
	GILBENCH_MACHINE=alpha run "$GILBENCH" nightly "$CFG" --backfill 2 --db "$T/a.sqlite" --out "$T/a"
	[ "$status" -eq 0 ]
	GILBENCH_MACHINE=beta run "$GILBENCH" nightly "$CFG" --backfill 1 --db "$T/b.sqlite" --out "$T/b"
	[ "$status" -eq 0 ]
	run "$GILBENCH" history import --db "$T/a.sqlite" "$T"/b/*.tar.gz
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sqlite3 "$T/a.sqlite" 'SELECT count(DISTINCT machine) FROM runs')" -eq 2 ]
	[ "$(sqlite3 "$T/a.sqlite" 'SELECT count(*) FROM runs')" -eq 5 ]
	# the same cell on two machines is two series
	[ "$(sqlite3 "$T/a.sqlite" "SELECT count(*) FROM series WHERE experiment = 'sleepy' AND variant = 'gil'")" -eq 2 ]
	# the imported nights are not yet covered by detection: alpha's next nightly detects, though nothing is new
	GILBENCH_MACHINE=alpha run "$GILBENCH" nightly "$CFG" --db "$T/a.sqlite" --out "$T/a"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"nothing new"* ]]
	python3 - "$T/a/alerts.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(m["nights"] for m in d["machines"]) == [2, 3], d["machines"]
assert {json.loads(m["description"]).get("name") for m in d["machines"]} == {"alpha", "beta"}
PY
	grep -q "Machine " "$T/a/index.html"
	GILBENCH_MACHINE=alpha run "$GILBENCH" nightly "$CFG" --db "$T/a.sqlite" --out "$T/a"
	[[ "$output" == *"nothing new"* ]]
	# history report writes every config's pages
	run "$GILBENCH" history report --db "$T/a.sqlite" --out "$T/pages"
	[ "$status" -eq 0 ]
	[ -f "$T/pages/fakenightly/index.html" ]
}
