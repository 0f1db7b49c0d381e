"""I/O-bound threads: many threads that each sleep, as threads waiting on I/O do.

Sleeping releases the GIL, so both builds should take about one sleep in all.
"""
import threading
import time

from _common import parse, result

args = parse(__doc__, threads=(int, 50), sleep=(float, 0.1))

threads = [threading.Thread(target=time.sleep, args=(args.sleep,)) for _ in range(args.threads)]
t0 = time.perf_counter()
for t in threads:
    t.start()
for t in threads:
    t.join()
seconds = time.perf_counter() - t0
result(seconds=seconds, value=args.threads)
