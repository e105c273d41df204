r"""Softmax cross-entropy with PyTorch's semantics, accurate to a few ulp.

The loss of one item with logits :math:`z` and class :math:`t` is
:math:`-\log p_t = \operatorname{logsumexp}(z) - z_t`. Writing :math:`m = z_k` for the largest
logit and :math:`s = \sum_{j \ne k} e^{z_j - m}`,

.. math::

    -\log p_t = (m - z_t) + \operatorname{log1p}(s),

a sum of two non-negative terms: nothing cancels, and a confident right answer
(:math:`t = k`, :math:`s \ll \epsilon`) keeps its tiny loss :math:`\approx s` instead of the exact
zero that ``logsumexp(z) - z[t]`` returns. The gradient is :math:`p - y`; its entry at the target
is computed as :math:`-s / (1 + s)` when the target is the maximum, for the same reason.

The shift by :math:`m` is only needed where :math:`e^{z_j}` could overflow or lose digits to
underflow. A row of 64 classes or more whose maximum lies in :math:`[0, H]`, with :math:`H` small
enough that the sum of its other terms stays finite, takes :math:`e_j = e^{z_j}` straight from the
logits and divides by :math:`e^m` once per row: one pass over the row fewer, and every :math:`e_j`
is the rounded exponential of an exact input (the shifted form first rounds :math:`z_j - m`, an
error that the exponential multiplies by :math:`|z_j - m|`). Each row takes its form from its own
length and maximum, so a row's result does not depend on the rows beside it.

Work is done in blocks of rows, so the forward pass allocates one small buffer per block however
large the input, and the backward pass writes the gradient in place. Large inputs spread their
blocks over a thread pool (one thread per core, created on first use): numpy releases the GIL in
its loops, so the blocks really run in parallel.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._reduction import grad_scale, reduce_losses
from xentbook._validation import (
    Reduction,
    _describe,
    as_array,
    check_reduction,
    class_indices,
    float_array,
    float_array_as,
    integer,
    number_in_unit_interval,
    working_dtype,
)
from xentbook.primitives import prob_minus_one

__all__ = ["cross_entropy", "cross_entropy_grad", "cross_entropy_with_grad"]

# Two MiB of float32 per block: small enough to stay in cache between the passes over a block,
# large enough that the fixed cost of the numpy calls per block is negligible (measured: 2**18
# is 1.4x slower on (4096, 32000) float32, where a block is then only 8 rows).
_BLOCK_ELEMENTS = 1 << 19
# Inputs with at least this many logits (2 MiB of float32) are split across the cores. Below it,
# waking a pool thread and handing the interpreter lock back and forth between numpy calls cost
# about what the second core saves (measured on 2 cores: a wash at 512,000 logits, 0.7 times the
# serial time at a million), and another library's threads still spinning on the second core
# after their own work (PyTorch's OpenMP pool) make a split call slower than a serial one.
_PARALLEL_MIN_ELEMENTS = 1 << 19


# ------------------------------------------------------------------------------ validation


@dataclass(slots=True)
class _Problem:
    """A validated call, flattened to one row per item with the classes last."""

    func: str
    z: NDArray[Any]  # (R, C), working dtype, C-contiguous
    out_dtype: np.dtype[Any]
    lead: tuple[int, ...]  # shape of the per-item loss
    input_shape: tuple[int, ...]
    t: NDArray[np.intp] | None  # (R,) class indices, ignored items set to 0
    valid: NDArray[np.bool_] | None  # (R,) False where ignore_index; None: every item counts
    y: NDArray[Any] | None  # (R, C) probability targets
    w: NDArray[Any] | None  # (C,) class weights
    eps: float
    reduction: Reduction

    @property
    def classes(self) -> int:
        return int(self.z.shape[1])


def _class_rows(arr: NDArray[Any]) -> NDArray[Any]:
    """(C,) -> (1, C); (N, C, d1, ...) -> (N*d1*..., C) with the class axis last."""
    if arr.ndim == 1:
        return arr[None, :]
    if arr.ndim == 2:
        return np.ascontiguousarray(arr)
    moved = np.moveaxis(arr, 1, -1)
    return np.ascontiguousarray(moved.reshape(-1, arr.shape[1]))


def _class_weights(
    func: str, weight: ArrayLike | None, classes: int, dtype: np.dtype[Any]
) -> NDArray[Any] | None:
    if weight is None:
        return None
    w = float_array_as(func, "weight", weight, dtype)
    if w.shape != (classes,):
        raise ValueError(
            f"{func}: weight must have one entry per class, shape ({classes},), got shape {w.shape}"
        )
    return w


def _probability_target(
    func: str, tgt: NDArray[Any], input_shape: tuple[int, ...], ignore_index: int, dtype: Any
) -> NDArray[Any]:
    index_shape = input_shape[:1] + input_shape[2:] if len(input_shape) > 1 else ()
    if tgt.shape != input_shape:
        if tgt.shape == index_shape:
            raise TypeError(
                f"{func}: class-index targets must be integers, got dtype {tgt.dtype} "
                f"(probability targets must have the input's shape {input_shape})"
            )
        raise ValueError(
            f"{func}: probability targets must have the input's shape {input_shape}, "
            f"got shape {tgt.shape}"
        )
    if ignore_index != -100:
        raise ValueError(
            f"{func}: ignore_index applies only to class-index targets, got "
            f"ignore_index={ignore_index} with probability targets"
        )
    return _class_rows(float_array_as(func, "target", tgt, dtype))


def _index_target(
    func: str, tgt: NDArray[Any], input_shape: tuple[int, ...], ignore_index: int
) -> tuple[NDArray[np.intp], NDArray[np.bool_] | None]:
    index_shape = input_shape[:1] + input_shape[2:] if len(input_shape) > 1 else ()
    if (
        tgt.shape != index_shape
        and len(input_shape) > 1
        and tgt.ndim >= 1
        and (tgt.shape[0] != input_shape[0])
    ):
        raise ValueError(
            f"{func}: input and target have different batch sizes: input has "
            f"{input_shape[0]} items (shape {input_shape}), target has {tgt.shape[0]} "
            f"(shape {tgt.shape})"
        )
    if tgt.shape != index_shape:
        raise ValueError(
            f"{func}: class-index target must have shape {index_shape} for input of shape "
            f"{input_shape}, got shape {tgt.shape}"
        )
    classes = input_shape[0 if len(input_shape) == 1 else 1]
    t, valid = class_indices(
        func, "target", tgt, index_shape, classes, ignore_index=ignore_index, tuple_position=True
    )
    return t.reshape(-1), None if valid is None else valid.reshape(-1)


def _prepare(
    func: str,
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None,
    ignore_index: int,
    reduction: Reduction,
    label_smoothing: float,
) -> _Problem:
    x = float_array(func, "input", input, min_ndim=1)
    dtype = working_dtype(x)
    classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    if classes == 0:
        raise ValueError(f"{func}: input has 0 classes (shape {x.shape}); it needs at least one")
    reduction = check_reduction(func, reduction)
    ignore_index = integer(func, "ignore_index", ignore_index)
    eps = number_in_unit_interval(func, "label_smoothing", label_smoothing)
    w = _class_weights(func, weight, classes, dtype)
    tgt = as_array(func, "target", target, what="an array of class indices or probabilities")
    if tgt.dtype.kind == "f":
        t, valid = None, None
        y = _probability_target(func, tgt, x.shape, ignore_index, dtype)
    elif tgt.dtype.kind in "iu":
        y = None
        t, valid = _index_target(func, tgt, x.shape, ignore_index)
    else:
        raise TypeError(
            f"{func}: target must hold integer class indices or float probabilities, "
            f"got dtype {tgt.dtype} in {_describe(tgt)}"
        )
    lead = x.shape[:1] + x.shape[2:] if x.ndim > 1 else ()
    z = _class_rows(x.astype(dtype, copy=False))
    return _Problem(func, z, x.dtype, lead, x.shape, t, valid, y, w, eps, reduction)


# -------------------------------------------------------------------- the formulas, by block


@dataclass(slots=True)
class _Block:
    """One block of rows and the pieces of their softmax, :math:`p = e / (1 + s)`."""

    z: NDArray[Any]  # (n, C) logits, C-contiguous
    at_k: NDArray[np.intp]  # (n,) flat position i C + k_i of each row's maximum in z and e
    at_t: NDArray[np.intp] | None  # (n,) flat position i C + t_i of each class-index target
    k: NDArray[np.intp]  # (n,) position of each row's maximum m
    m: NDArray[Any]  # (n,) the maximum
    e: NDArray[Any]  # (n, C) top * exp(z - m), 0 at the maximum; becomes the gradient in place
    top: NDArray[Any] | None  # (n,) e^m for rows that skip the shift, 1 for shifted rows;
    # None when every row is shifted
    s: NDArray[Any]  # (n,) sum of e / top: the normalizer is e^m (1 + s), p_j = e_j / (top d)
    rows: slice  # where the block sits in the problem
    empty_rows: bool  # some (ignored) rows are -inf everywhere: their arithmetic gives nan

    def flat(self, arr: NDArray[Any]) -> NDArray[Any]:
        """``z`` or ``e`` as a 1-D view, to pick one entry per row at a flat position
        (``at_k``, ``at_t``): several times cheaper than a 2-D index on small blocks."""
        return arr.reshape(-1)

    def quiet(self) -> contextlib.AbstractContextManager[Any]:
        """Silence the invalid-value warning of ignored all -inf rows, whose nan is unused."""
        return np.errstate(invalid="ignore") if self.empty_rows else contextlib.nullcontext()

    def neg_log_probs(self, out: NDArray[Any]) -> NDArray[Any]:
        """-log p = (m - z) + log1p(s) for every class, a sum of two non-negative terms."""
        with self.quiet():
            np.subtract(self.m[:, None], self.z, out=out)
            out += np.log1p(self.s)[:, None]
        return out


# The largest finite number's logarithm, by working dtype.
_LOG_MAX = {np.dtype(t): math.log(float(np.finfo(t).max)) for t in (np.float32, np.float64)}
# Rows at least this long may skip the shift; on shorter rows the pass it saves costs less than
# the work per row that skipping it adds.
_PLAIN_MIN_CLASSES = 64


def _exponentials(
    z: NDArray[Any], m: NDArray[Any], at_k: NDArray[np.intp], out: NDArray[Any], empty: bool
) -> tuple[NDArray[Any], NDArray[Any] | None, NDArray[Any]]:
    r"""``(e, top, s)`` of a block: :math:`e_j = e^{z_j - c}` with the maximum's entry zeroed,
    ``top`` the maximum's own term :math:`e^{m - c}`, and ``s`` the other terms' sum over ``top``.

    The shift is :math:`c = 0` for rows of at least ``_PLAIN_MIN_CLASSES`` classes whose maximum
    lies in :math:`[0, H]`, where :math:`H` keeps the sum of the other :math:`C - 1` terms, each
    at most :math:`e^H`, below the dtype's largest number with room to spare; for such a row
    :math:`e^{z_j} \ge e^{z_j - m}`, so nothing underflows that the shifted form would keep.
    Every other row takes :math:`c = m` and ``top`` is 1 (``None`` when that holds for every
    row). Rows that are ``-inf`` everywhere (``empty``, ignored items) get ``e = 0``, ``s = 0``.
    """
    top = None
    classes = z.shape[1]
    if classes >= _PLAIN_MIN_CLASSES:
        plain = (m >= 0) & (m <= _LOG_MAX[z.dtype] - math.log(classes) - 1)
        if plain.all():
            e = np.exp(z, out=out)
        else:  # z - 0 is z exactly: a row that skips the shift gets the same bits either way
            shift = np.where(plain | np.isneginf(m), 0, m)
            e = np.subtract(z, shift[:, None], out=out)
            np.exp(e, out=e)
        flat = e.reshape(-1)  # a view: e is C-contiguous
        top = flat[at_k]
        if empty:
            top[top == 0] = 1
    else:
        shift = m
        if empty:
            shift = np.where(np.isneginf(m), 0, m)
        e = np.subtract(z, shift[:, None], out=out)
        np.exp(e, out=e)
        flat = e.reshape(-1)
    flat[at_k] = 0
    s: NDArray[Any] = np.add.reduce(e, axis=1)
    if top is not None:
        s /= top
    return e, top, s


def _scale_rows(a: NDArray[Any], factor: NDArray[Any]) -> None:
    """``a *= factor[:, None]``, a different number for each row, in place.

    numpy's default buffer (8192 elements) makes it copy ``factor`` out along rows shorter than
    the buffer, so that one call covers several rows; a buffer of 16 elements keeps the loop
    inside each row, which is faster from rows of about 512 numbers on (measured with numpy
    2.4: 1.3 times at 512, 2 times at 1000; slower at 256 and below). The setting is numpy's
    per-thread state, restored before returning.
    """
    col = factor.astype(a.dtype, copy=False)[:, None]  # rounded once, then one product
    if a.shape[1] < 512:
        np.multiply(a, col, out=a)
        return
    old = np.setbufsize(16)
    try:
        np.multiply(a, col, out=a)
    finally:
        np.setbufsize(old)


def _index_loss(pb: _Problem, b: _Block, wt: NDArray[Any] | None) -> NDArray[Any]:
    r"""Class index :math:`t`: :math:`(1-\varepsilon) w_t (-\log p_t)` plus, with label
    smoothing, :math:`\varepsilon / C \sum_c w_c (-\log p_c)`."""
    assert pb.t is not None
    assert b.at_t is not None
    with b.quiet():  # ignored all -inf rows give nan, masked below
        nlp_t: NDArray[Any] = (b.m - b.flat(b.z)[b.at_t]) + np.log1p(b.s)
    if wt is None and pb.eps == 0:
        return nlp_t  # every item counts, with weight 1: the loss is -log p_t
    wt_b, valid = _block_weights(pb, b, wt)
    coef = (1 - pb.eps) * wt_b if pb.eps else wt_b
    with np.errstate(invalid="ignore"):  # a zero coefficient times an infinite -log p_t: dropped
        loss = np.where(coef != 0, coef * nlp_t, 0)
    if pb.eps > 0:
        nlp = b.neg_log_probs(np.empty_like(b.z))
        if pb.w is not None:
            with np.errstate(invalid="ignore"):
                np.multiply(nlp, pb.w, out=nlp, where=pb.w != 0)
            nlp[:, pb.w == 0] = 0
        with np.errstate(invalid="ignore"):  # inf - inf, reported by _check_losses
            smooth = nlp.sum(axis=1)
        loss = loss + np.where(valid, (pb.eps / pb.classes) * smooth, 0)
    return loss


def _block_weights(
    pb: _Problem, b: _Block, wt: NDArray[Any] | None
) -> tuple[NDArray[Any], NDArray[np.bool_]]:
    """The block's item weights and validity mask, spelled out as arrays."""
    n = b.z.shape[0]
    wt_b = np.ones(n, b.z.dtype) if wt is None else wt[b.rows]
    valid = np.ones(n, np.bool_) if pb.valid is None else pb.valid[b.rows]
    return wt_b, valid


