"""Speed and memory of xentbook's cross-entropy at scale, printed as a Markdown table.

Run from the repository root::

    python benchmarks/run.py           # the sizes of the requirements (a couple of minutes)
    python benchmarks/run.py --quick   # small sizes, a few seconds

Measured in one process on one machine:

* ``cross_entropy_with_grad`` on float32 logits (N, C) with class-index targets and mean
  reduction, against PyTorch's ``F.cross_entropy`` forward plus ``backward`` (its default
  threads) and against a plain copy of the logits, the floor of one read plus one write;
* the peak memory that ``cross_entropy`` (forward only) and ``cross_entropy_with_grad`` allocate,
  as a fraction of the logits' size, with :func:`xentbook.peak_memory` (``tracemalloc``);
* ``linear_cross_entropy_with_grad``, which never holds the (N, V) logits, against the naive
  composition (form the logits, ``cross_entropy_with_grad``, two matrix products).

Timings are the minimum over interleaved repeats (the machine may be shared); PyTorch is skipped
cleanly when it is not installed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import xentbook
from xentbook import (
    cross_entropy,
    cross_entropy_with_grad,
    linear_cross_entropy_with_grad,
)
from xentbook.book import naive_linear_cross_entropy_with_grad, peak_memory

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # the torch column is left out
    torch = None

# The requirements refer to the full sizes; at the quick sizes the fused loss uses blocks of 64
# rows (its default block would hold every row) and the requirement column stays empty.
SIZES = {
    "full": {
        "ce": (4096, 32000),
        "linear": (8192, 512, 32000),
        "repeats": 7,
        "linear_repeats": 3,
        "chunk_rows": None,
    },
    "quick": {
        "ce": (512, 8000),
        "linear": (1024, 128, 8000),
        "repeats": 5,
        "linear_repeats": 3,
        "chunk_rows": 64,
    },
}


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def race(contenders: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Minimum wall time of each contender, run in turn so that noise hits them alike."""
    best = dict.fromkeys(contenders, np.inf)
    for fn in contenders.values():  # warm up: first-touch pages, thread pools, caches
        fn()
    for _ in range(repeats):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def bench_cross_entropy(n: int, c: int, repeats: int) -> list[tuple[str, str, str]]:
    rng = np.random.default_rng(0)
    z = (3 * rng.standard_normal((n, c), dtype=np.float32)).astype(np.float32)
    t = rng.integers(0, c, size=n)
    contenders: dict[str, Callable[[], Any]] = {
        "xentbook": lambda: cross_entropy_with_grad(z, t),
        "copy": lambda: z.copy(),
        "xentbook forward": lambda: cross_entropy(z, t),
    }
    if torch is not None:
        zt, tt = torch.from_numpy(z), torch.from_numpy(t)

        def torch_step() -> Any:
            x = zt.detach().requires_grad_(True)
            F.cross_entropy(x, tt).backward()
            return x.grad

        def torch_forward() -> Any:
            with torch.no_grad():
                return F.cross_entropy(zt, tt)

        contenders["torch"] = torch_step
        contenders["torch forward"] = torch_forward
    best = race(contenders, repeats)
    size = f"({n}, {c}) float32"
    ms = {k: f"{1e3 * v:.1f} ms" for k, v in best.items()}
    rows = [
        (f"cross_entropy_with_grad {size}", ms["xentbook"], ""),
        ("plain copy of the logits (floor)", ms["copy"], ""),
        ("xentbook / copy", f"{best['xentbook'] / best['copy']:.2f}", ""),
    ]
    if torch is not None:
        rows += [
            ("torch F.cross_entropy + backward", ms["torch"], ""),
            ("xentbook / torch", f"{best['xentbook'] / best['torch']:.2f}", "at most 0.5"),
            (
                "forward only: xentbook / torch",
                f"{best['xentbook forward'] / best['torch forward']:.2f}",
                "",
            ),
        ]
    _, fwd_peak = peak_memory(cross_entropy, z, t)
    _, both_peak = peak_memory(cross_entropy_with_grad, z, t)
    rows += [
        ("cross_entropy peak memory / logits", f"{fwd_peak / z.nbytes:.4f}", "at most 0.02"),
        (
            "cross_entropy_with_grad peak / logits",
            f"{both_peak / z.nbytes:.4f}",
            "at most 1.05 (the gradient + 5%)",
        ),
    ]
    return rows


def bench_linear(
    n: int, d: int, v: int, repeats: int, chunk_rows: int | None
) -> list[tuple[str, str, str]]:
    rng = np.random.default_rng(1)
    h = rng.standard_normal((n, d), dtype=np.float32)
    w = (rng.standard_normal((v, d), dtype=np.float32) / np.float32(np.sqrt(d))).astype(np.float32)
    t = rng.integers(0, v, size=n)
    best = race(
        {
            "fused": lambda: linear_cross_entropy_with_grad(h, w, t, chunk_rows=chunk_rows),
            "naive": lambda: naive_linear_cross_entropy_with_grad(h, w, t),
        },
        repeats,
    )
    _, fused_peak = peak_memory(linear_cross_entropy_with_grad, h, w, t, chunk_rows=chunk_rows)
    _, naive_peak = peak_memory(naive_linear_cross_entropy_with_grad, h, w, t)
    logits = n * v * 4
    size = f"N={n}, D={d}, V={v}"
    return [
        (f"linear_cross_entropy_with_grad {size}", f"{1e3 * best['fused']:.0f} ms", ""),
        ("naive: logits, cross_entropy_with_grad, 2 matmuls", f"{1e3 * best['naive']:.0f} ms", ""),
        ("fused / naive time", f"{best['fused'] / best['naive']:.2f}", "at most 1.25"),
        ("fused peak memory / logits", f"{fused_peak / logits:.3f}", ""),
        ("naive peak memory / logits", f"{naive_peak / logits:.3f}", ""),
        ("fused / naive peak memory", f"{fused_peak / naive_peak:.3f}", "at most 0.125"),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    args = parser.parse_args(argv)
    cfg = SIZES["quick" if args.quick else "full"]
    rows = bench_cross_entropy(*cfg["ce"], cfg["repeats"])
    rows += bench_linear(*cfg["linear"], cfg["linear_repeats"], cfg["chunk_rows"])
    if args.quick:
        rows = [(name, value, "") for name, value, _ in rows]
    versions = f"numpy {np.__version__}, xentbook {xentbook.__version__}"
    versions += (
        f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
        if torch
        else (", torch not installed")
    )
    print(
        f"{dt.date.today().isoformat()}, {cores()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}, {versions}"
    )
    print()
    print("| measurement | value | requirement |")
    print("| --- | ---: | --- |")
    for name, value, req in rows:
        print(f"| {name} | {value} | {req} |")


if __name__ == "__main__":
    main()
