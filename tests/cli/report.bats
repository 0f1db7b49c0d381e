#!/usr/bin/env bats
# tests/cli/report.bats: `gilbench report` on synthetic run directories (tests/lib/mkrun.py
# writes config.yaml from configs/quick.yaml, build records, results.jsonl with chosen values
# and metadata.json), so every table, winner and failure case is checked against numbers
# known in advance, in seconds and without CPython.
load helpers

MKRUN="python3 $ROOT/tests/lib/mkrun.py"
CHECK="python3 $ROOT/tests/lib/pyperf_check.py"

setup() {
	common_setup
}

# A full run with a case for each kind of winner:
#   single-thread: identical samples            -> Tie
#   io-threads:    no-GIL 8% slower              -> GIL (+8%)
#   race:          no-GIL loses updates          -> GIL (safer), "75.0% lost"
#   multiprocessing: no-GIL 4x faster            -> no-GIL (4x)
#   thread-scaling: T1 0.100/0.110, T2 0.200/0.115
#   contended-lock: no-GIL ~11x slower          -> GIL (10x)
full_run() {
	$MKRUN "$1" \
		--set single-thread:gil=0.100,0.101,0.099,0.100 --set single-thread:nogil=0.100,0.101,0.099,0.100 \
		--set io-threads:gil=0.1000,0.1002,0.0998 --set io-threads:nogil=0.1080,0.1082,0.1078 \
		--values race:gil=1600000,1600000,1600000 --values race:nogil=400000,461312,500000 \
		--set multiprocessing:gil=0.400,0.401,0.399 --set multiprocessing:nogil=0.100,0.1002,0.0998 \
		--set thread-scaling:gil:threads=1=0.100,0.101,0.099 --set thread-scaling:gil:threads=2=0.200,0.202,0.198 \
		--set thread-scaling:nogil:threads=1=0.110,0.111,0.109 --set thread-scaling:nogil:threads=2=0.115,0.116,0.114 \
		--set contended-lock:gil=0.1141,0.1140,0.1142 --set contended-lock:nogil=1.25,1.26,1.24 \
		"${@:2}"
}

@test "report: --help prints the usage" {
	run "$GILBENCH" report --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: gilbench report RUN_DIR [--no-plots] [--quiet]"* ]]
	run "$GILBENCH" report
	[ "$status" -eq 2 ]
}

@test "report: tables keep the write-up's columns" {
	full_run "$T/run"
	run "$GILBENCH" report "$T/run"
	echo "$output"
	[ "$status" -eq 0 ]
	md=$T/run/report.md
	grep -qF '| Build | Time | 95% CI | CV | n |' "$md"
	grep -qF '| Build | Time | 95% CI | CV | n | Correct |' "$md"
	grep -qF '| Build | Trial 1 | Trial 2 | Trial 3 | Avg lost |' "$md"
	grep -qF '| Threads | GIL | no-GIL | no-GIL speedup |' "$md"
	grep -qF '| Threads | GIL speedup | GIL efficiency | no-GIL speedup | no-GIL efficiency |' "$md"
	grep -qF '| Experiment | GIL | no-GIL | Winner |' "$md"
	grep -qF '| Experiment | Point | Baseline | Other | Ratio | 95% CI | p | Verdict |' "$md"
	grep -qF '| GIL | 0.1141 s |' "$md"
	grep -qF '3/3 ✓' "$md"
	for s in '## Provenance' '## Statistics' '## Noise' 'Student' 'bootstrap' 'Welch'; do grep -qF "$s" "$md"; done
	! grep -q '## Failures' "$md"
}

@test "report: race trials show the final count and the share lost" {
	full_run "$T/run"
	"$GILBENCH" report "$T/run"
	grep -qF '| no-GIL | 400,000 (75.0% lost) | 461,312 (71.2% lost) | 500,000 (68.8% lost) | 71.6% |' "$T/run/report.md"
	grep -qF '| GIL | 1,600,000 (0.0% lost) | 1,600,000 (0.0% lost) | 1,600,000 (0.0% lost) | 0.0% |' "$T/run/report.md"
}

@test "report: thread scaling speedups and efficiencies" {
	full_run "$T/run"
	"$GILBENCH" report "$T/run"
	md=$T/run/report.md
	# T_gil / T_nogil at 2 threads: 0.200 / 0.115
	grep -qF '| 2 | 0.2000 s | 0.1150 s | 1.74× |' "$md"
	# no-GIL: 2 x 0.110 / 0.115 = 1.91x, efficiency 95.7%; GIL: 1.00x, 50.0%
	grep -qE '^\| 2 \| 1\.00× \([0-9.]+–[0-9.]+\) \| 50\.0% .*\| 1\.91× \([0-9.]+–[0-9.]+\) \| 95\.7% ' "$md"
}

