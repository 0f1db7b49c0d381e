#!/usr/bin/env python3
"""tests/lib/mktar.py: hostile (and harmless) tarballs for the extraction tests.

    mktar.py KIND OUT [CANARY]

OUT's name picks the compression (.tar.gz, .tar.xz, .tar). Every archive has one top
folder, top/, as a CPython tarball does. CANARY is a folder outside the work area that a
hostile archive tries to write into (absolute targets point there). KINDs:
  good        a few files, a folder, an in-tree symlink and a hard link
  abs         a member with an absolute path (CANARY/pwned)
  dotdot      top/../../pwned
  symlink-out top/link -> CANARY (absolute), then top/link/pwned written through it
  symlink-up  top/link -> ../../.. (climbs out), then top/link/pwned
  through     top/a -> sub (inside the tree), then top/a/x written through it
  hardlink    top/h hard link to CANARY/victim
  hardlink-later  top/h hard link to top/later, which comes after it
  chardev     top/null, a character device
  blockdev    top/disk, a block device
  fifo        top/pipe, a FIFO
  many        top/ with 50 files (for GILBENCH_MAX_ENTRIES below that)
  big         top/big, 4 MiB of zeros (for GILBENCH_MAX_BYTES below that)
  large       about 1.1 MiB of text in 20 files (about 170 KiB compressed)
  truncated   a large archive cut in half (gzip or xz by OUT's name)
  corrupt     a large archive with bytes in the middle overwritten
"""
import io
import os
import random
import sys
import tarfile


def info(name, type=tarfile.REGTYPE, data=b"", **kw):
    ti = tarfile.TarInfo(name)
    ti.type = type
    ti.size = len(data) if type == tarfile.REGTYPE else 0
    ti.mode = 0o755 if type == tarfile.DIRTYPE else 0o644
    ti.mtime = 1700000000
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti, (io.BytesIO(data) if type == tarfile.REGTYPE else None)


def members(kind, canary):
    yield info("top", tarfile.DIRTYPE)
    yield info("top/README", data=b"hello\n")
    if kind == "good":
        yield info("top/sub", tarfile.DIRTYPE)
        yield info("top/sub/file.txt", data=b"inside\n")
        yield info("top/run.sh", data=b"#!/bin/sh\necho ok\n", mode=0o4755)
        yield info("top/link", tarfile.SYMTYPE, linkname="sub/file.txt")
        yield info("top/hard", tarfile.LNKTYPE, linkname="top/sub/file.txt")
    elif kind == "abs":
        yield info(os.path.join(canary, "pwned"), data=b"pwned\n")
    elif kind == "dotdot":
        yield info("top/../../pwned", data=b"pwned\n")
    elif kind == "symlink-out":
        yield info("top/link", tarfile.SYMTYPE, linkname=canary)
        yield info("top/link/pwned", data=b"pwned\n")
    elif kind == "symlink-up":
        yield info("top/link", tarfile.SYMTYPE, linkname="../../..")
        yield info("top/link/pwned", data=b"pwned\n")
    elif kind == "through":
        yield info("top/sub", tarfile.DIRTYPE)
        yield info("top/a", tarfile.SYMTYPE, linkname="sub")
        yield info("top/a/x", data=b"through\n")
    elif kind == "hardlink":
        yield info("top/h", tarfile.LNKTYPE, linkname=os.path.join(canary, "victim"))
    elif kind == "hardlink-later":
        yield info("top/h", tarfile.LNKTYPE, linkname="top/later")
        yield info("top/later", data=b"later\n")
    elif kind == "chardev":
        yield info("top/null", tarfile.CHRTYPE, devmajor=1, devminor=3)
    elif kind == "blockdev":
        yield info("top/disk", tarfile.BLKTYPE, devmajor=8, devminor=0)
    elif kind == "fifo":
        yield info("top/pipe", tarfile.FIFOTYPE)
    elif kind == "many":
        for i in range(50):
            yield info("top/f%03d" % i, data=b"x\n")
    elif kind == "big":
        yield info("top/big", data=bytes(4 << 20))
    elif kind in ("large", "truncated", "corrupt"):
        rnd = random.Random(42)
        words = [b"alpha", b"beta", b"gamma", b"delta", b"epsilon", b"zeta", b"eta", b"theta"]
        for i in range(20):
            text = b" ".join(rnd.choices(words, k=10000))
            yield info("top/f%02d.txt" % i, data=text)
    else:
        sys.exit("mktar.py: unknown kind %s" % kind)


def main():
    kind, out = sys.argv[1], sys.argv[2]
    canary = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else "/nonexistent"
    mode = "w:gz" if out.endswith(".gz") else "w:xz" if out.endswith(".xz") else "w"
    level = {"w:gz": {"compresslevel": 1}, "w:xz": {"preset": 1}}.get(mode, {})
    with tarfile.open(out, mode, format=tarfile.GNU_FORMAT, **level) as t:
        for ti, f in members(kind, canary):
            t.addfile(ti, f)
    data = open(out, "rb").read()
    if kind == "truncated":
        data = data[:len(data) // 2]
    elif kind == "corrupt":
        mid = len(data) // 2
        data = data[:mid] + bytes(b ^ 0x5A for b in data[mid:mid + 64]) + data[mid + 64:]
    open(out, "wb").write(data)


if __name__ == "__main__":
    main()