def _index_grad(pb: _Problem, b: _Block, wt: NDArray[Any] | None, scale: float) -> None:
    r"""Turn ``b.e`` into the gradient :math:`a (p - y)` in place, for class-index targets.

    Without smoothing, :math:`a = \text{scale} \cdot w_t` and the target entry is
    :math:`a (p_t - 1)`; with smoothing every class also loses
    :math:`\text{scale} \cdot \varepsilon / C \cdot w_j`.
    """
    assert pb.t is not None
    classes = b.z.shape[1]
    p = b.e
    p_flat, at_t = b.flat(p), b.at_t
    assert at_t is not None
    top = b.top
    p_flat[b.at_k] = 1 if top is None else top
    d = 1 + b.s
    # e_t / top is e^(z_t - m), exactly 1 at the maximum.
    p_t_minus_1 = prob_minus_one(p_flat[at_t] if top is None else p_flat[at_t] / top, b.s, d)
    # With top, each row's coefficient a, its factor a / (top d) and the entries at the maximum
    # and the target are formed in float64 and rounded once, when stored. Either way the plain
    # scale and a weight of exactly 1 times it give the same bits (an ignored item is a dropped
    # one): both are in the same precision.
    d64 = d if top is None else d.astype(np.float64)
    norm = d64 if top is None else d64 * top
    if top is not None:
        p_t_minus_1 = p_t_minus_1.astype(np.float64)
    if wt is None and pb.eps == 0:  # every item counts, with weight 1
        _scale_rows(p, scale / norm)
        if top is not None:
            p_flat[b.at_k] = scale / d64  # p_k = 1 / d, without top's round trip
        p_flat[at_t] = scale * p_t_minus_1
        return
    eps_c = pb.eps / classes
    wt_b, v = _block_weights(pb, b, wt)
    if top is not None:
        wt_b = wt_b.astype(np.float64)
    # The total class weight, in float64, only where smoothing uses it.
    total_w = 0.0
    if pb.eps:
        total_w = classes if pb.w is None else float(np.sum(pb.w, dtype=np.float64))
    a = scale * ((1 - pb.eps) * wt_b + eps_c * total_w * v) if pb.eps else scale * wt_b
    # One pass for both the normalization and the item's weight: p * a / (top (1 + s)).
    _scale_rows(p, a / norm)
    if top is not None:
        p_flat[b.at_k] = a / d64
    target_entry = a * p_t_minus_1
    if pb.eps > 0:
        shift = (scale * eps_c * v)[:, None]
        p -= (shift if pb.w is None else shift * pb.w).astype(p.dtype, copy=False)
        # The other classes' weight, total_w - w_t, in float64: in float32 it can cancel.
        w_t = 1 if pb.w is None else pb.w[pb.t[b.rows]].astype(np.float64)
        target_entry = target_entry + scale * eps_c * v * (total_w - w_t)
    p_flat[at_t] = target_entry


