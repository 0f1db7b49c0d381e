#!/usr/bin/env bats
# hostile.bats: careless and hostile input, second round (issue 9): patch paths and run
# directories that are self-contained, archives that name host paths, trials matched by cell
# id, folders that are not gilbench's, and options checked before any work.
#
# Runs build the fake CPython tree (tests/lib/fakecpython, a second) or use fake builds
# (tests/lib/fakebuilds.sh). The archive test checks with strace that reproduce and compare
# open nothing outside their own folders, using a sentinel file the archive names.
load helpers

setup() {
	common_setup
	export GILBENCH_WORK=$T/work
	mkdir -p "$T/pkg/fakecpython-3.13.5" "$T/cfg/experiments" "$T/elsewhere"
	cp -R "$ROOT/tests/lib/fakecpython/." "$T/pkg/fakecpython-3.13.5/"
	tar -czf "$T/fake.tar.gz" -C "$T/pkg" fakecpython-3.13.5
	SHA=$(sha256sum "$T/fake.tar.gz" | cut -d' ' -f1)
	printf 'import json\nprint(json.dumps({"seconds": 0.01}))\n' >"$T/cfg/experiments/e.py"
	printf -- '--- /dev/null\n+++ b/UP\n@@ -0,0 +1 @@\n+up\n' >"$T/up.patch"
	printf -- '--- /dev/null\n+++ b/ABS\n@@ -0,0 +1 @@\n+abs\n' >"$T/elsewhere/abs.patch"
	echo "sentinel" >"$T/sentinel"
}

# config PATCHES: a config in $T/cfg with these patches (YAML list text)
config() {
	cat >"$T/cfg/c.yaml" <<EOF
version: 1
name: hostile
source: {tarball: {sha256: $SHA, from: ["file://$T/fake.tar.gz"]}}
patches: $1
builds:
  - {name: gil, configure: []}
run: {interference: 0, canary: 0}
experiments:
  - {name: e, script: experiments/e.py, trials: 2}
EOF
}

@test "patch paths: ../ and absolute patches are copied in, and every later stage uses the copies only" {
	config "[../up.patch, $T/elsewhere/abs.patch]"
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/r" --no-archive
	echo "$output"
	[ "$status" -eq 0 ]
	[ -f "$T/r/patches/up.patch" ] && [ -f "$T/r/patches/abs.patch" ]
	# the originals move away (or change): the run directory does not notice
	mv "$T/up.patch" "$T/up.moved"
	echo garbage >"$T/elsewhere/abs.patch"
	run "$GILBENCH" report "$T/r"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '"name": "abs.patch"' "$T/r/builds/gil/build.json" || grep -q 'abs.patch' "$T/r/builds/gil/build.json"
	run "$GILBENCH" run --resume "$T/r" --no-archive
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"reusing"* ]] # same patches' contents: the same build
}

@test "patch paths: two patches with one file name are refused with the config's line" {
	cp "$T/elsewhere/abs.patch" "$T/cfg/abs.patch"
	config "[./abs.patch, $T/elsewhere/abs.patch]"
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/r"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"c.yaml:4:"*"have one file name"* ]]
}

# craft NAME EDIT: an archive $T/NAME.tar.gz of a fake run, its config.yaml edited by the
# python expression EDIT (on `text`), the manifest's sha256 of it updated so that the
# archive verifies
craft() {
	[ -d "$T/base" ] || { config "[]"; "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/base" >/dev/null 2>&1; }
	rm -rf "$T/x" && mkdir "$T/x" && tar -xzf "$T/base.tar.gz" -C "$T/x"
	mv "$T/x/base" "$T/x/$1"
	python3 - "$T/x/$1" "$2" <<'PY'
import hashlib, json, os, sys
d, edit = sys.argv[1], sys.argv[2]
text = open(d + "/config.yaml").read()
text = eval(edit)
open(d + "/config.yaml", "w").write(text)
m = json.load(open(d + "/manifest.json"))
for e in m["members"]:
    if e["path"] == "config.yaml":
        e["sha256"] = hashlib.sha256(text.encode()).hexdigest()
        e["size"] = len(text.encode())
json.dump(m, open(d + "/manifest.json", "w"), indent=2)
PY
	(cd "$T/x" && tar --owner=0 --group=0 --numeric-owner -czf "$T/$1.tar.gz" "$1")
}

@test "hostile archives: host paths as patches or scripts are refused by reproduce, nothing outside is opened" {
	craft abs "text.replace('patches: []', 'patches: [$T/sentinel]')"
	craft dots "text.replace('script: experiments/e.py', 'script: ../../sentinel')"
	for a in abs dots; do
		run strace -f -e trace=openat,open -o "$T/trace.$a" "$GILBENCH" reproduce "$T/$a.tar.gz" --out "$T/rep-$a" --no-archive
		echo "$output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"$a.tar.gz"* ]]
		! grep -q "$T/sentinel" "$T/trace.$a"
		[ ! -e "$T/rep-$a" ]
	done
	[[ "$output" == *"must be a relative path inside the config's folder"* ]]
	# compare of the same archives: refused as well, the sentinel never opened
	run strace -f -e trace=openat,open -o "$T/trace.c" "$GILBENCH" compare "$T/abs.tar.gz" "$T/base.tar.gz"
	echo "$output"
	[ "$status" -eq 1 ]
	! grep -q "$T/sentinel" "$T/trace.c"
}

