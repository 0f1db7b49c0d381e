#!/bin/sh
# tests/lib/mkfakehistory.sh: a git repository of the fake CPython tree (tests/lib/fakecpython)
# with a history, and a config that measures it, for the fast tests of `gilbench nightly`.
#
#   mkfakehistory.sh DIR [COMMITS] [SLOW]
#
# DIR/repo: COMMITS first-parent commits on main (default 8), with fixed names and dates
# (commit N at 2026-01-0N, so ids are the same on every machine); commit SLOW (default 4) and
# every later one make the installed python export FAKE_SLOW=1 to the scripts it runs, and
# the others only add a comment line. DIR/cfg/nightly.yaml: builds gil and nogil of
# file://DIR/repo at ref main; experiment "sleepy" sleeps 20 ms (60 ms in the gil variant
# when FAKE_SLOW is set: only it slows down), experiment "steady" sleeps 20 ms always (alert
# threshold 10%), and "scaling" sleeps 20 ms x (1 + 10% per extra thread) at threads 1, 2. Prints KEY=VALUE facts for eval: REPO, CFG,
# SLOWC (the slow commit's id), HEADC and COMMITS (oldest first).
set -eu
dir=$1 n=${2:-8} slow=${3:-4}
root=$(cd "$(dirname "$0")/../.." && pwd)
export GIT_AUTHOR_NAME=gilbench GIT_AUTHOR_EMAIL=gilbench@example.invalid
export GIT_COMMITTER_NAME=gilbench GIT_COMMITTER_EMAIL=gilbench@example.invalid
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
repo=$dir/repo
mkdir -p "$repo" "$dir/cfg/experiments"
cp -R "$root/tests/lib/fakecpython/." "$repo/"
git -C "$repo" init -q -b main
i=1
while [ "$i" -le "$n" ]; do
	if [ "$i" -eq "$slow" ]; then
		sed -i 's/^exec python3 /export FAKE_SLOW=1; exec python3 /' "$repo/fakebuild.sh"
		grep -q '^export FAKE_SLOW=1; exec python3 ' "$repo/fakebuild.sh"
	fi
	printf '# history commit %s\n' "$i" >>"$repo/configure"
	git -C "$repo" add -A
	d=$(printf '2026-01-%02dT03:00:00Z' "$i")
	GIT_AUTHOR_DATE=$d GIT_COMMITTER_DATE=$d git -C "$repo" commit -q -m "commit $i"
	[ "$i" -ne "$slow" ] || git -C "$repo" tag slow
	i=$((i + 1))
done
cat >"$dir/cfg/experiments/sleepy.py" <<'PY'
import json, os, sys, time
slow = os.environ.get("FAKE_SLOW") == "1" and "--affected" in sys.argv and os.environ.get("FAKE_VARIANT") == "gil"
threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1
t = time.perf_counter()
time.sleep((0.06 if slow else 0.02) * (1 + 0.1 * (threads - 1)))
print(json.dumps({"seconds": time.perf_counter() - t}))
PY
cat >"$dir/cfg/nightly.yaml" <<YAML
version: 1
name: fakenightly
source:
  git: {url: "file://$repo", ref: main}
builds:
  - name: gil
    configure: []
  - name: nogil
    configure: [--disable-gil]
variants:
  - {name: gil, build: gil, env: {FAKE_VARIANT: gil}}
  - {name: nogil, build: nogil, env: {FAKE_VARIANT: nogil}}
run:
  timeout: 60
  # sleeps are not CPU-bound: neither what other processes take nor the canary matters
  interference: 0
  canary: 0
experiments:
  - name: sleepy
    script: experiments/sleepy.py
    args: {affected: "yes"}
    trials: 5
  - name: steady
    script: experiments/sleepy.py
    trials: 3
    alert: {threshold: 10}
  - name: scaling
    script: experiments/sleepy.py
    matrix: {threads: [1, 2]}
    trials: 3
YAML
echo "REPO=$repo"
echo "CFG=$dir/cfg/nightly.yaml"
echo "SLOWC=$(git -C "$repo" rev-parse -q --verify slow || true)"
echo "HEADC=$(git -C "$repo" rev-parse main)"
echo "COMMITS='$(git -C "$repo" rev-list --first-parent --reverse main | tr '\n' ' ' | sed 's/ $//')'"
