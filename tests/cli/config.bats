#!/usr/bin/env bats
# tests/cli/config.bats: `gilbench plan` on good and bad configs: the table, --json, exit
# codes, and the one error line (FILE:LINE:COL: KEY: problem) a bad config gets.
load helpers

setup() {
	common_setup
	mkdir -p "$T/cfg/experiments"
	echo 'print("{\"seconds\": 1}")' >"$T/cfg/experiments/x.py"
	cat >"$T/cfg/base.yaml" <<-'YAML'
	version: 1
	name: n
	source:
	  git: {url: https://example.org/cpython.git}
	builds:
	  - name: gil
	  - name: nogil
	    configure: [--disable-gil]
	experiments:
	  - name: x
	    script: experiments/x.py
	YAML
}

# bad_config LINES...: base.yaml plus LINES as bad.yaml; runs plan on it
bad_config() {
	cp "$T/cfg/base.yaml" "$T/cfg/bad.yaml"
	printf '%s\n' "$@" >>"$T/cfg/bad.yaml"
	run "$GILBENCH" plan "$T/cfg/bad.yaml"
}

@test "plan on lab.yaml: 18 cells, thread scaling in order, ids of 16 hex digits" {
	run "$GILBENCH" plan "$ROOT/configs/lab.yaml"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "id"*"experiment"*"point"*"variant"*"trials" ]]
	[ "${#lines[@]}" -eq 20 ]
	[[ "${lines[19]}" == "18 cells: 6 experiments, 9 points, 2 variants" ]]
	[[ "${lines[9]}" =~ ^[0-9a-f]{16}\ +thread-scaling\ +threads=1\ +gil\ +5$ ]]
	[[ "${lines[16]}" =~ ^[0-9a-f]{16}\ +thread-scaling\ +threads=8\ +nogil\ +5$ ]]
	[[ "${lines[5]}" =~ ^[0-9a-f]{16}\ +race\ +-\ +gil\ +3$ ]]
}

@test "plan ids are the same on a second run" {
	run "$GILBENCH" plan "$ROOT/configs/quick.yaml"
	[ "$status" -eq 0 ]
	first=$output
	run "$GILBENCH" plan "$ROOT/configs/quick.yaml"
	[ "$output" = "$first" ]
}

@test "plan --json: the cells with their argv" {
	run "$GILBENCH" plan --json "$ROOT/configs/lab.yaml"
	[ "$status" -eq 0 ]
	echo "$output" >"$T/plan.json"
	run python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))
c = p["cells"]
assert p["config"] == "free-threading-lab", p["config"]
assert len(c) == 18, len(c)
assert c[13]["experiment"] == "thread-scaling" and c[13]["variant"] == "nogil", c[13]
assert c[13]["argv"] == ["--iterations", "10000000", "--threads", "4"], c[13]["argv"]
assert len({x["id"] for x in c}) == 18
print("ok")' "$T/plan.json"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
}

@test "plan --help, and usage errors exit 2" {
	run "$GILBENCH" plan --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: gilbench plan CONFIG [--json]" ]
	run "$GILBENCH" plan
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing CONFIG"* ]]
	run "$GILBENCH" plan a.yaml b.yaml
	[ "$status" -eq 2 ]
	run "$GILBENCH" plan --frobnicate "$ROOT/configs/lab.yaml"
	[ "$status" -eq 2 ]
}

@test "a missing config file: exit 1, one line naming it" {
	run "$GILBENCH" plan "$T/nope.yaml"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "gilbench: $T/nope.yaml: No such file or directory" ]]
}

@test "unknown key: exit 1, FILE:LINE:COL: KEY and the allowed keys" {
	bad_config "    trails: 3"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "gilbench: $T/cfg/bad.yaml:12:5: experiments[0].trails: unknown key (allowed: name, title, script,"* ]]
}

@test "wrong type: the expected range and what was written" {
	bad_config "    trials: three"
	[ "$status" -eq 1 ]
	[ "$output" = "gilbench: $T/cfg/bad.yaml:12:13: experiments[0].trials: expected an integer from 1 to 100000, got \"three\"" ]
}

@test "alias, duplicate key, second document" {
	bad_config "description: &d hello"
	[ "$status" -eq 1 ]
	[[ "$output" == "gilbench: $T/cfg/bad.yaml:12:14: description: anchors and aliases are not allowed"* ]]
	bad_config "name: again"
	[ "$status" -eq 1 ]
	[ "$output" = "gilbench: $T/cfg/bad.yaml:12:1: name: duplicate key (first at line 2)" ]
	bad_config "---" "version: 1"
	[ "$status" -eq 1 ]
	[[ "$output" == "gilbench: $T/cfg/bad.yaml:12:1: a second document"* ]]
}

