r"""Cross-entropy at scale: online log-sum-exp, and a fused linear + cross-entropy.

A language model's last layer maps hidden states :math:`H \in \mathbb{R}^{N \times D}` to logits
:math:`Z = H W^\top + b \in \mathbb{R}^{N \times V}` over a vocabulary of :math:`V` tokens. For
large :math:`V` the logits, and their gradient, are by far the largest arrays of the step. The
functions here compute the loss and the gradients with respect to :math:`H`, :math:`W` and
:math:`b` without ever holding all of :math:`Z`:

* the loss alone streams over blocks of rows and blocks of the vocabulary, keeping for each row
  only a running maximum :math:`m` and a running sum of :math:`e^{z - m}` (the online softmax of
  Milakov and Gimelshein, 2018);
* the loss with its gradients forms the logits of one block of rows at a time, turns them into
  the gradient block in place, and multiplies it straight into :math:`\partial L / \partial H` and
  :math:`\partial L / \partial W` (the idea behind fused or "cut" cross-entropy, Wijmans et al.,
  2024), so the memory held is one block instead of two :math:`N \times V` arrays.

:func:`peak_memory` measures what a call allocates, with :mod:`tracemalloc`.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
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
from xentbook.cross_entropy import cross_entropy_with_grad
from xentbook.primitives import row_max, shifted_exp

__all__ = [
    "linear_cross_entropy",
    "linear_cross_entropy_with_grad",
    "naive_linear_cross_entropy_with_grad",
    "online_logsumexp",
    "peak_memory",
]

# Logits held at once by the fused functions: 2**23 float32 numbers are 32 MiB. Large blocks keep
# the matrix products large (BLAS is efficient) and few (dL/dW is updated once per block).
_BLOCK_ELEMENTS = 1 << 23
# dL/dW is accumulated in pieces of at most this many numbers (16 MiB of float32).
_PIECE_ELEMENTS = 1 << 22
# Width of the vocabulary blocks streamed by the forward pass.
_VOCAB_BLOCK = 4096


# --------------------------------------------------------------------------- online log-sum-exp


def _online_update(
    m: NDArray[Any], s: NDArray[Any], block: NDArray[Any], kb: NDArray[np.intp], mb: NDArray[Any]
) -> tuple[NDArray[Any], NDArray[Any]]:
    r"""Fold a block of logits (rows, width) into the running maximum ``m`` and sum ``s``.

    The normalizer of each row is :math:`e^{m} (1 + s)`: the term of the current maximum, exactly
    :math:`e^0 = 1`, is kept out of ``s`` so that ``log1p(s)`` stays accurate when ``s`` is tiny.
    When the block holds a new maximum the old terms are rescaled by :math:`e^{m_{old} - m_{new}}`:
    the old maximum's term (the 1) joins ``s`` and the new maximum's term leaves it. ``block`` is
    overwritten with its shifted exponentials; ``(kb, mb)`` are its row maxima from
    :func:`~xentbook.primitives.row_max`, all finite.
    """
    rows = np.arange(block.shape[0])
    new = mb > m
    m_new = np.where(new, mb, m)
    np.subtract(block, m_new[:, None], out=block)
    np.exp(block, out=block)
    block[rows[new], kb[new]] = 0  # the new maximum's own term is the implicit 1
    with np.errstate(invalid="ignore"):  # -inf - -inf never occurs: m_new is finite
        alpha = np.exp(m - m_new)
    s = np.where(new, (s + 1) * alpha, s) + block.sum(axis=1)
    return m_new, s


def online_logsumexp(a: ArrayLike, chunk: int = 1024) -> Any:
    r"""Log-sum-exp over the last axis in one streaming pass over chunks of ``chunk`` entries.

    Each chunk updates a running maximum :math:`m` and a running sum :math:`d` of
    :math:`e^{a_j - m}`; when the maximum grows from :math:`m_{old}` to :math:`m_{new}` the sum is
    rescaled,

    .. math::

        d \leftarrow d\, e^{m_{old} - m_{new}} + \sum_{j \in \text{chunk}} e^{a_j - m_{new}},
        \qquad \operatorname{logsumexp}(a) = m + \log d ,

    so the input is read once, as the online softmax of Milakov and Gimelshein needs. Internally
    :math:`d = 1 + s` with the maximum's term kept apart, and the result is
    :math:`m + \operatorname{log1p}(s)`, accurate even when :math:`s` is below machine epsilon.

    Parameters
    ----------
    a : array_like
        Finite real values, at least one-dimensional; the reduction is over the last axis.
    chunk : int, optional
        Number of entries of each row read per step (default 1024).

    Returns
    -------
    ndarray or scalar
        Same values as :func:`xentbook.logsumexp` with ``axis=-1``, in the input's float dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import logsumexp
    >>> from xentbook.book import online_logsumexp
    >>> a = np.array([1.0, 3.0, 2.0, 7.0, 5.0])
    >>> print(f"{online_logsumexp(a, chunk=2):.12f} {logsumexp(a):.12f}")
    7.150889041865 7.150889041865
    """
    func = "online_logsumexp"
    arr = float_array(func, "a", a, min_ndim=1)
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)):
        raise TypeError(f"{func}: chunk must be a positive integer, got {chunk!r}")
    if chunk < 1:
        raise ValueError(f"{func}: chunk must be a positive integer, got {chunk!r}")
    if arr.shape[-1] == 0:
        raise ValueError(f"{func}: a has length 0 along the last axis (shape {arr.shape})")
    check_finite(func, "a", arr)
    dtype = working_dtype(arr)
    rows = arr.astype(dtype, copy=False).reshape(-1, arr.shape[-1])
    m = np.full(rows.shape[0], -np.inf, dtype)
    s = np.zeros(rows.shape[0], dtype)
    for start in range(0, rows.shape[1], chunk):
        block = rows[:, start : start + chunk].copy()  # the update overwrites its block
        m, s = _online_update(m, s, block, *row_max(block))
    out = m + np.log1p(s)
    return out.reshape(arr.shape[:-1]).astype(arr.dtype, copy=False)[()]


# ------------------------------------------------------------------------- fused linear + loss


def _prepare_linear(
    func: str,
    hidden: ArrayLike,
    weight: ArrayLike,
    target: ArrayLike,
    bias: ArrayLike | None,
    ignore_index: int,
    reduction: str,
) -> tuple[
    NDArray[Any],
    NDArray[Any],
    NDArray[Any] | None,
    NDArray[np.intp],
    NDArray[np.bool_],
    np.dtype[Any],
]:
    """Validate and convert: (hidden, weight, bias, target, valid, output dtype)."""
    h = float_array(func, "hidden", hidden)
    w = float_array(func, "weight", weight)
    if h.ndim != 2:
        raise ValueError(f"{func}: hidden must be 2-D (N, D), got shape {h.shape}")
    if w.ndim != 2:
        raise ValueError(f"{func}: weight must be 2-D (V, D), got shape {w.shape}")
    if w.shape[1] != h.shape[1]:
        raise ValueError(
            f"{func}: hidden has {h.shape[1]} features (shape {h.shape}) but weight has "
            f"{w.shape[1]} (shape {w.shape}); weight must be (V, D) with D = {h.shape[1]}"
        )
    if w.shape[0] == 0:
        raise ValueError(f"{func}: weight has 0 classes (shape {w.shape}); it needs at least one")
    arrays = [h, w]
    b = None
    if bias is not None:
        b = float_array(func, "bias", bias)
        if b.shape != (w.shape[0],):
            raise ValueError(
                f"{func}: bias must have one entry per class, shape ({w.shape[0]},), got shape "
                f"{b.shape}"
            )
        arrays.append(b)
    out_dtype = np.result_type(*arrays)
    dtype = working_dtype(np.empty(0, out_dtype))
    check_reduction(func, reduction)
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"{func}: ignore_index must be an integer, got {ignore_index!r}")
    try:
        tgt = np.asarray(target)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{func}: target must be an array, got {_describe(target)}") from exc
    if tgt.dtype.kind not in "iu":
        raise TypeError(
            f"{func}: target must hold integer class indices, got dtype {tgt.dtype} in "
            f"{_describe(target)}"
        )
    if tgt.shape != (h.shape[0],):
        raise ValueError(
            f"{func}: target must have shape ({h.shape[0]},), one class per row of hidden, got "
            f"shape {tgt.shape}"
        )
    t = tgt.astype(np.int64)
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= w.shape[0]))
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise IndexError(
            f"{func}: target holds class index {int(t[pos])} at position {pos}, out of range "
            f"for {w.shape[0]} classes (valid: 0 to {w.shape[0] - 1}, or "
            f"ignore_index={ignore_index})"
        )
    h = h.astype(dtype, copy=False)
    w = w.astype(dtype, copy=False)
    for name, arr in (("hidden", h), ("weight", w)):
        check_finite(func, name, arr)
    if b is not None:
        b = b.astype(dtype, copy=False)
        check_finite(func, "bias", b)
    return h, w, b, np.where(valid, t, 0).astype(np.intp), valid, out_dtype


def _block_rows(rows: int, classes: int, chunk_rows: int | None, func: str) -> int:
    if chunk_rows is None:
        return max(1, min(rows, _BLOCK_ELEMENTS // classes))
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, (int, np.integer)):
        raise TypeError(f"{func}: chunk_rows must be an integer or None, got {chunk_rows!r}")
    if chunk_rows < 1:
        raise ValueError(f"{func}: chunk_rows must be at least 1, got {chunk_rows!r}")
    return int(chunk_rows)


def _check_overflow(func: str, m: NDArray[Any], start: int) -> None:
    if not np.isfinite(m).all():
        row = start + int(np.flatnonzero(~np.isfinite(m))[0])
        raise ValueError(f"{func}: the logits of row {row} overflow the dtype (hidden @ weight.T)")


def _reduce(losses: NDArray[Any], valid: NDArray[np.bool_], reduction: str, out_dtype: Any) -> Any:
    if reduction == "none":
        return losses.astype(out_dtype, copy=False)
    total = float(np.sum(losses, dtype=np.float64))
    if reduction == "sum":
        return np.dtype(out_dtype).type(total)
    count = int(valid.sum())
    return np.dtype(out_dtype).type(total / count if count else np.nan)


_LINEAR_ARGS_DOC = r"""
    Parameters
    ----------
    hidden : array_like
        Hidden states :math:`H`, shape ``(N, D)``.
    weight : array_like
        Output (unembedding) matrix :math:`W`, shape ``(V, D)``, one row per class, as stored by
        ``torch.nn.Linear(D, V)``; the logits are ``hidden @ weight.T``.
    target : array_like of int
        Class indices, shape ``(N,)``, each in ``[0, V)`` or equal to ``ignore_index``.
    bias : array_like, optional
        Bias :math:`b`, shape ``(V,)``, added to every row of logits.
    ignore_index : int, optional
        Rows whose target equals this value contribute nothing and are left out of the mean's
        denominator. Default ``-100``.
    reduction : {'mean', 'sum', 'none'}, optional
        As in :func:`xentbook.cross_entropy` (no class weights or label smoothing here).
        A mean over zero rows is ``nan``. Default ``'mean'``.
    chunk_rows : int, optional
        Rows of hidden states processed per block; the default keeps a block of logits near
        :math:`2^{23}` numbers (32 MiB in float32).
