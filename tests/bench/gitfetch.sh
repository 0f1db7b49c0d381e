#!/bin/sh
# tests/bench/gitfetch.sh: how long `gilbench fetch` takes on a git source whose mirror is
# already up to date (the nightly's common case: main did not move).
#
# Makes a repository of $COMMITS commits (default 3000) with git fast-import
# (tests/lib/mkrepo.sh many), mirrors it once with `gilbench fetch` (file:// url), then
# times five more fetches with nothing new (fetch, resolve, reuse of the tree) and prints
# the median, beside `git fetch` on the same mirror for scale. Figures, not assertions.
#
# Then, when the CPython 3.13.5 tarball is already in the shared download cache (the
# tests put it there) and GITBENCH_CPYTHON is not 0: a one-commit repository of its
# files, mirrored (clone, timed once) and checked out by `gilbench fetch` into a fresh
# work area three times (median), beside `git checkout` of the same commit for scale.
set -eu
: "${ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${GILBENCH:=$ROOT/gilbench}"
COMMITS=${COMMITS:-3000}
D=$(mktemp -d /tmp/gitbench.XXXXXX)
trap 'rm -rf "$D"' EXIT
export GILBENCH_CACHE=$D/cache GILBENCH_PLAIN=1

sh "$ROOT/tests/lib/mkrepo.sh" many "$D/repo" "$COMMITS" >/dev/null
mkdir -p "$D/experiments"
echo 'print("{\"seconds\": 0.0}")' >"$D/experiments/noop.py"
cat >"$D/bench.yaml" <<EOF
version: 1
name: gitfetch-bench
source:
  git: {url: "file://$D/repo", ref: main}
builds:
  - name: gil
    configure: []
experiments:
  - name: noop
    script: experiments/noop.py
    trials: 1
    metric: {name: seconds, better: lower}
EOF

secs() { # secs CMD...: wall seconds of CMD, output discarded
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk '{printf "%.4f\n", $2 - $1}'
}
median5() { sort -n | sed -n 3p; }

first=$(secs "$GILBENCH" fetch "$D/bench.yaml" --work "$D/work")
mirror=$(ls -d "$D"/cache/git/*.git)
i=0
: >"$D/g" && : >"$D/c"
while [ $i -lt 5 ]; do
	secs "$GILBENCH" fetch "$D/bench.yaml" --work "$D/work" >>"$D/g"
	secs git -C "$mirror" fetch --prune origin "+refs/heads/*:refs/heads/*" "+refs/tags/*:refs/tags/*" >>"$D/c"
	i=$((i + 1))
done
echo "gitfetch first fetch ($COMMITS commits, clone + checkout): $first s"
echo "gitfetch up-to-date fetch: $(median5 <"$D/g") s (median of 5; gilbench fetch, nothing new)"
echo "gitfetch up-to-date git fetch: $(median5 <"$D/c") s (median of 5; git CLI on the same mirror, for scale)"

SHA=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
TARBALL=${XDG_CACHE_HOME:-$HOME/.cache}/gilbench/downloads/$SHA
if [ "${GITBENCH_CPYTHON:-1}" = 0 ] || [ ! -f "$TARBALL" ]; then
	echo "gitfetch CPython checkout: skipped (no cached 3.13.5 tarball or GITBENCH_CPYTHON=0)"
	exit 0
fi
mkdir -p "$D/cpy"
tar -xf "$TARBALL" -C "$D/cpy" --strip-components=1
(
	cd "$D/cpy" && git init -q -b main . && git add -A &&
	GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.invalid GIT_COMMITTER_NAME=b \
	GIT_COMMITTER_EMAIL=b@example.invalid git commit -q -m 3.13.5
)
files=$(git -C "$D/cpy" ls-files | wc -l)
sed "s|file://$D/repo|file://$D/cpy|" "$D/bench.yaml" >"$D/cpy.yaml"
clone=$(secs "$GILBENCH" fetch "$D/cpy.yaml" --work "$D/cwork")
mirror=$(ls -d "$D"/cache/git/*.git | while read -r m; do
	[ "$(git --git-dir="$m" config remote.origin.url)" = "file://$D/cpy" ] && echo "$m"; done)
: >"$D/g" && : >"$D/c"
i=0
while [ $i -lt 3 ]; do
	rm -rf "$D/cwork" "$D/gco" "$D/idx" && mkdir "$D/gco"
	secs "$GILBENCH" fetch "$D/cpy.yaml" --work "$D/cwork" >>"$D/g"
	GIT_INDEX_FILE=$D/idx secs git --git-dir="$mirror" --work-tree="$D/gco" checkout -f main -- . >>"$D/c"
	i=$((i + 1))
done
echo "gitfetch CPython 3.13.5 first fetch (one commit, $files files, clone + checkout): $clone s"
echo "gitfetch CPython 3.13.5 checkout: $(sort -n "$D/g" | sed -n 2p) s (median of 3; gilbench fetch, mirror up to date)"
echo "gitfetch CPython 3.13.5 git checkout: $(sort -n "$D/c" | sed -n 2p) s (median of 3; git CLI, for scale)"