def _target_mass(pb: _Problem, rows: slice) -> NDArray[Any]:
    r"""Probability targets: :math:`u = w \odot ((1-\varepsilon) y + \varepsilon / C)`."""
    assert pb.y is not None
    u: NDArray[Any] = np.multiply(pb.y[rows], 1 - pb.eps)
    if pb.eps > 0:
        u += pb.eps / pb.classes
    if pb.w is not None:
        u *= pb.w
    return u


def _probability_loss(b: _Block, u: NDArray[Any]) -> NDArray[Any]:
    r""":math:`\sum_j u_j (-\log p_j)`, with the term 0 wherever :math:`u_j = 0`."""
    nlp = b.neg_log_probs(np.empty_like(b.z))
    with np.errstate(invalid="ignore", over="ignore"):
        terms = np.multiply(u, nlp, out=nlp, where=u != 0)
    terms[u == 0] = 0
    with np.errstate(invalid="ignore"):  # inf - inf, reported by _check_losses
        total: NDArray[Any] = terms.sum(axis=1)
    return total


def _probability_grad(b: _Block, u: NDArray[Any], scale: float) -> None:
    r"""Turn ``b.e`` into :math:`\text{scale} \cdot (p \sum_j u_j - u)` in place.

    At the maximum :math:`k` the entry :math:`\sum u / (1 + s) - u_k` cancels when the target
    sits on the maximum; written as :math:`(u_{rest} - u_k s) / (1 + s)`, with :math:`u_{rest}`
    the target mass elsewhere, it does not.
    """
    idx = np.arange(b.z.shape[0])
    p = b.e
    u_k = u[idx, b.k].copy()
    u[idx, b.k] = 0
    u_rest = u.sum(axis=1)
    u[idx, b.k] = u_k
    # p_j times the target's total mass, in one pass: e_j (u_rest + u_k) / (top (1 + s)).
    norm = (1 + b.s).astype(np.float64)
    _scale_rows(p, (u_rest + u_k) / (norm if b.top is None else norm * b.top))
    p -= u
    p[idx, b.k] = (u_rest - u_k * b.s) / (1 + b.s)
    p *= scale