"""


def _linear_doc(func: Any) -> Any:
    func.__doc__ = func.__doc__.replace("    {args}\n", _LINEAR_ARGS_DOC)
    return func


@_linear_doc
def linear_cross_entropy(
    hidden: ArrayLike,
    weight: ArrayLike,
    target: ArrayLike,
    bias: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    *,
    chunk_rows: int | None = None,
) -> Any:
    r"""Cross-entropy of the logits ``hidden @ weight.T + bias``, never forming all of them.

    .. math::

        \ell_n = \log \sum_{v=1}^{V} e^{z_{n,v}} - z_{n,y_n},
        \qquad z_{n,v} = h_n \cdot w_v + b_v .

    Blocks of ``chunk_rows`` rows meet blocks of the vocabulary; each block of logits updates a
    running maximum and sum per row (online softmax) and is then discarded, so the memory held is
    one small block, whatever :math:`N` and :math:`V`.
    {args}
    Returns
    -------
    ndarray or scalar
        The reduced loss, or one loss per row with ``reduction='none'``.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import cross_entropy, linear_cross_entropy
    >>> rng = np.random.default_rng(0)
    >>> h, w = rng.normal(size=(6, 4)), rng.normal(size=(10, 4))
    >>> t = np.array([0, 3, 9, 2, 2, 5])
    >>> print(f"{linear_cross_entropy(h, w, t):.12f}")
    2.818112066794
    >>> print(f"{cross_entropy(h @ w.T, t):.12f}")
    2.818112066794
    """
    func = "linear_cross_entropy"
    h, w, b, t, valid, out_dtype = _prepare_linear(
        func, hidden, weight, target, bias, ignore_index, reduction
    )
    rows, classes = h.shape[0], w.shape[0]
    dtype = h.dtype
    width = min(classes, _VOCAB_BLOCK)
    nrows = _block_rows(rows, width, chunk_rows, func)
    buf = np.empty((min(nrows, rows), width), dtype)
    losses = np.zeros(rows, dtype)
    for r0 in range(0, rows, nrows):
        r1 = min(r0 + nrows, rows)
        hb, tb = h[r0:r1], t[r0:r1]
        m = np.full(r1 - r0, -np.inf, dtype)
        s = np.zeros(r1 - r0, dtype)
        zt = np.zeros(r1 - r0, dtype)
        for v0 in range(0, classes, width):
            v1 = min(v0 + width, classes)
            block = buf[: r1 - r0, : v1 - v0]
            with np.errstate(over="ignore"):  # an overflow is reported below, by row
                np.matmul(hb, w[v0:v1].T, out=block)
            if b is not None:
                block += b[v0:v1]
            here = np.flatnonzero((tb >= v0) & (tb < v1))
            zt[here] = block[here, tb[here] - v0]  # the target's logit, before it is overwritten
            kb, mb = row_max(block)
            _check_overflow(func, mb, r0)
            m, s = _online_update(m, s, block, kb, mb)
        losses[r0:r1] = np.where(valid[r0:r1], (m - zt) + np.log1p(s), 0)
    return _reduce(losses, valid, reduction, out_dtype)


@_linear_doc
def linear_cross_entropy_with_grad(
    hidden: ArrayLike,
    weight: ArrayLike,
    target: ArrayLike,
    bias: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    *,
    chunk_rows: int | None = None,
) -> tuple[Any, ...]:
    r"""The loss of :func:`linear_cross_entropy` and its gradients, block by block.

    With :math:`G = \partial L / \partial Z` (softmax minus one-hot, scaled by the reduction),

    .. math::

        \frac{\partial L}{\partial H} = G W, \qquad
        \frac{\partial L}{\partial W} = G^\top H, \qquad
        \frac{\partial L}{\partial b} = G^\top \mathbf{1}.

    For each block of rows the logits are formed, turned into the block of :math:`G` in place,
    and multiplied into the three gradients before the next block overwrites them: the same
    three matrix products as the naive computation, but one block of logits in memory instead of
    the logits and their gradient.
    {args}
    Returns
    -------
    tuple
        ``(loss, grad_hidden, grad_weight)``, plus ``grad_bias`` when ``bias`` is given; the
        gradients have the shapes of their arguments. With ``reduction='none'`` they are the
        gradients of the sum of the per-row losses.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import linear_cross_entropy_with_grad
    >>> from xentbook.book import naive_linear_cross_entropy_with_grad
    >>> rng = np.random.default_rng(0)
    >>> h, w = rng.normal(size=(6, 4)), rng.normal(size=(10, 4))
    >>> t = np.array([0, 3, 9, 2, 2, 5])
    >>> loss, gh, gw = linear_cross_entropy_with_grad(h, w, t, chunk_rows=4)
    >>> ref_loss, ref_gh, ref_gw = naive_linear_cross_entropy_with_grad(h, w, t)
    >>> print(f"{loss:.12f}", np.allclose(gh, ref_gh, rtol=1e-12, atol=0),
    ...       np.allclose(gw, ref_gw, rtol=1e-12, atol=0))
    2.818112066794 True True
    """
    func = "linear_cross_entropy_with_grad"
    h, w, b, t, valid, out_dtype = _prepare_linear(
        func, hidden, weight, target, bias, ignore_index, reduction
    )
    rows, classes = h.shape[0], w.shape[0]
    dtype = h.dtype
    nrows = _block_rows(rows, classes, chunk_rows, func)
    count = int(valid.sum())
    scale = (1.0 / count if count else 0.0) if reduction == "mean" else 1.0

    losses = np.zeros(rows, dtype)
    grad_h = np.empty_like(h)
    grad_w = np.zeros_like(w)
    grad_b = None if b is None else np.zeros_like(b)
    buf = np.empty((min(nrows, rows), classes), dtype)
    # dL/dW is accumulated in pieces of about one block, few enough to keep BLAS calls large.
    part = np.empty(
        (min(classes, max(_VOCAB_BLOCK, _PIECE_ELEMENTS // max(1, h.shape[1]))), h.shape[1]), dtype
    )
    for r0 in range(0, rows, nrows):
        r1 = min(r0 + nrows, rows)
        n = r1 - r0
        idx = np.arange(n)
        hb, tb, vb = h[r0:r1], t[r0:r1], valid[r0:r1]
        z = buf[:n]
        with np.errstate(over="ignore"):  # an overflow is reported below, by row
            np.matmul(hb, w.T, out=z)
        if b is not None:
            z += b
        zt = z[idx, tb]
        k, m = row_max(z)
        _check_overflow(func, m, r0)
        e, s = shifted_exp(z, k, m, out=z)  # z now holds exp(z - m), the maximum's entry zeroed
        losses[r0:r1] = np.where(vb, (m - zt) + np.log1p(s), 0)
        # Turn the block into G in place: softmax, minus one at the target, times the scale.
        g = e
        g[idx, k] = 1
        g /= (1 + s)[:, None]
        g[idx, tb] = np.where(tb == k, -s / (1 + s), g[idx, tb] - 1)
        g *= (scale * vb).astype(dtype)[:, None]
        np.matmul(g, w, out=grad_h[r0:r1])
        for v0 in range(0, classes, part.shape[0]):
            v1 = min(v0 + part.shape[0], classes)
            np.matmul(g[:, v0:v1].T, hb, out=part[: v1 - v0])
            grad_w[v0:v1] += part[: v1 - v0]
        if grad_b is not None:
            grad_b += g.sum(axis=0)
    loss = _reduce(losses, valid, reduction, out_dtype)
    grads = (grad_h, grad_w) if grad_b is None else (grad_h, grad_w, grad_b)
    return (loss, *(gr.astype(out_dtype, copy=False) for gr in grads))


@_linear_doc
def naive_linear_cross_entropy_with_grad(
    hidden: ArrayLike,
    weight: ArrayLike,
    target: ArrayLike,
    bias: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    *,
    chunk_rows: int | None = None,
) -> tuple[Any, ...]:
    r"""The textbook way, for comparison: form all the logits, then the loss, then two products.

    .. math::

        Z = H W^\top + b, \quad (L, G) = \text{cross\_entropy\_with\_grad}(Z, y), \quad
        \frac{\partial L}{\partial H} = G W, \quad \frac{\partial L}{\partial W} = G^\top H .

    It holds the :math:`N \times V` logits and the :math:`N \times V` gradient :math:`G` at the
    same time. Same arguments and results as :func:`linear_cross_entropy_with_grad`
    (``chunk_rows`` is accepted and ignored).
    {args}
    Returns
    -------
    tuple
        ``(loss, grad_hidden, grad_weight)``, plus ``grad_bias`` when ``bias`` is given.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import naive_linear_cross_entropy_with_grad
    >>> loss, gh, gw = naive_linear_cross_entropy_with_grad(np.ones((1, 2)), np.eye(2), [0])
    >>> print(f"{loss:.6f}", gh, gw.tolist())
    0.693147 [[-0.5  0.5]] [[-0.5, -0.5], [0.5, 0.5]]
    """
    func = "naive_linear_cross_entropy_with_grad"
    h, w, b, t, valid, out_dtype = _prepare_linear(
        func, hidden, weight, target, bias, ignore_index, reduction
    )
    _block_rows(h.shape[0], w.shape[0], chunk_rows, func)
    with np.errstate(over="ignore"):  # cross_entropy_with_grad refuses the +inf
        z = h @ w.T
    if b is not None:
        z += b
    tgt = np.where(valid, t, ignore_index)
    if reduction == "mean" and not valid.any():
        loss, g = np.dtype(out_dtype).type(np.nan), np.zeros_like(z)
    else:
        loss, g = cross_entropy_with_grad(z, tgt, ignore_index=ignore_index, reduction=reduction)
    grads = [g @ w, g.T @ h]
    if b is not None:
        grads.append(g.sum(axis=0))
    return (loss, *(gr.astype(out_dtype, copy=False) for gr in grads))


# ------------------------------------------------------------------------------------ memory


def peak_memory(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """Call ``func(*args, **kwargs)`` and return its result and the peak bytes it allocated.

    The peak is measured with :mod:`tracemalloc`, which sees numpy's array buffers, relative to
    what was already allocated before the call; it includes the returned arrays. Memory that
    BLAS or the operating system allocate outside Python's allocators is not counted.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import peak_memory
    >>> _, peak = peak_memory(np.ones, (1000, 1000))
    >>> print(peak >= 8_000_000)
    True
    """
    if not callable(func):
        raise TypeError(f"peak_memory: func must be callable, got {_describe(func)}")
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = func(*args, **kwargs)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        if not tracing:
            tracemalloc.stop()
    return result, int(peak)
