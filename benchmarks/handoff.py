"""What handing work to a second thread costs on this machine, printed as a Markdown table.

Run from the repository root::

    python benchmarks/handoff.py

``cross_entropy_with_grad`` splits an input over the cores only from 2**19 logits on. This
script shows why, with the simplest split there is: the exponentials of 256,000 float32
numbers (the size of a (256, 1000) batch) as one numpy call, against the same call split in two
halves, one computed by the calling thread and one by a pool thread. numpy releases the GIL
inside the loop, so the halves can run at the same time; what the split costs on top is the
time until the pool thread starts its half and the time until the caller, waiting for it, runs
again. Each is timed from inside the call and reported as the median over many calls.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

N = 256_000
CALLS = 500


def main() -> None:
    rng = np.random.default_rng(0)
    z = (3 * rng.standard_normal(N)).astype(np.float32)
    out = np.empty_like(z)
    half = N // 2
    pool = ThreadPoolExecutor(max_workers=1)
    pool.submit(int).result()  # the thread exists before anything is timed

    def second_half() -> tuple[float, float]:
        begin = time.perf_counter()
        np.exp(z[half:], out=out[half:])
        return begin, time.perf_counter()

    whole, split, start_delay, resume_delay = [], [], [], []
    for _ in range(CALLS):
        t0 = time.perf_counter()
        np.exp(z, out=out)
        whole.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        future = pool.submit(second_half)
        np.exp(z[:half], out=out[:half])
        begin, end = future.result()
        t1 = time.perf_counter()
        split.append(t1 - t0)
        start_delay.append(begin - t0)
        resume_delay.append(t1 - end)
    pool.shutdown()

    def us(values: list[float]) -> str:
        return f"{1e6 * float(np.median(values)):.1f} us"

    rows = [
        (f"np.exp of {N:,} float32, one call", us(whole)),
        ("the same, split over two threads", us(split)),
        ("  pool thread starts its half after", us(start_delay)),
        ("  caller runs again after the pool thread ends", us(resume_delay)),
    ]
    print("| measurement (median) | value |\n| --- | ---: |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
