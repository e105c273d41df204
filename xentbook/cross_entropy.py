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

Work is done in blocks of rows, so the forward pass allocates one small buffer per block however
large the input, and the backward pass writes the gradient in place. Large inputs spread their
blocks over a thread pool (one thread per core, created on first use): numpy releases the GIL in
its loops, so the blocks really run in parallel.
"""

from __future__ import annotations

import functools
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._validation import (
    _describe,
    check_finite,
    check_reduction,
    float_array,
    working_dtype,
)
from xentbook.primitives import row_max, shifted_exp

__all__ = ["cross_entropy", "cross_entropy_grad", "cross_entropy_with_grad"]

# Two MiB of float32 per block: small enough to stay in cache between the passes over a block,
# large enough that the fixed cost of the numpy calls per block is negligible (measured: 2**18
# is 1.4x slower on (4096, 32000) float32, where a block is then only 8 rows).
_BLOCK_ELEMENTS = 1 << 19
# Inputs with at least this many logits (8 MiB of float32) are split across a thread pool.
_PARALLEL_MIN_ELEMENTS = 1 << 21


@dataclass
class _Problem:
    """A validated call, flattened to one row per item with the classes last."""

    func: str
    z: NDArray[Any]  # (R, C), working dtype, C-contiguous
    out_dtype: np.dtype[Any]
    lead: tuple[int, ...]  # shape of the per-item loss
    input_shape: tuple[int, ...]
    t: NDArray[np.intp] | None  # (R,) class indices, ignored items set to 0
    valid: NDArray[np.bool_] | None  # (R,) False where the target is ignore_index
    y: NDArray[Any] | None  # (R, C) probability targets
    w: NDArray[Any] | None  # (C,) class weights
    eps: float
    reduction: str

    @property
    def classes(self) -> int:
        return self.z.shape[1]


def _class_rows(arr: NDArray[Any]) -> NDArray[Any]:
    """(C,) -> (1, C); (N, C, d1, ...) -> (N*d1*..., C) with the class axis last."""
    if arr.ndim == 1:
        return arr[None, :]
    moved = np.moveaxis(arr, 1, -1)
    return np.ascontiguousarray(moved.reshape(-1, arr.shape[1]))


def _prepare(
    func: str,
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None,
    ignore_index: int,
    reduction: str,
    label_smoothing: float,
) -> _Problem:
    x = float_array(func, "input", input, min_ndim=1)
    dtype = working_dtype(x)
    classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    if classes == 0:
        raise ValueError(f"{func}: input has 0 classes (shape {x.shape}); it needs at least one")
    reduction = check_reduction(func, reduction)
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"{func}: ignore_index must be an integer, got {ignore_index!r}")
    if isinstance(label_smoothing, bool) or not isinstance(
        label_smoothing, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"{func}: label_smoothing must be a number, got {label_smoothing!r}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{func}: label_smoothing must be in [0, 1], got {label_smoothing!r}")

    w = None
    if weight is not None:
        w = float_array(func, "weight", weight).astype(dtype, copy=False)
        if w.shape != (classes,):
            raise ValueError(
                f"{func}: weight must have one entry per class, shape ({classes},), "
                f"got shape {w.shape}"
            )
        check_finite(func, "weight", w)

    try:
        tgt = np.asarray(target)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{func}: target must be an array, got {_describe(target)}") from exc
    index_shape = x.shape[:1] + x.shape[2:] if x.ndim > 1 else ()
    z = _class_rows(x.astype(dtype, copy=False))
    common = {
        "func": func,
        "z": z,
        "out_dtype": x.dtype,
        "lead": index_shape,
        "input_shape": x.shape,
        "w": w,
        "eps": float(label_smoothing),
        "reduction": reduction,
    }

    if tgt.dtype.kind == "f":
        if tgt.shape != x.shape:
            if tgt.shape == index_shape:
                raise TypeError(
                    f"{func}: class-index targets must be integers, got dtype {tgt.dtype} "
                    f"(probability targets must have the input's shape {x.shape})"
                )
            raise ValueError(
                f"{func}: probability targets must have the input's shape {x.shape}, "
                f"got shape {tgt.shape}"
            )
        if ignore_index != -100:
            raise ValueError(
                f"{func}: ignore_index applies only to class-index targets, got "
                f"ignore_index={ignore_index} with probability targets (as in PyTorch)"
            )
        y = _class_rows(tgt.astype(dtype, copy=False))
        check_finite(func, "target", y)
        return _Problem(t=None, valid=None, y=y, **common)

    if tgt.dtype.kind not in "iu":
        raise TypeError(
            f"{func}: target must hold integer class indices or float probabilities, "
            f"got dtype {tgt.dtype} in {_describe(target)}"
        )
    if tgt.shape != index_shape:
        if x.ndim > 1 and tgt.ndim >= 1 and tgt.shape[0] != x.shape[0]:
            raise ValueError(
                f"{func}: input and target have different batch sizes: input has "
                f"{x.shape[0]} items (shape {x.shape}), target has {tgt.shape[0]} "
                f"(shape {tgt.shape})"
            )
        raise ValueError(
            f"{func}: class-index target must have shape {index_shape} for input of shape "
            f"{x.shape}, got shape {tgt.shape}"
        )
    t = tgt.reshape(-1).astype(np.int64)
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= classes))
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        where = np.unravel_index(pos, index_shape) if index_shape else ()
        value = int(t[pos])
        kind = "negative class index" if value < 0 else "class index"
        raise IndexError(
            f"{func}: target holds {kind} {value} at position {tuple(map(int, where))}, out of "
            f"range for {classes} classes (valid: 0 to {classes - 1}, "
            f"or ignore_index={ignore_index})"
        )
    return _Problem(t=np.where(valid, t, 0).astype(np.intp), valid=valid, y=None, **common)


def _item_coefficients(pb: _Problem) -> tuple[NDArray[Any], NDArray[Any] | None, float]:
    """Per-item weight of the target term, the smoothing mask, and the mean's denominator."""
    dtype = pb.z.dtype
    rows = pb.z.shape[0]
    if pb.t is None:
        return np.ones(rows, dtype), None, float(rows)
    assert pb.valid is not None
    valid = pb.valid.astype(dtype)
    wt = valid if pb.w is None else pb.w[pb.t] * valid
    return wt, valid, float(np.sum(wt, dtype=np.float64))


