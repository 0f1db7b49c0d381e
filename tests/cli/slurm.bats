#!/usr/bin/env bats
# tests/cli/slurm.bats: the Slurm layer (orchestrator/slurm.c) against a real Slurm.
#
# setup_file starts the one-node test cluster on loopback with tests/lib/slurm.sh (munged,
# slurmctld, slurmd; about 1.5 s) unless it already runs, and teardown_file stops it again
# if this file started it (about 6 s), so a cluster someone keeps running stays up. When
# Slurm cannot run here (not root, slurm-wlm not installed) every test is skipped with
# slurm.sh's reason; any other failure to start fails them. The module is driven through
# obj/rel/slurm_probe (obj/asan/slurm_probe when $GILBENCH is the sanitizer build), which
# `make unit` builds: submit a two-task array and a job after it (afterany), watch the
# states go by, check the files they wrote and the order; cancel one pending array task and
# a running job; sbatch's own error; slurm_check with no tools in PATH and with a
# controller that does not answer; and slurm.sh itself (a second cluster on other ports:
# start, start again, status, stop, nothing left running, stop again).
load helpers

setup_file() {
	slurm_up || return 1
}

teardown_file() {
	slurm_down
}

setup() {
	[ -z "${SLURM_SKIP:-}" ] || skip "$SLURM_SKIP"
	common_setup
	PROBE=${SLURM_PROBE:-$ROOT/obj/rel/slurm_probe}
	[[ "$GILBENCH" == *-asan ]] && PROBE=${SLURM_PROBE:-$ROOT/obj/asan/slurm_probe}
	[ -x "$PROBE" ] || { echo "$PROBE is not built (make unit builds it)" >&2; return 1; }
	W=$T/w
	mkdir -p "$W"
}

teardown() {
	# a second cluster that a failed test left
	if [ -n "${S:-}" ]; then
		second stop >/dev/null 2>&1
		rm -rf "$S"
	fi
}

# line_of PATTERN: the number of the first line of $output matching the extended regex
line_of() {
	grep -n -E -m1 "$1" <<<"$output" | cut -d: -f1
}

@test "slurm: check finds the test cluster and nodes lists its node" {
	run "$PROBE" check
	[ "$status" -eq 0 ]
	run "$PROBE" nodes
	[ "$status" -eq 0 ]
	[ "$output" = "localhost $(nproc) idle" ]
}

@test "slurm: a two-task array and a job after it run in order, write their files, and pass through their states" {
	run "$PROBE" submit --name gb-array --script "$W/array.sbatch" --chdir "$W" --output "$W/array-%A_%a.out" \
		--array 0-1 --exclusive --nomultithread --time 5:00 --env "GB_VALUE=a 'b' \$c" -- \
		sh -c 'sleep 1; printf "%s|%s|%s" "$1" "$GB_VALUE" "$SLURM_ARRAY_TASK_ID" >"task-$SLURM_ARRAY_TASK_ID"' \
		sh "it's a \$HOME \"x\" \`y\`"
	[ "$status" -eq 0 ]
	a=$output
	[[ "$a" =~ ^[0-9]+$ ]]
	run "$PROBE" submit --name gb-after --script "$W/after.sbatch" --chdir "$W" --output "$W/after-%j.out" \
		--dependency "afterany:$a" -- sh -c 'ls task-* >after'
	[ "$status" -eq 0 ]
	b=$output
	run "$PROBE" poll "$a" "$b"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$b - PENDING Dependency"* ]]
	run "$PROBE" wait --timeout 40 "$a" "$b"
	echo "$output"
	[ "$status" -eq 0 ]
	for t in 0 1; do
		[ -n "$(line_of "^[0-9.]+ ${a}_$t RUNNING ")" ]
		[ -n "$(line_of "^[0-9.]+ ${a}_$t gone$")" ]
		[ "$(line_of "^[0-9.]+ ${a}_$t RUNNING ")" -lt "$(line_of "^[0-9.]+ ${a}_$t gone$")" ]
		[ "$(cat "$W/task-$t")" = "it's a \$HOME \"x\" \`y\`|a 'b' \$c|$t" ]
		[ -f "$W/array-${a}_$t.out" ]
	done
	# the job after the array waited for both tasks: it left PENDING (to RUNNING or, when
	# quicker than a poll, straight to gone) once they were gone, and saw both files
	[ -n "$(line_of "^[0-9.]+ $b PENDING Dependency$")" ]
	b_on=$(line_of "^[0-9.]+ $b (RUNNING .*|COMPLETING .*|gone)$")
	[ -n "$b_on" ]
	[ "$(line_of "^[0-9.]+ ${a}_0 gone$")" -lt "$b_on" ]
	[ "$(line_of "^[0-9.]+ ${a}_1 gone$")" -lt "$b_on" ]
	[ "$(tr '\n' ' ' <"$W/after")" = "task-0 task-1 " ]
	grep -q "^exec 'sh' '-c' " "$W/array.sbatch"
	# once finished, nothing of them is listed
	run "$PROBE" poll "$a" "$b"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "slurm: one cancelled array task is gone at once and writes nothing; the other runs" {
	run "$PROBE" submit --name gb-cancel --script "$W/c.sbatch" --chdir "$W" --output /dev/null --array 0-1%1 -- \
		sh -c 'sleep 2; touch "done-$SLURM_ARRAY_TASK_ID"'
	[ "$status" -eq 0 ]
	a=$output
	run "$PROBE" poll "$a"
	[[ "$output" == *"$a 1 PENDING"* ]]
	run "$PROBE" cancel "$a" 1
	[ "$status" -eq 0 ]
	run "$PROBE" poll "$a"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "$a 0 "* ]]
	[[ "$output" != *"$a 1 "* ]]
	run "$PROBE" wait --timeout 30 "$a"
	[ "$status" -eq 0 ]
	[ -f "$W/done-0" ]
	[ ! -e "$W/done-1" ]
	# cancelling what already finished is no error
	run "$PROBE" cancel "$a" 1
	[ "$status" -eq 0 ]
}

