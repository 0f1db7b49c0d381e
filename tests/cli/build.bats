#!/usr/bin/env bats
# build.bats: `gilbench build` end to end on the fake CPython tree (tests/lib/fakecpython),
# packed by each test into a tarball that the config takes from file:// with its sha256.
# The fake's knobs (FAKECPY_*) go either in a build's env: (part of the build key) or in
# gilbench's environment (not part of it); FAKECPY_COUNT counts configure runs.

load helpers

setup() {
	common_setup
	export GILBENCH_WORK=$T/work
	export FAKECPY_COUNT=$T/configure-count
	mkdir -p "$T/pkg/fakecpython-3.13.5"
	cp -R "$ROOT/tests/lib/fakecpython/." "$T/pkg/fakecpython-3.13.5/"
	tar -czf "$T/fake.tar.gz" -C "$T/pkg" fakecpython-3.13.5
	SHA=$(sha256sum "$T/fake.tar.gz" | cut -d' ' -f1)
	echo 'print("{\"seconds\": 0.1}")' >"$T/noop.py"
	write_config "" ""
}

# write_config GIL_ENV NOGIL_ENV: $T/c.yaml with builds gil and nogil, each with that env: map
write_config() {
	local genv="" nenv=""
	if [ -n "$1" ]; then genv="    env: {$1}"; fi
	if [ -n "$2" ]; then nenv="    env: {$2}"; fi
	cat >"$T/c.yaml" <<EOF
version: 1
name: fake
source:
  tarball:
    sha256: $SHA
    from:
      - file://$T/fake.tar.gz
builds:
  - name: gil
    configure: []
$genv
  - name: nogil
    configure: [--disable-gil]
$nenv
experiments:
  - name: noop
    script: noop.py
    trials: 1
    metric: {name: seconds, better: lower}
EOF
}

configures() {
	if [ -f "$FAKECPY_COUNT" ]; then wc -l <"$FAKECPY_COUNT" | tr -d ' '; else echo 0; fi
}

@test "build: --help prints the usage" {
	run "$GILBENCH" build --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: gilbench build CONFIG [--out RUN_DIR] [--work DIR] [--ref REF] [--only NAME]"* ]]
	run "$GILBENCH" build
	[ "$status" -eq 2 ]
}

@test "build: builds both, verifies them, and a second run reuses them" {
	run "$GILBENCH" build "$T/c.yaml" --out "$T/run1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"gil "*"built in"*"/bin/python3.13  GIL enabled"* ]]
	[[ "$output" == *"nogil  built in"*"/bin/python3.13t  GIL disabled"* ]]
	[ "$(configures)" -eq 2 ]
	for b in gil nogil; do
		for f in build.json configure.log make.log install.log verify.log; do
			[ -f "$T/run1/builds/$b/$f" ]
		done
	done
	grep -q '"ok": true' "$T/run1/builds/nogil/build.json"
	grep -q '"gil_disabled": true' "$T/run1/builds/nogil/build.json"
	grep -q '"gil_enabled_at_runtime": false' "$T/run1/builds/nogil/build.json"
	grep -q '"gil_disabled": false' "$T/run1/builds/gil/build.json"
	cmp "$T/c.yaml" "$T/run1/config.yaml"
	cmp "$T/noop.py" "$T/run1/noop.py"
	ls "$GILBENCH_WORK"/prefix/*/.gilbench-build.json
	[ "$(ls -d "$GILBENCH_WORK"/prefix/*/ | wc -l)" -eq 2 ]

	start=$(date +%s%N)
	run "$GILBENCH" build "$T/c.yaml" --out "$T/run2"
	elapsed_ms=$((($(date +%s%N) - start) / 1000000))
	echo "$output"
	echo "second run: ${elapsed_ms} ms"
	[ "$status" -eq 0 ]
	[[ "$output" == *"gil    reused"*"GIL enabled"* ]]
	[[ "$output" == *"nogil  reused"*"GIL disabled"* ]]
	[ "$(configures)" -eq 2 ]
	[ ! -e "$T/run2/builds/gil/configure.log" ]
	[ ! -e "$T/run2/builds/nogil/make.log" ]
	grep -q '"reused": true' "$T/run2/builds/nogil/build.json"
	[ -f "$T/run2/builds/nogil/verify.log" ] # (how long a reuse takes is make bench's figure, not a test's)
}

@test "build: --only builds one; a changed configure flag is a new build" {
	run "$GILBENCH" build "$T/c.yaml" --out "$T/run" --only nogil
	[ "$status" -eq 0 ]
	[ "$(configures)" -eq 1 ]
	[ ! -e "$T/run/builds/gil" ]
	run "$GILBENCH" build "$T/c.yaml" --out "$T/run3" --only nope
	[ "$status" -eq 2 ]
	[[ "$output" == *"--only nope: the config has no build of that name (builds: gil, nogil)"* ]]
	sed -i 's/configure: \[--disable-gil\]/configure: [--disable-gil, --with-pydebug]/' "$T/c.yaml"
	run "$GILBENCH" build "$T/c.yaml" --out "$T/run2" --only nogil
	[ "$status" -eq 0 ]
	[ "$(configures)" -eq 2 ]
}