@test "report: summary winners read Tie, +N%, Nx and safer" {
	full_run "$T/run"
	"$GILBENCH" report "$T/run"
	md=$T/run/report.md
	grep -qF '| Single-thread baseline | 0.1000 s | 0.1000 s | Tie |' "$md"
	grep -qF '| I/O-bound threads | 0.1000 s | 0.1080 s | GIL (+8%) |' "$md"
	grep -qF '| Unsynchronised counter (race) | 0.0% lost | 71.6% lost | GIL (safer) |' "$md"
	grep -qF '| Multiprocessing | 0.4000 s | 0.1000 s | no-GIL (4×) |' "$md"
	grep -qF '| Thread scaling (2 threads) | 0.2000 s | 0.1150 s | no-GIL (+74%) |' "$md"
	grep -qF '| Contended lock | 0.1141 s | 1.2500 s | GIL (10×) |' "$md"
	grep -qF '| single-thread | — | GIL 0.1000 s | no-GIL 0.1000 s | 1.000 |' "$md"
	grep -q '| io-threads | .* | slower |' "$md"
}

@test "report: a difference within run.tie is a tie" {
	# 3% slower, clearly significant, but under the 5% tie threshold
	$MKRUN "$T/run" --set single-thread:gil=0.1000,0.1001,0.0999 --set single-thread:nogil=0.1030,0.1031,0.1029
	"$GILBENCH" report "$T/run"
	grep -qF '| Single-thread baseline | 0.1000 s | 0.1030 s | Tie |' "$T/run/report.md"
}

@test "report: a noisy cell is flagged in the report and on stderr" {
	full_run "$T/run" --set io-threads:nogil=0.1,0.2,0.3
	run "$GILBENCH" report "$T/run"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: noise: io-threads on nogil: CV 50.0% is above 10.0%"* ]]
	grep -qF 'io-threads on nogil: CV 50.0% is above 10.0%' "$T/run/report.md"
	run "$GILBENCH" report --quiet "$T/run"
	[[ "$output" != *"noise"* ]]
}

@test "report: noise flags from metadata.json are listed" {
	full_run "$T/run" --metadata '{"busy_at_start": true, "load_start": {"1m": 1.7},
		"noise": [{"experiment": "io-threads", "point": "", "other_cpu_share": 0.02, "noisy": false},
		          {"experiment": "thread-scaling", "point": "threads=2", "other_cpu_share": 0.31, "noisy": true}],
		"nonconverged": [{"cell": "0123456789abcdef", "experiment": "thread-scaling", "variant": "nogil",
		                  "point": "threads=2", "trials": 20, "halfwidth": 0.034}]}'
	run "$GILBENCH" report "$T/run"
	echo "$output"
	[[ "$output" == *"warning: noise: the machine was busy when the run started (load 1.70)"* ]]
	md=$T/run/report.md
	grep -qF '| thread-scaling threads=2: other processes used 31% of the CPUs while it ran |' "$md"
	grep -qF '| thread-scaling threads=2 on nogil: not converged after 20 trials (95% CI half-width 3.4%) |' "$md"
	! grep -qF 'io-threads: other processes' "$md"
	python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
kinds = sorted(n['kind'] for n in r['noise'])
assert kinds == ['busy_at_start', 'noise', 'nonconverged'], kinds" "$T/run/results.json"
}

@test "report: failed and timed-out trials are listed, left out of the statistics, exit 4" {
	full_run "$T/run" --fail 'io-threads:nogil=timeout:killed after 120 s' --fail 'race:gil=failed:Traceback ...
ZeroDivisionError: division by zero'
	run "$GILBENCH" report "$T/run"
	echo "$output"
	[ "$status" -eq 4 ]
	md=$T/run/report.md
	grep -qF '## Failures' "$md"
	grep -qF '| io-threads | — | no-GIL | 4 | timeout | killed after 120 s |' "$md"
	grep -qF '| race | — | GIL | 4 | failed | ZeroDivisionError: division by zero |' "$md"
	grep -qF '| no-GIL | 0.1080 s | ' "$md"
	grep -qF '| 3 (1 failed) |' "$md"
}