# ------------------------------------------------------------------------- blocks and threads


def _check_rows(pb: _Problem, m: NDArray[Any], rows: slice) -> bool:
    """Refuse nan, +inf and rows of -inf that count; say whether ignored -inf rows exist."""
    if math.isfinite(np.add.reduce(m)):  # one cheap test for the common case: all finite
        return False
    start = rows.start
    if np.isnan(m).any():
        row = start + int(np.flatnonzero(np.isnan(m))[0])
        raise ValueError(f"{pb.func}: input contains nan (item {row})")
    if np.isposinf(m).any():
        row = start + int(np.flatnonzero(np.isposinf(m))[0])
        raise ValueError(
            f"{pb.func}: input contains +inf (item {row}); softmax is undefined there. "
            "Use finite logits, or -inf to give a class zero probability"
        )
    empty = np.isneginf(m)
    if pb.valid is not None:
        empty &= pb.valid[rows]
    if empty.any():
        row = start + int(np.flatnonzero(empty)[0])
        raise ValueError(
            f"{pb.func}: the logits of item {row} are -inf for every class, so its softmax is "
            "undefined (0/0); give at least one class a finite logit or ignore the item"
        )
    return bool(np.isneginf(m).any())


def _check_losses(pb: _Problem, loss: NDArray[Any]) -> None:
    # Inputs hold no nan, so a nan loss can only be inf - inf: target mass of both signs on
    # classes of probability zero. Class indices without class weights put only non-negative
    # mass anywhere (a sum of non-negative terms), so only the other cases are looked at.
    if (
        (pb.y is not None or pb.w is not None)
        and np.isnan(np.add.reduce(loss))
        and np.isnan(loss).any()
    ):
        row = int(np.flatnonzero(np.isnan(loss))[0])
        raise ValueError(
            f"{pb.func}: the loss of item {row} is inf - inf, undefined: its target (times the "
            "class weights) puts positive and negative mass on classes whose logits are -inf. "
            "Use non-negative class weights and targets for classes of probability zero"
        )


