#!/usr/bin/env bats
# tests/cli/fetch.bats: `gilbench fetch` downloading tarballs into the cache.
#
# A local tests/lib/httpd.py serves $T/www with misbehaving modes (/404/, /slow/, /drop/,
# /norange/, /flaky/); the tarball is a small one from tests/lib/mktar.py, so every test
# but the Debian one runs offline in seconds. Each test has its own cache ($T/cache).

load helpers

setup() {
	common_setup
	mkdir -p "$T/experiments" && echo 'print("{\"seconds\": 0}")' >"$T/experiments/e.py"
	mkdir -p "$T/www" "$T/work"
	python3 "$ROOT/tests/lib/mktar.py" good "$T/www/good.tar.gz"
	SHA=$(sha256sum "$T/www/good.tar.gz" | cut -d' ' -f1)
	HTTPD_PID=
}

teardown() {
	if [ -n "$HTTPD_PID" ]; then kill "$HTTPD_PID" 2>/dev/null || true; wait "$HTTPD_PID" 2>/dev/null || true; fi
}

httpd() { # start the server on $T/www; sets $URL (http://127.0.0.1:PORT)
	python3 "$ROOT/tests/lib/httpd.py" "$T/www" >"$T/port" 2>"$T/httpd.log" &
	HTTPD_PID=$!
	for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
	URL=http://127.0.0.1:$(head -1 "$T/port")
}

mkconfig() { # mkconfig SHA PLACE...: writes $T/cfg.yaml
	local sha=$1 p
	shift
	{
		printf 'version: 1\nname: t\nsource:\n  tarball:\n    sha256: %s\n    from:\n' "$sha"
		for p in "$@"; do printf '      - %s\n' "$p"; done
		printf 'builds:\n  - name: gil\n    configure: []\n'
		printf 'experiments:\n  - name: e\n    script: experiments/e.py\n    trials: 1\n'
		printf '    metric: {name: seconds, better: lower}\n'
	} >"$T/cfg.yaml"
}

fetch() { # run gilbench fetch on $T/cfg.yaml; what it said and what the server saw, for failures
	run "$GILBENCH" fetch "$T/cfg.yaml" --work "$T/work"
	echo "$output"
	[ ! -f "$T/httpd.log" ] || cat "$T/httpd.log"
}

@test "fetch: --help prints the usage" {
	run "$GILBENCH" fetch --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: gilbench fetch CONFIG [--work DIR] [--ref REF]"* ]]
}

@test "fetch: file:// place, tree extracted with the top folder stripped" {
	mkconfig "$SHA" "file://$T/www/good.tar.gz"
	fetch
	[ "$status" -eq 0 ]
	[[ "$output" == *"id: $SHA"* ]]
	[[ "$output" == *"origin: file://$T/www/good.tar.gz"* ]]
	tree=$(echo "$output" | sed -n 's/^tree: //p')
	[ "$(cat "$tree/README")" = hello ]
	[ -f "$GILBENCH_CACHE/downloads/$SHA" ]
	[ "$(sha256sum <"$GILBENCH_CACHE/downloads/$SHA" | cut -d' ' -f1)" = "$SHA" ]
}

@test "fetch: wrong sha256 names the place and leaves nothing in the cache" {
	bad=0000000000000000000000000000000000000000000000000000000000000000
	mkconfig "$bad" "file://$T/www/good.tar.gz"
	fetch
	[ "$status" -eq 1 ]
	[[ "$output" == *"file://$T/www/good.tar.gz: sha256 mismatch (got $SHA)"* ]]
	[ -z "$(ls -A "$GILBENCH_CACHE/downloads")" ]
	[ -z "$(find "$T/work" -mindepth 2 -type d)" ]
}

@test "fetch: a 404 first, then the next place" {
	httpd
	mkconfig "$SHA" "$URL/404/good.tar.gz" "$URL/ok/good.tar.gz"
	fetch
	[ "$status" -eq 0 ]
	[[ "$output" == *"origin: $URL/ok/good.tar.gz"* ]]
	[ "$(grep -c 'GET /404/' "$T/httpd.log")" -eq 1 ] # a 404 is not retried
}

@test "fetch: every place failing gives one error listing each and why" {
	httpd
	mkconfig "$SHA" "$URL/404/good.tar.gz" "file://$T/nowhere.tar.gz"
	fetch
	[ "$status" -eq 1 ]
	line=$(echo "$output" | grep '^gilbench: ')
	[ "$(echo "$line" | wc -l)" -eq 1 ]
	[[ "$line" == *"$URL/404/good.tar.gz: "*"404"* ]]
	[[ "$line" == *"file://$T/nowhere.tar.gz: "* ]]
	[ -z "$(ls -A "$GILBENCH_CACHE/downloads")" ]
}

