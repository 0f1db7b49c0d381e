#!/bin/sh
# tests/lib/cpuquota.sh: a slower machine, simulated by a CPU quota on a cgroup.
#
#   cpuquota.sh PERCENT -- CMD ARGS...  run CMD in a new cgroup allowed PERCENT of one CPU
#                                       (max: no quota); exits with CMD's status and removes
#                                       the group
#   cpuquota.sh check                   exit 0 when a cgroup CPU controller is writable here,
#                                       else 77 with the reason on stderr
#   cpuquota.sh create PERCENT          make a quota group and print its folder (GROUP)
#   cpuquota.sh add GROUP PID           move PID (all its threads) into GROUP; the children it
#                                       starts from then on start there too
#   cpuquota.sh remove GROUP PID        move PID back to the group GROUP was made in
#   cpuquota.sh destroy GROUP           move what is left in GROUP back, and remove it
#
# cgroup v1 (a `cgroup` mount with the cpu controller: cpu.cfs_quota_us and
# cpu.cfs_period_us) or v2 (a `cgroup2` mount whose cpu controller can be enabled:
# cpu.max). Groups are made inside the caller's own cgroup, named gilbench-quota.PID.
#
# PERCENT is of one CPU: 50 makes a single-threaded CPU-bound loop take about twice its
# wall time (its CPU time does not change). The period is short, CPUQUOTA_PERIOD_US
# (default 10000, 10 ms), so that the slowdown is spread evenly, as on a slower machine:
# with the kernel's default 100 ms, a 20 ms burst fits inside one period's allowance and is
# not slowed at all. The kernel wants quota and period of at least 1 ms, so PERCENT must be
# at least 100000/CPUQUOTA_PERIOD_US (10 by default). The group also gets the highest CPU
# weight (v1 cpu.shares 262144, v2 cpu.weight 10000), so that other work on a shared
# machine does not take its CPU away: the quota alone sets its speed. `max` sets no quota,
# only the weight: the unthrottled speed to compare with. (100 is not quite that: a thread
# using all of one CPU's allowance is still throttled now and then, about 9% of the time
# measured here.)
#
# Exit codes: 77 no writable cgroup CPU controller (tests skip with the message), 2 bad
# usage, 1 a cgroup operation failed; otherwise CMD's own status.
set -u
PERIOD=${CPUQUOTA_PERIOD_US:-10000}
ME=cpuquota.sh

die() { echo "$ME: $*" >&2; exit 1; }
skip() { echo "$ME: no writable cgroup CPU controller: $*" >&2; exit 77; }

# find_parent: set KIND (v1|v2) and PARENT (the folder our cgroup is, for the cpu controller)
find_parent() {
	KIND= PARENT=
	# v1: a cgroup mount whose options include the cpu controller
	mnt=$(awk '$3 == "cgroup" { n = split($4, o, ","); for (i = 1; i <= n; i++) if (o[i] == "cpu") { print $2; exit } }' /proc/self/mounts)
	if [ -n "$mnt" ] && [ -f "$mnt/cpu.cfs_quota_us" ]; then
		rel=$(awk -F: '{ n = split($2, c, ","); for (i = 1; i <= n; i++) if (c[i] == "cpu") { print $3; exit } }' /proc/self/cgroup)
		KIND=v1 PARENT=$mnt
		[ -n "$rel" ] && [ -d "$mnt$rel" ] && [ "$rel" != / ] && PARENT=$mnt$rel
		return 0
	fi
	# v2: the unified hierarchy, if it offers the cpu controller
	mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	if [ -n "$mnt" ]; then
		rel=$(awk -F: '$1 == "0" { print $3; exit }' /proc/self/cgroup)
		PARENT=$mnt
		[ -n "$rel" ] && [ -d "$mnt$rel" ] && [ "$rel" != / ] && PARENT=$mnt$rel
		if grep -qw cpu "$PARENT/cgroup.controllers" 2>/dev/null; then
			KIND=v2
			return 0
		fi
		skip "cgroup v2 at $mnt offers no cpu controller in $PARENT, and no cgroup v1 mount has one"
	fi
	skip "no cgroup mount with a cpu controller (see /proc/self/mounts)"
}