@test "PYTHON_GIL=0 on a build with the GIL, and an unknown build" {
	bad_config "variants:" "  - {name: v, build: gil, env: {PYTHON_GIL: \"0\"}}"
	[ "$status" -eq 1 ]
	[[ "$output" == "gilbench: $T/cfg/bad.yaml:13:33: variants[0].env.PYTHON_GIL: PYTHON_GIL=0 needs a build configured with --disable-gil"* ]]
	bad_config "variants:" "  - {name: v, build: zz}"
	[ "$status" -eq 1 ]
	[ "$output" = "gilbench: $T/cfg/bad.yaml:13:22: variants[0].build: unknown build \"zz\" (builds: gil, nogil)" ]
}

@test "missing script and tab indentation" {
	sed 's#experiments/x.py#experiments/y.py#' "$T/cfg/base.yaml" >"$T/cfg/bad.yaml"
	run "$GILBENCH" plan "$T/cfg/bad.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == "gilbench: $T/cfg/bad.yaml:11:13: experiments[0].script: script \"experiments/y.py\" not found"* ]]
	bad_config "run:" "	warmup: 1"
	[ "$status" -eq 1 ]
	[[ "$output" == "gilbench: $T/cfg/bad.yaml:13:1: run: found character that cannot start any token"* ]]
}

@test "the lab config with a reference of the wrong length" {
	sed 's/gil: \[0.1714, 0.3152, 0.6471, 1.3706\]/gil: [0.1714]/' "$ROOT/configs/lab.yaml" >"$T/cfg/lab.yaml"
	cp -r "$ROOT/configs/experiments" "$T/cfg/"
	run "$GILBENCH" plan "$T/cfg/lab.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^gilbench:\ $T/cfg/lab.yaml:[0-9]+:12:\ experiments\[4\]\.reference\.gil:\ expected\ 4\ numbers ]]
}

@test "the full example in docs/config.md loads" {
	mkdir -p "$T/full/configs/experiments" "$T/full/patches"
	cp "$ROOT/configs/experiments/race.py" "$ROOT/configs/experiments/thread_scaling.py" "$T/full/configs/experiments/"
	: >"$T/full/patches/fix.patch"
	awk '/^## A full example/ { on = 1 } on && /^```yaml/ { inside = 1; next } inside && /^```/ { exit } inside' \
		"$ROOT/docs/config.md" >"$T/full/configs/full.yaml"
	run "$GILBENCH" plan "$T/full/configs/full.yaml"
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" == "15 cells: 2 experiments, 5 points, 3 variants" ]]
}

# place_config PLACE: base.yaml with a tarball source whose one place is PLACE (line 7,
# column 9); runs plan on it
place_config() {
	{
		printf 'version: 1\nname: n\nsource:\n  tarball:\n'
		printf '    sha256: 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640\n'
		printf '    from:\n      - "%s"\n' "$1"
		sed -n '/^builds:/,$p' "$T/cfg/base.yaml"
	} >"$T/cfg/p.yaml"
	run "$GILBENCH" plan "$T/cfg/p.yaml"
	echo "$output"
}

@test "places fetch refuses are refused at load: file://relative, spaces, shell characters (issue 9)" {
	place_config "file://relative/path.tar.xz"
	[ "$status" -eq 1 ]
	[ "$output" = "gilbench: $T/cfg/p.yaml:7:9: source.tarball.from[0]: file://relative/path.tar.xz: Bad file:// URL (a file:// place is an absolute path: file:///PATH)" ]
	place_config "https://example.org/Python 3.13.5.tar.xz"
	[ "$status" -eq 1 ]
	[[ "$output" == "gilbench: $T/cfg/p.yaml:7:9: source.tarball.from[0]: https://example.org/Python 3.13.5.tar.xz: "* ]]
	place_config 'debian-source:python3.13=3.13.5;rm -rf ~'
	[ "$status" -eq 1 ]
	[ "$output" = "gilbench: $T/cfg/p.yaml:7:9: source.tarball.from[0]: debian-source:python3.13=3.13.5;rm -rf ~: bad version (Debian's: A-Z, a-z, 0-9, then also + - . ~ :)" ]
	place_config 'debian-source:$(id)=1'
	[ "$status" -eq 1 ]
	[[ "$output" == *"source.tarball.from[0]: debian-source:\$(id)=1: bad package name"* ]]
	place_config 'ftp://example.org/x.tar.xz'
	[ "$status" -eq 1 ]
	[[ "$output" == *"ftp://example.org/x.tar.xz: unsupported kind of place"* ]]
	place_config "file:///srv/Python-3.13.5.tar.xz"
	[ "$status" -eq 0 ]
	place_config "debian-source:python3.13=3.13.5-2+deb13u5"
	[ "$status" -eq 0 ]
}