@test "fetch: a connection dropped half-way is resumed and verified" {
	python3 "$ROOT/tests/lib/mktar.py" large "$T/www/large.tar.gz"
	SHA=$(sha256sum "$T/www/large.tar.gz" | cut -d' ' -f1)
	httpd
	mkconfig "$SHA" "$URL/drop/large.tar.gz"
	fetch
	[ "$status" -eq 0 ]
	[ "$(grep -c 'GET /drop/large.tar.gz' "$T/httpd.log")" -eq 2 ]
	grep -q 'GET /drop/large.tar.gz range=bytes=[1-9][0-9]*- status=206' "$T/httpd.log"
	[[ "$output" == *"retrying in 1 s (attempt 2 of 4)"* ]]
	[ "$(sha256sum <"$GILBENCH_CACHE/downloads/$SHA" | cut -d' ' -f1)" = "$SHA" ]
	tree=$(echo "$output" | sed -n 's/^tree: //p')
	[ -f "$tree/f19.txt" ]
}

@test "fetch: a server ignoring the range on resume gives a restarted, verified download" {
	python3 "$ROOT/tests/lib/mktar.py" large "$T/www/large.tar.gz"
	SHA=$(sha256sum "$T/www/large.tar.gz" | cut -d' ' -f1)
	httpd
	mkconfig "$SHA" "$URL/norange/large.tar.gz"
	fetch
	[ "$status" -eq 0 ]
	grep -q 'GET /norange/large.tar.gz range=bytes=[1-9][0-9]*- status=200' "$T/httpd.log"
	[[ "$output" == *"the server ignores ranges; starting over"* ]]
	[ "$(sha256sum <"$GILBENCH_CACHE/downloads/$SHA" | cut -d' ' -f1)" = "$SHA" ]
}

@test "fetch: too slow is a low-speed timeout, then the next place" {
	head -c 65536 /dev/urandom >"$T/www/slow.bin"
	httpd
	mkconfig "$SHA" "$URL/slow/slow.bin" "$URL/ok/good.tar.gz"
	GILBENCH_LOW_SPEED_TIME=1 fetch
	[ "$status" -eq 0 ]
	[[ "$output" == *"$URL/slow/slow.bin: Operation too slow"* ]]
	[[ "$output" == *"origin: $URL/ok/good.tar.gz"* ]]
	[ "$(grep -c 'GET /slow/' "$T/httpd.log")" -eq 4 ] # timeouts are retried, 4 attempts in all
}

@test "fetch: a 503 is retried" {
	httpd
	mkconfig "$SHA" "$URL/flaky/good.tar.gz"
	fetch
	[ "$status" -eq 0 ]
	grep -q 'GET /flaky/good.tar.gz range=- status=503' "$T/httpd.log"
	grep -q 'GET /flaky/good.tar.gz range=- status=200' "$T/httpd.log"
	[[ "$output" == *"503"*"retrying in 1 s (attempt 2 of 4)"* ]]
}

@test "fetch: the second fetch uses the cache, with no server running" {
	httpd
	mkconfig "$SHA" "$URL/ok/good.tar.gz"
	fetch
	[ "$status" -eq 0 ]
	kill "$HTTPD_PID"; wait "$HTTPD_PID" 2>/dev/null || true; HTTPD_PID=
	rm -rf "$T/work"
	fetch
	[ "$status" -eq 0 ]
	[[ "$output" == *"origin: $URL/ok/good.tar.gz"* ]]
	[ "$(grep -c GET "$T/httpd.log")" -eq 1 ]
}

@test "fetch: two at once with an empty cache both succeed, one waits, one download" {
	python3 "$ROOT/tests/lib/mktar.py" large "$T/www/large.tar.gz"
	SHA=$(sha256sum "$T/www/large.tar.gz" | cut -d' ' -f1)
	httpd
	mkconfig "$SHA" "$URL/pace/large.tar.gz" # about a second at 160 KiB/s
	"$GILBENCH" fetch "$T/cfg.yaml" --work "$T/w1" >"$T/o1" 2>"$T/e1" &
	p1=$!
	for _ in $(seq 200); do grep -q 'GET /pace/' "$T/httpd.log" && break; sleep 0.02; done
	"$GILBENCH" fetch "$T/cfg.yaml" --work "$T/w2" >"$T/o2" 2>"$T/e2" &
	p2=$!
	wait "$p1"
	wait "$p2"
	grep -q "waiting for the download of ${SHA:0:12} (held by pid $p1)" "$T/e2"
	[ "$(grep -c 'GET /pace/' "$T/httpd.log")" -eq 1 ]
	[ "$(ls "$GILBENCH_CACHE/downloads")" = "$(printf '%s\n%s.origin' "$SHA" "$SHA")" ]
	[ "$(sha256sum <"$GILBENCH_CACHE/downloads/$SHA" | cut -d' ' -f1)" = "$SHA" ]
	[ -f "$(sed -n 's/^tree: //p' "$T/o1")/f19.txt" ]
	[ -f "$(sed -n 's/^tree: //p' "$T/o2")/f19.txt" ]
}

