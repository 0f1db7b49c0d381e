#!/usr/bin/env bats
# tests/cli/archive.bats: `gilbench archive` and `gilbench verify` end to end.
#
# Each test makes a small run directory in $T, archives it, and checks the archive with
# verify; tampered archives are made by unpacking with tar, editing, and repacking with
# tar (keeping manifest.json), or by editing the .tar.gz's bytes directly.

load helpers

setup() {
	common_setup
	R=$T/run-1
	mkdir -p "$R/builds/gil" "$R/plots"
	printf 'version: 1\n' >"$R/config.yaml"
	seq 1 3000 >"$R/results.jsonl"
	head -c 60000 /dev/urandom | base64 >"$R/builds/gil/make.log"
	ln -s builds/gil/make.log "$R/last.log"
}

# repack CMD...: unpack run-1.tar.gz into $T/x, run CMD there, repack as $T/new.tar.gz
repack() {
	rm -rf "$T/x" && mkdir "$T/x"
	tar -C "$T/x" -xzf "$T/run-1.tar.gz"
	(cd "$T/x" && "$@")
	tar -C "$T/x" -czf "$T/new.tar.gz" run-1
}

# addlisted IN OUT: a copy of archive IN with hostile members added and listed in its
# manifest.json with their true sha256s (so only extraction's rules can tell), gzip'd with
# the header gilbench writes: run-1/../evil.txt, run-1/abs -> /etc/passwd,
# run-1/up -> ../../x, run-1/sub/ok -> ../config.yaml (harmless) and run-1/null, a device.
addlisted() {
	python3 - "$1" "$2" <<'PY'
import hashlib, io, json, struct, sys, tarfile, zlib
src, out = sys.argv[1], sys.argv[2]
old = tarfile.open(src, "r:gz")
members = [(ti, old.extractfile(ti).read() if ti.isfile() else None) for ti in old.getmembers()]
man = json.loads(members[0][1])
def add(name, type, data=b"", target=None, **kw):
    ti = tarfile.TarInfo("run-1/" + name)
    ti.type, ti.size, ti.mode = type, len(data), 0o644
    if target is not None:
        ti.linkname = target
    for k, v in kw.items():
        setattr(ti, k, v)
    members.append((ti, data if type == tarfile.REGTYPE else None))
    if type in (tarfile.REGTYPE, tarfile.SYMTYPE):
        e = {"path": name, "type": "file" if type == tarfile.REGTYPE else "symlink", "size": len(data),
             "sha256": hashlib.sha256(data if target is None else target.encode()).hexdigest(),
             "mode": "0644" if target is None else "0777"}
        if target is not None:
            e["target"] = target
        man["members"].append(e)
add("../evil.txt", tarfile.REGTYPE, b"evil\n")
add("abs", tarfile.SYMTYPE, target="/etc/passwd")
add("up", tarfile.SYMTYPE, target="../../x")
add("sub", tarfile.DIRTYPE, mode=0o755)
man["members"].append({"path": "sub", "type": "dir", "size": 0, "sha256": None, "mode": "0755"})
add("sub/ok", tarfile.SYMTYPE, target="../config.yaml")
add("null", tarfile.CHRTYPE, devmajor=1, devminor=3)
mdata = (json.dumps(man, indent=2) + "\n").encode()
members[0][0].size = len(mdata)
members[0] = (members[0][0], mdata)
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
    for ti, data in members:
        t.addfile(ti, io.BytesIO(data) if data is not None else None)
raw = buf.getvalue()
c = zlib.compressobj(6, zlib.DEFLATED, -15)
body = c.compress(raw) + c.flush()
open(out, "wb").write(bytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]) + body +
                      struct.pack("<II", zlib.crc32(raw) & 0xFFFFFFFF, len(raw) & 0xFFFFFFFF))
PY
}

