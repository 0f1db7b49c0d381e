#!/usr/bin/env bats
# tests/cli/patch.bats: a config's patches applied in order by `gilbench fetch`.
#
# The source is tests/lib/mktar.py's small "good" tarball (README says "hello"); patches
# live in $T/patches, where the config loader looks for bare names (CONFIG_DIR/../patches).

load helpers

setup() {
	common_setup
	mkdir -p "$T/configs/experiments" && echo 'print("{\"seconds\": 0}")' >"$T/configs/experiments/e.py"
	mkdir -p "$T/configs" "$T/patches" "$T/work"
	python3 "$ROOT/tests/lib/mktar.py" good "$T/good.tar.gz"
	cat >"$T/patches/one.patch" <<-'EOF2'
	--- a/README
	+++ b/README
	@@ -1 +1 @@
	-hello
	+hello patched
	EOF2
	cat >"$T/patches/two.patch" <<-'EOF2'
	--- a/README
	+++ b/README
	@@ -1 +1 @@
	-hello patched
	+hello twice
	EOF2
	cat >"$T/patches/bad.patch" <<-'EOF2'
	--- a/README
	+++ b/README
	@@ -1 +1 @@
	-hello patched
	+hello twice
	--- a/sub/file.txt
	+++ b/sub/file.txt
	@@ -1 +1 @@
	-outside
	+elsewhere
	EOF2
}

mkconfig() { # mkconfig PATCH...: $T/configs/cfg.yaml on the good tarball with these patches
	local sha p
	sha=$(sha256sum "$T/good.tar.gz" | cut -d' ' -f1)
	{
		printf 'version: 1\nname: t\nsource:\n  tarball:\n    sha256: %s\n    from: [file://%s]\n' "$sha" "$T/good.tar.gz"
		printf 'patches:\n'
		for p in "$@"; do printf '  - %s\n' "$p"; done
		printf 'builds:\n  - name: gil\n    configure: []\n'
		printf 'experiments:\n  - name: e\n    script: experiments/e.py\n    trials: 1\n'
		printf '    metric: {name: seconds, better: lower}\n'
	} >"$T/configs/cfg.yaml"
}

nothing_left() { # no tree (finished or partial) in the work area
	[ -z "$(find "$T/work/src" -mindepth 1 -maxdepth 1 -type d)" ]
}

@test "patch: a patch that applies changes the tree" {
	mkconfig one.patch
	run "$GILBENCH" fetch "$T/configs/cfg.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	tree=$(echo "$output" | sed -n 's/^tree: //p')
	[ "$(cat "$tree/README")" = "hello patched" ]
	[ ! -e "$tree/README.orig" ]
	[ -z "$(find "$tree" -name '*.rej')" ]
}

@test "patch: the patches' contents are part of the tree's key" {
	mkconfig
	run "$GILBENCH" fetch "$T/configs/cfg.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	plain=$(echo "$output" | sed -n 's/^key: //p')
	mkconfig one.patch
	run "$GILBENCH" fetch "$T/configs/cfg.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	patched=$(echo "$output" | sed -n 's/^key: //p')
	[ "$plain" != "$patched" ]
	[ "$(cat "$T/work/src/$plain/README")" = hello ]
	[ "$(cat "$T/work/src/$patched/README")" = "hello patched" ]
	echo "hello patched" >>"$T/patches/one.patch" # any change to a patch: a new tree
	run "$GILBENCH" fetch "$T/configs/cfg.yaml" --work "$T/work"
	[ "$(echo "$output" | sed -n 's/^key: //p')" != "$patched" ]
}

@test "patch: one that does not apply names the patch and the hunk, and leaves no tree" {
	mkconfig one.patch bad.patch
	run "$GILBENCH" fetch "$T/configs/cfg.yaml" --work "$T/work"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.patch: hunk #1 FAILED at 1 (sub/file.txt)"* ]]
	nothing_left
}

@test "patch: order matters, the second depends on the first" {
	mkconfig one.patch two.patch
	run "$GILBENCH" fetch "$T/configs/cfg.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	tree=$(echo "$output" | sed -n 's/^tree: //p')
	[ "$(cat "$tree/README")" = "hello twice" ]
	rm -rf "$T/work"
	mkconfig two.patch one.patch
	run "$GILBENCH" fetch "$T/configs/cfg.yaml" --work "$T/work"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"two.patch: hunk #1 FAILED at 1 (README)"* ]]
	nothing_left
}

@test "patch: an already applied patch is named as such" {
	mkconfig one.patch one.patch
	run "$GILBENCH" fetch "$T/configs/cfg.yaml" --work "$T/work"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"one.patch: already applied or reversed (README)"* ]]
	nothing_left
}