@test "fetch: a file:// place or a cached download that is a FIFO: a clear error, not a hang (issue 9)" {
	mkfifo "$T/www/pipe.tar.gz"
	mkconfig "$SHA" "file://$T/www/pipe.tar.gz"
	run timeout -s KILL 10 "$GILBENCH" fetch "$T/cfg.yaml" --work "$T/work"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"file://$T/www/pipe.tar.gz: $T/www/pipe.tar.gz: not a regular file (a FIFO)"* ]]
	mkdir -p "$GILBENCH_CACHE/downloads" && mkfifo "$GILBENCH_CACHE/downloads/$SHA"
	mkconfig "$SHA" "file://$T/www/good.tar.gz"
	run timeout -s KILL 10 "$GILBENCH" fetch "$T/cfg.yaml" --work "$T/work"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$GILBENCH_CACHE/downloads/$SHA: not a regular file (a FIFO)"* ]]
	[ -p "$GILBENCH_CACHE/downloads/$SHA" ]
}

@test "fetch: SIGTERM while waiting for another gilbench's lock exits 130 within a second (issue 9)" {
	mkconfig "$SHA" "file://$T/www/good.tar.gz"
	mkdir -p "$GILBENCH_CACHE/locks"
	flock "$GILBENCH_CACHE/locks/download-$SHA.lock" sleep 30 &
	holder=$!
	for _ in $(seq 100); do flock -n "$GILBENCH_CACHE/locks/download-$SHA.lock" true || break; sleep 0.05; done
	"$GILBENCH" fetch "$T/cfg.yaml" --work "$T/work" >"$T/out" 2>&1 &
	pid=$!
	for _ in $(seq 200); do grep -q "waiting for the download" "$T/out" && break; sleep 0.05; done
	grep -q "waiting for the download" "$T/out"
	start=$(date +%s%N)
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	elapsed=$((($(date +%s%N) - start) / 1000000))
	kill "$holder" 2>/dev/null || true
	cat "$T/out"
	echo "exit $status after $elapsed ms"
	[ "$status" -eq 130 ]
	[ "$elapsed" -lt 1000 ]
	grep -q "interrupted while waiting for the download" "$T/out"
	[ -z "$(find "$T/work" -name '*.tmp*')" ]
}

@test "fetch: a bad GILBENCH_MAX_*, GILBENCH_CONNECT_TIMEOUT or GILBENCH_LOW_SPEED_TIME is an error naming it (issue 9)" {
	mkconfig "$SHA" "file://$T/www/good.tar.gz"
	for v in GILBENCH_MAX_BYTES=abc GILBENCH_MAX_ENTRIES=-5 GILBENCH_CONNECT_TIMEOUT=abc GILBENCH_LOW_SPEED_TIME=1.5 \
	         GILBENCH_MAX_BYTES=0 GILBENCH_MAX_ENTRIES=99999999999999999999999; do
		rm -rf "$GILBENCH_CACHE" "$T/work"
		run env "$v" "$GILBENCH" fetch "$T/cfg.yaml" --work "$T/work"
		echo "$v: $status: $output"
		[ "$status" -eq 1 ]
		[[ "$output" == *"$v: expected a whole number above 0"* ]]
	done
	# verify reads the limits too
	run env GILBENCH_MAX_ENTRIES=lots "$GILBENCH" verify "$T/www/good.tar.gz"
	[ "$status" -eq 1 ]
	[[ "$output" == *"GILBENCH_MAX_ENTRIES=lots: expected a whole number above 0"* ]]
	# good values still work
	run env GILBENCH_MAX_ENTRIES=100 GILBENCH_CONNECT_TIMEOUT=5 "$GILBENCH" fetch "$T/cfg.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
}

@test "fetch: a relative XDG_CACHE_HOME is ignored (~/.cache), relative GILBENCH_CACHE and GILBENCH_WORK are made absolute (issue 9)" {
	mkconfig "$SHA" "file://$T/www/good.tar.gz"
	mkdir -p "$T/cwd" "$T/home"
	cd "$T/cwd"
	run env -u GILBENCH_CACHE -u GILBENCH_WORK HOME="$T/home" XDG_CACHE_HOME=rel "$GILBENCH" fetch "$T/cfg.yaml" --work "$T/work"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"XDG_CACHE_HOME=rel is not an absolute path: ignored"* ]]
	[ -f "$T/home/.cache/gilbench/downloads/$SHA" ]
	[ ! -e "$T/cwd/rel" ]
	run env -u GILBENCH_WORK GILBENCH_CACHE=relcache XDG_CACHE_HOME=rel GILBENCH_WORK=relwork "$GILBENCH" fetch "$T/cfg.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"XDG_CACHE_HOME"* ]]
	[ -f "$T/cwd/relcache/downloads/$SHA" ]
	[[ "$output" == *"tree: $T/cwd/relwork/src/"* ]]
}

