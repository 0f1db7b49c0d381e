# tests/lib/fakebuilds.sh: run directories whose "builds" are the system python3, for the
# run stage's fast tests (tests/cli/measure.bats) and the overhead benchmark.
#
# Source it, then:
#   fake_python PATH GIL      write an interpreter wrapper at PATH around /usr/bin/python3.
#                             GIL=1: sys._is_gil_enabled() answers True (a GIL build);
#                             GIL=0: it answers True only under PYTHON_GIL=1 (a free-threaded
#                             build). Only the probe (`-c CODE`) sees the patch; scripts run on
#                             the plain system interpreter, through one exec.
#   fake_build RUNDIR NAME PYTHON [OK]
#                             write RUNDIR/builds/NAME/build.json pointing at PYTHON; OK=false
#                             records a failed build.
#   fake_rundir RUNDIR        a run directory with builds gil and nogil (fake pythons), run.json
#                             and config.yaml from stdin; scripts are relative to RUNDIR.
#   fake_runstate RUNDIR [KIND]  write RUNDIR/run.json as gilbench does (KIND: run by default)
#   fake_config_head          print the YAML lines every test config starts with (version,
#                             name, source, builds gil and nogil).
#   GUARDS_OFF                a run: mapping that turns the interference and canary guards off,
#                             for tests of the schedule itself on a machine that may be busy

fake_python() {
	local path=$1 gil=$2 expr
	if [ "$gil" = 1 ]; then expr=True; else expr="__import__('os').environ.get('PYTHON_GIL') == '1'"; fi
	cat >"$path" <<PY
#!/bin/sh
# fake interpreter: the system python3, with sys._is_gil_enabled patched for the probe
unset PWD
if [ "\$1" = -c ]; then
	code=\$2
	shift 2
	exec /usr/bin/python3 -c "import sys
sys._is_gil_enabled = lambda: $expr
\$code" "\$@"
fi
exec /usr/bin/python3 "\$@"
PY
	chmod +x "$path"
}

fake_build() {
	local rundir=$1 name=$2 python=$3 ok=${4:-true} err=null
	[ "$ok" = true ] || err='"make failed (fake)"'
	mkdir -p "$rundir/builds/$name"
	cat >"$rundir/builds/$name/build.json" <<JSON
{"name": "$name", "key": "fake-$name", "inputs": {"source": "fake-source-id", "patches": [],
 "configure": [], "compiler": "fake cc 1.0"}, "prefix": "$(dirname "$python")",
 "python": "$python", "reused": false, "ok": $ok, "error": $err, "failed_step": null,
 "gil_disabled": $([ "$name" = nogil ] && echo true || echo false),
 "version": "Python 3 (fake $name)", "config_args": "''"}
JSON
}

GUARDS_OFF='run: {interference: 0, canary: 0}'

fake_config_head() {
	cat <<'YAML'
version: 1
name: fake
source:
  tarball:
    sha256: 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
    from: [file:///nonexistent/Python-3.13.5.tar.xz]
builds:
  - name: gil
    configure: []
  - name: nogil
    configure: [--disable-gil]
YAML
}

fake_rundir() {
	local rundir
	mkdir -p "$1/bin"
	rundir=$(cd "$1" && pwd)
	fake_python "$rundir/bin/python-gil" 1
	fake_python "$rundir/bin/python-nogil" 0
	fake_build "$rundir" gil "$rundir/bin/python-gil"
	fake_build "$rundir" nogil "$rundir/bin/python-nogil"
	fake_runstate "$rundir"
	cat >"$rundir/config.yaml"
}

# fake_runstate RUNDIR [KIND]: the run.json gilbench writes into every run directory it makes
fake_runstate() {
	printf '{"version": 1, "kind": "%s", "sides": [{"name": "", "ref": null, "commit": null}], "extra": {}}\n' \
		"${2:-run}" >"$1/run.json"
}
