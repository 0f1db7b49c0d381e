#!/usr/bin/env python3
"""tests/lib/pyperf_check.py: check files against pyperf's JSON format, version "1.0".

pyperf cannot be installed here, so this checks field by field what pyperf's format
documentation and its loader (pyperf/_bench.py: BenchmarkSuite._json_load, Benchmark,
Run; pyperf/_metadata.py: parse_metadata) require:

  top level      {"version": "1.0", "metadata": {...}, "benchmarks": [...]}, no other key;
                 at least one benchmark; benchmark names unique
  benchmark      {"metadata": {...}, "runs": [...]}; at least one run; a "name" (from its
                 metadata or the file's); metadata pyperf checks across runs (name, unit,
                 inner_loops, python_version, ...) equal in every run
  run            {"metadata": {...}, "warmups": [[loops, value], ...], "values": [...]}:
                 values are numbers > 0, warmups pairs of an int >= 1 and a number >= 0,
                 not both empty; at least one run of each benchmark has values
  metadata       string keys; values non-empty strings without newlines, ints or floats
                 (tags: a list of strings); loops and inner_loops ints >= 1; unit one of
                 second, byte, integer; duration, uptime >= 0; mem_max_rss an int >= 0;
                 date a "YYYY-MM-DD HH:MM:SS" time stamp

Usage: pyperf_check.py FILE...            check each file
       pyperf_check.py --pair A B         also: A and B name the same benchmarks, with the
                                          same unit (what `pyperf compare_to A B` pairs)
Prints one line per problem and exits 1 when there is any.
"""
import datetime
import json
import sys

CHECKED = ("aslr", "cpu_count", "cpu_model_name", "hostname", "inner_loops", "name", "platform",
           "python_executable", "python_implementation", "python_unicode", "python_version", "unit")
UNITS = ("second", "byte", "integer")


