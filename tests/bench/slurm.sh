#!/bin/sh
# tests/bench/slurm.sh: what the test cluster costs. Time from `tests/lib/slurm.sh start` to
# the node idle (as slurm.sh reports it) and the whole stop, median of 3; then Slurm's
# overhead per array task: seconds from submitting (through slurm.c, by slurm_probe) an
# array of N tasks of a trivial command (touch a file) to all N files written, for N = 1, 4
# and 8, median of 3, exclusive (one task per node at a time, as gilbench's shards run) and
# not. The cluster is a private one (its own state folder and free ports), so a cluster
# already running is not disturbed. Needs root and slurm-wlm; says why and stops otherwise.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
PROBE=$ROOT/obj/rel/slurm_probe
[ -x "$PROBE" ] || { echo "slurm: $PROBE is not built (make obj/rel/slurm_probe)"; exit 1; }
S=$(mktemp -d /tmp/gilbench-bench-slurm.XXXXXX)
chmod 0755 "$S"
GILBENCH_SLURM_STATE=$S
GILBENCH_SLURM_PORT=$(python3 -c 'import socket
for p in range(26817, 27817, 2):
    try:
        for q in (p, p + 1):
            socket.socket().bind(("127.0.0.1", q))
        print(p)
        break
    except OSError:
        pass')
export GILBENCH_SLURM_STATE GILBENCH_SLURM_PORT SLURM_CONF="$S/slurm.conf"
trap '"$ROOT/tests/lib/slurm.sh" stop >/dev/null 2>&1; rm -rf "$S"' EXIT

med() { echo "$@" | tr ' ' '\n' | grep . | sort -n | sed -n 2p; }
secs() { awk "BEGIN { printf \"%.2f\", ($2 - $1) / 1e9 }"; }

idle= stops=
for i in 1 2 3; do
	out=$("$ROOT/tests/lib/slurm.sh" start 2>&1)
	rc=$?
	[ $rc -eq 77 ] && { echo "slurm: skipped: ${out#slurm.sh: }"; exit 0; }
	[ $rc -eq 0 ] || { echo "slurm: the cluster did not start:"; echo "$out"; exit 1; }
	idle="$idle $(echo "$out" | sed -n 's/.*node idle after \([0-9.]*\) s.*/\1/p')"
	if [ $i -lt 3 ]; then
		t0=$(date +%s%N)
		"$ROOT/tests/lib/slurm.sh" stop 2>/dev/null
		stops="$stops $(secs "$t0" "$(date +%s%N)")"
	fi
done
echo "test cluster start to node idle: $(med $idle) s median of 3 (all:$idle)"
echo "test cluster stop: $(echo $stops | awk '{ printf "%.1f", ($1 + $2) / 2 }') s mean of 2 (all: $stops)"

# run N EXCL: seconds from submission to N task files
run() {
	w=$S/w.$1.$2.$$
	mkdir -p "$w"
	t0=$(date +%s%N)
	if [ "$2" = exclusive ]; then x=--exclusive; else x=--nomultithread; fi
	"$PROBE" submit --name bench --script "$w/job.sbatch" --chdir "$w" --output /dev/null \
		--array "0-$(($1 - 1))" $x -- sh -c 'touch "t-$SLURM_ARRAY_TASK_ID"' >/dev/null || return 1
	until [ "$(find "$w" -name 't-*' | wc -l)" -ge "$1" ]; do sleep 0.02; done
	secs "$t0" "$(date +%s%N)"
	rm -rf "$w"
}

for mode in exclusive shared; do
	for n in 1 4 8; do
		all=
		for i in 1 2 3; do all="$all $(run $n $mode)"; sleep 1; done
		m=$(med $all)
		echo "array of $n trivial tasks ($mode), submit to all files: $m s median of 3," \
			"$(awk "BEGIN { printf \"%.2f\", $m / $n }") s per task (all:$all)"
	done
done
