#!/bin/sh
# tests/lib/mkrepo.sh: small git repositories for the gitsrc tests, made with git itself.
#
#   mkrepo.sh DIR            make DIR (a non-bare repository) and print facts about it
#   mkrepo.sh advance DIR    add one commit to main in DIR and print its id
#   mkrepo.sh many DIR N     make DIR with N empty commits on main (fast-import; benches)
#   mkrepo.sh merge DIR      add branch merged: main with feature merged in (--no-ff, so
#                            its first parent is C3 and its second F); print its id
#
# DIR after `mkrepo.sh DIR`, with fixed names and dates so every id is the same each time:
#   main:     C1 (README "one", a.txt) - C2 (README "two", b.txt) - C3 (README "three")
#   feature:  C1 - F (feature.txt)
#   blobs:    C3 - B (blobs/0 .. blobs/999, so that some objects share a 4-hex prefix)
#   tags:     v1 -> C1 (lightweight), v2 -> C2 (annotated)
# The facts are printed as KEY=VALUE lines, one each, for `eval` or grep:
#   C1 C2 C3 F B (full commit ids), V2TAG (the annotated tag object's id), BLOB (the id of
#   C1's a.txt), AMBIG (a 4-hex prefix that several objects share).
# No tag points at a blob or a tree: libgit2 1.5 cannot fetch into a mirror holding one
# over its local transport ("object is not a committish"); the unit test makes one apart.
set -eu

export GIT_AUTHOR_NAME=gilbench GIT_AUTHOR_EMAIL=gilbench@example.invalid
export GIT_COMMITTER_NAME=gilbench GIT_COMMITTER_EMAIL=gilbench@example.invalid
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
n=0
tick() { # a fixed, increasing date for the next commit or tag
	n=$((n + 1))
	GIT_AUTHOR_DATE="2026-01-01T00:00:$(printf %02d $n)Z"
	GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE
	export GIT_AUTHOR_DATE GIT_COMMITTER_DATE
}

case ${1:-} in
advance)
	cd "$2"
	git checkout -q main
	echo "advanced $(git rev-list --count HEAD)" >>README
	GIT_AUTHOR_DATE="2026-02-01T00:00:00Z" GIT_COMMITTER_DATE="2026-02-01T00:00:00Z" \
		git commit -q -am "advance"
	git rev-parse HEAD
	exit 0 ;;
merge)
	cd "$2"
	git checkout -q -b merged main
	GIT_AUTHOR_DATE="2026-03-01T00:00:00Z" GIT_COMMITTER_DATE="2026-03-01T00:00:00Z" \
		git merge -q --no-ff -m "merge feature" feature
	git checkout -q main
	git rev-parse merged
	exit 0 ;;
many)
	mkdir -p "$2" && cd "$2"
	git init -q -b main .
	i=1
	{
		while [ "$i" -le "$3" ]; do
			printf 'commit refs/heads/main\ncommitter gilbench <g@example.invalid> %d +0000\ndata 4\nc%03d\n' \
				$((1767225600 + i)) $((i % 1000))
			[ "$i" -gt 1 ] || printf 'M 644 inline README\ndata 6\nhello\n'
			echo
			i=$((i + 1))
		done
	} | git fast-import --quiet
	git rev-parse main
	exit 0 ;;
"")
	echo "usage: mkrepo.sh DIR | advance DIR | many DIR N | merge DIR" >&2
	exit 2 ;;
esac

mkdir -p "$1" && cd "$1"
git init -q -b main .
echo one >README && echo a >a.txt && git add README a.txt
tick && git commit -q -m one
C1=$(git rev-parse HEAD)
git tag v1
echo two >README && echo b >b.txt && git add README b.txt
tick && git commit -q -m two
C2=$(git rev-parse HEAD)
tick && git tag -a -m "version 2" v2
V2TAG=$(git rev-parse v2)
echo three >README
tick && git commit -q -am three
C3=$(git rev-parse HEAD)
BLOB=$(git rev-parse "$C1:a.txt")

git checkout -q -b feature "$C1"
echo feature >feature.txt && git add feature.txt
tick && git commit -q -m feature
F=$(git rev-parse HEAD)

git checkout -q -b blobs "$C3"
mkdir blobs
i=0
while [ $i -lt 1000 ]; do
	echo "blob $i" >blobs/$i
	i=$((i + 1))
done
git add blobs
tick && git commit -q -m blobs
B=$(git rev-parse HEAD)
git checkout -q main

AMBIG=$(git rev-list --objects --all | cut -c1-4 | sort | uniq -d | head -n 1)
[ -n "$AMBIG" ] || { echo "mkrepo.sh: no shared 4-hex prefix among the objects" >&2; exit 1; }
printf 'C1=%s\nC2=%s\nC3=%s\nF=%s\nB=%s\nV2TAG=%s\nBLOB=%s\nAMBIG=%s\n' \
	"$C1" "$C2" "$C3" "$F" "$B" "$V2TAG" "$BLOB" "$AMBIG"
