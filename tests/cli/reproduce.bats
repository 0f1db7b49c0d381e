#!/usr/bin/env bats
# reproduce.bats: `gilbench reproduce ARCHIVE` on archives of small runs of the fake CPython
# tree (tests/lib/fakecpython, whose python runs the system python3), made with `gilbench
# run` and `gilbench archive`; one from a tarball source, one from a git source whose
# branch moves on after the run.
load helpers

setup() {
	common_setup
	export GILBENCH_WORK=$T/work
	mkdir -p "$T/pkg/fakecpython-3.13.5" "$T/cfg/experiments"
	cp -R "$ROOT/tests/lib/fakecpython/." "$T/pkg/fakecpython-3.13.5/"
	tar -czf "$T/fake.tar.gz" -C "$T/pkg" fakecpython-3.13.5
	SHA=$(sha256sum "$T/fake.tar.gz" | cut -d' ' -f1)
	cat >"$T/cfg/experiments/sleepy.py" <<'PY'
import json, time
t = time.perf_counter()
time.sleep(0.02)
print(json.dumps({"seconds": time.perf_counter() - t}))
PY
	experiments >"$T/exps.yaml"
	mkdir -p "$T/patches"
	printf -- '--- /dev/null\n+++ b/PATCHED\n@@ -0,0 +1 @@\n+patched\n' >"$T/patches/x.patch"
	cat >"$T/cfg/c.yaml" <<EOF
version: 1
name: fakerep
source:
  tarball:
    sha256: $SHA
    from:
      - file://$T/fake.tar.gz
patches: [x.patch]
builds:
  - name: gil
    configure: []
  - name: nogil
    configure: [--disable-gil]
run: {interference: 0, canary: 0}
$(cat "$T/exps.yaml")
EOF
}

experiments() {
	cat <<EOF
experiments:
  - name: sleepy
    script: experiments/sleepy.py
    matrix: {n: [1, 2]}
    trials: 3
EOF
}

# archived RUN CONFIG: `gilbench run` CONFIG into RUN, then archive it as RUN.tar.gz, with the
# archived machine's CPU renamed so that the machines differ
archived() {
	"$GILBENCH" run "$2" --out "$1" --no-archive >/dev/null 2>&1
	python3 - "$1/metadata.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["machine"]["cpu"] = "Archived CPU 9000"
json.dump(m, open(sys.argv[1], "w"))
PY
	"$GILBENCH" archive "$1" >/dev/null
}

@test "reproduce: --help, and it takes one archive" {
	run "$GILBENCH" reproduce --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: gilbench reproduce ARCHIVE [--out RUN_DIR] [--work DIR] [--cpus LIST] [--tie PCT] [trial options] [--no-archive]"* ]]
	[[ "$output" == *"gilbench reproduce --resume RUN_DIR [options]"* ]]
	run "$GILBENCH" reproduce
	[ "$status" -eq 2 ]
	run "$GILBENCH" reproduce "$T"
	[ "$status" -eq 2 ]
}

@test "reproduce: re-runs an archived run here and writes reproduce.md with both sides and the machines' differences" {
	archived "$T/run" "$T/cfg/c.yaml"
	run "$GILBENCH" reproduce "$T/run.tar.gz" --out "$T/rep"
	echo "$output"
	[ "$status" -eq 0 ]
	md=$T/rep/reproduce.md
	[ -f "$md" ]
	grep -q '^# Reproduction of fakerep' "$md"
	grep -q "^- archived: $T/run.tar.gz" "$md"
	grep -q "^- here: $T/rep" "$md"
	grep -q '| Experiment | Point | Variant | archived | here | here/archived \[95% CI\] | p | Verdict |' "$md"
	for v in gil nogil; do for p in n=1 n=2; do
		grep -Eq "^\| sleepy \| $p \| $v \| [0-9.]+ \[.*\] n=3 \| [0-9.]+ \[.*\] n=3 \| " "$md"
	done; done
	grep -q "Source: tarball sha256 $SHA (the same on both sides)" "$md"
	grep -q '^## How the machines differ' "$md"
	grep -q "| machine.cpu | Archived CPU 9000 | $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') |" "$md"
	grep -q 'are the same on both: .*machine.cores' "$md"
	# the new run is a run directory like any other: config byte for byte, its own results and report
	cmp "$T/cfg/c.yaml" "$T/rep/config.yaml"
	[ "$(python3 -c 'import json,sys; print(sum(not json.loads(l)["warmup"] for l in open(sys.argv[1])))' "$T/rep/results.jsonl")" -eq 12 ]
	[ -f "$T/rep/report.md" ] && [ -f "$T/rep/reproduce.json" ]
	# archived beside it, reproduce.md included, like any run
	"$GILBENCH" verify "$T/rep.tar.gz"
	tar -tzf "$T/rep.tar.gz" | grep -qx 'rep/reproduce.md'
	# the builds were those of the archive (same source, patch and flags: same key)
	grep -q '"name": "x.patch"' "$T/rep/builds/gil/build.json"
	[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["key"])' "$T/run/builds/gil/build.json")" = \
	  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["key"])' "$T/rep/builds/gil/build.json")" ]
}

@test "reproduce: a tampered archive is refused with exit 3 and nothing is run" {
	archived "$T/run" "$T/cfg/c.yaml"
	mkdir "$T/x" && tar -xzf "$T/run.tar.gz" -C "$T/x"
	sed -i '1s/^{/{ /' "$T/x/run/results.jsonl"
	tar -czf "$T/bad.tar.gz" -C "$T/x" run
	run "$GILBENCH" reproduce "$T/bad.tar.gz" --out "$T/rep"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"bad.tar.gz: the archive failed verification"*"results.jsonl"* ]]
	[ ! -e "$T/rep" ]
	# a byte flipped in the compressed stream (past the gzip header, whose mtime is not checked)
	cp "$T/run.tar.gz" "$T/flip.tar.gz"
	flipgz "$T/flip.tar.gz" 200
	run "$GILBENCH" reproduce "$T/flip.tar.gz" --out "$T/rep"
	[ "$status" -eq 3 ]
	[ ! -e "$T/rep" ]
	run "$GILBENCH" reproduce "$T/nothere.tar.gz"
	[ "$status" -eq 1 ]
}

@test "reproduce: a git source is rebuilt at the recorded commit, not where its branch is now" {
	r=$T/repo
	mkdir -p "$r"
	cp -R "$ROOT/tests/lib/fakecpython/." "$r/"
	git -C "$r" init -q -b main
	git -C "$r" add -A
	git -C "$r" -c user.name=t -c user.email=t@t commit -q -m one
	first=$(git -C "$r" rev-parse HEAD)
	cat >"$T/cfg/g.yaml" <<EOF
version: 1
name: fakegit
source:
  git: {url: "file://$r", ref: main}
builds:
  - name: gil
    configure: []
$(cat "$T/exps.yaml")
EOF
	archived "$T/grun" "$T/cfg/g.yaml"
	echo change >"$r/CHANGE"
	git -C "$r" add CHANGE
	git -C "$r" -c user.name=t -c user.email=t@t commit -q -m two
	run "$GILBENCH" reproduce "$T/grun.tar.gz" --out "$T/grep" --no-archive
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -e "$T/grep.tar.gz" ]
	grep -q "\"source\": \"$first\"" "$T/grep/builds/gil/build.json"
	grep -q "Source: commit $first (the same on both sides)" "$T/grep/reproduce.md"
}
