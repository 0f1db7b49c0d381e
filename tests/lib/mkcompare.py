#!/usr/bin/env python3
"""mkcompare.py: synthetic run directories for the compare and reproduce tests.

    mkcompare.py OUT [--seed N] [--trials N] [--jitter J] [--scale CELL=F]... [--drop CELL]...
                     [--add CELL=VALUE]... [--fail CELL] [--revs] [--cpu MODEL]

Writes OUT/config.yaml (a valid config naming every experiment of the cells, whose script
exists under OUT/experiments), OUT/run.json, OUT/builds/NAME/build.json, OUT/metadata.json and
OUT/results.jsonl, each trial under its cell's id as `$GILBENCH plan --json` gives it. Cells are EXPERIMENT/VARIANT/POINT
(POINT may be empty: "single-thread/gil/"). The default cells and their base values:

    single-thread/gil/              1.00     single-thread/nogil/           1.10
    thread-scaling/gil/threads=1    0.20     thread-scaling/nogil/threads=1 0.21
    thread-scaling/gil/threads=2    0.40     thread-scaling/nogil/threads=2 0.22
    contended-lock/gil/             0.10     contended-lock/nogil/          1.00

Each measured trial is BASE * SCALE * (1 + JITTER * u), u uniform in [-1, 1] from a
generator seeded with --seed and the cell, so two directories made with the same seed hold
identical values in every cell they share; one warm-up trial per cell comes first (it is an outlier: ten times the base, so a
comparison that counted warm-ups would notice). --scale multiplies one cell's values,
--drop removes a cell, --add adds a cell with that base value, --fail records that cell's
trials as failed. --revs names each variant twice, VARIANT.A and VARIANT.B (the layout of
`gilbench compare CONFIG REV_A REV_B`), with --scale applied to the .B side only.
"""
import argparse
import json
import os
import random
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BASE = {
    "single-thread/gil/": 1.00,
    "single-thread/nogil/": 1.10,
    "thread-scaling/gil/threads=1": 0.20,
    "thread-scaling/nogil/threads=1": 0.21,
    "thread-scaling/gil/threads=2": 0.40,
    "thread-scaling/nogil/threads=2": 0.22,
    "contended-lock/gil/": 0.10,
    "contended-lock/nogil/": 1.00,
}

HEAD = """version: 1
name: synthetic
source:
  tarball:
    sha256: 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
    from:
      - file:///nonexistent/Python-3.13.5.tar.xz
builds:
"""

EXPERIMENT = {  # what each experiment runs; an experiment added with --add gets the last
    "single-thread": "    args: {iterations: 1000}\n",
    "thread-scaling": "    matrix: {threads: [1, 2]}\n    args: {iterations: 1000}\n",
    "contended-lock": "    args: {threads: 4, iterations: 1000}\n",
    None: "    args: {iterations: 1000}\n",
}


def config(cells, sides):
    """the config of these cells: builds gil and nogil (per side), every experiment named"""
    text = HEAD
    for b in ("gil", "nogil"):
        for side in sides:
            text += "  - name: %s%s\n    configure: [%s]\n" % (b, side, "--disable-gil" if b == "nogil" else "")
    text += "experiments:\n"
    seen = []
    for k in list(BASE) + list(cells):
        exp = k.split("/", 1)[0]
        if exp not in seen:
            seen.append(exp)
            text += "  - name: %s\n    script: experiments/stub.py\n    trials: 5\n%s" % (
                exp, EXPERIMENT.get(exp, EXPERIMENT[None]))
    return text


def cell_ids(out):
    """(experiment, variant, point) -> id, from `gilbench plan --json`"""
    gb = os.environ.get("GILBENCH") or os.path.join(ROOT, "gilbench")
    plan = subprocess.run([gb, "plan", "--json", os.path.join(out, "config.yaml")], check=True,
                          capture_output=True, text=True).stdout
    return {(c["experiment"], c["variant"], c["point"]): c["id"] for c in json.loads(plan)["cells"]}