def isnum(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_metadata(where, md, errs):
    if not isinstance(md, dict):
        errs.append("%s: metadata is not an object" % where)
        return
    for k, v in md.items():
        w = "%s: metadata %r" % (where, k)
        if k == "tags":
            if not (isinstance(v, list) and all(isinstance(x, str) and x not in ("", "all") for x in v)):
                errs.append("%s: expected a list of tags" % w)
            continue
        if isinstance(v, str):
            if "\n" in v or "\r" in v:
                errs.append("%s: newline in the value" % w)
            if not v.strip():
                errs.append("%s: empty value" % w)
        elif not isnum(v):
            errs.append("%s: value must be a string or a number, got %s" % (w, type(v).__name__))
            continue
        if k in ("loops", "inner_loops", "calibrate_loops", "recalibrate_loops"):
            if not (isinstance(v, int) and not isinstance(v, bool) and v >= 1):
                errs.append("%s: expected an int >= 1" % w)
        elif k == "unit":
            if v not in UNITS:
                errs.append("%s: unit must be one of %s" % (w, ", ".join(UNITS)))
        elif k in ("duration", "uptime", "load_avg_1min"):
            if not (isnum(v) and v >= 0):
                errs.append("%s: expected a number >= 0" % w)
        elif k in ("mem_max_rss", "mem_peak_pagefile_usage", "command_max_rss"):
            if not (isinstance(v, int) and not isinstance(v, bool) and v >= 0):
                errs.append("%s: expected an int >= 0" % w)
        elif k in ("date", "boot_time"):
            try:
                datetime.datetime.strptime(v.split(".")[0], "%Y-%m-%d %H:%M:%S")
            except (ValueError, AttributeError):
                errs.append("%s: expected 'YYYY-MM-DD HH:MM:SS', got %r" % (w, v))


def check_file(path):
    errs = []
    names = {}
    try:
        data = json.load(open(path))
    except (OSError, ValueError) as e:
        return ["%s: %s" % (path, e)], names
    if not isinstance(data, dict):
        return ["%s: the top level is not an object" % path], names
    extra = set(data) - {"version", "metadata", "benchmarks"}
    if extra:
        errs.append("%s: unknown top-level keys %s" % (path, sorted(extra)))
    if data.get("version") != "1.0":
        errs.append("%s: version must be \"1.0\", got %r" % (path, data.get("version")))
    suite_md = data.get("metadata", {})
    check_metadata(path, suite_md, errs)
    benches = data.get("benchmarks")
    if not isinstance(benches, list) or not benches:
        errs.append("%s: benchmarks must be a non-empty list" % path)
        return errs, names
    for i, b in enumerate(benches):
        where = "%s: benchmarks[%d]" % (path, i)
        if not isinstance(b, dict):
            errs.append("%s: not an object" % where)
            continue
        extra = set(b) - {"metadata", "runs"}
        if extra:
            errs.append("%s: unknown keys %s" % (where, sorted(extra)))
        bmd = b.get("metadata", {})
        check_metadata(where, bmd, errs)
        md = dict(suite_md if isinstance(suite_md, dict) else {}, **(bmd if isinstance(bmd, dict) else {}))
        name = md.get("name")
        if not isinstance(name, str) or not name:
            errs.append("%s: no name" % where)
        elif name in names:
            errs.append("%s: a second benchmark named %r" % (where, name))
        else:
            names[name] = md.get("unit", "second")
        runs = b.get("runs")
        if not isinstance(runs, list) or not runs:
            errs.append("%s: runs must be a non-empty list" % where)
            continue
        checked = None
        anyvalues = False
        for j, r in enumerate(runs):
            rw = "%s.runs[%d]" % (where, j)
            if not isinstance(r, dict):
                errs.append("%s: not an object" % rw)
                continue
            extra = set(r) - {"metadata", "warmups", "values"}
            if extra:
                errs.append("%s: unknown keys %s" % (rw, sorted(extra)))
            rmd = r.get("metadata", {})
            check_metadata(rw, rmd, errs)
            values = r.get("values", [])
            warmups = r.get("warmups", [])
            if not isinstance(values, list) or not all(isnum(v) and v > 0 for v in values):
                errs.append("%s: values must be numbers > 0" % rw)
            if not isinstance(warmups, list) or not all(
                    isinstance(w, list) and len(w) == 2 and isinstance(w[0], int) and not isinstance(w[0], bool)
                    and w[0] >= 1 and isnum(w[1]) and w[1] >= 0 for w in warmups):
                errs.append("%s: warmups must be [loops >= 1, value >= 0] pairs" % rw)
            if not values and not warmups:
                errs.append("%s: values and warmups are both empty" % rw)
            anyvalues = anyvalues or bool(values)
            full = dict(md, **(rmd if isinstance(rmd, dict) else {}))
            these = {k: full.get(k) for k in CHECKED}
            if checked is None:
                checked = these
            elif these != checked:
                diff = [k for k in CHECKED if these[k] != checked[k]]
                errs.append("%s: metadata %s differs from the first run's" % (rw, diff))
        if not anyvalues:
            errs.append("%s: no run has values" % where)
    return errs, names


def main(argv):
    pair = False
    if argv and argv[0] == "--pair":
        pair = True
        argv = argv[1:]
        if len(argv) != 2:
            print("usage: pyperf_check.py --pair A B", file=sys.stderr)
            return 2
    if not argv:
        print("usage: pyperf_check.py FILE... | --pair A B", file=sys.stderr)
        return 2
    errs = []
    names = []
    for path in argv:
        e, n = check_file(path)
        errs += e
        names.append(n)
    if pair and not errs:
        a, b = names
        if set(a) != set(b):
            errs.append("benchmarks only in %s: %s; only in %s: %s" % (
                argv[0], sorted(set(a) - set(b)), argv[1], sorted(set(b) - set(a))))
        for k in set(a) & set(b):
            if a[k] != b[k]:
                errs.append("benchmark %r: unit %r in %s but %r in %s" % (k, a[k], argv[0], b[k], argv[1]))
    for e in errs:
        print(e)
    if not errs:
        print("ok: %s" % ", ".join("%s (%d benchmarks)" % (p, len(n)) for p, n in zip(argv, names)))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