@test "archive prints path, members, size and sha256; verify says OK" {
	run "$GILBENCH" archive "$R"
	[ "$status" -eq 0 ]
	sha=$(sha256sum "$T/run-1.tar.gz" | cut -d' ' -f1)
	size=$(stat -c %s "$T/run-1.tar.gz")
	[[ "$output" == *"$T/run-1.tar.gz: 7 members, $size bytes, sha256 $sha"* ]]
	[ -f "$R/manifest.json" ]
	[ "$(tar -tzf "$T/run-1.tar.gz" | head -1)" = run-1/manifest.json ]
	run "$GILBENCH" verify "$T/run-1.tar.gz"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/run-1.tar.gz: OK, 7 members verified" ]
}

@test "archiving twice gives the same bytes, also after touching mtimes" {
	"$GILBENCH" archive "$R" -o "$T/a.tar.gz"
	touch -d '2001-02-03 04:05:06' "$R/config.yaml" "$R/builds/gil/make.log" "$R"
	"$GILBENCH" archive "$R" --out "$T/b.tar.gz"
	cmp "$T/a.tar.gz" "$T/b.tar.gz"
	# owner 0:0, mtime 0, normalised modes
	run tar -tvzf "$T/a.tar.gz"
	[[ "$output" == *"-rw-r--r-- 0/0"*"1970-01-01 00:00 run-1/config.yaml"* ]]
	[[ "$output" != *"2001-02-03"* ]]
}

@test "one byte flipped in the middle of the .tar.gz fails verify (exit 3)" {
	"$GILBENCH" archive "$R"
	size=$(stat -c %s "$T/run-1.tar.gz")
	flipgz "$T/run-1.tar.gz" "$((size / 2))"
	run "$GILBENCH" verify "$T/run-1.tar.gz"
	[ "$status" -eq 3 ]
	[[ "$output" == *"builds/gil/make.log: content changed: sha256 expected"* ||
	   "$output" == *"corrupt or truncated archive at member run-1/builds/gil/make.log"* ]]
	[[ "$output" == *"FAILED"* ]]
}

@test "a member with changed content is named, with both sha256s" {
	"$GILBENCH" archive "$R"
	old=$(sha256sum "$R/config.yaml" | cut -d' ' -f1)
	repack sh -c 'echo "name: changed" >>run-1/config.yaml'
	new=$(sha256sum "$T/x/run-1/config.yaml" | cut -d' ' -f1)
	run "$GILBENCH" verify "$T/new.tar.gz"
	[ "$status" -eq 3 ]
	[[ "$output" == *"new.tar.gz: config.yaml: content changed: sha256 expected $old, actual $new"* ]]
	[[ "$output" != *"make.log"* ]]
}

@test "a removed member is named as missing, an added one as extra" {
	"$GILBENCH" archive "$R"
	repack rm run-1/results.jsonl
	run "$GILBENCH" verify "$T/new.tar.gz"
	[ "$status" -eq 3 ]
	[[ "$output" == *"results.jsonl: missing: listed in manifest.json, not in the archive"* ]]
	repack sh -c 'echo hi >run-1/builds/gil/notes.txt'
	run "$GILBENCH" verify "$T/new.tar.gz"
	[ "$status" -eq 3 ]
	[[ "$output" == *"builds/gil/notes.txt: extra member, not listed in manifest.json"* ]]
	[[ "$output" != *"missing"* ]]
}

@test "a repack that changes nothing still verifies" {
	"$GILBENCH" archive "$R"
	repack true
	run "$GILBENCH" verify "$T/new.tar.gz"
	[ "$status" -eq 0 ]
	[[ "$output" == *"OK, 7 members verified"* ]]
}

@test "manifest removed or malformed: a clear error" {
	"$GILBENCH" archive "$R"
	repack rm run-1/manifest.json
	run "$GILBENCH" verify "$T/new.tar.gz"
	[ "$status" -eq 3 ]
	[[ "$output" == *"manifest.json: missing: no manifest.json in the archive's top folder"* ]]
	repack sh -c 'echo "{\"version\": 1, \"members\": [" >run-1/manifest.json'
	run "$GILBENCH" verify "$T/new.tar.gz"
	[ "$status" -eq 3 ]
	[[ "$output" == *"manifest.json: malformed: line 2 column"* ]]
}

