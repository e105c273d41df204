"""Peak memory of the loss layer of a language model: PyTorch's routes and xentbook's.

Run from the repository root (PyTorch required, Linux for the resident-memory column)::

    python benchmarks/memory.py            # N=4096, D=512, V=32000 (a few minutes)
    python benchmarks/memory.py --quick    # small sizes, a smoke test
    python benchmarks/memory.py --json benchmarks/memory.json   # also store the results

Each route computes the mean cross-entropy of the logits ``hidden @ weight.T`` (float32 hidden
states (N, D), weight (V, D), class-index targets) and its gradients. The inputs (and, for
PyTorch, the leaf tensors that receive the gradients) are created before the measurement starts,
so a peak counts what the call allocates beyond its inputs, gradients included. Peaks are
multiples of one float32 logits array, ``N * V * 4`` bytes, and are measured twice:

* **Traced.** PyTorch: the bytes of every tensor storage that an ATen operator returns while
  the route runs (forward and backward), added when it is created and subtracted when it is
  freed, with a ``TorchDispatchMode``. xentbook: Python's ``tracemalloc``, which sees numpy's
  buffers (:func:`xentbook.book.peak_memory`). Memory private to an operator is invisible to
  both: scratch buffers inside a kernel, and everything a custom operator allocates inside
  itself (``F.linear_cross_entropy`` with ``options`` runs as one such operator, so its chunk of
  logits is not seen). Traced peaks are therefore lower bounds.
* **Resident.** In a fresh process per route, after one warm-up call: the growth of the peak
  resident set size (``VmHWM``, reset through ``/proc/self/clear_refs``) over the resident size
  before the call. glibc's mmap threshold is fixed at 64 KiB in that process, so that freed
  buffers go back to the system and the warm-up does not hide them. This sees everything,
  including thread stacks and allocator slack, so it is a little above the true peak.

The two "logits given" routes start from logits that already exist (a leaf tensor) and measure
``F.cross_entropy`` plus ``backward`` beyond them, in float32, and in bfloat16 under CPU autocast
(which runs ``cross_entropy`` in float32); their multiple is of the logits in their own dtype.
The script also records the live bytes after each operator of the float32 "logits given" route
(``trace``), which shows where its peak is reached. No times are reported: on a shared machine
they vary by large factors between runs, and all the routes that start from the hidden states
do the same three matrix products.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
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

SIZES = {"full": (4096, 512, 32000), "quick": (512, 64, 4000)}


class LiveTensorBytes(TorchDispatchMode):
    """Bytes of the tensor storages created by ATen operators and still alive, and their peak.

    With ``trace=True`` it also records ``(operator, live bytes after it)`` for every operator.
    """

    def __init__(self, trace: bool = False) -> None:
        super().__init__()
        self.live = 0
        self.peak = 0
        self.trace: list[tuple[str, int]] | None = [] if trace else None
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
        if self.trace is not None:
            self.trace.append((str(func.overloadpacket.__name__), self.live))
        return out


def routes(n: int, d: int, v: int) -> dict[str, tuple[Callable[[], Callable[[], Any]], str, int]]:
    """Each route: (prepare, kind, bytes of the logits it is compared with).

    ``prepare()`` creates the route's inputs and returns the call to measure, which takes no
    argument; what ``prepare`` allocates is not counted.
    """
    rng = np.random.default_rng(2024)
    hidden = rng.standard_normal((n, d), dtype=np.float32)
    weight = rng.standard_normal((v, d), dtype=np.float32) / np.float32(np.sqrt(d))
    target = rng.integers(0, v, size=n)
    logits32 = (hidden @ weight.T).astype(np.float32)
    tt = torch.from_numpy(target)
    fp32_bytes = n * v * 4

    def given_logits(dtype: torch.dtype) -> Callable[[], Callable[[], Any]]:
        def prepare() -> Callable[[], Any]:
            z = torch.from_numpy(logits32).to(dtype).requires_grad_()

            def call() -> Any:
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=dtype != torch.float32):
                    loss = F.cross_entropy(z, tt)
                loss.backward()
                return float(loss.detach())

            return call

        return prepare

    def torch_linear(options: Any, use_fused: bool) -> Callable[[], Callable[[], Any]]:
        def prepare() -> Callable[[], Any]:
            h = torch.from_numpy(hidden.copy()).requires_grad_()
            w = torch.from_numpy(weight.copy()).requires_grad_()

            def call() -> Any:
                if use_fused:
                    loss = F.linear_cross_entropy(h, w, tt, options=options)
                else:
                    loss = F.cross_entropy(F.linear(h, w), tt)
                loss.backward()
                return float(loss.detach())

            return call

        return prepare

    def numpy_route(func: Callable[..., Any]) -> Callable[[], Callable[[], Any]]:
        return lambda: lambda: func(hidden, weight, target)

    return {
        "torch F.cross_entropy + backward, float32 logits given": (
            given_logits(torch.float32),
            "torch",
            fp32_bytes,
        ),
        "torch F.cross_entropy + backward, bfloat16 logits given, autocast": (
            given_logits(torch.bfloat16),
            "torch",
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
            numpy_route(naive_linear_cross_entropy_with_grad),
            "numpy",
            fp32_bytes,
        ),
        "xentbook linear_cross_entropy_with_grad": (
            numpy_route(linear_cross_entropy_with_grad),
            "numpy",
            fp32_bytes,
        ),
    }


def traced_peak(prepare: Callable[[], Callable[[], Any]], kind: str) -> int:
    call = prepare()
    if kind == "numpy":
        return peak_memory(call)[1]
    with LiveTensorBytes() as tracker:
        call()
    return tracker.peak


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def resident_peak_here(size: str, name: str) -> int:
    """Growth of the peak resident set over the resident set before one call (this process)."""
    prepare, _, _ = routes(*SIZES[size])[name]
    prepare()()  # warm-up: thread pools, libraries, first-touch pages
    call = prepare()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current resident set size
    before = _status_kib("VmRSS")
    call()
    return (_status_kib("VmHWM") - before) * 1024


def resident_peak(size: str, name: str) -> int | None:
    """:func:`resident_peak_here` in a fresh process; None where /proc is not available."""
    if not os.path.exists("/proc/self/clear_refs"):
        return None
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536"}
    out = subprocess.run(
        [sys.executable, __file__, "--resident", name, "--size", size],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return int(out.stdout.split()[-1])


def measure(size: str) -> dict[str, Any]:
    n, d, v = SIZES[size]
    table = routes(n, d, v)
    results = {}
    for name, (prepare, kind, ref_bytes) in table.items():
        peaks = [traced_peak(prepare, kind) for _ in range(2)]
        resident = resident_peak(size, name)
        results[name] = {
            "traced_over_logits_min": min(peaks) / ref_bytes,
            "traced_over_logits_max": max(peaks) / ref_bytes,
            "resident_over_logits": None if resident is None else resident / ref_bytes,
        }
    prepare, _, ref_bytes = table["torch F.cross_entropy + backward, float32 logits given"]
    call = prepare()
    with LiveTensorBytes(trace=True) as tracker:
        call()
    trace = [(op, live / ref_bytes) for op, live in tracker.trace or []]
    return {"results": results, "trace": trace}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke test")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--resident", help=argparse.SUPPRESS)  # internal: one route, RSS
    parser.add_argument("--size", default="full", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.resident:
        print(resident_peak_here(args.size, args.resident))
        return
    size = "quick" if args.quick else "full"
    n, d, v = SIZES[size]
    measured = measure(size)
    machine = (
        f"{dt.date.today().isoformat()}, {platform.machine()}, Python {platform.python_version()}, "
        f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"xentbook {xentbook.__version__}"
    )
    print(f"{machine}\nN={n}, D={d}, V={v}, float32\n")
    print("| route | traced peak / logits | resident peak / logits |")
    print("| --- | ---: | ---: |")
    for name, r in measured["results"].items():
        lo, hi = r["traced_over_logits_min"], r["traced_over_logits_max"]
        traced = f"{lo:.3f}" if f"{lo:.3f}" == f"{hi:.3f}" else f"{lo:.3f} to {hi:.3f}"
        res = r["resident_over_logits"]
        print(f"| {name} | {traced} | {'n/a' if res is None else f'{res:.3f}'} |")
    print("\nlive bytes / logits after each operator, F.cross_entropy + backward (float32):")
    print(", ".join(f"{op} {live:.2f}" for op, live in measured["trace"]))
    if args.json:
        with open(args.json, "w") as f:
            payload = {"machine": machine, "N": n, "D": d, "V": v}
            json.dump({**payload, **measured}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
