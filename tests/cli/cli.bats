#!/usr/bin/env bats
# tests/cli/cli.bats: the command line itself: usage, --help, --version, exit codes.
load helpers

setup() { common_setup; }

@test "no arguments: usage on stderr, exit 2" {
	run "$GILBENCH"
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage: gilbench COMMAND"* ]]
}

@test "--version prints the version" {
	run "$GILBENCH" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^gilbench\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "--help lists every command" {
	run "$GILBENCH" --help
	[ "$status" -eq 0 ]
	for c in run plan fetch build measure report archive verify; do
		[[ "$output" == *"  $c "* ]] || { echo "missing $c"; false; }
	done
}

@test "every command has --help with its usage line, and the README quotes it" {
	for c in run plan fetch build measure report archive verify; do
		run "$GILBENCH" "$c" --help
		[ "$status" -eq 0 ] || { echo "$c --help: $status"; false; }
		[[ "${lines[0]}" == "usage: gilbench $c"* ]] || { echo "$c: ${lines[0]}"; false; }
		grep -qF -- "${lines[0]#usage: }" "$ROOT/README.md" || { echo "README lacks: ${lines[0]}"; false; }
	done
}

@test "unknown command and unknown option: exit 2" {
	run "$GILBENCH" frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown command 'frobnicate'"* ]]
	run "$GILBENCH" run --frobnicate "$ROOT/configs/quick.yaml"
	[ "$status" -eq 2 ]
}

@test "run on a missing config: exit 1 naming the file" {
	run "$GILBENCH" run "$T/nope.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"nope.yaml"* ]]
}

@test "run on a bad config runs nothing: no run directory is made" {
	printf 'version: 1\nname: x\nsource: {tarball: {sha256: abc, from: [file:///x]}}\n' >"$T/bad.yaml"
	run "$GILBENCH" run "$T/bad.yaml" --out "$T/run"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.yaml:"* ]]
	[ ! -e "$T/run" ]
}

@test "run --resume on something that is not a run directory: exit 1" {
	mkdir -p "$T/empty"
	run "$GILBENCH" run --resume "$T/empty"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not a run directory"* ]]
}