@test "fetch: debian-source: gets the real CPython 3.13.5 tarball from Debian's archive" {
	getent hosts deb.debian.org >/dev/null || skip "no access to deb.debian.org"
	sha=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
	mkconfig "$sha" "debian-source:python3.13=3.13.5-2+deb13u5"
	shared=${XDG_CACHE_HOME:-$HOME/.cache}/gilbench
	if [ -f "$shared/apt/updated" ]; then # reuse fresh lists: the download is what is tested
		mkdir -p "$GILBENCH_CACHE/apt"
		cp -a "$shared/apt/sources.list" "$shared/apt/updated" "$shared/apt/lists" "$GILBENCH_CACHE/apt/"
	fi
	run "$GILBENCH" fetch "$T/cfg.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	[[ "$output" == *"origin: debian-source:python3.13=3.13.5-2+deb13u5"* ]]
	[ "$(sha256sum <"$GILBENCH_CACHE/downloads/$sha" | cut -d' ' -f1)" = "$sha" ]
	tree=$(echo "$output" | sed -n 's/^tree: //p')
	[ -x "$tree/configure" ]
	grep -q '^PY_MINOR_VERSION.*13' "$tree/Include/patchlevel.h" || grep -q 'PY_MINOR_VERSION[[:space:]]*13' "$tree/Include/patchlevel.h"
	# leave it in the shared download cache for the suites that need real sources
	if [ ! -f "$shared/downloads/$sha" ]; then
		mkdir -p "$shared/downloads"
		cp "$GILBENCH_CACHE/downloads/$sha" "$shared/downloads/$sha.tmp-$$"
		mv "$shared/downloads/$sha.tmp-$$" "$shared/downloads/$sha"
		cp "$GILBENCH_CACHE/downloads/$sha.origin" "$shared/downloads/$sha.origin"
	fi
}

@test "fetch: a git source at the config's ref, and at --ref" {
	eval "$(sh "$ROOT/tests/lib/mkrepo.sh" "$T/repo" | grep -E '^(C1|C3)=')"
	mkconfig "$SHA" "file://$T/www/good.tar.gz"
	sed -i '/^source:/,/^builds:/{/^builds:/!d}' "$T/cfg.yaml"
	sed -i "s|^builds:|source:\n  git: {url: $T/repo, ref: main}\nbuilds:|" "$T/cfg.yaml"
	fetch
	[ "$status" -eq 0 ]
	[[ "$output" == *"kind: git"* ]]
	[[ "$output" == *"id: $C3"* ]]
	[[ "$output" == *"ref: main"* ]]
	tree=$(echo "$output" | sed -n 's/^tree: //p')
	[ "$(cat "$tree/README")" = three ]
	run "$GILBENCH" fetch "$T/cfg.yaml" --work "$T/work" --ref v1
	[ "$status" -eq 0 ]
	[[ "$output" == *"id: $C1"* ]]
	[ "$(cat "$(echo "$output" | sed -n 's/^tree: //p')/README")" = one ]
}

@test "fetch: --ref on a tarball source is a usage error" {
	mkconfig "$SHA" "file://$T/www/good.tar.gz"
	run "$GILBENCH" fetch "$T/cfg.yaml" --ref main
	[ "$status" -eq 2 ]
	[[ "$output" == *"--ref"* ]]
}

@test "fetch: a finished tree is reused; leftovers of a dead run are swept" {
	mkconfig "$SHA" "file://$T/www/good.tar.gz"
	fetch
	[ "$status" -eq 0 ]
	tree=$(echo "$output" | sed -n 's/^tree: //p')
	echo changed >"$tree/README" # reuse means the same folder, untouched
	fetch
	[ "$status" -eq 0 ]
	[[ "$output" == *"reusing $tree"* ]]
	[[ "$output" == *"origin: file://$T/www/good.tar.gz"* ]]
	[ "$(cat "$tree/README")" = changed ]
	rm -rf "$tree"
	mkdir -p "$tree.tmp-999999/half" "$tree.tmp-999999.tmp-1"
	fetch
	[ "$status" -eq 0 ]
	[ "$(cat "$tree/README")" = hello ]
	[ ! -e "$tree.tmp-999999" ] && [ ! -e "$tree.tmp-999999.tmp-1" ]
}
