"""``in_parallel``: a bounded number of concurrent callers working through a fixed number of calls.

The benchmarks' load generators: each index is handed out once, so ``total`` calls are made whatever their
speed, by at most ``workers`` threads at a time (a closed loop of that many browsers).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


def in_parallel(call: Callable[[int], None], total: int, workers: int) -> float:
    """``call(0)`` … ``call(total - 1)`` on ``workers`` threads; returns the wall time in seconds."""
    lock = threading.Lock()
    counter = iter(range(total))

    def work() -> None:
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            call(index)

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started