@test "report: a failed build shows dashes and its error" {
	$MKRUN "$T/run" --set single-thread:gil=0.1,0.11,0.09 --set race:gil=0.1,0.1,0.1 \
		--build-failed 'nogil=make:profile task failed: test_generators'
	run "$GILBENCH" report "$T/run"
	echo "$output"
	[ "$status" -eq 4 ]
	md=$T/run/report.md
	grep -qF '| nogil | make | profile task failed: test_generators |' "$md"
	grep -qF '| no-GIL | — | — | — | build failed |' "$md"
	grep -qF '| Single-thread baseline | 0.1000 s | — | — |' "$md"
	grep -qF '| nogil | --disable-gil | — | failed |' "$md"
}

@test "report: a partial run (missing cells and experiments) still reports" {
	$MKRUN "$T/run" --set single-thread:gil=0.1,0.11,0.09 --set thread-scaling:gil:threads=1=0.1,0.1,0.1 --no-metadata
	run "$GILBENCH" report "$T/run"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qF '| 2 | — | — | — |' "$T/run/report.md"
	grep -qF '| metadata.json | missing |' "$T/run/report.md"
	$CHECK "$T/run/pyperf/gil.json"
	[ ! -e "$T/run/pyperf/nogil.json" ]
}

@test "report: results.json holds cells, comparisons, scaling, race, summary" {
	full_run "$T/run"
	"$GILBENCH" report "$T/run"
	python3 - "$T/run/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["baseline"] == "gil" and r["variants"] == ["gil", "nogil"]
cells = {(c["experiment"], c["variant"], c["point"]): c for c in r["cells"]}
c = cells[("io-threads", "nogil", "")]
assert c["n"] == 3 and abs(c["median"] - 0.108) < 1e-12 and abs(c["mean"] - 0.108) < 1e-12, c
assert c["ci_lo"] < 0.108 < c["ci_hi"] and c["min"] == 0.1078 and c["max"] == 0.1082, c
assert len(c["id"]) == 16, c
assert cells[("contended-lock", "gil", "")]["correct"] == {"ok": 3, "checked": 3}
cmp = {(x["experiment"], x["point"]): x for x in r["comparisons"]}
x = cmp[("io-threads", "")]
assert abs(x["ratio"] - 1.08) < 1e-9 and x["significant"] and x["verdict"] == "slower", x
assert x["ratio_lo"] <= x["ratio"] <= x["ratio_hi"] and x["p"] < 0.001, x
st = cmp[("single-thread", "")]
assert st["verdict"] == "same" and st["equivalence"] == [0.95, 1.05] and st["tost_p"] < 0.05, st
assert x["need"] is None and st["need"] is None, (x, st)
sc = [s for s in r["scaling"] if s["kind"] == "self" and s["variant"] == "nogil" and s["point"] == "threads=2"][0]
assert abs(sc["speedup"] - 2 * 0.110 / 0.115) < 1e-9 and abs(sc["efficiency"] - 0.110 / 0.115) < 1e-9, sc
rel = [s for s in r["scaling"] if s["kind"] == "relative" and s["point"] == "threads=2"][0]
assert abs(rel["speedup"] - 0.2 / 0.115) < 1e-9, rel
race = {x["variant"]: x for x in r["race"]}
assert race["nogil"]["trials"][0]["lost"] == 0.75 and race["gil"]["avg_lost"] == 0, race
summ = {x["experiment"]: x for x in r["summary"]}
assert summ["single-thread"]["winner"] is None and summ["single-thread"]["text"] == "Tie"
assert summ["multiprocessing"]["winner"] == "nogil" and abs(summ["multiprocessing"]["factor"] - 4) < 1e-9
assert summ["race"]["text"] == "GIL (safer)"
assert r["noise"] == [] and r["failures"] == {"builds": [], "trials": []} and r["partial"] is False
PY
}

@test "report: pyperf files follow pyperf's JSON format and pair up" {
	full_run "$T/run" --warmup single-thread:gil=0.2,0.15
	"$GILBENCH" report "$T/run"
	$CHECK --pair "$T/run/pyperf/gil.json" "$T/run/pyperf/nogil.json"
	python3 - "$T/run/pyperf/gil.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
b = {x["metadata"]["name"]: x for x in d["benchmarks"]}
assert "thread-scaling[threads=2]" in b and "single-thread" in b, sorted(b)
runs = b["single-thread"]["runs"]
assert len(runs) == 4 and [r["values"] for r in runs][0] == [0.1], runs
assert runs[0]["warmups"] == [[1, 0.2], [1, 0.15]], runs[0]
assert b["single-thread"]["metadata"]["unit"] == "second"
PY
	# the checker itself fails on a broken file
	echo '{"version": "1.0", "benchmarks": [{"runs": [{"values": [0]}]}]}' >"$T/bad.json"
	run $CHECK "$T/bad.json"
	[ "$status" -eq 1 ]
}