@test "not an archive, a truncated archive, no file at all" {
	echo "just text" >"$T/notes.tar.gz"
	run "$GILBENCH" verify "$T/notes.tar.gz"
	[ "$status" -eq 3 ]
	[[ "$output" == *"notes.tar.gz: corrupt or truncated archive, or not a tar archive at all: Unrecognized archive format"* ]]
	"$GILBENCH" archive "$R"
	head -c $(($(stat -c %s "$T/run-1.tar.gz") * 2 / 3)) "$T/run-1.tar.gz" >"$T/cut.tar.gz"
	run "$GILBENCH" verify "$T/cut.tar.gz"
	[ "$status" -eq 3 ]
	[[ "$output" == *"cut.tar.gz: corrupt or truncated archive"*": truncated gzip input"* ]]
	[[ "$output" == *"FAILED"* ]]
	run "$GILBENCH" verify "$T/nothing.tar.gz"
	[ "$status" -eq 1 ]
	[[ "$output" == *"gilbench: $T/nothing.tar.gz: No such file or directory"* ]]
}

@test "symlinks are stored as symlinks, not followed" {
	ln -s ../config.yaml "$R/builds/cfg"
	"$GILBENCH" archive "$R"
	run tar -tvzf "$T/run-1.tar.gz"
	[[ "$output" == *"run-1/last.log -> builds/gil/make.log"* ]]
	[[ "$output" == *"run-1/builds/cfg -> ../config.yaml"* ]]
	mkdir "$T/x" && tar -C "$T/x" -xzf "$T/run-1.tar.gz"
	[ "$(readlink "$T/x/run-1/last.log")" = builds/gil/make.log ]
	"$GILBENCH" verify "$T/run-1.tar.gz"
	# a link pointed elsewhere is a changed member
	repack sh -c 'ln -sfn config.yaml run-1/last.log'
	run "$GILBENCH" verify "$T/new.tar.gz"
	[ "$status" -eq 3 ]
	[[ "$output" == *"last.log: content changed"* ]]
}

@test "an empty run directory" {
	mkdir "$T/empty"
	run "$GILBENCH" archive "$T/empty/"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$T/empty.tar.gz: 0 members"* ]]
	[ "$(tar -tzf "$T/empty.tar.gz")" = empty/manifest.json ]
	run "$GILBENCH" verify "$T/empty.tar.gz"
	[ "$status" -eq 0 ]
	[[ "$output" == *"OK, 0 members verified"* ]]
}

@test "nested folders are kept, sorted, under one top folder" {
	mkdir -p "$R/pyperf" && echo '{}' >"$R/pyperf/gil.json"
	"$GILBENCH" archive "$R"
	run tar -tzf "$T/run-1.tar.gz"
	expected="run-1/manifest.json
run-1/builds/
run-1/builds/gil/
run-1/builds/gil/make.log
run-1/config.yaml
run-1/last.log
run-1/plots/
run-1/pyperf/
run-1/pyperf/gil.json
run-1/results.jsonl"
	[ "$output" = "$expected" ]
	grep -q '"path": "builds/gil/make.log"' "$R/manifest.json"
}

@test "output in a folder that does not exist, or onto a folder: clear error, no partial file" {
	run "$GILBENCH" archive "$R" -o "$T/no/such/dir/out.tar.gz"
	[ "$status" -eq 1 ]
	[[ "$output" == *"gilbench: archive $R: $T/no/such/dir/out.tar.gz: cannot write the archive in folder $T/no/such/dir: No such file or directory"* ]]
	[ ! -e "$T/no" ]
	mkdir "$T/taken"
	run "$GILBENCH" archive "$R" -o "$T/taken"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/taken: exists and is a folder, not a regular file; not replaced"* ]]
	[ -z "$(find "$T" -name '*.tmp-*' -o -name '*.spool-*')" ]
	run "$GILBENCH" archive "$R" -o "$R/self.tar.gz"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot be written inside the run directory"* ]]
}

