"""Peak memory and time of the loss layer of a language model: PyTorch's routes and xentbook's.

Run from the repository root (PyTorch required)::

    python benchmarks/memory.py            # N=4096, D=512, V=32000, five rounds (~5 minutes)
    python benchmarks/memory.py --quick    # small sizes, a few seconds (a smoke test)
    python benchmarks/memory.py --json benchmarks/memory.json   # also store the results

Everything runs in one process, in rounds: every round measures every route once, in turn, so
that a busy neighbour slows all of them alike. Each route computes the mean cross-entropy of the
logits ``hidden @ weight.T`` (float32 hidden states (N, D), weight (V, D), class-index targets)
and its gradients. Peak memory is reported as a multiple of one float32 logits array,
``N * V * 4`` bytes, and counts what the call allocates beyond its inputs, gradients included:

* PyTorch: the bytes of every tensor storage that an ATen operator returns while the route runs
  (forward and backward), added when it is created and subtracted when it is freed, with a
  ``TorchDispatchMode``. This is what a caching allocator must hold; scratch memory private to
  one kernel is not seen.
* xentbook: Python's ``tracemalloc``, which sees numpy's buffers
  (:func:`xentbook.book.peak_memory`).

The two "given logits" rows start from logits that already exist (a leaf tensor) and measure
``F.cross_entropy`` plus ``backward`` beyond them, in float32, and in bfloat16 under CPU autocast
(which runs ``cross_entropy`` in float32); their multiple is of the logits in their own dtype.
Times are wall-clock seconds of forward plus backward; the table gives the median and the range
over the rounds. Memory is deterministic and is checked to be the same in every round.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import time
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

import xentbook
from xentbook import linear_cross_entropy_with_grad
from xentbook.book import naive_linear_cross_entropy_with_grad, peak_memory

SIZES = {"full": (4096, 512, 32000, 5), "quick": (512, 64, 4000, 3)}


class LiveTensorBytes(TorchDispatchMode):
    """Bytes of the tensor storages created by ATen operators and still alive, and their peak."""

    def __init__(self) -> None:
        super().__init__()
        self.live = 0
        self.peak = 0
        self._held: dict[int, tuple[int, weakref.ref[Any]]] = {}

    def _release(self, key: int) -> None:
        nbytes, _ = self._held.pop(key)
        self.live -= nbytes

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        inputs = {
            a.untyped_storage().data_ptr()
            for a in tree_flatten((args, kwargs))[0]
            if isinstance(a, torch.Tensor)
        }
        for t in tree_flatten(out)[0]:
            if not isinstance(t, torch.Tensor):
                continue
            storage = t.untyped_storage()
            key, nbytes = storage.data_ptr(), storage.nbytes()
            if nbytes == 0 or key in self._held or key in inputs:  # views and in-place results
                continue
            ref = weakref.ref(storage, lambda _ref, key=key: self._release(key))
            self._held[key] = (nbytes, ref)
            self.live += nbytes
            self.peak = max(self.peak, self.live)
        return out


def torch_peak(step: Callable[[], Any]) -> int:
    """Peak bytes of the tensors that ``step`` creates (its inputs excluded)."""
    with LiveTensorBytes() as tracker:
        step()
    return tracker.peak


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def routes(n: int, d: int, v: int) -> dict[str, tuple[Callable[[], Any], str, int]]:
    """Each route: (step, how its memory is measured, bytes of the logits it is compared with)."""
    rng = np.random.default_rng(2024)
    hidden = rng.standard_normal((n, d), dtype=np.float32)
    weight = rng.standard_normal((v, d), dtype=np.float32) / np.float32(np.sqrt(d))
    target = rng.integers(0, v, size=n)
    logits32 = (hidden @ weight.T).astype(np.float32)
    th, tw, tt = torch.from_numpy(hidden), torch.from_numpy(weight), torch.from_numpy(target)
    fp32_bytes = n * v * 4

    def given_logits(dtype: torch.dtype) -> Callable[[], Any]:
        def step() -> Any:
            z = torch.from_numpy(logits32).to(dtype).requires_grad_()
            with LiveTensorBytes() as tracker:
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=dtype != torch.float32):
                    loss = F.cross_entropy(z, tt)
                loss.backward()
            return tracker.peak

        return step

    def torch_linear(options: Any, use_fused: bool) -> Callable[[], Any]:
        def step() -> Any:
            h = th.clone().requires_grad_()
            w = tw.clone().requires_grad_()
            if use_fused:
                loss = F.linear_cross_entropy(h, w, tt, options=options)
            else:
                loss = F.cross_entropy(F.linear(h, w), tt)
            loss.backward()
            return float(loss.detach())

        return step

    return {
        "torch F.cross_entropy + backward, float32 logits given": (
            given_logits(torch.float32),
            "given",
            fp32_bytes,
        ),
        "torch F.cross_entropy + backward, bfloat16 logits given, autocast": (
            given_logits(torch.bfloat16),
            "given",
            n * v * 2,
        ),
        "torch F.linear then F.cross_entropy": (torch_linear(None, False), "torch", fp32_bytes),
        "torch F.linear_cross_entropy (options=None)": (
            torch_linear(None, True),
            "torch",
            fp32_bytes,
        ),
        "torch F.linear_cross_entropy (LinearCrossEntropyOptions())": (
            torch_linear(torch.nn.LinearCrossEntropyOptions(), True),
            "torch",
            fp32_bytes,
        ),
        "xentbook naive_linear_cross_entropy_with_grad": (
            lambda: naive_linear_cross_entropy_with_grad(hidden, weight, target),
            "numpy",
            fp32_bytes,
        ),
        "xentbook linear_cross_entropy_with_grad": (
            lambda: linear_cross_entropy_with_grad(hidden, weight, target),
            "numpy",
            fp32_bytes,
        ),
    }


def measure(n: int, d: int, v: int, rounds: int) -> dict[str, dict[str, Any]]:
    table = routes(n, d, v)
    peaks: dict[str, list[int]] = {name: [] for name in table}
    times: dict[str, list[float]] = {name: [] for name in table}
    for step, _, _ in table.values():  # warm up: thread pools, first-touch pages
        step()
    for _ in range(rounds):
        for name, (step, kind, _) in table.items():
            if kind == "given":
                start = time.perf_counter()
                peak = step()
                times[name].append(time.perf_counter() - start)
            else:
                peak = torch_peak(step) if kind == "torch" else peak_memory(step)[1]
                start = time.perf_counter()
                step()
                times[name].append(time.perf_counter() - start)
            peaks[name].append(peak)
    results = {}
    for name, (_, _, ref_bytes) in table.items():
        ratios = [p / ref_bytes for p in peaks[name]]
        results[name] = {
            "peak_over_logits_min": min(ratios),
            "peak_over_logits_max": max(ratios),
            "seconds_median": statistics.median(times[name]),
            "seconds_min": min(times[name]),
            "seconds_max": max(times[name]),
        }
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke test")
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    n, d, v, rounds = SIZES["quick" if args.quick else "full"]
    results = measure(n, d, v, rounds)
    machine = (
        f"{dt.date.today().isoformat()}, {cores()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), xentbook {xentbook.__version__}"
    )
    print(f"{machine}\nN={n}, D={d}, V={v}, float32, {rounds} rounds\n")
    print("| route | peak / logits | time (s), median [min, max] |")
    print("| --- | ---: | ---: |")
    for name, r in results.items():
        lo, hi = r["peak_over_logits_min"], r["peak_over_logits_max"]
        peak = f"{lo:.3f}" if f"{lo:.3f}" == f"{hi:.3f}" else f"{lo:.3f} to {hi:.3f}"
        print(
            f"| {name} | {peak} | {r['seconds_median']:.2f} "
            f"[{r['seconds_min']:.2f}, {r['seconds_max']:.2f}] |"
        )
    if args.json:
        with open(args.json, "w") as f:
            payload = {"machine": machine, "N": n, "D": d, "V": v, "rounds": rounds}
            json.dump({**payload, "results": results}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
