#!/usr/bin/env bats
# tests/cli/extract.bats: safe extraction, through `gilbench fetch` on file:// tarballs.
#
# tests/lib/mktar.py makes each hostile archive (with the right sha256 in the config, so
# only extraction can refuse it). Every refusal must exit 1 with an error naming the
# member, write nothing into the canary folder outside the work area, and leave no
# partial tree in the work area. The real CPython 3.13.5 tarball must extract whole.

load helpers

setup() {
	common_setup
	mkdir -p "$T/experiments" && echo 'print("{\"seconds\": 0}")' >"$T/experiments/e.py"
	mkdir -p "$T/canary" "$T/work"
}

mkconfig() { # mkconfig TARBALL: $T/cfg.yaml with its sha256 and a file:// place
	local sha
	sha=$(sha256sum "$1" | cut -d' ' -f1)
	{
		printf 'version: 1\nname: t\nsource:\n  tarball:\n    sha256: %s\n    from: [file://%s]\n' "$sha" "$1"
		printf 'builds:\n  - name: gil\n    configure: []\n'
		printf 'experiments:\n  - name: e\n    script: experiments/e.py\n    trials: 1\n'
		printf '    metric: {name: seconds, better: lower}\n'
	} >"$T/cfg.yaml"
}

refused() { # refused KIND EXT MESSAGE: the archive is refused with MESSAGE, and nothing escapes
	python3 "$ROOT/tests/lib/mktar.py" "$1" "$T/evil.$2" "$T/canary"
	mkconfig "$T/evil.$2"
	run "$GILBENCH" fetch "$T/cfg.yaml" --work "$T/work"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"gilbench: "*"$3"* ]]
	[ -z "$(ls -A "$T/canary")" ]
	[ -z "$(find "$T/work/src" -mindepth 1 -maxdepth 1 ! -name '*.lock')" ]
	[ ! -e "$T/pwned" ] && [ ! -e "$BATS_TEST_TMPDIR/../pwned" ]
}

@test "extract: a harmless archive: files, folders, in-tree links; setuid dropped" {
	python3 "$ROOT/tests/lib/mktar.py" good "$T/good.tar.gz"
	mkconfig "$T/good.tar.gz"
	run "$GILBENCH" fetch "$T/cfg.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	tree=$(echo "$output" | sed -n 's/^tree: //p')
	[ "$(cat "$tree/link")" = inside ]
	[ "$(cat "$tree/hard")" = inside ]
	[ "$(stat -c %h "$tree/hard")" -eq 2 ]
	[ "$(stat -c %a "$tree/run.sh")" = 755 ]
}

@test "extract: absolute path" {
	refused abs tar.gz "$T/canary/pwned: absolute path"
}

@test "extract: a .. component" {
	refused dotdot tar.gz "top/../../pwned: path has a '..' component"
}

@test "extract: symlink pointing outside, then a file written through it" {
	refused symlink-out tar.gz "top/link: symlink to an absolute path ($T/canary)"
}

@test "extract: relative symlink climbing out of the tree" {
	refused symlink-up tar.xz "top/link: symlink points outside the tree (../../..)"
}

@test "extract: a file written through an in-tree symlink" {
	refused through tar.gz "top/a/x: path goes through the symlink a"
}

@test "extract: hard link to a path outside" {
	refused hardlink tar.gz "top/h: hard link: $T/canary/victim: absolute path"
}

@test "extract: hard link to a file not extracted yet" {
	refused hardlink-later tar.gz "top/h: hard link to top/later, which is not a file already extracted in the tree"
}

@test "extract: character device" {
	refused chardev tar.gz "top/null: device node"
}

@test "extract: block device" {
	refused blockdev tar.gz "top/disk: device node"
}

@test "extract: FIFO" {
	refused fifo tar.gz "top/pipe: FIFO"
}

@test "extract: entry-count bomb (GILBENCH_MAX_ENTRIES)" {
	export GILBENCH_MAX_ENTRIES=20
	refused many tar.gz "top/f018: more than 20 members (GILBENCH_MAX_ENTRIES)"
}

@test "extract: size bomb (GILBENCH_MAX_BYTES)" {
	export GILBENCH_MAX_BYTES=1048576
	refused big tar.xz "top/big: more than 1048576 bytes uncompressed (GILBENCH_MAX_BYTES)"
}

@test "extract: truncated xz" {
	refused truncated tar.xz "truncated input"
}

@test "extract: truncated gzip" {
	refused truncated tar.gz "gzip: unexpected end of file"
}

@test "extract: corrupt gzip (bad CRC)" {
	refused corrupt tar.gz "gzip: incorrect data check"
}

@test "extract: corrupt xz" {
	refused corrupt tar.xz "Corrupted input data"
}

@test "extract: the real CPython 3.13.5 tarball extracts whole" {
	tarball=$(cpython_tarball)
	[ -f "$tarball" ]
	mkconfig "$tarball"
	run "$GILBENCH" fetch "$T/cfg.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	tree=$(echo "$output" | sed -n 's/^tree: //p')
	[ "$(find "$tree" -mindepth 1 | wc -l)" -eq "$(tar -tf "$tarball" | sed 's,/$,,' | grep -c /)" ]
	[ -x "$tree/configure" ]
}