# create PERCENT: make the group, print its folder
create() {
	pct=$1
	if [ "$pct" = max ]; then
		quota=-1
	else
		case $pct in ''|*[!0-9]*) echo "$ME: PERCENT must be a whole number or max, not '$pct'" >&2; exit 2 ;; esac
		quota=$((pct * PERIOD / 100))
		[ "$quota" -ge 1000 ] && [ "$PERIOD" -ge 1000 ] ||
			{ echo "$ME: $pct% of a $PERIOD us period is under the kernel's 1 ms minimum" >&2; exit 2; }
	fi
	find_parent
	g=$PARENT/gilbench-quota.$$
	mkdir "$g" 2>/dev/null || skip "cannot create $g"
	if [ "$KIND" = v1 ]; then
		if ! { echo "$PERIOD" >"$g/cpu.cfs_period_us" && echo "$quota" >"$g/cpu.cfs_quota_us" &&
			echo 262144 >"$g/cpu.shares"; } 2>/dev/null; then
			rmdir "$g"
			skip "cannot set cpu.cfs_quota_us in $g"
		fi
	else
		grep -qw cpu "$PARENT/cgroup.subtree_control" 2>/dev/null ||
			echo +cpu >"$PARENT/cgroup.subtree_control" 2>/dev/null
		[ "$quota" = -1 ] && quota=max
		if ! { echo "$quota $PERIOD" >"$g/cpu.max" && echo 10000 >"$g/cpu.weight"; } 2>/dev/null; then
			rmdir "$g"
			skip "cannot set cpu.max in $g (is the cpu controller enabled in $PARENT/cgroup.subtree_control?)"
		fi
	fi
	echo "$g"
}

isgroup() {
	case $(basename "$1") in gilbench-quota.*) [ -d "$1" ] && [ -f "$1/cgroup.procs" ] && return 0 ;; esac
	echo "$ME: '$1' is not a group made by $ME" >&2
	exit 2
}

move() { # move PID FOLDER
	echo "$1" >"$2/cgroup.procs" 2>/dev/null || die "cannot move pid $1 into $2"
}

destroy() {
	isgroup "$1"
	for p in $(cat "$1/cgroup.procs"); do
		echo "$p" >"$(dirname "$1")/cgroup.procs" 2>/dev/null || true
	done
	rmdir "$1" 2>/dev/null || die "cannot remove $1 (processes left: $(cat "$1/cgroup.procs" | tr '\n' ' '))"
}

case ${1:-} in
check)
	g=$(create 50) || exit $?
	destroy "$g"
	exit 0 ;;
create)
	[ $# -eq 2 ] || { echo "usage: $ME create PERCENT" >&2; exit 2; }
	create "$2" ;;
add|remove)
	[ $# -eq 3 ] || { echo "usage: $ME $1 GROUP PID" >&2; exit 2; }
	isgroup "$2"
	if [ "$1" = add ]; then move "$3" "$2"; else move "$3" "$(dirname "$2")"; fi ;;
destroy)
	[ $# -eq 2 ] || { echo "usage: $ME destroy GROUP" >&2; exit 2; }
	destroy "$2" ;;
''|-h|--help)
	sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
	[ -n "${1:-}" ] || exit 2 ;;
*)
	[ $# -ge 3 ] && [ "$2" = -- ] || { echo "usage: $ME PERCENT -- CMD ARGS..." >&2; exit 2; }
	pct=$1
	shift 2
	g=$(create "$pct") || exit $?
	trap 'destroy "$g"' EXIT
	trap 'exit 130' INT TERM
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' "$ME" "$g" "$@"
	rc=$?
	exit $rc ;;
esac
