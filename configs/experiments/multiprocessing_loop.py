"""Multiprocessing: the CPU loop in separate processes, each with its own interpreter.

Neither build shares a GIL across processes, so both should scale; the difference is the
per-process cost of each build.
"""
import multiprocessing
import time

from _common import parse, result

args = parse(__doc__, processes=(int, 8), iterations=(int, 10_000_000))


def work(n):
    x = 0
    for _ in range(n):
        x += 1
    return x


if __name__ == "__main__":
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(args.processes) as pool:
        pool.map(work, [1] * args.processes)  # start the workers before timing
        t0 = time.perf_counter()
        values = pool.map(work, [args.iterations] * args.processes)
        seconds = time.perf_counter() - t0
    result(seconds=seconds, value=sum(values))
