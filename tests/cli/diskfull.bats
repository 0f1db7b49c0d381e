#!/usr/bin/env bats
# tests/cli/diskfull.bats: a run directory on a small tmpfs that fills up mid-run.
#
# The trials' result lines are padded so that a 256 KiB file system fills after a few of
# them. gilbench must stop with an error that names the problem and the file, keep every
# line it had finished (each parses), leave no torn line for --resume to trip on, and
# complete with --resume once there is room again. The archive stage on a full disk must
# fail clearly and leave no partial archive. Needs root (mount); skipped otherwise.
load helpers

setup() {
	common_setup
	. "$ROOT/tests/lib/fakebuilds.sh"
	S=$T/small
	mkdir -p "$S"
	mount -t tmpfs -o size=256k tmpfs "$S" 2>/dev/null || skip "cannot mount a tmpfs here (not root?)"
	R=$S/run
	mkdir -p "$R/exp"
	cat >"$R/exp/big.py" <<'PY'
import json
print(json.dumps({"seconds": 0.001, "padding": "x" * 6000}))
PY
	{ fake_config_head; cat <<'YAML'
experiments:
  - name: big
    script: exp/big.py
    trials: 40
YAML
	echo "$GUARDS_OFF"
	} | fake_rundir "$R"
}

teardown() {
	umount "$S" 2>/dev/null || true
}

@test "disk full during trials: clear error, finished lines intact, resume completes" {
	run "$GILBENCH" measure "$R"
	echo "$output" | tail -5
	[ "$status" -eq 1 ]
	[[ "$output" == *"No space left on device"* ]]
	[[ "$output" == *"results.jsonl"* ]]
	# every line on disk is whole and parses; some trials were kept
	run python3 -c '
import json, sys
data = open(sys.argv[1], "rb").read()
lines = data.split(b"\n")
assert lines[-1] == b"", "torn last line left behind"
rows = [json.loads(l) for l in lines[:-1]]
assert 0 < len(rows) < 80, len(rows)
print(len(rows))' "$R/results.jsonl"
	echo "$output" | tail -5
	[ "$status" -eq 0 ]
	kept=$output
	# make room and resume: every (cell, round) exactly once, the kept ones untouched
	mount -o remount,size=8m "$S"
	head -c 1000 "$R/results.jsonl" >"$T/before"
	run "$GILBENCH" measure --resume "$R"
	echo "$output" | tail -5
	[ "$status" -eq 0 ]
	cmp -n 1000 "$T/before" "$R/results.jsonl"
	run python3 -c '
import json, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
c = collections.Counter((r["cell"], r["round"]) for r in rows)
assert len(rows) == 80 and set(c.values()) == {1}, (len(rows), c.most_common(2))' "$R/results.jsonl"
	echo "$output" | tail -5
	[ "$status" -eq 0 ]
}

@test "disk full while archiving: clear error and no partial archive" {
	mount -o remount,size=8m "$S"
	run "$GILBENCH" measure "$R"
	[ "$status" -eq 0 ]
	# fill the rest of the file system, leaving too little for the archive
	dd if=/dev/urandom of="$S/filler" bs=1k count=100000 2>/dev/null || true
	run "$GILBENCH" archive "$R" -o "$S/run.tar.gz"
	echo "$output" | tail -5
	[ "$status" -eq 1 ]
	[[ "$output" == *"No space left on device"* ]]
	[ ! -e "$S/run.tar.gz" ]
	[ -z "$(ls "$S" | grep -F 'run.tar.gz.tmp' || true)" ]
	# the run directory itself is untouched
	run python3 -c 'import json, sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)))' "$R/results.jsonl"
	[ "$output" = 80 ]
}