@test "-o onto a FIFO, a symlink or a device, or a FIFO as manifest.json: refused, nothing replaced (issue 9)" {
	mkfifo "$T/fifo"
	run timeout -s KILL 20 "$GILBENCH" archive "$R" -o "$T/fifo"
	[ "$status" -eq 1 ]
	[[ "$output" == *"gilbench: archive $R: $T/fifo: exists and is a FIFO, not a regular file; not replaced"* ]]
	[ -p "$T/fifo" ]
	echo keep >"$T/target"
	ln -s target "$T/link"
	run "$GILBENCH" archive "$R" -o "$T/link"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/link: exists and is a symlink, not a regular file; not replaced"* ]]
	[ -L "$T/link" ] && [ "$(cat "$T/target")" = keep ]
	if [ "$(id -u)" = 0 ]; then
		mknod "$T/null" c 1 3
		run "$GILBENCH" archive "$R" -o "$T/null"
		[ "$status" -eq 1 ]
		[[ "$output" == *"$T/null: exists and is a character device, not a regular file; not replaced"* ]]
		[ -c "$T/null" ]
	fi
	mkfifo "$R/manifest.json"
	run timeout -s KILL 20 "$GILBENCH" archive "$R" -o "$T/out.tar.gz"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$R/manifest.json: exists and is a FIFO, not a regular file; not replaced"* ]]
	[ -p "$R/manifest.json" ] && [ ! -e "$T/out.tar.gz" ]
	[ -z "$(find "$T" -name '*.tmp*' -o -name '*.spool-*')" ]
}

@test "verify, compare and reproduce of a FIFO: a clear error at once, not a hang (issue 9)" {
	mkfifo "$T/pipe.tar.gz"
	run timeout -s KILL 10 "$GILBENCH" verify "$T/pipe.tar.gz"
	[ "$status" -eq 1 ]
	[[ "$output" == *"gilbench: $T/pipe.tar.gz: not a regular file (a FIFO)"* ]]
	"$GILBENCH" archive "$R"
	run timeout -s KILL 10 "$GILBENCH" compare "$T/pipe.tar.gz" "$T/run-1.tar.gz" --out "$T/cmp"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/pipe.tar.gz: not a regular file (a FIFO)"* ]]
	run timeout -s KILL 10 "$GILBENCH" reproduce "$T/pipe.tar.gz" --out "$T/rep"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/pipe.tar.gz: not a regular file (a FIFO)"* ]]
	[ -z "$(find "$T" -name '*.tmp*')" ]
}

@test "verify applies extraction's rules: '..', symlinks leaving the tree, devices fail verify (exit 3) though listed (issue 9)" {
	"$GILBENCH" archive "$R"
	addlisted "$T/run-1.tar.gz" "$T/hostile.tar.gz"
	run "$GILBENCH" verify "$T/hostile.tar.gz"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"hostile.tar.gz: run-1/../evil.txt: unsafe member, extraction refuses it: path has a '..' component"* ]]
	[[ "$output" == *"hostile.tar.gz: run-1/abs: unsafe member, extraction refuses it: symlink to an absolute path (/etc/passwd)"* ]]
	[[ "$output" == *"hostile.tar.gz: run-1/up: unsafe member, extraction refuses it: symlink points outside the tree (../../x)"* ]]
	[[ "$output" == *"hostile.tar.gz: run-1/null: unsafe member, extraction refuses it: device node"* ]]
	[[ "$output" != *"sub/ok"*"unsafe"* ]]
	[[ "$output" == *"FAILED, 5 problems (9 of 12 listed members intact)"* ]] # the four, and null: an extra member
	# reproduce stops at verification, before extracting anything
	run "$GILBENCH" reproduce "$T/hostile.tar.gz" --out "$T/rep"
	[ "$status" -eq 3 ]
	[[ "$output" == *"the archive failed verification (5 problems)"*"run-1/../evil.txt: unsafe member"* ]]
	[ ! -e "$T/rep" ] && [ ! -e "$T/evil.txt" ]
}

