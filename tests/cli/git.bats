# tests/cli/git.bats: `gilbench fetch` on git sources (gitsrc.c through source.c).
#
# Each test makes a small repository with tests/lib/mkrepo.sh (its ids are printed as
# KEY=VALUE facts and loaded into the shell), writes a config whose source is that
# repository, and checks the commit gilbench resolved and the files of the tree it wrote.
load helpers

setup() {
	common_setup
	eval "$(sh "$ROOT/tests/lib/mkrepo.sh" "$T/repo")"
	mkdir -p "$T/experiments"
	echo 'print("{\"seconds\": 0.0}")' >"$T/experiments/noop.py"
	gitconfig "file://$T/repo" v1 >"$T/git.yaml"
}

gitconfig() { # gitconfig URL REF: a config whose source is git URL at REF
	cat <<EOF
version: 1
name: gittest
source:
  git: {url: "$1", ref: "$2"}
builds:
  - name: gil
    configure: []
experiments:
  - name: noop
    script: experiments/noop.py
    trials: 1
    metric: {name: seconds, better: lower}
EOF
}

field() { # field NAME: the value of "NAME: value" in $output
	printf '%s\n' "$output" | sed -n "s/^$1: //p"
}

@test "git: a config with a file:// url and a tag fetches that commit's files" {
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	[ "$(field kind)" = git ]
	[ "$(field id)" = "$C1" ]
	[ "$(field ref)" = v1 ]
	[ "$(field origin)" = "file://$T/repo" ]
	tree=$(field tree)
	[ "$(cat "$tree/README")" = one ]
	[ -f "$tree/a.txt" ]
	[ ! -e "$tree/b.txt" ]
	[ ! -e "$tree/.git" ]
	# one bare mirror in the cache, holding every branch and tag
	[ "$(ls -d "$GILBENCH_CACHE"/git/*.git | wc -l)" -eq 1 ]
	mirror=$(ls -d "$GILBENCH_CACHE"/git/*.git)
	[ "$(git -C "$mirror" rev-parse --is-bare-repository)" = true ]
	[ "$(git -C "$mirror" rev-parse feature)" = "$F" ]
	[ "$(git -C "$mirror" rev-parse v2^{commit})" = "$C2" ]
}

@test "git: --ref overrides the config's ref (branch, annotated tag, full and short id)" {
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work" --ref v2
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$C2" ]
	[ "$(field ref)" = v2 ]
	[ "$(cat "$(field tree)/README")" = two ]
	[ -f "$(field tree)/b.txt" ]
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work" --ref feature
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$F" ]
	[ -f "$(field tree)/feature.txt" ]
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work" --ref "$C3"
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$C3" ]
	[ "$(cat "$(field tree)/README")" = three ]
	short=$(printf %.9s "$C2")
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work" --ref "$short"
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$C2" ]
	[ "$(field ref)" = "$short" ]
}

@test "git: a plain path works as the url" {
	gitconfig "$T/repo" main >"$T/plain.yaml"
	run "$GILBENCH" fetch "$T/plain.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$C3" ]
	[ "$(cat "$(field tree)/README")" = three ]
}

@test "git: a new commit on the branch is fetched, the old tree stays" {
	gitconfig "file://$T/repo" main >"$T/main.yaml"
	run "$GILBENCH" fetch "$T/main.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$C3" ]
	old=$(field tree)
	new=$(sh "$ROOT/tests/lib/mkrepo.sh" advance "$T/repo")
	run "$GILBENCH" fetch "$T/main.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$new" ]
	[ "$(field tree)" != "$old" ]
	grep -q advanced "$(field tree)/README"
	! grep -q advanced "$old/README"
	# nothing new: the fetch says so and the tree is reused
	run "$GILBENCH" fetch "$T/main.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$new" ]
	[[ "$output" == *"up to date"* ]]
	[[ "$output" == *reusing* ]]
}

@test "git: an unknown ref and an ambiguous short id are one-line errors" {
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work" --ref nope
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown ref 'nope' in file://$T/repo"* ]]
	[ "$(printf '%s\n' "$output" | grep -c "^gilbench: source: unknown ref 'nope' in file://$T/repo\$")" -eq 1 ]
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work" --ref "$AMBIG"
	[ "$status" -eq 1 ]
	[[ "$output" == *"ambiguous short id '$AMBIG' in file://$T/repo (matches several objects)"* ]]
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work" --ref "$BLOB"
	[ "$status" -eq 1 ]
	[[ "$output" == *"names a blob, not a commit"* ]]
	# no tree was made for any of them
	[ -z "$(ls "$T/work/src" 2>/dev/null | grep -v '\.lock$' || true)" ]
}

@test "git: an unreachable url fails clearly and leaves no mirror behind" {
	gitconfig "file://$T/nonexistent.git" main >"$T/bad.yaml"
	run "$GILBENCH" fetch "$T/bad.yaml" --work "$T/work"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot fetch file://$T/nonexistent.git: "* ]]
	[ -z "$(ls -d "$GILBENCH_CACHE"/git/*.git* 2>/dev/null || true)" ]
}

@test "git: two fetches at once share one mirror" {
	"$GILBENCH" fetch "$T/git.yaml" --work "$T/work" >"$T/a.out" 2>"$T/a.err" &
	a=$!
	"$GILBENCH" fetch "$T/git.yaml" --work "$T/work" >"$T/b.out" 2>"$T/b.err" &
	b=$!
	wait $a
	wait $b
	grep -qx "id: $C1" "$T/a.out"
	grep -qx "id: $C1" "$T/b.out"
	[ "$(ls -d "$GILBENCH_CACHE"/git/*.git | wc -l)" -eq 1 ]
	[ -z "$(ls -d "$GILBENCH_CACHE"/git/*.tmp 2>/dev/null || true)" ]
	# exactly one of them made the mirror
	[ "$(cat "$T/a.err" "$T/b.err" | grep -c 'mirroring ')" -eq 1 ]
}