@test "slurm: a running job cancelled whole stops before it finishes" {
	run "$PROBE" submit --name gb-long --script "$W/l.sbatch" --chdir "$W" --output /dev/null -- \
		sh -c 'touch started; sleep 60 && touch finished'
	[ "$status" -eq 0 ]
	j=$output
	for i in $(seq 100); do [ -e "$W/started" ] && break; sleep 0.1; done
	[ -e "$W/started" ]
	run "$PROBE" cancel "$j"
	[ "$status" -eq 0 ]
	run "$PROBE" wait --timeout 20 "$j"
	[ "$status" -eq 0 ]
	[ ! -e "$W/finished" ]
}

@test "slurm: sbatch's own error comes through, with the job's name" {
	run "$PROBE" submit --name gb-bad --script "$W/b.sbatch" --partition no-such-partition -- true
	[ "$status" -eq 1 ]
	[[ "$output" == "slurm_probe: submit job gb-bad: sbatch exited with 1: "*"Invalid partition name specified"* ]]
}

@test "slurm: check names a missing tool, and a controller that does not answer" {
	mkdir -p "$T/empty"
	run env PATH="$T/empty" "$PROBE" check
	[ "$status" -eq 1 ]
	[[ "$output" == "slurm_probe: sbatch not found in PATH (is Slurm installed?"* ]]
	# the same cluster's config with a port nobody listens on
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	sed "s/^SlurmctldPort=.*/SlurmctldPort=$port/" "$SLURM_CONF" >"$T/dead.conf"
	run env SLURM_CONF="$T/dead.conf" "$PROBE" check
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^"slurm_probe: the Slurm controller does not answer: Slurmctld(primary) at ".*" is DOWN"$ ]]
}

# second ARGS: tests/lib/slurm.sh on a second cluster, in $S on $port and the next (munged
# runs as the munge user, who cannot enter bats' private temporary folders)
second() {
	GILBENCH_SLURM_STATE=$S GILBENCH_SLURM_PORT=$port "$ROOT/tests/lib/slurm.sh" "$@"
}

@test "slurm.sh: start, start again, status, stop leaves nothing running, stop again (a second cluster)" {
	[[ "$GILBENCH" != *-asan ]] || skip "slurm.sh runs no gilbench code: the plain pass covers it"
	# two free ports in a row
	port=$(python3 -c 'import socket
for p in range(16817, 17817, 2):
    try:
        for q in (p, p + 1):
            socket.socket().bind(("127.0.0.1", q))
        print(p)
        break
    except OSError:
        pass')
	S=$(mktemp -d /tmp/gilbench-slurm-test.XXXXXX)
	chmod 0755 "$S"
	run second start
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"started on 127.0.0.1:$port, node idle after"* ]]
	run second start
	[ "$status" -eq 0 ]
	[[ "$output" == *"already running"* ]]
	run second status
	[ "$status" -eq 0 ]
	[[ "$output" == *"munged: running (PID "*"slurmctld: running (PID "*"slurmd: running (PID "* ]]
	[[ "$output" == *"node localhost: idle"* ]]
	pids=$(cat "$S/run/"*.pid)
	[ "$(wc -w <<<"$pids")" -eq 3 ]
	run env SLURM_CONF="$S/slurm.conf" "$PROBE" check
	[ "$status" -eq 0 ]
	run second stop
	[ "$status" -eq 0 ]
	for p in $pids; do
		# nothing left in the daemons' process groups (slurmctld's slurmscriptd included)
		[ -z "$(ps -eo pgid= | awk -v p="$p" '$1 == p')" ]
	done
	run second status
	[ "$status" -eq 3 ]
	run second stop
	[ "$status" -eq 0 ]
	[[ "$output" == *"not running"* ]]
	# the suite's own cluster is untouched
	"$ROOT/tests/lib/slurm.sh" status
	run "$PROBE" nodes
	[ "$output" = "localhost $(nproc) idle" ]
}