@test "hostile archives: a symlink or a ../ member naming a host file fails verify (exit 3); reproduce and compare refuse" {
	config "[]"
	"$GILBENCH" run "$T/cfg/c.yaml" --out "$T/base" >/dev/null 2>&1
	rm -rf "$T/x" && mkdir "$T/x" && tar -xzf "$T/base.tar.gz" -C "$T/x"
	ln -s "$T/sentinel" "$T/x/base/experiments/link.py"
	python3 - "$T/x/base" <<'PY'
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/manifest.json"))
m["members"].append({"path": "experiments/link.py", "type": "symlink", "size": 0, "sha256": None,
                     "mode": "0777", "target": "/nonexistent"})
json.dump(m, open(d + "/manifest.json", "w"))
PY
	(cd "$T/x" && tar -czf "$T/link.tar.gz" base)
	for cmd in "verify $T/link.tar.gz" "reproduce $T/link.tar.gz --out $T/rep" "compare $T/link.tar.gz $T/base.tar.gz"; do
		run strace -f -e trace=openat,open -o "$T/trace" $GILBENCH $cmd
		echo "$output"
		[ "$status" -eq 3 ]
		! grep -q "$T/sentinel" "$T/trace"
	done
	[ ! -e "$T/rep" ]
}

@test "trials are matched by cell id: look-alike point labels stay apart, an edited config leaves old trials out, a repeated line counts once" {
	. "$ROOT/tests/lib/fakebuilds.sh"
	R=$T/run
	mkdir -p "$R/exp"
	printf 'import json, sys\nprint(json.dumps({"seconds": 0.01 if "1,b=2" in sys.argv else 0.02}))\n' >"$R/exp/e.py"
	{ fake_config_head; cat <<'YAML'
run: {interference: 0, canary: 0}
experiments:
  - name: e
    script: exp/e.py
    matrix: {a: ["1,b=2", "1"], b: ["3", "2,b=3"]}
    trials: 3
YAML
	} | fake_rundir "$R"
	"$GILBENCH" measure "$R" >/dev/null 2>&1
	"$GILBENCH" report --no-plots "$R" >/dev/null 2>&1
	# a=1,b=2 b=3 and a=1 b=2,b=3 both print as "a=1,b=2,b=3": two cells, three trials each
	run python3 -c 'import json,sys; c=[x for x in json.load(open(sys.argv[1]))["cells"] if x["point"]=="a=1,b=2,b=3"]; print(sorted((x["variant"], x["n"], x["median"]) for x in c))' "$R/results.json"
	echo "$output"
	[ "$output" = "[('gil', 3, 0.01), ('gil', 3, 0.02), ('nogil', 3, 0.01), ('nogil', 3, 0.02)]" ]
	# a repeated line counts once
	head -1 "$R/results.jsonl" >>"$R/results.jsonl"
	run "$GILBENCH" report --no-plots "$R"
	[[ "$output" == *"1 line of results.jsonl repeats a (cell, round) already counted"* ]]
	[ "$(python3 -c 'import json,sys; print(max(x["n"] for x in json.load(open(sys.argv[1]))["cells"]))' "$R/results.json")" = 3 ]
	# config.yaml edited after the run: the old trials are not shown under the new arguments
	sed -i 's/trials: 3/trials: 3\n    args: {n: 5}/' "$R/config.yaml"
	run "$GILBENCH" report --no-plots "$R"
	echo "$output"
	[[ "$output" == *"25 trials in results.jsonl belong to no cell of the plan"* ]]
	[ "$(python3 -c 'import json,sys; print(sum(x["n"] for x in json.load(open(sys.argv[1]))["cells"]))' "$R/results.json")" = 0 ]
	run "$GILBENCH" measure --resume "$R"
	[ "$status" -eq 1 ]
	[[ "$output" == *"is not in this run's plan; was config.yaml changed?"* ]]
}

@test "folders that are not gilbench's are never written into: --out on a non-empty folder, --out /" {
	config "[]"
	mkdir -p "$T/mine"
	echo precious >"$T/mine/config.yaml"
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/mine"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/mine is not empty and is not a gilbench run directory"* ]]
	[ "$(cat "$T/mine/config.yaml")" = precious ] && [ "$(ls "$T/mine")" = config.yaml ]
	run "$GILBENCH" run "$T/cfg/c.yaml" --out /
	[ "$status" -eq 1 ]
	[[ "$output" == *"/ is not empty and is not a gilbench run directory"* ]]
	run "$GILBENCH" build "$T/cfg/c.yaml" --out "$T/mine"
	[ "$status" -eq 1 ]
	[ "$(ls "$T/mine")" = config.yaml ]
}

@test "options are checked before any work: bad CPU lists exit 2 at once, run.cpus and trial limits name the config" {
	config "[]"
	for cpus in -1 "" 1,0 0,0 zero 4096; do
		run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/r" --cpus "$cpus"
		echo "$cpus: $output"
		[ "$status" -eq 2 ]
		[ ! -e "$T/r" ] && [ ! -e "$GILBENCH_WORK" ]
	done
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/r" --cpus ""
	[[ "$output" == *"--cpus: empty CPU list"* ]]
	# a CPU list in the config that this machine lacks: named as run.cpus, before the build
	sed -i 's/run: {interference: 0, canary: 0}/run: {interference: 0, canary: 0, cpus: "999", max_trials: 3}/' "$T/cfg/c.yaml"
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/r2"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"run.cpus: '999' names CPUs this process cannot run on"* ]]
	[ ! -e "$GILBENCH_WORK" ]
	sed -i 's/cpus: "999", //' "$T/cfg/c.yaml"
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/r3" --min-trials 5
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--min-trials 5 is above the 3 trials at most of run.max_trials"* ]]
	[ ! -e "$GILBENCH_WORK" ]
}