def _workers() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@functools.cache
def _pool() -> ThreadPoolExecutor:
    """The thread pool shared by every large call, created on first use (never at import)."""
    return ThreadPoolExecutor(max_workers=_workers(), thread_name_prefix="xentbook")


# A child made by fork has none of the parent's threads: the inherited pool would never run a
# job. Forget it in the child, whatever its process id, so the child builds a pool of its own.
os.register_at_fork(after_in_child=_pool.cache_clear)


def _parallel(size: int) -> bool:
    """Whether an input of ``size`` logits is split across the cores."""
    return size >= _PARALLEL_MIN_ELEMENTS and _workers() >= 2


def _map_blocks(job: Callable[[int], None], starts: range, size: int) -> None:
    """Run ``job(start)`` for every block: the first in this thread, the rest on the pool.

    numpy releases the GIL inside its loops, so blocks run in parallel. Blocks are independent
    and write disjoint rows. Every block finishes before this returns, and results are taken in
    order, so the error raised is the one of the first bad block, exactly as in the serial loop.
    """
    if not _parallel(size) or len(starts) < 2:
        for start in starts:
            job(start)
        return
    rest = [_pool().submit(job, start) for start in starts[1:]]
    try:
        job(starts[0])
    finally:
        wait(rest)
    for future in rest:
        future.result()


