#!/bin/sh
# tests/lib/slurm.sh: a one-node Slurm on loopback for the test suite, without systemd.
#
#   tests/lib/slurm.sh start    write the config, start munged, slurmctld and slurmd, wait
#                               until the node is idle; nothing to do when already running
#   tests/lib/slurm.sh stop     cancel every job, stop the daemons in reverse order and wait
#                               for each to exit; nothing to do when not running
#   tests/lib/slurm.sh status   each daemon's PID (or "not running") and the node's state;
#                               exits 0 when all three run, 3 otherwise
#   tests/lib/slurm.sh conf     print the path of the config, for `export SLURM_CONF=...`
#
# Everything lives in one state folder, $GILBENCH_SLURM_STATE (default /tmp/gilbench-slurm):
# slurm.conf (tests/lib/slurm.conf with the folder, `nproc` CPUs and the ports filled in),
# munge/ (a key made at start, munged's socket: a system munged is neither needed nor
# touched), ctld/ and spool/ (slurmctld's state, slurmd's spool), log/NAME.log (each
# daemon's log) and run/NAME.pid (the PIDs this script started and stops). Nothing is
# written under /etc, /run or /var. slurmctld listens on 127.0.0.1:$GILBENCH_SLURM_PORT
# (default 6817), slurmd on the port after it, so one such cluster runs per machine and port.
#
# Needs root: munged runs as the munge user and slurmd as root, to run jobs as whoever
# submits them. Exit codes: 0 done; 1 a daemon failed (the message names it and shows the end
# of its log; whatever was started is stopped again); 77 Slurm cannot run here (not root,
# slurm-wlm not installed): the caller skips its tests and says why.
set -u

STATE=${GILBENCH_SLURM_STATE:-/tmp/gilbench-slurm}
PORT=${GILBENCH_SLURM_PORT:-6817}
TIMEOUT=${GILBENCH_SLURM_TIMEOUT:-30}
HERE=$(cd "$(dirname "$0")" && pwd)
CONF=$STATE/slurm.conf
DAEMONS="munged slurmctld slurmd" # start order; stop goes the other way
export SLURM_CONF="$CONF"

say() { echo "slurm.sh: $*" >&2; }
die() { say "$*"; exit 1; }
cannot() { say "Slurm cannot run here: $*"; exit 77; }

# pidof_ours NAME: the PID of our NAME when it still runs (alive, not a zombie, and its
# command name is NAME, so a reused PID is not mistaken for it); fails otherwise
pidof_ours() {
	pid=$(cat "$STATE/run/$1.pid" 2>/dev/null) || return 1
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] || return 1
	case $(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) in Z* | X* | '') return 1 ;; esac
	echo "$pid"
}

# logtail NAME: the end of NAME's log, indented, on stderr
logtail() {
	say "last lines of $STATE/log/$1.log:"
	tail -n 15 "$STATE/log/$1.log" 2>/dev/null | sed 's/^/    /' >&2
}

# fail NAME MESSAGE: report a daemon's failure with its log, stop what runs, exit 1
fail() {
	say "$2 (see $STATE/log/$1.log)"
	logtail "$1"
	stop_all >/dev/null 2>&1
	exit 1
}

