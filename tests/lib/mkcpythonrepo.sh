#!/bin/sh
# tests/lib/mkcpythonrepo.sh: a local git repository of REAL CPython with a known slowdown,
# shared by the real-CPython tests of compare, nightly and bisect.
#
#   mkcpythonrepo.sh TARBALL DIR    make DIR (once; reused when complete) and print its facts
#
# Eight first-parent commits on main, with fixed names and dates so their ids are the same
# on every machine (and builds keyed by them stay cached in $GILBENCH_WORK):
#   1 base (tag)   the tarball's tree as it is (CPython 3.13.5)
#   2, 3           neutral: a comment line added to Lib/this.py
#   4 slow (tag)   a pure-Python slowdown in Lib/threading.py: Thread.start() first counts to
#                  200,000 (a few milliseconds of bytecode), so anything that starts threads
#                  (the io-threads and thread-scaling experiments) gets slower, and code that
#                  starts none (single-thread) does not change at all
#   5 .. 8         neutral, like 2 and 3 (8 is tagged head)
# Only Lib/ changes, so with ccache at stable paths each commit after the first costs
# configure, a make that hits the cache, and install.
# Facts are printed as KEY=VALUE lines for `eval`: BASE, SLOW, HEAD (full commit ids) and
# COMMITS (all eight, oldest first, space-separated).
# DIR is made in DIR.tmp-PID and renamed when complete, so a kill never leaves half a repo.
set -eu

tarball=$1 dir=$2
export GIT_AUTHOR_NAME=gilbench GIT_AUTHOR_EMAIL=gilbench@example.invalid
export GIT_COMMITTER_NAME=gilbench GIT_COMMITTER_EMAIL=gilbench@example.invalid
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

facts() {
	echo "BASE=$(git -C "$1" rev-parse base^{commit})"
	echo "SLOW=$(git -C "$1" rev-parse slow^{commit})"
	echo "HEAD=$(git -C "$1" rev-parse head^{commit})"
	echo "COMMITS='$(git -C "$1" rev-list --first-parent --reverse head | tr '\n' ' ' | sed 's/ $//')'"
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

commit() { # commit N MESSAGE: commit everything at the fixed time of commit N
	GIT_AUTHOR_DATE=2026-01-01T00:00:0${1}Z GIT_COMMITTER_DATE=2026-01-01T00:00:0${1}Z \
		git commit -q -a -m "$2"
}

neutral() { # neutral N: commit N, a comment line in Lib/this.py
	printf '# gilbench test history: neutral commit %s\n' "$1" >>Lib/this.py
	commit "$1" "this: neutral commit $1 (a comment)"
}

git add -A
commit 1 "CPython 3.13.5 as released"
git tag base
neutral 2
neutral 3

python3 - Lib/threading.py <<'PY'
import sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
anchor = '            raise RuntimeError("thread.__init__() not called")\n'
if text.count(anchor) != 1:
    sys.exit("mkcpythonrepo.sh: Thread.start() is not as expected in " + path)
slow = ("        # gilbench's history tests: a deliberate slowdown (tests/lib/mkcpythonrepo.sh)\n"
        "        for _ in range(200_000):\n"
        "            pass\n")
open(path, "w", encoding="utf-8").write(text.replace(anchor, anchor + slow))
PY
commit 4 "threading: Thread.start() counts to 200,000 first (a known slowdown)"
git tag slow
for n in 5 6 7 8; do neutral "$n"; done
git tag head
cd - >/dev/null
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
facts "$dir"