@test "report: the HTML is self-contained with the SVG plots inlined and text escaped" {
	python3 -c "
import sys
t = open(sys.argv[1]).read().replace('name: quick\n', 'name: quick\ndescription: \"a <b>bold</b> & \'quoted\' run\"\n', 1)
open(sys.argv[2], 'w').write(t)" "$ROOT/configs/quick.yaml" "$T/quick.yaml"
	grep -q '^description: "a <b>bold</b> & .quoted. run"$' "$T/quick.yaml"
	cp -r "$ROOT/configs/experiments" "$T/"
	full_run "$T/run" --config "$T/quick.yaml"
	"$GILBENCH" report "$T/run"
	html=$T/run/report.html
	# four timed experiments' bars, the race's lost updates and thread scaling
	[ "$(grep -c '<svg' "$html")" -eq 6 ]
	[ -f "$T/run/plots/scaling-thread-scaling.svg" ] && [ -f "$T/run/plots/bars-single-thread.svg" ]
	[ -f "$T/run/plots/lost-race.svg" ]
	# the answer first: the summary and the headline plots before the run's details
	python3 - "$T/run/report.md" <<'PY'
import sys
t = open(sys.argv[1]).read()
assert t.index("## Summary") < t.index("plots/lost-race.svg") < t.index("plots/scaling-thread-scaling.svg") < t.index("## The run"), t[:2000]
PY
	grep -qF 'a &lt;b&gt;bold&lt;/b&gt; &amp; &#39;quoted&#39; run' "$html"
	! grep -qF '<b>bold' "$html"
	grep -qF '<style>' "$html"
	! grep -q '<link\|<script\|src="http' "$html"
	grep -qF 'plots/scaling-thread-scaling.svg' "$T/run/report.md"
	python3 -c "
import sys, xml.dom.minidom
xml.dom.minidom.parse(sys.argv[1])" "$T/run/plots/scaling-thread-scaling.svg"
}

@test "report: without gnuplot it warns and writes the report without plots" {
	full_run "$T/run"
	mkdir "$T/bin"
	PATH=$T/bin run "$GILBENCH" report "$T/run"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: gnuplot could not run"* ]]
	! grep -q '<svg' "$T/run/report.html"
	! grep -q 'plots/' "$T/run/report.md"
	grep -qF 'GIL (safer)' "$T/run/report.html"
	run "$GILBENCH" report --no-plots "$T/run"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"gnuplot"* ]]
}

@test "report: a broken results line is a clear error" {
	full_run "$T/run" --broken-line
	run "$GILBENCH" report "$T/run"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"results.jsonl"* ]]
	[ ! -e "$T/run/report.md" ]
}

@test "report: a FIFO as results.jsonl, metadata.json or build.json is a clear error, not a hang (issue 9)" {
	full_run "$T/good"
	for f in results.jsonl metadata.json builds/gil/build.json; do
		rm -rf "$T/run" && cp -r "$T/good" "$T/run"
		rm "$T/run/$f" && mkfifo "$T/run/$f"
		run timeout -s KILL 10 "$GILBENCH" report "$T/run" --no-plots
		echo "$f: $status: $output"
		[ "$status" -eq 1 ]
		[[ "$output" == *"$T/run/$f"*"not a regular file (a FIFO)"* ]]
		[ ! -e "$T/run/report.md" ]
	done
}