STUB = """import json, sys, time
t = time.perf_counter()
print(json.dumps({"seconds": time.perf_counter() - t}))
"""


def cellkey(text):
    exp, variant, point = text.split("/", 2)
    return exp, variant, point


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--jitter", type=float, default=0.01)
    ap.add_argument("--scale", action="append", default=[])
    ap.add_argument("--drop", action="append", default=[])
    ap.add_argument("--add", action="append", default=[])
    ap.add_argument("--fail", action="append", default=[])
    ap.add_argument("--revs", action="store_true")
    ap.add_argument("--cpu", default="Synthetic CPU @ 3.00GHz")
    a = ap.parse_args()

    cells = dict(BASE)
    for d in a.drop:
        cells.pop(d, None)
    for s in a.add:
        k, v = s.rsplit("=", 1)
        cells[k] = float(v)
    scale = {}
    for s in a.scale:
        k, v = s.rsplit("=", 1)
        scale[k] = float(v)

    sides = [".A", ".B"] if a.revs else [""]
    os.makedirs(os.path.join(a.out, "experiments"), exist_ok=True)
    with open(os.path.join(a.out, "config.yaml"), "w") as f:
        f.write(config(cells, sides))
    with open(os.path.join(a.out, "experiments", "stub.py"), "w") as f:
        f.write(STUB)
    with open(os.path.join(a.out, "run.json"), "w") as f:
        json.dump({"version": 1, "kind": "compare" if a.revs else "run", "extra": {},
                   "sides": [{"name": s.lstrip("."), "ref": None, "commit": None} for s in sides]}, f)
    ids = cell_ids(a.out)
    for b in ("gil", "nogil"):
        for side in sides:
            d = os.path.join(a.out, "builds", b + side)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "build.json"), "w") as f:
                json.dump({"name": b + side, "key": "0" * 64, "ok": True,
                           "inputs": {"source": ("b" if side == ".B" else "a") * 40},
                           "python": "/usr/bin/python3", "gil_disabled": b == "nogil",
                           "version": "Python 3.13.5 (synthetic) [GCC 12.2.0]"}, f)
    with open(os.path.join(a.out, "metadata.json"), "w") as f:
        json.dump({"gilbench": "0.1.0", "config": {"name": "synthetic"},
                   "machine": {"kernel": "Linux 6.1.0-synthetic", "cpu": a.cpu, "cores": 2,
                               "memory_kb": 4000000, "governor": None, "aslr": 2},
                   "load": {"start": {"1m": 0.1}, "end": {"1m": 0.2}},
                   "started": "2026-11-25T09:00:00Z", "finished": "2026-11-25T09:01:00Z"}, f, indent=1)

    lines = []
    for i, (k, base) in enumerate(cells.items()):
        exp, variant, point = cellkey(k)
        rng = random.Random("%d/%s" % (a.seed, k))
        for side in sides:
            f = scale.get(k, 1.0) if (side == ".B" or not a.revs) else 1.0
            rows = [(0, True, base * 10)]
            rows += [(r, False, base * f * (1 + a.jitter * rng.uniform(-1, 1)))
                     for r in range(1, a.trials + 1)]
            for rnd, warm, v in rows:
                ok = k not in a.fail
                lines.append({
                    "cell": ids[(exp, variant + side, point)], "experiment": exp,
                    "variant": variant + side, "point": point, "round": rnd + 1,
                    "warmup": warm, "status": "ok" if ok else "failed",
                    "metric": v if ok else None, "result": {"seconds": v} if ok else None,
                    "wall": v + 0.02, "utime": v, "stime": 0.0, "maxrss_kb": 10000,
                    "exit_code": 0 if ok else 1, "signal": 0,
                    "error": None if ok else "Traceback: boom", "started": "2026-11-25T09:00:00Z",
                    "cpus": None})
    with open(os.path.join(a.out, "results.jsonl"), "w") as f:
        for line in lines:
            f.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
