#!/usr/bin/env python3
"""tests/lib/mkrun.py: synthetic run directories for the report's tests and benchmark.

Writes RUNDIR/config.yaml (a copy of --config, default configs/quick.yaml, with the
experiment scripts copied beside it so that the config loads), run.json, builds/NAME/build.json
for every build, results.jsonl with chosen values (each trial under the cell id that
`$GILBENCH plan --json` gives its cell; a cell the plan lacks gets a made-up id), and
metadata.json. The YAML is read (PyYAML)
only to learn the experiments, their matrix points, the variants and expect values.

Cells are named EXP:VARIANT or EXP:VARIANT:POINT (POINT as the plan labels it, "threads=4").

  --set CELL=V1,V2,...      measured trials with these metric values (seconds)
  --values CELL=N1,N2,...   the trials' result "value" (the race's final count); with --set
                            or alone (metric 0.1 s then); "correct" is value == expect.equals
  --warmup CELL=V1,...      warm-up trials before the measured ones
  --fail CELL=STATUS[:ERR]  one more measured trial that failed: failed, timeout, bad-output
  --fill N                  every cell not given by --set/--values gets N trials around a
                            base time per experiment and variant (seeded, 1% noise)
  --random CELL=N:MEAN:SD   N trials drawn from a normal distribution (seeded)
  --same                    --fill draws every variant from the same distribution (A/A)
  --noise SD                --fill's relative noise (default 0.01)
  --omit CELL               no trials at all for this cell (with --fill)
  --build-failed NAME=STEP:ERROR   build.json says ok: false
  --no-build NAME           no build.json for this build
  --metadata JSON           keys merged into metadata.json ('{"noise": ["..."]}')
  --no-metadata             no metadata.json
  --broken-line             a damaged line in the middle of results.jsonl
  --seed S                  random seed (default 1)
"""
import argparse
import hashlib
import subprocess
import itertools
import json
import os
import random
import shutil
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def split_cell_value(spec):
    # the value part never contains '=', the point may: split at the last '='
    i = spec.rfind("=")
    if i < 0:
        sys.exit("mkrun: bad cell %r (EXP:VARIANT[:POINT]=...)" % spec)
    left, rest = spec[:i], spec[i + 1:]
    parts = left.split(":", 2)
    if len(parts) < 2:
        sys.exit("mkrun: bad cell %r (EXP:VARIANT[:POINT]=...)" % spec)
    return (parts[0], parts[1], parts[2] if len(parts) > 2 else ""), rest


def cell_name(spec):
    parts = spec.split(":", 2)
    return (parts[0], parts[1], parts[2] if len(parts) > 2 else "")


def cell_ids(rundir):
    """(experiment, variant, point) -> cell id, from `gilbench plan --json` of the run's config"""
    gb = os.environ.get("GILBENCH") or os.path.join(ROOT, "gilbench")
    out = subprocess.run([gb, "plan", "--json", os.path.join(rundir, "config.yaml")], check=True,
                         capture_output=True, text=True).stdout
    return {(c["experiment"], c["variant"], c["point"]): c["id"] for c in json.loads(out)["cells"]}


def write_runstate(rundir):
    json.dump({"version": 1, "kind": "run", "sides": [{"name": "", "ref": None, "commit": None}], "extra": {}},
              open(os.path.join(rundir, "run.json"), "w"))


