# tests/cli/helpers.bash: shared set-up for the bats suites (load it with `load helpers`).
#
# $GILBENCH is the binary under test (./gilbench, or ./gilbench-asan for the sanitizer
# pass); $ROOT the checkout; each test gets a fresh $T under bats' temporary folder, with
# its own cache so tests never share downloads unless they mean to. $GILBENCH_WORK is kept
# from the environment: it is where real CPython builds are cached between runs.
ROOT=${ROOT:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
GILBENCH=${GILBENCH:-$ROOT/gilbench}
export GILBENCH_PLAIN=1

common_setup() {
	T=$BATS_TEST_TMPDIR
	export GILBENCH_CACHE=$T/cache
}

# Polling that forks nothing, for tests that watch a measuring gilbench: a loop of wc and
# sleep kept 0.4 cores busy, and on a 2-CPU VM a busy CPU 1 slows CPU 0 by up to 30%, enough
# to be called a slow machine by the canary or to spoil a pinned trial.
# countlines FILE: N = its number of lines (0 when it does not exist)
countlines() {
	N=0
	[ -f "$1" ] && { mapfile -t _cl <"$1"; N=${#_cl[@]}; }
	return 0
}
# nap SECONDS: a sleep without a process (`read -t` on a pipe that nobody writes)
nap() {
	[ -n "${_NAPFD:-}" ] || exec {_NAPFD}<> <(:)
	read -r -t "$1" -u "$_NAPFD" _ || :
}
# await_lines FILE N [TRIES]: wait (20 ms naps, TRIES of them, default 3000) until FILE has N
# lines; N is then its count
await_lines() {
	local want=$2 i
	for ((i = 0; i < ${3:-3000}; i++)); do
		countlines "$1"
		[ "$N" -ge "$want" ] && return 0
		nap 0.02
	done
	return 1
}

# The CPython 3.13.5 tarball, fetched once per machine into the shared download cache
# (the same place gilbench itself uses), so tests that need real sources do not download
# it again. Prints its path.
cpython_tarball() {
	local sha=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
	local shared=${XDG_CACHE_HOME:-$HOME/.cache}/gilbench
	if [ ! -f "$shared/downloads/$sha" ]; then
		GILBENCH_CACHE=$shared "$GILBENCH" fetch "$ROOT/configs/quick.yaml" >&2 || return 1
	fi
	echo "$shared/downloads/$sha"
}

# The local git repository of real CPython 3.13.5 that compare, nightly and bisect share
# (tests/lib/mkcpythonrepo.sh: eight first-parent commits, the fourth slows Thread.start()),
# made once beside the shared download cache. Sets REPO, BASE, SLOW, HEAD and COMMITS.
cpython_history_repo() {
	local tarball shared=${XDG_CACHE_HOME:-$HOME/.cache}/gilbench facts
	tarball=$(cpython_tarball) || return 1
	facts=$(sh "$ROOT/tests/lib/mkcpythonrepo.sh" "$tarball" "$shared/cpython-history-repo") || return 1
	eval "$facts"
	REPO=$shared/cpython-history-repo
}

# flipbyte FILE OFFSET: invert every bit of the byte at OFFSET (XOR 0xff), so the file
# always changes there, whatever the byte was.
flipbyte() {
	python3 - "$1" "$2" <<'PY'
import sys
path, off = sys.argv[1], int(sys.argv[2])
data = bytearray(open(path, "rb").read())
data[off] ^= 0xFF
open(path, "wb").write(bytes(data))
PY
}

# flipgz FILE OFFSET: flipbyte on a .tar.gz at OFFSET, or at the next offset where the flip
# changes what the file decompresses to. (Deflate has a few bits that do not matter, e.g.
# code lengths of unused symbols: about 1 flip in 2,000 decompresses to the same bytes and
# is no change of the archive's content.) Prints the offset used.
flipgz() {
	python3 - "$1" "$2" <<'PY'
import sys, zlib
path, off = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
def inflate(b):
    try:
        return zlib.decompress(b, 16 + zlib.MAX_WBITS)
    except zlib.error:
        return None
orig = inflate(data)
for i in range(off, len(data)):
    b = bytearray(data)
    b[i] ^= 0xFF
    if inflate(bytes(b)) != orig:
        open(path, "wb").write(bytes(b))
        print(i)
        break
else:
    sys.exit("flipgz: no byte from %d on changes %s" % (off, path))
PY
}

# slurm_up: the test cluster of tests/lib/slurm.sh for a file's tests (setup_file), started
# unless it runs already; where Slurm cannot run here, SLURM_SKIP says why (tests skip)
slurm_up() {
	local out rc=0
	export SLURM_CONF SLURM_STARTED_HERE SLURM_SKIP=
	SLURM_CONF=$("$ROOT/tests/lib/slurm.sh" conf)
	if "$ROOT/tests/lib/slurm.sh" status >/dev/null 2>&1; then
		SLURM_STARTED_HERE=
	else
		SLURM_STARTED_HERE=1
	fi
	out=$("$ROOT/tests/lib/slurm.sh" start 2>&1) || rc=$?
	if [ $rc -eq 77 ]; then
		SLURM_SKIP=${out#slurm.sh: }
		return 0
	fi
	[ $rc -eq 0 ] || { echo "$out" >&2; return 1; }
}

# slurm_down: stop the cluster when slurm_up started it (teardown_file)
slurm_down() {
	if [ -n "${SLURM_STARTED_HERE:-}" ] && [ -z "${SLURM_SKIP:-}" ]; then
		"$ROOT/tests/lib/slurm.sh" stop
	fi
}
