#!/bin/sh
# tests/lib/mkcpythonrepo.sh: a local git repository of REAL CPython with a known slowdown.
#
#   mkcpythonrepo.sh TARBALL DIR    make DIR (once; reused when complete) and print its facts
#
# Two commits on main, with fixed names and dates so their ids are the same on every
# machine (and builds keyed by them stay cached in $GILBENCH_WORK):
#   base (tag)  the tarball's tree as it is (CPython 3.13.5)
#   slow (tag)  the same plus a pure-Python slowdown in Lib/threading.py: Thread.start()
#               first counts to 200,000 (a few milliseconds of bytecode), so anything
#               that starts threads (the io-threads and thread-scaling experiments) gets
#               slower, and code that starts none (single-thread) does not change at all.
# A Lib/ change needs no C rebuild to take effect, but gilbench builds each commit
# anyway (the build key holds the commit id); ccache makes the second build cheaper.
# Facts are printed as KEY=VALUE lines for `eval`: BASE and SLOW (full commit ids).
# DIR is made in DIR.tmp-PID and renamed when complete, so a kill never leaves half a repo.
set -eu

tarball=$1 dir=$2
export GIT_AUTHOR_NAME=gilbench GIT_AUTHOR_EMAIL=gilbench@example.invalid
export GIT_COMMITTER_NAME=gilbench GIT_COMMITTER_EMAIL=gilbench@example.invalid
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

facts() {
	echo "BASE=$(git -C "$1" rev-parse base^{commit})"
	echo "SLOW=$(git -C "$1" rev-parse slow^{commit})"
}

if [ -d "$dir/.git" ] && facts "$dir" >/dev/null 2>&1; then
	facts "$dir"
	exit 0
fi

tmp=$dir.tmp-$$
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp"
tar -xJf "$tarball" -C "$tmp" --strip-components=1
cd "$tmp"
git init -q -b main
git add -A
GIT_AUTHOR_DATE=2026-01-01T00:00:01Z GIT_COMMITTER_DATE=2026-01-01T00:00:01Z \
	git commit -q -m "CPython 3.13.5 as released"
git tag base

python3 - Lib/threading.py <<'PY'
import sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
anchor = '            raise RuntimeError("thread.__init__() not called")\n'
if text.count(anchor) != 1:
    sys.exit("mkcpythonrepo.sh: Thread.start() is not as expected in " + path)
slow = ("        # gilbench's compare test: a deliberate slowdown (tests/lib/mkcpythonrepo.sh)\n"
        "        for _ in range(200_000):\n"
        "            pass\n")
open(path, "w", encoding="utf-8").write(text.replace(anchor, anchor + slow))
PY
GIT_AUTHOR_DATE=2026-01-01T00:00:02Z GIT_COMMITTER_DATE=2026-01-01T00:00:02Z \
	git commit -q -a -m "threading: Thread.start() counts to 200,000 first (a known slowdown)"
git tag slow
cd - >/dev/null
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
facts "$dir"
