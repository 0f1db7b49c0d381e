#!/bin/sh
# tests/bench.sh: `make bench`. Runs every tests/bench/*.sh; each prints its figures as
# "name: value unit (target ...)" lines. Figures are printed, never asserted.
set -u
cd "$(dirname "$0")/.."
export ROOT=$(pwd) GILBENCH=$(pwd)/gilbench GILBENCH_PLAIN=1
: "${XDG_CACHE_HOME:=$HOME/.cache}"
: "${GILBENCH_WORK:=$XDG_CACHE_HOME/gilbench/work}"
export GILBENCH_WORK
# a private copy of the binary, so that rebuilding ./gilbench meanwhile cannot disturb a figure
BIN=$(mktemp -d /tmp/gilbench-bench.XXXXXX)
trap 'rm -rf "$BIN"' EXIT
cp "$GILBENCH" "$BIN/gilbench" && GILBENCH=$BIN/gilbench
for b in tests/bench/*.sh; do
	[ -f "$b" ] || continue
	echo "== $(basename "$b" .sh)"
	sh "$b" || echo "($(basename "$b") failed with $?)"
done