preflight() {
	[ "$(id -u)" = 0 ] || cannot "not root (munged must run as the munge user and slurmd as root)"
	for p in /usr/sbin/munged /usr/sbin/mungekey /usr/sbin/slurmctld /usr/sbin/slurmd; do
		[ -x "$p" ] || cannot "$p not found: slurm-wlm is not installed (make deps installs it)"
	done
	for p in sbatch squeue scancel sinfo scontrol setpriv setsid; do
		command -v "$p" >/dev/null || cannot "$p not found in PATH (slurm-wlm and util-linux provide it)"
	done
	getent passwd munge >/dev/null || cannot "no munge user (the munge package creates it)"
	case $STATE in /*) ;; *) die "GILBENCH_SLURM_STATE must be an absolute path, not '$STATE'" ;; esac
	case $STATE in *[!A-Za-z0-9/._+-]*) die "GILBENCH_SLURM_STATE has characters slurm.conf cannot hold: '$STATE'" ;; esac
	case $PORT in '' | *[!0-9]*) die "GILBENCH_SLURM_PORT must be a number, not '$PORT'" ;; esac
}

running() { # all three daemons run
	for d in $DAEMONS; do pidof_ours "$d" >/dev/null || return 1; done
}

any_running() {
	for d in $DAEMONS; do pidof_ours "$d" >/dev/null && return 0; done
	return 1
}

node_state() { # the node's state as sinfo prints it ("idle", "down*", ...), or nothing
	timeout 10 sinfo -h -N -o %t 2>/dev/null | head -n 1
}

# spawn NAME COMMAND...: start a daemon in its own session, log to log/NAME.log, keep its PID
spawn() {
	name=$1
	shift
	setsid "$@" </dev/null >>"$STATE/log/$name.log" 2>&1 3>&- &
	echo $! >"$STATE/run/$name.pid"
}

fresh_state() {
	# only the folders this script makes: the state folder may be one a person chose
	rm -rf "$STATE/munge" "$STATE/ctld" "$STATE/spool" "$STATE/run" "$STATE/log"
	mkdir -p "$STATE" "$STATE/ctld" "$STATE/spool" "$STATE/run" "$STATE/log" || die "cannot make $STATE"
	chmod 0755 "$STATE"
	install -d -o munge -g munge -m 0755 "$STATE/munge" || die "cannot make $STATE/munge"
	setpriv --reuid=munge --regid=munge --init-groups test -w "$STATE/munge" ||
		die "the munge user cannot write to $STATE/munge (is a folder above it closed to others?); choose another GILBENCH_SLURM_STATE"
	render_conf >"$CONF" || die "cannot write $CONF"
}

render_conf() { # the config for this folder, machine and port
	sed -e "s|@STATE@|$STATE|g" -e "s|@CPUS@|$(nproc)|g" -e "s|@PORT@|$PORT|g" \
		-e "s|@DPORT@|$((PORT + 1))|g" "$HERE/slurm.conf"
}

start() {
	preflight
	# a cluster already up is kept when it runs this very config and its node is up
	if running && render_conf | cmp -s - "$CONF"; then
		case $(node_state) in
		idle | mix | alloc | comp) say "already running (SLURM_CONF=$CONF)"; return 0 ;;
		esac
	fi
	any_running && stop_all
	t0=$(date +%s.%N)
	fresh_state
	mungekey -c -k "$STATE/munge/munge.key" >>"$STATE/log/munged.log" 2>&1 || fail munged "mungekey could not make a key"
	chown munge:munge "$STATE/munge/munge.key" && chmod 0600 "$STATE/munge/munge.key"
	spawn munged setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged -F \
		--socket="$STATE/munge/munge.socket" --key-file="$STATE/munge/munge.key" \
		--pid-file="$STATE/munge/munged.pid" --seed-file="$STATE/munge/munged.seed"
	deadline=$(($(date +%s) + TIMEOUT))
	until [ -S "$STATE/munge/munge.socket" ]; do
		# munged shows up under its own name once setsid and setpriv have exec'd it
		[ -d "/proc/$(cat "$STATE/run/munged.pid")" ] || fail munged "munged exited at start"
		[ "$(date +%s)" -lt "$deadline" ] || fail munged "munged made no socket in $TIMEOUT s"
		sleep 0.05
	done
	spawn slurmctld /usr/sbin/slurmctld -D -i
	spawn slurmd /usr/sbin/slurmd -D -N localhost
	while [ "$(node_state)" != idle ]; do
		for d in $DAEMONS; do pidof_ours "$d" >/dev/null || fail "$d" "$d exited at start"; done
		if [ "$(date +%s)" -ge "$deadline" ]; then
			timeout 10 scontrol ping >/dev/null 2>&1 || fail slurmctld "slurmctld does not answer after $TIMEOUT s"
			fail slurmd "the node is not idle after $TIMEOUT s (sinfo says '$(node_state)')"
		fi
		sleep 0.1
	done
	say "started on 127.0.0.1:$PORT, node idle after $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s (SLURM_CONF=$CONF)"
}

# members PGID: the PIDs in process group PGID (a daemon started by spawn leads its own)
# whose command is munge's or Slurm's: the daemon and what it forked (slurmctld's
# slurmscriptd, slurmd's slurmstepd), even after the daemon itself died
members() {
	pg=$1
	for f in /proc/[0-9]*/stat; do
		{ read -r line <"$f"; } 2>/dev/null || continue
		comm=${line#*\(}
		comm=${comm%\)*}
		# shellcheck disable=SC2086 # the fields after the command name, split on purpose
		set -- ${line##*) }
		[ "${3:-}" = "$pg" ] || continue
		case $comm in munged | slurm*) pid=${f#/proc/}; echo "${pid%/stat}" ;; esac
	done
}

# stop_all: cancel every job (so no slurmstepd outlives slurmd), then end each daemon's
# process group newest first: SIGTERM, SIGKILL after 10 s, and wait until it is empty
stop_all() {
	if pidof_ours slurmctld >/dev/null && pidof_ours munged >/dev/null; then
		ids=$(timeout 10 squeue -h -o %A 2>/dev/null)
		if [ -n "$ids" ]; then
			# shellcheck disable=SC2086 # one argument per job id
			timeout 10 scancel $ids 2>/dev/null
			i=0
			while [ -n "$(timeout 10 squeue -h -o %A 2>/dev/null)" ] && [ $i -lt 100 ]; do
				sleep 0.1
				i=$((i + 1))
			done
		fi
	fi
	for d in slurmd slurmctld munged; do
		pgid=$(cat "$STATE/run/$d.pid" 2>/dev/null) || continue
		case $pgid in '' | *[!0-9]*) rm -f "$STATE/run/$d.pid"; continue ;; esac
		i=0
		# shellcheck disable=SC2086 # $pids: one argument per PID
		while pids=$(members "$pgid") && [ -n "$pids" ]; do
			if [ $i -eq 0 ]; then
				kill $pids 2>/dev/null
			elif [ $i -eq 100 ]; then
				say "$d (PIDs $(printf '%s ' $pids)) ignored SIGTERM for 10 s; killing"
				kill -KILL $pids 2>/dev/null
			fi
			sleep 0.1
			i=$((i + 1))
		done
		rm -f "$STATE/run/$d.pid"
	done
}

stop() {
	left=
	for d in $DAEMONS; do
		pgid=$(cat "$STATE/run/$d.pid" 2>/dev/null) && [ -n "$(members "$pgid")" ] && left=1
	done
	if [ -z "$left" ]; then
		rm -f "$STATE/run/"*.pid
		say "not running"
		return 0
	fi
	stop_all
	say "stopped"
}

status() {
	rc=0
	for d in $DAEMONS; do
		if pid=$(pidof_ours "$d"); then echo "$d: running (PID $pid)"; else echo "$d: not running"; rc=3; fi
	done
	if pidof_ours slurmctld >/dev/null; then echo "node localhost: $(node_state)"; fi
	echo "SLURM_CONF=$CONF"
	return $rc
}

case ${1:-} in
start) start ;;
stop) stop ;;
status) status ;;
conf) echo "$CONF" ;;
*) echo "usage: tests/lib/slurm.sh start|stop|status|conf" >&2; exit 2 ;;
esac