@test "report and compare: metrics of 1e80, 1e-155, zero, all equal or one trial are reported, never abort (issue 9)" {
	cells=(--set single-thread:gil=1e80,2e80,3e80 --set single-thread:nogil=1e-155,2e-155,3e-155
	       --set io-threads:gil=0,0,0 --set io-threads:nogil=0.1,0.1,0.1
	       --set multiprocessing:gil=0.5 --set multiprocessing:nogil=1e80
	       --set contended-lock:gil=1e-155,1.5e-155,1e-155 --set contended-lock:nogil=1e-155,1.5e-155,1e-155)
	$MKRUN "$T/run" --fill 3 "${cells[@]}"
	run "$GILBENCH" report "$T/run" --no-plots
	echo "$output"
	[ "$status" -eq 0 ]
	python3 - "$T/run/results.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cell = {(c["experiment"], c["variant"]): c for c in d["cells"] if not c["point"]}
cmp = {c["experiment"]: c for c in d["comparisons"] if not c["point"]}
st = cell[("single-thread", "gil")]
assert abs(st["mean"] / 2e80 - 1) < 1e-12 and abs(st["sd"] / 1e80 - 1) < 1e-12, st
tiny = cell[("single-thread", "nogil")]
assert abs(tiny["mean"] / 2e-155 - 1) < 1e-12 and abs(tiny["sd"] / 1e-155 - 1) < 1e-12, tiny
assert abs(cmp["single-thread"]["p"] - 0.0742) < 1e-3, cmp["single-thread"]  # t = 2 / sqrt(1/3), df = 2
one = cell[("multiprocessing", "gil")]
assert one["n"] == 1 and one["sd"] is None and one["ci_lo"] is None, one
assert cmp["multiprocessing"]["p"] is None, cmp["multiprocessing"]
zero = cell[("io-threads", "gil")]
assert zero["mean"] == 0 and zero["cv"] is None, zero
assert cmp["io-threads"]["ratio"] is None and cmp["io-threads"]["ratio_lo"] is None, cmp["io-threads"]
same = cmp["contended-lock"]
assert abs(same["ratio"] - 1) < 1e-12 and same["p"] == 1 and not same["significant"], same
PY
	grep -q "| single-thread | " "$T/run/report.md"
	# compare: two such runs, directories and an archive
	$MKRUN "$T/run2" --fill 3 --seed 2 "${cells[@]}"
	run "$GILBENCH" compare "$T/run" "$T/run2" --out "$T/cmp"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Summary:"* ]]
}

@test "report: a missing config or run directory is a clear error" {
	full_run "$T/run"
	rm "$T/run/config.yaml"
	run "$GILBENCH" report "$T/run"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/run: no config.yaml"* ]]
	run "$GILBENCH" report "$T/nowhere"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not a run directory"* ]]
}

@test "report: reference figures sit beside ours (lab.yaml)" {
	$MKRUN "$T/run" --config "$ROOT/configs/lab.yaml" --fill 3 \
		--values race:gil=1600000,1600000,1600000 --values race:nogil=400000,461312,500000
	"$GILBENCH" report "$T/run"
	md=$T/run/report.md
	grep -qF '## Reference' "$md"
	grep -qF 'Reference figures: The original write-up: CPython 3.15.0a8+, 8 logical cores, WSL2.' "$md"
	grep -qF '| Contended lock | — | no-GIL | 1.2500 s |' "$md"
	grep -qF '| Thread scaling | threads=8 | no-GIL | 0.3373 s |' "$md"
	grep -qF '| Unsynchronised counter (race) | — | no-GIL | 71.0% | 71.6% | — |' "$md"
	grep -qF '| Thread scaling (8 threads) |' "$md"
	python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
x = [x for x in r['reference'] if x['experiment'] == 'contended-lock' and x['variant'] == 'nogil'][0]
assert x['reference'] == 1.25 and x['unit'] == 'seconds', x" "$T/run/results.json"
}

@test "report: one variant and a two-dimension scaling matrix" {
	cp -r "$ROOT/configs/experiments" "$T/"
	cat >"$T/grid.yaml" <<'YAML'
version: 1
name: grid
source:
  tarball:
    sha256: 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
    from: [file:///nonexistent.tar.xz]
builds:
  - {name: only, configure: []}
experiments:
  - name: grid
    script: experiments/thread_scaling.py
    matrix: {threads: [1, 4], size: [10, 20]}
    trials: 2
YAML
	# size=20: T(1) 0.2, T(4) 0.4 -> speedup 4 x 0.2 / 0.4 = 2, within its own series
	$MKRUN "$T/run" --config "$T/grid.yaml" \
		--set grid:only:threads=1,size=10=0.1,0.1 --set grid:only:threads=1,size=20=0.2,0.2 \
		--set grid:only:threads=4,size=10=0.1,0.1 --set grid:only:threads=4,size=20=0.4,0.4
	run "$GILBENCH" report "$T/run"
	echo "$output"
	[ "$status" -eq 0 ]
	md=$T/run/report.md
	grep -qF '| Point | only speedup | only efficiency |' "$md"
	grep -qF '| threads=4,size=20 | 2.00× (2.00–2.00) | 50.0% (50.0–50.0%) |' "$md"
	grep -qF '| threads=4,size=10 | 4.00× (4.00–4.00) | 100.0% (100.0–100.0%) |' "$md"
	grep -qF 'Only one variant: nothing to compare.' "$md"
	grep -qF '| grid (threads=4,size=20) | 0.4000 s | — |' "$md"
}
