"""Single-thread baseline: a bare `x += 1` loop in the main thread.

Measures what the free-threaded build's machinery costs code that never starts a thread.
"""
import time

from _common import parse, result

args = parse(__doc__, iterations=(int, 80_000_000))


def work(n):
    x = 0
    for _ in range(n):
        x += 1
    return x


t0 = time.perf_counter()
value = work(args.iterations)
seconds = time.perf_counter() - t0
result(seconds=seconds, value=value)