@test "names that would be '.', '..' or hidden files are refused: builds, variants, experiments, the config (issue 9)" {
	for n in . .. .hidden; do
		sed "s/^  - name: gil\$/  - name: \"$n\"/" "$T/cfg/base.yaml" >"$T/cfg/bad.yaml"
		run "$GILBENCH" plan "$T/cfg/bad.yaml"
		echo "$output"
		[ "$status" -eq 1 ]
		[ "$output" = "gilbench: $T/cfg/bad.yaml:6:11: builds[0].name: expected a name of letters, digits, '.', '_' and '-', not starting with '.', got \"$n\"" ]
	done
	bad_config "variants:" "  - {name: '..', build: gil}"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.yaml:13:12: variants[0].name: expected a name of"*"got \"..\""* ]]
	sed 's/^  - name: x$/  - name: ./' "$T/cfg/base.yaml" >"$T/cfg/bad.yaml"
	run "$GILBENCH" plan "$T/cfg/bad.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"experiments[0].name: expected a name of"*"got \".\""* ]]
	sed 's/^name: n$/name: ../' "$T/cfg/base.yaml" >"$T/cfg/bad.yaml"
	run "$GILBENCH" plan "$T/cfg/bad.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.yaml:2:7: name: expected a name of"*"got \"..\""* ]]
	# dots inside a name are fine
	sed 's/^  - name: gil$/  - name: gil.3.13/' "$T/cfg/base.yaml" >"$T/cfg/ok.yaml"
	run "$GILBENCH" plan "$T/cfg/ok.yaml"
	[ "$status" -eq 0 ]
}

@test "a patch or a script that is a FIFO is 'not a regular file', not 'not found' (issue 9)" {
	mkdir "$T/cfg/patches" && mkfifo "$T/cfg/patches/p.patch"
	bad_config "patches: [p.patch]"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "gilbench: $T/cfg/bad.yaml:12:11: patches[0]: patch \"p.patch\" is not a regular file (a FIFO): $T/cfg/patches/p.patch" ]
	rm "$T/cfg/experiments/x.py" && mkfifo "$T/cfg/experiments/x.py"
	run timeout -s KILL 10 "$GILBENCH" plan "$T/cfg/base.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"experiments[0].script: script \"experiments/x.py\" is not a regular file (a FIFO)"* ]]
}

@test "run.cpus is checked at load by the parser that pins: ascending, no duplicates, not empty (issue 9)" {
	bad_config "run:" "  cpus: \"1,0\""
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "gilbench: $T/cfg/bad.yaml:13:9: run.cpus: CPU list \"1,0\": CPU 0 comes after 1; the list must be ascending, without duplicates" ]
	bad_config "run:" "  cpus: \"0,0\""
	[ "$status" -eq 1 ]
	[[ "$output" == *"run.cpus: CPU list \"0,0\": CPU 0 comes after 0"* ]]
	bad_config "run:" "  cpus: \"\""
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.yaml:13:9: run.cpus: empty CPU list"* ]]
	bad_config "run:" "  cpus: \"0-2048\""
	[ "$status" -eq 1 ]
	[[ "$output" == *"run.cpus: CPU list \"0-2048\": CPU 2048 is not below 1024"* ]]
	bad_config "run:" "  cpus: \"0,2-3\""
	[ "$status" -eq 0 ]
}

@test "the plan is limited to 100,000 cells (points times variants), as docs/config.md says (issue 9)" {
	grep -q "at most 100,000 cells (points times variants, over all experiments)" "$ROOT/docs/config.md"
	bad_config "    matrix: {a: [$(seq -s, 1 300)], b: [$(seq -s, 1 200)]}"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "gilbench: $T/cfg/bad.yaml:10:5: experiments[0]: the plan would have more than 100000 cells (points times variants, over all experiments)" ]
	bad_config "    matrix: {a: [$(seq -s, 1 1000)], b: [$(seq -s, 1 101)]}"
	[ "$status" -eq 1 ]
	[[ "$output" == *"experiments[0].matrix: more than 100000 points: the plan is limited to 100000 cells"* ]]
}
