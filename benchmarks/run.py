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
  composition (form the logits, ``cross_entropy_with_grad``, two matrix products);
* small inputs, (32, 10) and (256, 1000) float32, where fixed costs per call dominate:
  ``cross_entropy_with_grad`` against PyTorch's ``F.cross_entropy`` + ``backward()`` with its
  default threads and with one thread, against ``torch.compile`` of the same step, and against
  JAX's ``jax.jit`` of ``optax.losses.softmax_cross_entropy_with_integer_labels`` and its
  gradient, each when installed and working.

Timings are the minimum over interleaved repeats (the machine may be shared, and its load
average is printed); PyTorch and JAX are skipped cleanly when they are not installed.
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

try:
    import jax
    import optax
except ImportError:  # the JAX rows are left out
    jax = None

# Small inputs: calls per timed batch (short batches, so that a batch rarely spans a preemption
# of a shared machine) and the number of interleaved rounds.
SMALL_SIZES = ((32, 10), (256, 1000))
SMALL_BATCH = {(32, 10): 100, (256, 1000): 10}
SMALL_ROUNDS = 200

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


def _small_contenders(z: Any, t: Any) -> dict[str, tuple[Callable[[], Any], int | None]]:
    """Each contender's step and the torch thread count it runs with (None: not torch)."""
    out: dict[str, tuple[Callable[[], Any], int | None]] = {
        "xentbook": (lambda: cross_entropy_with_grad(z, t), None)
    }
    if torch is not None:
        zt, tt = torch.from_numpy(z), torch.from_numpy(t)

        def step(x0: Any = zt) -> Any:
            x = x0.detach().requires_grad_(True)
            F.cross_entropy(x, tt).backward()
            return x.grad

        default = torch.get_num_threads()
        out["torch"] = (step, default)
        out["torch, 1 thread"] = (step, 1)
        try:
            compiled = torch.compile(step)
            compiled()
            out["torch.compile"] = (compiled, default)
        except Exception as exc:  # no C++ compiler, unsupported platform, ...
            print(f"torch.compile left out: {type(exc).__name__}: {exc}"[:200])
    if jax is not None:
        zj, tj = jax.numpy.asarray(z), jax.numpy.asarray(t)

        def mean_loss(x: Any) -> Any:
            return optax.losses.softmax_cross_entropy_with_integer_labels(x, tj).mean()

        jitted = jax.jit(jax.value_and_grad(mean_loss))
        out["jax.jit(optax)"] = (lambda: jax.block_until_ready(jitted(zj)), None)
    return out


def bench_small(n: int, c: int) -> list[tuple[str, str, str]]:
    """Per-call time at a small size: each round times a short batch of every contender."""
    rng = np.random.default_rng(2)
    z = (3 * rng.standard_normal((n, c), dtype=np.float32)).astype(np.float32)
    t = rng.integers(0, c, size=n)
    contenders = _small_contenders(z, t)
    batch = SMALL_BATCH[(n, c)]
    best = dict.fromkeys(contenders, np.inf)
    default_threads = torch.get_num_threads() if torch is not None else None
    for _ in range(SMALL_ROUNDS):
        for name, (fn, threads) in contenders.items():
            if threads is not None and torch is not None:
                torch.set_num_threads(threads)
            fn()  # warm: caches, and the thread count just set
            start = time.perf_counter()
            for _ in range(batch):
                fn()
            best[name] = min(best[name], (time.perf_counter() - start) / batch)
    if torch is not None and default_threads is not None:
        torch.set_num_threads(default_threads)
    size = f"({n}, {c}) float32"
    rows = [(f"cross_entropy_with_grad {size}", f"{1e6 * best['xentbook']:.1f} us", "")]
    for name in contenders:
        if name == "xentbook":
            continue
        requirement = "at most 1" if name == "torch" else ""
        rows.append((f"{name} (loss + gradient)", f"{1e6 * best[name]:.1f} us", ""))
        rows.append((f"xentbook / {name}", f"{best['xentbook'] / best[name]:.2f}", requirement))
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
    rows = []
    for n, c in SMALL_SIZES:
        rows += bench_small(n, c)
    rows += bench_cross_entropy(*cfg["ce"], cfg["repeats"])
    rows += bench_linear(*cfg["linear"], cfg["linear_repeats"], cfg["chunk_rows"])
    if args.quick:
        rows = [(name, value, "") for name, value, _ in rows]
    versions = f"numpy {np.__version__}, xentbook {xentbook.__version__}"
    versions += (
        f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
        if torch
        else (", torch not installed")
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{dt.date.today().isoformat()}, {cores()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}, {versions}; load average {load}"
    )
    print()
    print("| measurement | value | requirement |")
    print("| --- | ---: | --- |")
    for name, value, req in rows:
        print(f"| {name} | {value} | {req} |")


if __name__ == "__main__":
    main()
