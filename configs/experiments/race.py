"""Unsynchronised counter: threads doing `counter[0] += 1` with no lock.

The read-modify-write is not atomic. With the GIL a thread switch does not fall inside it
in practice; without the GIL threads really run at once and updates are lost. The result
carries the final count ("value") and the expected one ("expected").
"""
import threading
import time

from _common import parse, result

args = parse(__doc__, threads=(int, 8), iterations=(int, 200_000))
counter = [0]
start = threading.Barrier(args.threads)


def work(n):
    start.wait()
    for _ in range(n):
        counter[0] += 1


threads = [threading.Thread(target=work, args=(args.iterations,)) for _ in range(args.threads)]
t0 = time.perf_counter()
for t in threads:
    t.start()
for t in threads:
    t.join()
seconds = time.perf_counter() - t0
expected = args.threads * args.iterations
result(seconds=seconds, value=counter[0], expected=expected, lost=(expected - counter[0]) / expected)
