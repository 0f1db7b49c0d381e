"""Contended lock: threads doing `with lock: counter[0] += 1`.

Correct on both builds; the cost is in the lock hand-offs, which the GIL makes cheap
(threads rarely contend for the lock while holding the GIL) and free threading makes real.
"""
import threading
import time

from _common import parse, result

args = parse(__doc__, threads=(int, 8), iterations=(int, 200_000))
counter = [0]
lock = threading.Lock()
start = threading.Barrier(args.threads)


def work(n):
    start.wait()
    for _ in range(n):
        with lock:
            counter[0] += 1


threads = [threading.Thread(target=work, args=(args.iterations,)) for _ in range(args.threads)]
t0 = time.perf_counter()
for t in threads:
    t.start()
for t in threads:
    t.join()
seconds = time.perf_counter() - t0
result(seconds=seconds, value=counter[0], expected=args.threads * args.iterations)