@test "a symlink that leaves the run directory is not archived: verify and extraction would refuse it (issue 9)" {
	ln -s /etc/passwd "$R/outside"
	run "$GILBENCH" archive "$R"
	[ "$status" -eq 1 ]
	[[ "$output" == *"gilbench: archive $R: run-1/outside: symlink to an absolute path (/etc/passwd); verify and extraction refuse such a member, so it is not archived"* ]]
	[ ! -e "$T/run-1.tar.gz" ]
	rm "$R/outside" && ln -s ../../x "$R/builds/up"
	run "$GILBENCH" archive "$R"
	[ "$status" -eq 1 ]
	[[ "$output" == *"run-1/builds/up: symlink points outside the tree (../../x)"* ]]
	rm "$R/builds/up" && ln -s ../config.yaml "$R/builds/in"
	run "$GILBENCH" archive "$R"
	[ "$status" -eq 0 ]
	"$GILBENCH" verify "$T/run-1.tar.gz"
}

@test "usage: --help, missing and extra arguments" {
	run "$GILBENCH" archive --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: gilbench archive RUN_DIR [--out FILE]"* ]]
	run "$GILBENCH" verify --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: gilbench verify ARCHIVE"* ]]
	run "$GILBENCH" archive
	[ "$status" -eq 2 ]
	run "$GILBENCH" verify a b
	[ "$status" -eq 2 ]
	run "$GILBENCH" archive "$T/missing"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such run directory"* ]]
}

@test "bytes changed outside every member fail verify too: gzip header, trailer, data after it, the tar's padding" {
	"$GILBENCH" archive "$R"
	a=$T/run-1.tar.gz
	size=$(stat -c %s "$a")
	# the gzip header's time stamp (not covered by any checksum)
	cp "$a" "$T/h.tar.gz" && flipbyte "$T/h.tar.gz" 4
	run "$GILBENCH" verify "$T/h.tar.gz"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"h.tar.gz: the file changed outside its members: gzip header differs from the one gilbench writes: time stamp 255"* ]]
	[[ "$output" == *"FAILED, 1 problem (7 of 7 listed members intact)"* ]]
	# the trailer: CRC-32, then the length
	cp "$a" "$T/c.tar.gz" && flipbyte "$T/c.tar.gz" $((size - 8))
	run "$GILBENCH" verify "$T/c.tar.gz"
	[ "$status" -eq 3 ]
	[[ "$output" == *"gzip: incorrect data check"* ]]
	cp "$a" "$T/l.tar.gz" && flipbyte "$T/l.tar.gz" $((size - 1))
	run "$GILBENCH" verify "$T/l.tar.gz"
	[ "$status" -eq 3 ]
	[[ "$output" == *"gzip: incorrect length check"* ]]
	# one byte appended; a second gzip member appended
	cp "$a" "$T/x.tar.gz" && printf x >>"$T/x.tar.gz"
	run "$GILBENCH" verify "$T/x.tar.gz"
	[ "$status" -eq 3 ]
	[[ "$output" == *"x.tar.gz: the file changed outside its members: 1 byte after the end of the gzip stream"* ]]
	cat "$a" "$a" >"$T/two.tar.gz"
	run "$GILBENCH" verify "$T/two.tar.gz"
	[ "$status" -eq 3 ]
	[[ "$output" == *"two.tar.gz: the file changed outside its members: $size bytes after the end of the gzip stream"* ]]
	# a byte in the tar's zero padding after its end marker, recompressed the way gilbench compresses
	gzip -dc "$a" >"$T/u.tar"
	python3 - "$T/u.tar" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read()) + bytearray(10240)
b[-3] = 0x58
open(sys.argv[1], "wb").write(bytes(b))
PY
	gzip -n -c "$T/u.tar" >"$T/p.tar.gz"
	run "$GILBENCH" verify "$T/p.tar.gz"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"p.tar.gz: the file changed outside its members: 1 non-zero byte after the tar archive's end marker"* ]]
	# the untouched archive still verifies
	run "$GILBENCH" verify "$a"
	[ "$status" -eq 0 ]
}
