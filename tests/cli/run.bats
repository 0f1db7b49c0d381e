#!/usr/bin/env bats
# tests/cli/run.bats: `gilbench run`, the whole pipeline, on the fake CPython tree
# (tests/lib/fakecpython, packed into a file:// tarball by each test): the run directory is
# self-contained (config, every .py beside each script, patches) so that the stages after
# it and --resume work from it alone; interruption and resume; a failed build; a run
# directory that already holds a run. The real CPython run is e2e.bats.
load helpers

setup() {
	common_setup
	export GILBENCH_WORK=$T/work
	mkdir -p "$T/pkg/fakecpython-3.13.5" "$T/cfg/exp" "$T/cfg/patches"
	cp -R "$ROOT/tests/lib/fakecpython/." "$T/pkg/fakecpython-3.13.5/"
	echo "fake readme" >"$T/pkg/fakecpython-3.13.5/README"
	tar -czf "$T/fake.tar.gz" -C "$T/pkg" fakecpython-3.13.5
	SHA=$(sha256sum "$T/fake.tar.gz" | cut -d' ' -f1)
	printf -- '--- a/README\n+++ b/README\n@@ -1 +1 @@\n-fake readme\n+patched readme\n' >"$T/cfg/patches/readme.patch"
	printf 'import json\ndef result(**kw):\n    print(json.dumps(kw))\n' >"$T/cfg/exp/_helper.py"
	printf 'import sys, time\nfrom _helper import result\ntime.sleep(float(sys.argv[sys.argv.index("--sleep") + 1]))\nresult(seconds=0.01, value=42)\n' >"$T/cfg/exp/work.py"
	write_config 0.01 ""
}

# write_config SLEEP NOGIL_ENV: $T/cfg/c.yaml
write_config() {
	local nenv=""
	[ -z "$2" ] || nenv="    env: {$2}"
	{
		echo "version: 1"
		echo "name: fakerun"
		echo "source: {tarball: {sha256: $SHA, from: [file://$T/fake.tar.gz]}}"
		echo "patches: [readme.patch]"
		echo "builds:"
		echo "  - name: gil"
		echo "    configure: []"
		echo "  - name: nogil"
		echo "    configure: [--disable-gil]"
		echo "$nenv"
		echo "run: {timeout: 30, interference: 0, canary: 0}"
		echo "experiments:"
		echo "  - {name: work, script: exp/work.py, args: {sleep: $1}, trials: 3, expect: {name: value, equals: 42}}"
		echo "  - {name: scale, script: exp/work.py, args: {sleep: $1}, matrix: {threads: [1, 2]}, trials: 2}"
	} >"$T/cfg/c.yaml"
}

@test "run: the whole pipeline on a fake tree: report, archive, a self-contained run directory" {
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/r"
	echo "$output" | tail -20
	[ "$status" -eq 0 ]
	[ "${lines[${#lines[@]}-1]}" = "$T/r/report.md" ]
	for f in config.yaml exp/work.py exp/_helper.py patches/readme.patch plan.json metadata.json \
		results.jsonl results.json report.md report.html builds/gil/build.json builds/nogil/build.json; do
		[ -f "$T/r/$f" ] || { echo "missing $f"; false; }
	done
	cmp "$T/cfg/c.yaml" "$T/r/config.yaml"
	[ "$(wc -l <"$T/r/results.jsonl")" -eq 14 ]
	grep -q "patched readme" "$GILBENCH_WORK"/src/*/README
	run "$GILBENCH" verify "$T/r.tar.gz"
	[ "$status" -eq 0 ]
	# later stages run on the run directory alone, even with the config's folder gone
	rm -rf "$T/cfg"
	rm "$T/r/report.md"
	run "$GILBENCH" report "$T/r"
	[ "$status" -eq 0 ]
	[ -f "$T/r/report.md" ]
	run "$GILBENCH" plan "$T/r/config.yaml"
	[ "$status" -eq 0 ]
}

@test "run: a run directory that already holds a run is not overwritten" {
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/r" --no-archive
	[ "$status" -eq 0 ]
	cp "$T/r/results.jsonl" "$T/before"
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/r"
	[ "$status" -eq 1 ]
	[[ "$output" == *"already holds a run"*"--resume"* ]]
	cmp "$T/before" "$T/r/results.jsonl"
}

@test "run: Ctrl-C mid-run exits 130 with what finished on disk; --resume completes it" {
	write_config 0.3 ""
	"$GILBENCH" run "$T/cfg/c.yaml" --out "$T/r" >"$T/out" 2>&1 &
	pid=$!
	for i in $(seq 200); do
		[ -f "$T/r/results.jsonl" ] && [ "$(wc -l <"$T/r/results.jsonl")" -ge 3 ] && break
		sleep 0.1
	done
	kill -INT $pid
	wait $pid && status=0 || status=$?
	tail -5 "$T/out"
	[ "$status" -eq 130 ]
	grep -q "continue it with gilbench run --resume" "$T/out"
	n=$(wc -l <"$T/r/results.jsonl")
	[ "$n" -ge 3 ] && [ "$n" -lt 14 ]
	[ ! -e "$T/r.tar.gz" ]
	run "$GILBENCH" run --resume "$T/r"
	echo "$output" | tail -5
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
c = collections.Counter((r["cell"], r["round"]) for r in rows)
assert len(rows) == 14 and set(c.values()) == {1}, c' "$T/r/results.jsonl"
	[ -f "$T/r.tar.gz" ]
}

@test "run: a build that fails is reported, the other build is measured, exit 4" {
	write_config 0.01 "FAKECPY_CONFIGURE_FAIL: \"1\""
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/r"
	echo "$output" | tail -20
	[ "$status" -eq 4 ]
	[[ "$output" == *"build nogil failed at configure"* ]]
	python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1] + "/results.jsonl")]
assert rows and {r["variant"] for r in rows} == {"gil"}, rows
b = json.load(open(sys.argv[1] + "/builds/nogil/build.json"))
assert b["ok"] is False and b["failed_step"] == "configure", b' "$T/r"
	grep -qi "fail" "$T/r/report.md"
}

@test "run: a build whose GIL state does not match its flags exits 3, nothing measured on it" {
	write_config 0.01 "FAKECPY_LIE: \"1\""
	run "$GILBENCH" run "$T/cfg/c.yaml" --out "$T/r"
	echo "$output" | tail -5
	[ "$status" -eq 3 ]
	[[ "$output" == *"build nogil failed at verify"* ]]
	python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1] + "/results.jsonl")]
assert {r["variant"] for r in rows} == {"gil"}, rows' "$T/r"
}