def _check_rows(pb: _Problem, m: NDArray[Any], valid: NDArray[Any] | None, start: int) -> None:
    if np.isnan(m).any():
        row = start + int(np.flatnonzero(np.isnan(m))[0])
        raise ValueError(f"{pb.func}: input contains nan (item {row})")
    if np.isposinf(m).any():
        row = start + int(np.flatnonzero(np.isposinf(m))[0])
        raise ValueError(
            f"{pb.func}: input contains +inf (item {row}); softmax is undefined there. "
            "Use finite logits, or -inf to give a class zero probability"
        )
    empty = np.isneginf(m) if valid is None else np.isneginf(m) & (valid != 0)
    if empty.any():
        row = start + int(np.flatnonzero(empty)[0])
        raise ValueError(
            f"{pb.func}: the logits of item {row} are -inf for every class, so its softmax is "
            "undefined (0/0); give at least one class a finite logit or ignore the item"
        )


def _workers() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@functools.cache
def _pool(pid: int) -> ThreadPoolExecutor:
    """The thread pool shared by every large call, created on first use (never at import).

    Keyed by process id: a child made by ``fork`` has no threads, so it gets a pool of its own.
    """
    return ThreadPoolExecutor(max_workers=_workers(), thread_name_prefix="xentbook")


def _map_blocks(job: Any, starts: range, size: int) -> None:
    """Run ``job(start)`` for every block, on the pool when the input is large enough.

    numpy releases the GIL inside its loops, so blocks run in parallel. Blocks are independent
    and write disjoint rows; ``map`` returns results in order, so the error raised is the one of
    the first bad block, exactly as in the serial loop.
    """
    if size < _PARALLEL_MIN_ELEMENTS or len(starts) < 2 or _workers() < 2:
        for start in starts:
            job(start)
    else:
        for _ in _pool(os.getpid()).map(job, starts):
            pass


