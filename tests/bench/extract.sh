#!/bin/sh
# tests/bench/extract.sh: gilbench's extraction of the CPython 3.13.5 tarball against tar.
#
# Times `gilbench fetch` on a config whose only place is the cached tarball (so it is a
# cache hit: re-hash, extract, rename) into a fresh work area, and `tar -xf` of the same
# file into a fresh folder; the median of 3 runs each, and their ratio (target <= 1.2).
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
GILBENCH=${GILBENCH:-$ROOT/gilbench}
sha=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
shared=${XDG_CACHE_HOME:-$HOME/.cache}/gilbench
tarball=$shared/downloads/$sha
tmp=$(mktemp -d /tmp/gilbench-bench-extract.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
if [ ! -f "$tarball" ]; then
	GILBENCH_CACHE=$shared "$GILBENCH" fetch "$ROOT/configs/quick.yaml" --work "$tmp/w0" -q >/dev/null
	rm -rf "$tmp/w0"
fi
mkdir "$tmp/experiments" && echo 'print("{\"seconds\": 0}")' >"$tmp/experiments/e.py"
cat >"$tmp/cfg.yaml" <<EOF2
version: 1
name: bench
source:
  tarball:
    sha256: $sha
    from: [file://$tarball]
builds:
  - {name: gil, configure: []}
experiments:
  - name: e
    script: experiments/e.py
    trials: 1
    metric: {name: seconds, better: lower}
EOF2

elapsed() { # elapsed COMMAND...: seconds it took (its output dropped)
	t0=$(date +%s.%N)
	"$@" >/dev/null
	t1=$(date +%s.%N)
	awk "BEGIN { print $t1 - $t0 }"
}
median() { sort -n | sed -n 2p; }

ours=$(for i in 1 2 3; do
	rm -rf "$tmp/w"
	elapsed env GILBENCH_CACHE="$shared" "$GILBENCH" fetch "$tmp/cfg.yaml" --work "$tmp/w" -q
done | median)
theirs=$(for i in 1 2 3; do
	rm -rf "$tmp/t" && mkdir "$tmp/t"
	elapsed tar -xf "$tarball" -C "$tmp/t"
done | median)
printf 'extract-gilbench: %.2f s (fetch from the cache: hash, extract, rename; median of 3)\n' "$ours"
printf 'extract-tar: %.2f s (tar -xf; median of 3)\n' "$theirs"
printf 'extract-ratio: %.2f (target <= 1.2)\n' "$(awk "BEGIN { print $ours / $theirs }")"