@test "build: a failing configure fails that build, shows the log's tail, and the other is still built" {
	write_config 'FAKECPY_CONFIGURE_FAIL: "1"' ""
	run "$GILBENCH" build "$T/c.yaml" --out "$T/run"
	echo "$output"
	[ "$status" -eq 4 ]
	[[ "$output" == *"gil    FAILED at configure"* ]]
	[[ "$output" == *"build gil failed at configure (logs in $T/run/builds/gil/): configure exited with 77"* ]]
	[[ "$output" == *"C compiler cannot create executables"* ]]
	[[ "$output" == *"nogil  built in"*"GIL disabled"* ]]
	grep -q '"failed_step": "configure"' "$T/run/builds/gil/build.json"
	grep -q '"ok": false' "$T/run/builds/gil/build.json"
	[ "$(ls -d "$GILBENCH_WORK"/prefix/*/ | wc -l)" -eq 1 ]
}

@test "build: configure keeps its cache per slot and configure script; a stale cache is dropped and configure run again" {
	run "$GILBENCH" build "$T/c.yaml" --out "$T/run1" --only gil
	[ "$status" -eq 0 ]
	grep -q "creating cache $GILBENCH_WORK/slot/.*/configure-.*\.cache" "$T/run1/builds/gil/configure.log"
	cache=$(ls "$GILBENCH_WORK"/slot/*/configure-*.cache)
	grep -q ac_cv_fake_checked "$cache"
	# the cache goes through a site file: the flags the interpreter records stay as given
	! grep -q -- "--cache-file" "$T/run1/builds/gil/build.json"
	# the next build in the slot (the same flags, another source or this one again) loads it
	rm -rf "$GILBENCH_WORK"/prefix/*
	run "$GILBENCH" build "$T/c.yaml" --out "$T/run2" --only gil
	[ "$status" -eq 0 ]
	grep -q "loading cache $cache" "$T/run2/builds/gil/configure.log"
	# a cache configure refuses: dropped, configure again without it, the build succeeds
	rm -rf "$GILBENCH_WORK"/prefix/*
	FAKECPY_CACHE_FAIL=1 run "$GILBENCH" build "$T/c.yaml" --out "$T/run3" --only gil
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"configure failed with its cache $cache: again without it"* ]]
	grep -q "creating cache $cache" "$T/run3/builds/gil/configure.log"
	[ "$(configures)" -eq 4 ]
	# off, or when the build's environment chooses its own site file
	rm -rf "$GILBENCH_WORK"/prefix/*
	GILBENCH_CONFIGURE_CACHE=0 run "$GILBENCH" build "$T/c.yaml" --out "$T/run4" --only gil
	[ "$status" -eq 0 ]
	! grep -q "cache" "$T/run4/builds/gil/configure.log"
}

@test "build: a failing PGO profile task names the test and the PROFILE_TASK fix" {
	write_config "" 'FAKECPY_MAKE_FAIL: "1"'
	run "$GILBENCH" build "$T/c.yaml" --out "$T/run"
	echo "$output"
	[ "$status" -eq 4 ]
	[[ "$output" == *"build nogil failed at make"* ]]
	[[ "$output" == *"test test_generators failed"* ]]
	[[ "$output" == *'make: {PROFILE_TASK: "-m test --pgo --timeout= --ignore test_generators"}'* ]]
	[[ "$output" == *"gil    built in"* ]]
	grep -q '"failed_step": "make"' "$T/run/builds/nogil/build.json"
}

@test "build: an install that fails half-way leaves no prefix, and the next run rebuilds" {
	FAKECPY_INSTALL_FAIL=1 run "$GILBENCH" build "$T/c.yaml" --out "$T/run" --only nogil
	echo "$output"
	[ "$status" -eq 4 ]
	[[ "$output" == *"failed at install"* ]]
	[[ "$output" == *"No space left on device"* ]]
	[ -z "$(ls -A "$GILBENCH_WORK/prefix" | grep -v '\.lock$')" ]
	run "$GILBENCH" build "$T/c.yaml" --out "$T/run2" --only nogil
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"nogil  built in"* ]]
	[ "$(configures)" -eq 2 ]
}

@test "build: an interpreter lying about its GIL state fails verify with exit 3" {
	write_config "" 'FAKECPY_LIE: "1"'
	run "$GILBENCH" build "$T/c.yaml" --out "$T/run"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"build nogil failed at verify"*"GIL state does not match the flags"* ]]
	[[ "$output" == *"Py_GIL_DISABLED=0"* ]]
	grep -q '"failed_step": "verify"' "$T/run/builds/nogil/build.json"
	run "$GILBENCH" build "$T/c.yaml" --out "$T/run2"
	[ "$status" -eq 3 ]
	[[ "$output" == *"nogil  FAILED at verify"* ]]
}

@test "build: two builds at once share the work: one waits for the other's lock" {
	export FAKECPY_SLEEP=1
	"$GILBENCH" build "$T/c.yaml" --out "$T/a" >"$T/a.out" 2>&1 &
	pa=$!
	# the second starts once the first is building, however slow the machine: it must wait
	for _ in $(seq 600); do grep -q "building" "$T/a.out" && break; sleep 0.05; done
	"$GILBENCH" build "$T/c.yaml" --out "$T/b" >"$T/b.out" 2>&1 &
	pb=$!
	ra=0 rb=0
	wait $pa || ra=$?
	wait $pb || rb=$?
	cat "$T/a.out" "$T/b.out"
	[ "$ra" -eq 0 ]
	[ "$rb" -eq 0 ]
	[ "$(configures)" -eq 2 ]
	grep -q "waiting for build" "$T/a.out" "$T/b.out"
	[ "$(cat "$T/a.out" "$T/b.out" | grep -c ' reused ')" -eq 2 ]
}