def _run(pb: _Problem, want_grad: bool) -> tuple[NDArray[Any], NDArray[Any] | None, float]:
    """Per-item losses (R,), the gradient rows (R, C) of the reduced loss, and the denominator."""
    rows, classes = pb.z.shape
    dtype = pb.z.dtype
    eps = pb.eps
    wt, valid, denom = _item_coefficients(pb)
    scale = (1.0 / denom if denom != 0 else 0.0) if pb.reduction == "mean" else 1.0
    total_w = classes if pb.w is None else float(np.sum(pb.w, dtype=np.float64))
    w_row = None if pb.w is None else pb.w[None, :]
    smoothing = eps > 0 or pb.y is not None

    losses = np.empty(rows, dtype)
    grad = np.empty((rows, classes), dtype) if want_grad else None
    block = max(1, _BLOCK_ELEMENTS // classes)

    def one_block(start: int) -> None:
        # Each call owns rows start:stop of losses and grad, and its own scratch buffers.
        stop = min(start + block, rows)
        n = stop - start
        zb = pb.z[start:stop]
        idx = np.arange(n)
        out = grad[start:stop] if grad is not None else np.empty((n, classes), dtype)
        smooth_buf = np.empty((n, classes), dtype) if smoothing else None
        k, m = row_max(zb)
        vb = None if valid is None else valid[start:stop]
        _check_rows(pb, m, vb, start)
        e, s = shifted_exp(zb, k, m, out=out)
        l1 = np.log1p(s)
        if pb.y is None:
            assert pb.t is not None
            assert vb is not None
            tb = pb.t[start:stop]
            cb = (1 - eps) * wt[start:stop]
            with np.errstate(invalid="ignore"):  # ignored all -inf rows give nan, masked below
                nlp_t = (m - zb[idx, tb]) + l1
                loss = np.where(cb != 0, cb * nlp_t, 0)
            if eps > 0:
                nlp = smooth_buf
                with np.errstate(invalid="ignore"):
                    np.subtract(m[:, None], zb, out=nlp)
                    nlp += l1[:, None]
                    if w_row is not None:
                        np.multiply(nlp, w_row, out=nlp, where=w_row != 0)
                        nlp[:, pb.w == 0] = 0  # type: ignore[index]
                    smooth = nlp.sum(axis=1)
                    loss = loss + np.where(vb != 0, (eps / classes) * smooth, 0)
            losses[start:stop] = loss
        else:
            u = smooth_buf
            np.multiply(pb.y[start:stop], 1 - eps, out=u)
            if eps > 0:
                u += eps / classes
            if w_row is not None:
                u *= w_row
            with np.errstate(invalid="ignore", over="ignore"):
                nlp = (m[:, None] - zb) + l1[:, None]
                terms = np.multiply(u, nlp, out=nlp, where=u != 0)
                terms[u == 0] = 0
            losses[start:stop] = terms.sum(axis=1)

        if grad is None:
            return
        p = e  # the buffer is the gradient block: turn it into probabilities in place
        p[idx, k] = 1
        if pb.y is None:
            assert pb.t is not None
            assert vb is not None
            tb = pb.t[start:stop]
            a = scale * ((1 - eps) * wt[start:stop] + (eps / classes) * total_w * vb)
            p_t_minus_1 = np.where(tb == k, -s / (1 + s), p[idx, tb] / (1 + s) - 1)
            rest = (
                0.0
                if eps == 0
                else scale * (eps / classes) * vb * (total_w - (1 if pb.w is None else pb.w[tb]))
            )
            # One pass for both the normalization and the item's weight: p * a / (1 + s).
            p *= (a / (1 + s))[:, None].astype(dtype, copy=False)
            if eps > 0:
                shift = (scale * (eps / classes) * vb)[:, None]
                p -= (shift if w_row is None else shift * w_row).astype(dtype, copy=False)
            p[idx, tb] = a * p_t_minus_1 + rest
        else:
            # Entry j is p_j * sum(u) - u_j. At the maximum k this is sum(u) / (1 + s) - u_k,
            # which cancels when the target sits on the maximum; written as
            # (u_rest - u_k * s) / (1 + s), with u_rest the target mass elsewhere, it does not.
            u_k = u[idx, k].copy()
            u[idx, k] = 0
            u_rest = u.sum(axis=1)
            u[idx, k] = u_k
            p /= (1 + s)[:, None]
            p *= (u_rest + u_k)[:, None]
            p -= u
            p[idx, k] = (u_rest - u_k * s) / (1 + s)
            p *= scale

    _map_blocks(one_block, range(0, rows, block), rows * classes)
    return losses, grad, denom


def _reduce(pb: _Problem, losses: NDArray[Any], denom: float) -> Any:
    if pb.reduction == "none":
        return losses.reshape(pb.lead).astype(pb.out_dtype, copy=False)[()]
    total = float(np.sum(losses, dtype=np.float64))
    if pb.reduction == "sum":
        return pb.out_dtype.type(total)
    if denom == 0:
        warnings.warn(
            f"{pb.func}: the mean is over zero total weight (empty batch, every target equal to "
            "ignore_index, or zero class weights), so it is undefined: returning nan and a zero "
            "gradient",
            RuntimeWarning,
            stacklevel=3,
        )
        return pb.out_dtype.type(np.nan)
    return pb.out_dtype.type(total / denom)


def _grad_shape(pb: _Problem, grad: NDArray[Any]) -> NDArray[Any]:
    shape = pb.input_shape
    if len(shape) == 1:
        out = grad.reshape(shape)
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
    * A row whose logits are all ``-inf`` has no softmax: ``ValueError``, unless its target is
      ignored.
    * ``+inf`` or ``nan`` logits raise ``ValueError`` (PyTorch returns ``nan``).
    * A ``-inf`` logit is a class of probability zero: its term is 0 when the target puts no
      mass on it (never ``0 * inf = nan``), and the loss is ``+inf`` when the target does.
    * An empty batch with ``reduction='none'`` or ``'sum'`` gives an empty array or 0.
    * float32 in gives float32 out; float64 gives float64; integer logits are taken as float64;
      float16 is computed in float32 and returned as float16.
"""


def _shared_doc(func: Any) -> Any:
    """Fill the ``{args}`` and ``{edges}`` sections the three public functions share."""
    doc = func.__doc__.replace("    {args}\n", _ARGS_DOC)
    func.__doc__ = doc.replace("    {edges}\n", _EDGES_DOC)
    return func


@_shared_doc
def cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
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
    ndarray or scalar
        The mean or sum as a scalar, or with ``reduction='none'`` one loss per item, shape
        ``()``, ``(N,)`` or ``(N, d1, ...)``; in the input's float dtype.

    Raises
    ------
    ValueError, TypeError, IndexError
        On invalid input, with a message naming the argument and the bad value.
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
    reduction: str = "mean",
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
    {edges}
    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import cross_entropy_grad
    >>> z = np.array([[2.0, 1.0, 0.1], [0.1, 2.0, 1.9]])
    >>> print(np.round(cross_entropy_grad(z, [1, 0]), 3))
    [[ 0.33  -0.379  0.049]
     [-0.464  0.243  0.22 ]]
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
    reduction: str = "mean",
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