def _item_weights(pb: _Problem) -> tuple[NDArray[Any] | None, float]:
    """Per-item weight of the target term (None: 1 for every item), and the mean's denominator."""
    rows = pb.z.shape[0]
    if pb.t is None or (pb.w is None and pb.valid is None):
        return None, float(rows)
    if pb.w is None:
        assert pb.valid is not None
        return pb.valid.astype(pb.z.dtype), float(np.count_nonzero(pb.valid))
    wt = pb.w[pb.t] if pb.valid is None else pb.w[pb.t] * pb.valid
    total = float(np.sum(wt, dtype=np.float64))
    if total == 0 and pb.reduction == "mean" and np.any(wt != 0):
        raise ValueError(
            f"{pb.func}: the class weights of the targets sum to 0 but are not all 0 (weight "
            f"is {_describe(pb.w)}), so the weighted mean would divide by 0; use "
            "reduction='sum', or class weights whose sum over the targets is not 0"
        )
    return wt, total


def _run(pb: _Problem, want_grad: bool) -> tuple[NDArray[Any], NDArray[Any] | None, float]:
    """Per-item losses (R,), the gradient rows (R, C) of the reduced loss, and the denominator."""
    rows, classes = pb.z.shape
    wt, denom = _item_weights(pb)
    scale = grad_scale(pb.reduction, denom)
    losses = np.empty(rows, pb.z.dtype)
    grad = np.empty((rows, classes), pb.z.dtype) if want_grad else None
    block = max(1, _BLOCK_ELEMENTS // classes)
    if _parallel(rows * classes):  # at least one block per core
        block = min(block, -(-rows // _workers()))

    def one_block(start: int) -> None:
        # Each call owns rows start:stop of losses and grad, and its own scratch buffers.
        rows_b = slice(start, min(start + block, rows))
        zb = pb.z[rows_b]  # C-contiguous, as pb.z is
        n = zb.shape[0]
        offsets = np.arange(0, n * classes, classes)
        k = zb.argmax(axis=1)
        at_k = offsets + k
        m = zb.reshape(-1)[at_k]
        empty_rows = _check_rows(pb, m, rows_b)
        out = grad[rows_b] if grad is not None else np.empty_like(zb)
        e, top, s = _exponentials(zb, m, at_k, out, empty_rows)
        at_t = None if pb.t is None else offsets + pb.t[rows_b]
        b = _Block(zb, at_k, at_t, k, m, e, top, s, rows_b, empty_rows)
        if pb.y is None:
            losses[rows_b] = _index_loss(pb, b, wt)
            if grad is not None:
                _index_grad(pb, b, wt, scale)
        else:
            u = _target_mass(pb, rows_b)
            losses[rows_b] = _probability_loss(b, u)
            if grad is not None:
                _probability_grad(b, u, scale)

    _map_blocks(one_block, range(0, rows, block), rows * classes)
    _check_losses(pb, losses)
    return losses, grad, denom


def _reduce(pb: _Problem, losses: NDArray[Any], denom: float) -> Any:
    weighted = pb.t is not None
    return reduce_losses(
        pb.func,
        losses.reshape(pb.lead),
        pb.reduction,
        pb.out_dtype,
        denominator=denom if weighted else None,
        stacklevel=4,
    )


def _grad_shape(pb: _Problem, grad: NDArray[Any]) -> NDArray[Any]:
    shape = pb.input_shape
    if len(shape) == 1:
        out = grad.reshape(shape)
    elif len(shape) == 2:
        out = grad
    else:
        moved = (shape[0], *shape[2:], shape[1])
        out = np.moveaxis(grad.reshape(moved), -1, 1)
    return out.astype(pb.out_dtype, copy=False)


_ARGS_DOC = r"""
    Parameters
    ----------
    input : array_like
        Logits (unnormalized scores) of shape ``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)``: the
        class axis is axis 1, or axis 0 for a single unbatched item.
    target : array_like
        Either integer class indices of shape ``()``, ``(N,)`` or ``(N, d1, ...)``, each in
        ``[0, C)`` or equal to ``ignore_index``; or float class probabilities of the input's
        shape (not required to sum to one, as in PyTorch).
    weight : array_like, optional
        A weight per class, shape ``(C,)``.
    ignore_index : int, optional
        Class-index targets equal to this value contribute nothing and are left out of the
        mean's denominator. Default ``-100``.
    reduction : {'mean', 'sum', 'none'}, optional
        ``'none'``: one loss per item. ``'sum'``: their sum. ``'mean'``: for class indices, the
        weighted mean :math:`\sum_n w_{y_n} \ell_n / \sum_n w_{y_n}` over items that are not
        ignored; for probability targets, the sum divided by the number of items (weights are
        not in the denominator). Default ``'mean'``.
    label_smoothing : float, optional
        :math:`\varepsilon \in [0, 1]`: the target becomes
        :math:`(1 - \varepsilon)\,y + \varepsilon / C`, as in PyTorch for both kinds of target.
"""

_EDGES_DOC = r"""
    Notes
    -----
    Edge cases, each deliberate:

    * ``reduction='mean'`` over zero total weight (an empty batch, every target equal to
      ``ignore_index``, or zero weights for every target class) is 0/0: the loss is ``nan``, as in
      PyTorch, but with a ``RuntimeWarning`` rather than silently, and the gradient is zero.
      Signed class weights whose sum over the targets is 0 while some are not raise
      ``ValueError``: that mean would divide by 0 (PyTorch returns ``-inf``, ``+inf`` or
      ``nan``, with infinite or ``nan`` gradients).
    * A row whose logits are all ``-inf`` has no softmax: ``ValueError``, unless its target is
      ignored.
    * ``+inf`` or ``nan`` logits raise ``ValueError`` (PyTorch returns ``nan``).
    * A ``-inf`` logit is a class of probability zero: its term is 0 when the target puts no
      mass on it (never ``0 * inf = nan``), and the loss is ``+inf`` when the target does.
    * An empty batch with ``reduction='none'`` or ``'sum'`` gives an empty array or 0.
    * float32 in gives float32 out; float64 gives float64; integer logits are taken as float64;
      float16 is computed in float32 and returned as float16.
"""


_RAISES_DOC = r"""    Raises
    ------
    ValueError
        ``nan`` or ``+inf`` logits, a row of ``-inf`` logits whose target counts, a target of
        the wrong shape, non-finite weights or probability targets, a weight or target that
        overflows the computation's dtype, a loss of ``inf - inf`` (target mass of both signs on
        classes of probability zero), ``label_smoothing`` outside ``[0, 1]``, an unknown
        ``reduction``, ``ignore_index`` with probability targets, or (with
        ``reduction='mean'``) signed class weights of the targets that sum to 0.
    TypeError
        Non-numeric, complex or masked arrays, float class indices, torch tensors that require
        grad, or a non-integer ``ignore_index``.
    IndexError
        A class index outside ``[0, C)`` that is not ``ignore_index`` (checked in the target's
        own integer dtype, so a huge uint64 never wraps around).
"""

_F = TypeVar("_F", bound=Callable[..., Any])


def _shared_doc(func: _F) -> _F:
    """Fill the ``{args}``, ``{raises}`` and ``{edges}`` sections the three functions share."""
    doc = func.__doc__ or ""
    for placeholder, text in (
        ("{args}", _ARGS_DOC),
        ("{raises}", _RAISES_DOC),
        ("{edges}", _EDGES_DOC),
    ):
        doc = doc.replace(f"    {placeholder}\n", text)
    func.__doc__ = doc
    return func


@_shared_doc
def cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
) -> Any:
    r"""Softmax cross-entropy, with the semantics of ``torch.nn.functional.cross_entropy``.

    For logits :math:`z_n` and a class index :math:`y_n`, the loss of item :math:`n` is

    .. math::

        \ell_n = -w_{y_n} \log \operatorname{softmax}(z_n)_{y_n}
               = w_{y_n} \Bigl(\log \sum_{c} e^{z_{n,c}} - z_{n,y_n}\Bigr),

    and for a probability target :math:`y_n \in \mathbb{R}^C` it is
    :math:`\ell_n = -\sum_c w_c\, y_{n,c} \log \operatorname{softmax}(z_n)_c`.
    {args}
    Returns
    -------
    numpy scalar or ndarray
        The mean or sum as a numpy scalar, or with ``reduction='none'`` one loss per item,
        shape ``()``, ``(N,)`` or ``(N, d1, ...)``; in the input's float dtype.

    {raises}

    See Also
    --------
    cross_entropy_with_grad : the loss and its gradient in one pass.
    log_softmax : the log-probabilities the loss is made of.
    torch.nn.functional.cross_entropy : the semantics followed, argument for argument.
    {edges}
    Examples
    --------
    The worked batch of chapter 6 (classes counted from zero):

    >>> import numpy as np
    >>> from xentbook import cross_entropy
    >>> z = np.array([[2.0, 1.0, 0.1], [0.1, 2.0, 1.9]])
    >>> print(np.round(cross_entropy(z, [1, 0], reduction="none"), 3))
    [1.417 2.62 ]
    >>> print(round(float(cross_entropy(z, [1, 0])), 3))
    2.019

    A confident right answer keeps its tiny loss, where ``logsumexp(z) - z[t]`` gives 0:

    >>> print(cross_entropy(np.float32([40, 0, 0, 0]), 0))
    1.2745062e-17
    """
    pb = _prepare("cross_entropy", input, target, weight, ignore_index, reduction, label_smoothing)
    losses, _, denom = _run(pb, want_grad=False)
    return _reduce(pb, losses, denom)


@_shared_doc
def cross_entropy_grad(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
) -> NDArray[Any]:
    r"""Gradient of :func:`cross_entropy` (summed over items) with respect to ``input``.

    For a class-index target without weights or smoothing, the gradient of one item's loss is

    .. math::

        \frac{\partial \ell_n}{\partial z_{n,j}} = p_{n,j} - [j = y_n],
        \qquad p_n = \operatorname{softmax}(z_n),

    scaled by :math:`w_{y_n}` and, for ``reduction='mean'``, divided by the mean's denominator.
    With ``reduction='none'`` it is the gradient of the sum of the per-item losses.
    {args}
    Returns
    -------
    ndarray
        The gradient, same shape and dtype as ``input``.

    {raises}

    See Also
    --------
    cross_entropy_with_grad : the loss as well, at no extra cost.
    {edges}
    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import cross_entropy_grad
    >>> z = np.array([[2.0, 1.0, 0.1], [0.1, 2.0, 1.9]])
    >>> print(np.round(cross_entropy_grad(z, [1, 0]), 3))
    [[ 0.33  -0.379  0.049]
     [-0.464  0.243  0.22 ]]

    A confident right answer keeps its tiny gradient, where ``softmax(z) - onehot`` gives 0:

    >>> print(cross_entropy_grad(np.array([40.0, 0.0]), 0)[0])
    -4.248354255291589e-18
    >>> print(np.exp(40.0) / (np.exp(40.0) + 1.0) - 1.0)
    0.0
    """
    pb = _prepare(
        "cross_entropy_grad", input, target, weight, ignore_index, reduction, label_smoothing
    )
    losses, grad, denom = _run(pb, want_grad=True)
    _reduce(pb, losses, denom)  # for the warning on an undefined mean
    assert grad is not None
    return _grad_shape(pb, grad)


@_shared_doc
def cross_entropy_with_grad(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
) -> tuple[Any, NDArray[Any]]:
    r"""The loss and its gradient from one pass over the logits.

    Equal to ``(cross_entropy(...), cross_entropy_grad(...))`` with the same arguments, at the
    cost of a single pass: the shifted exponentials computed for the loss become the gradient in
    place.
    {args}
    Returns
    -------
    loss : ndarray or scalar
        As returned by :func:`cross_entropy`.
    grad : ndarray
        As returned by :func:`cross_entropy_grad`.

    {raises}

    See Also
    --------
    cross_entropy, cross_entropy_grad
    linear_cross_entropy_with_grad : the same with the logits ``hidden @ unembedding.T``
        never formed.
    {edges}
    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import cross_entropy_with_grad
    >>> loss, grad = cross_entropy_with_grad(np.array([[0.0, 0.0]]), [0])
    >>> print(loss, grad)
    0.6931471805599453 [[-0.5  0.5]]
    """
    pb = _prepare(
        "cross_entropy_with_grad", input, target, weight, ignore_index, reduction, label_smoothing
    )
    losses, grad, denom = _run(pb, want_grad=True)
    assert grad is not None
    return _reduce(pb, losses, denom), _grad_shape(pb, grad)
