#!/bin/sh
# tests/lib/mkfakebisect.sh: a git history of the fake CPython tree (tests/lib/fakecpython)
# for the bisect tests: 17 first-parent commits whose installed pythons tell trials which
# commit they were built from.
#
#   mkfakehistory.sh DIR [BROKEN]    make DIR; commit BROKEN (0-16), if given, does not build
#
# Commit N (tagged cN, fixed dates, so ids are the same on every machine and builds stay
# cached in a shared work area) holds commit.txt = N; its installed python exports
# FAKE_COMMIT=N and FAKE_NOGIL=true|false to every script it runs, so an experiment can
# behave as if a commit changed it. In commit BROKEN a file `broken` makes configure fail.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
r=$1 broken=${2:-}
export GIT_AUTHOR_NAME=gilbench GIT_AUTHOR_EMAIL=gilbench@example.invalid
export GIT_COMMITTER_NAME=gilbench GIT_COMMITTER_EMAIL=gilbench@example.invalid
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
mkdir -p "$r"
cp -R "$root/tests/lib/fakecpython/." "$r/"
sed -i 's/^exec python3 /export FAKE_COMMIT=$(cat "$SRC\/commit.txt") FAKE_NOGIL=$disabled; exec python3 /' "$r/fakebuild.sh"
grep -q '^export FAKE_COMMIT=' "$r/fakebuild.sh"
sed -i 's/^src=\(.*\)$/src=\1\nif [ -e "$src\/broken" ]; then echo "configure: error: this commit does not build (fake)"; exit 1; fi/' "$r/configure"
grep -q 'src/broken' "$r/configure"
git -C "$r" init -q -b main
n=0
while [ $n -le 16 ]; do
	echo "$n" >"$r/commit.txt"
	if [ "$n" = "$broken" ]; then echo "broken" >"$r/broken"; else rm -f "$r/broken"; fi
	git -C "$r" add -A
	GIT_AUTHOR_DATE="2026-01-01T00:00:$(printf %02d $n)Z" GIT_COMMITTER_DATE="2026-01-01T00:00:$(printf %02d $n)Z" \
		git -C "$r" commit -q -m "fake commit $n"
	git -C "$r" tag "c$n"
	n=$((n + 1))
done