def points(exp):
    m = exp.get("matrix") or {}
    if not m:
        return [""]
    dims = list(m.items())
    return [",".join("%s=%s" % (d[0], v) for d, v in zip(dims, combo))
            for combo in itertools.product(*[d[1] for d in dims])]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rundir")
    ap.add_argument("--config", default=os.path.join(ROOT, "configs", "quick.yaml"))
    for opt in ("set", "values", "warmup", "fail", "random", "omit", "build-failed", "no-build"):
        ap.add_argument("--" + opt, action="append", default=[])
    ap.add_argument("--fill", type=int, default=0)
    ap.add_argument("--same", action="store_true")
    ap.add_argument("--noise", type=float, default=0.01)
    ap.add_argument("--metadata", default="{}")
    ap.add_argument("--no-metadata", action="store_true")
    ap.add_argument("--broken-line", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    rng = random.Random(a.seed)
    os.makedirs(a.rundir, exist_ok=True)
    shutil.copyfile(a.config, os.path.join(a.rundir, "config.yaml"))
    cfg = yaml.safe_load(open(a.config))
    srcdir = os.path.dirname(os.path.abspath(a.config))
    for e in cfg["experiments"]:
        dst = os.path.join(a.rundir, e["script"])
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        src = os.path.join(srcdir, e["script"])
        if os.path.exists(src):
            shutil.copyfile(src, dst)
        else:
            open(dst, "w").write("# placeholder\n")

    ids = cell_ids(a.rundir)
    write_runstate(a.rundir)
    builds = [b["name"] for b in cfg["builds"]]
    variants = [v["name"] for v in cfg.get("variants") or []] or builds
    exps = {e["name"]: e for e in cfg["experiments"]}

    failed = dict(s.split("=", 1) for s in a.build_failed)
    for b in cfg["builds"]:
        name = b["name"]
        if name in a.no_build:
            continue
        ok = name not in failed
        step, _, err = failed.get(name, ":").partition(":")
        rec = {
            "name": name, "key": hashlib.sha256(name.encode()).hexdigest(),
            "inputs": {"source": "93e583f2", "patches": [], "configure": b.get("configure", []),
                       "compiler": "gcc (Debian 12.2.0-14) 12.2.0", "recipe": 1},
            "prefix": "/work/prefix/" + name, "python": "/work/prefix/%s/bin/python3.13" % name,
            "reused": False, "ok": ok, "error": None if ok else err, "failed_step": None if ok else step,
            "steps": {"configure": 23.1, "make": 110.4, "install": 19.0},
            "gil_disabled": "--disable-gil" in b.get("configure", []),
            "gil_enabled_at_runtime": "--disable-gil" not in b.get("configure", []),
            "version": "Python 3.13.5 (main, Nov 25 2026, 09:00:00) [GCC 12.2.0]" if ok else None,
            "config_args": " ".join("'%s'" % f for f in b.get("configure", [])),
        }
        os.makedirs(os.path.join(a.rundir, "builds", name), exist_ok=True)
        json.dump(rec, open(os.path.join(a.rundir, "builds", name, "build.json"), "w"), indent=1)

    measured, values, warm, fails = {}, {}, {}, {}
    for s in a.set:
        c, rest = split_cell_value(s)
        measured[c] = [float(x) for x in rest.split(",") if x]
    for s in a.values:
        c, rest = split_cell_value(s)
        values[c] = [float(x) for x in rest.split(",") if x]
        measured.setdefault(c, [0.1] * len(values[c]))
    for s in a.warmup:
        c, rest = split_cell_value(s)
        warm[c] = [float(x) for x in rest.split(",") if x]
    for s in a.fail:
        c, rest = split_cell_value(s)
        fails.setdefault(c, []).append(rest.split(":", 1))
    for s in a.random:
        c, rest = split_cell_value(s)
        n, mean, sd = rest.split(":")
        measured[c] = [max(1e-6, rng.gauss(float(mean), float(sd))) for _ in range(int(n))]
    omit = {cell_name(s) for s in a.omit}
    if a.fill:
        for ei, e in enumerate(cfg["experiments"]):
            for pi, p in enumerate(points(e)):
                for vi, v in enumerate(variants):
                    c = (e["name"], v, p)
                    if c in measured or c in omit:
                        continue
                    base = 0.1 * (ei + 1) * (1 + (0 if a.same else 0.5 * vi)) * (pi + 1)
                    measured[c] = [base * (1 + a.noise * rng.gauss(0, 1)) for _ in range(a.fill)]

    lines = []
    stamp = 0

    def trial(c, rnd, warmup, status, metric, value, error):
        nonlocal stamp
        e = exps.get(c[0], {})
        expect = e.get("expect")
        result = None
        if status == "ok":
            result = {"seconds": metric}
            if value is not None:
                result["value"] = value
            elif expect:
                result[expect["name"]] = expect["equals"]
        t = {"cell": ids.get(c, hashlib.sha256(repr(c).encode()).hexdigest()[:16]), "experiment": c[0], "variant": c[1],
             "point": c[2], "round": rnd, "warmup": warmup, "status": status,
             "metric": metric if status == "ok" else None, "result": result,
             "wall": (metric or 0.1) + 0.05, "utime": metric or 0.1, "stime": 0.01, "maxrss_kb": 10240,
             "exit_code": 0 if status == "ok" else (-1 if status == "timeout" else 1),
             "signal": 9 if status == "timeout" else 0, "error": error,
             "started": "2026-11-25T09:%02d:%02dZ" % (stamp // 60 % 60, stamp % 60), "cpus": None}
        stamp += 1
        if expect:
            got = result.get(expect["name"]) if result else None
            t["correct"] = got == expect["equals"]
        lines.append(json.dumps(t))

    for c in sorted(set(measured) | set(warm) | set(fails)):
        rnd = 1
        for w in warm.get(c, []):
            trial(c, rnd, True, "ok", w, None, None)
            rnd += 1
        vals = values.get(c)
        for i, m in enumerate(measured.get(c, [])):
            trial(c, rnd, False, "ok", m, vals[i] if vals and i < len(vals) else None, None)
            rnd += 1
        for f in fails.get(c, []):
            trial(c, rnd, False, f[0], None, None, f[1] if len(f) > 1 else "exited with 1")
            rnd += 1
    if a.broken_line and lines:
        lines.insert(len(lines) // 2, '{"cell": "broken", "experiment": ')
    with open(os.path.join(a.rundir, "results.jsonl"), "w") as f:
        for l in lines:
            f.write(l + "\n")

    if not a.no_metadata:
        meta = {"gilbench": "0.1.0", "config_sha256": hashlib.sha256(open(a.config, "rb").read()).hexdigest(),
                "source": {"kind": "tarball", "sha256": "93e583f2...d640"}, "patches": [],
                "machine": {"kernel": "Linux 6.1.0", "cpu": "Synthetic CPU", "cores": 2, "memory_kb": 4000000,
                            "governor": "performance"},
                "load_start": {"1m": 0.1, "5m": 0.1, "15m": 0.1}, "busy_at_start": False,
                "load_end": {"1m": 0.2, "5m": 0.1, "15m": 0.1},
                "started": "2026-11-25T09:00:00Z", "ended": "2026-11-25T09:30:00Z",
                "noise": [{"experiment": e["name"], "point": p, "other_cpu_share": 0.01,
                           "load_after": {"1m": 0.2}, "noisy": False}
                          for e in cfg["experiments"] for p in points(e)],
                "nonconverged": []}
        meta.update(json.loads(a.metadata))
        json.dump(meta, open(os.path.join(a.rundir, "metadata.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
