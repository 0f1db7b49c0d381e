#!/bin/sh
# tests/bench/gitfetch.sh: how long `gilbench fetch` takes on a git source whose mirror is
# already up to date (the nightly's common case: main did not move).
#
# Makes a repository of $COMMITS commits (default 3000) with git fast-import
# (tests/lib/mkrepo.sh many), mirrors it once with `gilbench fetch` (file:// url), then
# times five more fetches with nothing new (fetch, resolve, reuse of the tree) and prints
# the median, beside `git fetch` on the same mirror for scale. Figures, not assertions.
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
