"""Thread scaling: the CPU loop in N threads, each doing the same amount of work.

With the GIL, time grows with N (the threads take turns); without it, time stays about
flat while there are free cores.
"""
import threading
import time

from _common import parse, result

args = parse(__doc__, threads=(int, 1), iterations=(int, 10_000_000))
start = threading.Barrier(args.threads + 1)
done = [0] * args.threads


def work(i, n):
    start.wait()
    x = 0
    for _ in range(n):
        x += 1
    done[i] = x


threads = [threading.Thread(target=work, args=(i, args.iterations)) for i in range(args.threads)]
for t in threads:
    t.start()
t0 = time.perf_counter()
start.wait()
for t in threads:
    t.join()
seconds = time.perf_counter() - t0
result(seconds=seconds, value=sum(done))
