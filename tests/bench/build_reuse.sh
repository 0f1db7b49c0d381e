#!/bin/sh
# tests/bench/build_reuse.sh: how long `gilbench build` takes when every build is cached.
#
# A reused build runs nothing but the key (one `cc --version`) and the verify probe, so the
# pipeline's second run can reach its first trial in under a second. Measured twice: on
# configs/quick.yaml against $GILBENCH_WORK, when both its real CPython builds are already
# there (nothing is built otherwise), and on the fake CPython tree (tests/lib/fakecpython)
# in a scratch work area, built once and then reused. REPS (5) runs each; best and median.
set -eu
: "${GILBENCH:=$(pwd)/gilbench}"
: "${ROOT:=$(pwd)}"
REPS=${REPS:-5}
W=$(mktemp -d /tmp/gilbench-buildreuse.XXXXXX)
trap 'rm -rf "$W"' EXIT

# time_reps LABEL ARGS...: run `gilbench build ARGS --out W/run-i` REPS times; print best and median
time_reps() {
	label=$1
	shift
	: >"$W/times"
	i=0
	while [ $i -lt "$REPS" ]; do
		i=$((i + 1))
		t0=$(date +%s%N)
		"$GILBENCH" build "$@" --out "$W/run-$label-$i" >"$W/out" 2>&1 || { cat "$W/out"; return 1; }
		echo $((($(date +%s%N) - t0) / 1000000)) >>"$W/times"
		grep -q ' reused ' "$W/out" || { echo "$label: not reused"; cat "$W/out"; return 1; }
	done
	sort -n "$W/times" >"$W/sorted"
	best=$(head -1 "$W/sorted")
	median=$(sed -n "$(((REPS + 1) / 2))p" "$W/sorted")
	echo "build reuse, $label: best ${best} ms, median ${median} ms over $REPS runs (target < 1000 ms)"
}

# real CPython, only when already built (the key is computed without building anything)
if "$GILBENCH" build "$ROOT/configs/quick.yaml" --out "$W/probe" >"$W/out" 2>&1 &&
	[ "$(grep -c ' reused ' "$W/out")" -eq 2 ]; then
	time_reps quick.yaml "$ROOT/configs/quick.yaml"
else
	echo "build reuse, quick.yaml: skipped (its builds are not in $GILBENCH_WORK)"
fi

# the fake tree, in a scratch work area
mkdir -p "$W/pkg/fakecpython-3.13.5"
cp -R "$ROOT/tests/lib/fakecpython/." "$W/pkg/fakecpython-3.13.5/"
tar -czf "$W/fake.tar.gz" -C "$W/pkg" fakecpython-3.13.5
sha=$(sha256sum "$W/fake.tar.gz" | cut -d' ' -f1)
echo 'print("{\"seconds\": 0}")' >"$W/noop.py"
cat >"$W/fake.yaml" <<YAML
version: 1
name: fake
source:
  tarball:
    sha256: $sha
    from: [file://$W/fake.tar.gz]
builds:
  - name: gil
    configure: []
  - name: nogil
    configure: [--disable-gil]
experiments:
  - name: noop
    script: noop.py
    trials: 1
    metric: {name: seconds, better: lower}
YAML
export GILBENCH_WORK="$W/work" GILBENCH_CACHE="$W/cache"
"$GILBENCH" build "$W/fake.yaml" --out "$W/first" >/dev/null 2>&1
time_reps fake "$W/fake.yaml"
