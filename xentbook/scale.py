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
  :math:`\partial L / \partial W`, the row-chunked design of Liger Kernel's fused linear
  cross-entropy (Hsu et al., 2024; Cut Cross-Entropy, Wijmans et al., 2024, goes further and
  never stores a block of logits), so the memory held is one block of rows, plus a buffer
  of at most :math:`\max(2^{22}, 4096 D)` entries for the pieces of
  :math:`\partial L / \partial W`, instead of two :math:`N \times V` arrays.

:func:`peak_memory` measures what a call allocates, with :mod:`tracemalloc`.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._reduction import grad_scale, reduce_losses
from xentbook._validation import (
    Reduction,
    _describe,
    check_finite,
    check_reduction,
    class_indices,
    float_array,
    float_array_as,
    integer,
    working_dtype,
)
from xentbook.cross_entropy import cross_entropy_with_grad
from xentbook.primitives import prob_minus_one, row_max, shifted_exp

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
    chunk = integer(
        func, "chunk", chunk, 1, expected="a positive integer", below_minimum="a positive integer"
    )
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


class _Linear(NamedTuple):
    """A validated call of the fused functions, in the working dtype."""

    hidden: NDArray[Any]  # (N, D)
    unembedding: NDArray[Any]  # (V, D)
    bias: NDArray[Any] | None  # (V,)
    t: NDArray[np.intp]  # (N,) class indices, ignored rows set to 0
    valid: NDArray[np.bool_]  # (N,) False where the target is ignore_index
    out_dtype: np.dtype[Any]
    reduction: Reduction


def _prepare_linear(
    func: str,
    hidden: ArrayLike,
    unembedding: ArrayLike,
    target: ArrayLike,
    bias: ArrayLike | None,
    ignore_index: int,
    reduction: Reduction,
) -> _Linear:
    h = float_array(func, "hidden", hidden)
    w = float_array(func, "unembedding", unembedding)
    if h.ndim != 2:
        raise ValueError(f"{func}: hidden must be 2-D (N, D), got shape {h.shape}")
    if w.ndim != 2:
        raise ValueError(f"{func}: unembedding must be 2-D (V, D), got shape {w.shape}")
    if w.shape[1] != h.shape[1]:
        raise ValueError(
            f"{func}: hidden has {h.shape[1]} features (shape {h.shape}) but unembedding has "
            f"{w.shape[1]} (shape {w.shape}); unembedding must be (V, D) with D = {h.shape[1]}"
        )
    if w.shape[0] == 0:
        raise ValueError(
            f"{func}: unembedding has 0 classes (shape {w.shape}); it needs at least one"
        )
    b = None if bias is None else float_array(func, "bias", bias)
    if b is not None and b.shape != (w.shape[0],):
        raise ValueError(
            f"{func}: bias must have one entry per class, shape ({w.shape[0]},), got shape "
            f"{b.shape}"
        )
    out_dtype = np.result_type(h, w) if b is None else np.result_type(h, w, b)
    dtype = working_dtype(np.empty(0, out_dtype))
    reduction = check_reduction(func, reduction)
    ignore_index = integer(func, "ignore_index", ignore_index)
    t, valid = class_indices(
        func, "target", target, (h.shape[0],), w.shape[0], ignore_index=ignore_index
    )
    if valid is None:
        valid = np.ones(t.shape, np.bool_)
    h = float_array_as(func, "hidden", h, dtype)
    w = float_array_as(func, "unembedding", w, dtype)
    b = None if b is None else float_array_as(func, "bias", b, dtype)
    return _Linear(h, w, b, t, valid, out_dtype, reduction)


def _block_rows(rows: int, classes: int, chunk_rows: int | None, func: str) -> int:
    if chunk_rows is None:
        return max(1, min(rows, _BLOCK_ELEMENTS // classes))
    return integer(func, "chunk_rows", chunk_rows, 1, expected="an integer or None")


def _check_overflow(func: str, m: NDArray[Any], start: int) -> None:
    if not np.isfinite(m).all():
        row = start + int(np.flatnonzero(~np.isfinite(m))[0])
        raise ValueError(
            f"{func}: the logits of row {row} overflow the dtype (hidden @ unembedding.T)"
        )


def _reduce(func: str, pb: _Linear, losses: NDArray[Any]) -> Any:
    count = float(np.count_nonzero(pb.valid))
    return reduce_losses(func, losses, pb.reduction, pb.out_dtype, denominator=count, stacklevel=4)


_LINEAR_ARGS_DOC = r"""
    Parameters
    ----------
    hidden : array_like
        Hidden states :math:`H`, shape ``(N, D)``.
    unembedding : array_like
        The output (unembedding) matrix :math:`W`, shape ``(V, D)``, one row per class, as
        stored in ``torch.nn.Linear(D, V).weight``; the logits are ``hidden @ unembedding.T``.
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


_F = TypeVar("_F", bound=Callable[..., Any])


def _linear_doc(func: _F) -> _F:
    func.__doc__ = (func.__doc__ or "").replace("    {args}\n", _LINEAR_ARGS_DOC)
    return func


@_linear_doc
def linear_cross_entropy(
    hidden: ArrayLike,
    unembedding: ArrayLike,
    target: ArrayLike,
    bias: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: Reduction = "mean",
    *,
    chunk_rows: int | None = None,
) -> Any:
    r"""Cross-entropy of the logits ``hidden @ unembedding.T + bias``, never forming all of them.

    .. math::

        \ell_n = \log \sum_{v=1}^{V} e^{z_{n,v}} - z_{n,y_n},
        \qquad z_{n,v} = h_n \cdot w_v + b_v .

    Blocks of ``chunk_rows`` rows meet blocks of the vocabulary; each block of logits updates a
    running maximum and sum per row (online softmax) and is then discarded, so the memory held is
    one small block, whatever :math:`N` and :math:`V`.
    {args}
    Returns
    -------
    numpy scalar or ndarray
        The reduced loss as a numpy scalar, or one loss per row with ``reduction='none'``; in
        the inputs' common float dtype. A mean over no row (every target ignored) is ``nan``
        with a ``RuntimeWarning``.

    Raises
    ------
    ValueError
        Shapes that do not fit (``hidden`` (N, D), ``unembedding`` (V, D), ``bias`` (V,)), no
        classes, non-finite values, an unknown ``reduction``, or logits that overflow the dtype.
    TypeError
        Non-numeric, complex or masked arrays, float class indices, torch tensors that require
        grad, or a non-integer ``ignore_index`` or ``chunk_rows``.
    IndexError
        A class index outside ``[0, V)`` that is not ``ignore_index``.

    See Also
    --------
    linear_cross_entropy_with_grad : the loss and the three gradients.
    cross_entropy : the same loss from logits that are already formed.

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
    pb = _prepare_linear(func, hidden, unembedding, target, bias, ignore_index, reduction)
    rows, classes = pb.hidden.shape[0], pb.unembedding.shape[0]
    width = min(classes, _VOCAB_BLOCK)
    nrows = _block_rows(rows, width, chunk_rows, func)
    buf = np.empty((min(nrows, rows), width), pb.hidden.dtype)
    losses = np.zeros(rows, pb.hidden.dtype)
    for r0 in range(0, rows, nrows):
        r1 = min(r0 + nrows, rows)
        losses[r0:r1] = _streamed_losses(func, pb, slice(r0, r1), buf)
    return _reduce(func, pb, losses)


def _streamed_losses(func: str, pb: _Linear, rows: slice, buf: NDArray[Any]) -> NDArray[Any]:
    """The losses of a block of rows, streaming over blocks of the vocabulary (online softmax)."""
    hb, tb = pb.hidden[rows], pb.t[rows]
    n, width = hb.shape[0], buf.shape[1]
    m = np.full(n, -np.inf, hb.dtype)
    s = np.zeros(n, hb.dtype)
    zt = np.zeros(n, hb.dtype)
    for v0 in range(0, pb.unembedding.shape[0], width):
        v1 = min(v0 + width, pb.unembedding.shape[0])
        block = buf[:n, : v1 - v0]
        with np.errstate(over="ignore"):  # an overflow is reported below, by row
            np.matmul(hb, pb.unembedding[v0:v1].T, out=block)
        if pb.bias is not None:
            block += pb.bias[v0:v1]
        here = np.flatnonzero((tb >= v0) & (tb < v1))
        zt[here] = block[here, tb[here] - v0]  # the target's logit, before it is overwritten
        kb, mb = row_max(block)
        _check_overflow(func, mb, rows.start)
        m, s = _online_update(m, s, block, kb, mb)
    return np.where(pb.valid[rows], (m - zt) + np.log1p(s), 0)


@_linear_doc
def linear_cross_entropy_with_grad(
    hidden: ArrayLike,
    unembedding: ArrayLike,
    target: ArrayLike,
    bias: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: Reduction = "mean",
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
        ``(loss, grad_hidden, grad_unembedding)``, plus ``grad_bias`` when ``bias`` is given; the
        gradients have the shapes of their arguments. With ``reduction='none'`` they are the
        gradients of the sum of the per-row losses. A mean over no row is ``nan`` with a
        ``RuntimeWarning`` and zero gradients.

    Raises
    ------
    ValueError, TypeError, IndexError
        As :func:`linear_cross_entropy`.

    See Also
    --------
    linear_cross_entropy
    xentbook.book.naive_linear_cross_entropy_with_grad : the textbook way, for comparison.

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
    pb = _prepare_linear(func, hidden, unembedding, target, bias, ignore_index, reduction)
    h, w = pb.hidden, pb.unembedding
    rows, classes = h.shape[0], w.shape[0]
    nrows = _block_rows(rows, classes, chunk_rows, func)
    scale = grad_scale(pb.reduction, float(np.count_nonzero(pb.valid)))
    losses = np.zeros(rows, h.dtype)
    grad_h = np.empty_like(h)
    grad_w = np.zeros_like(w)
    grad_b = None if pb.bias is None else np.zeros_like(pb.bias)
    buf = np.empty((min(nrows, rows), classes), h.dtype)
    # dL/dW is accumulated in pieces of about one block, few enough to keep BLAS calls large.
    part = np.empty(
        (min(classes, max(_VOCAB_BLOCK, _PIECE_ELEMENTS // max(1, h.shape[1]))), h.shape[1]),
        h.dtype,
    )
    for r0 in range(0, rows, nrows):
        r1 = min(r0 + nrows, rows)
        g, losses[r0:r1] = _logit_grad_block(func, pb, slice(r0, r1), buf[: r1 - r0], scale)
        hb = h[r0:r1]
        np.matmul(g, w, out=grad_h[r0:r1])
        for v0 in range(0, classes, part.shape[0]):
            v1 = min(v0 + part.shape[0], classes)
            np.matmul(g[:, v0:v1].T, hb, out=part[: v1 - v0])
            grad_w[v0:v1] += part[: v1 - v0]
        if grad_b is not None:
            grad_b += g.sum(axis=0)
    loss = _reduce(func, pb, losses)
    grads = (grad_h, grad_w) if grad_b is None else (grad_h, grad_w, grad_b)
    return (loss, *(gr.astype(pb.out_dtype, copy=False) for gr in grads))


def _logit_grad_block(
    func: str, pb: _Linear, rows: slice, z: NDArray[Any], scale: float
) -> tuple[NDArray[Any], NDArray[Any]]:
    """For a block of rows: G = dL/dZ, formed in the buffer ``z``, and the rows' losses."""
    n = z.shape[0]
    idx = np.arange(n)
    tb, vb = pb.t[rows], pb.valid[rows]
    with np.errstate(over="ignore"):  # an overflow is reported below, by row
        np.matmul(pb.hidden[rows], pb.unembedding.T, out=z)
    if pb.bias is not None:
        z += pb.bias
    zt = z[idx, tb]
    k, m = row_max(z)
    _check_overflow(func, m, rows.start)
    e, s = shifted_exp(z, k, m, out=z)  # z now holds exp(z - m), the maximum's entry zeroed
    losses = np.where(vb, (m - zt) + np.log1p(s), 0)
    # Turn the block into G in place: softmax, minus one at the target, times the scale.
    g = e
    g[idx, k] = 1
    d = 1 + s
    p_t_minus_1 = prob_minus_one(g[idx, tb], s, d)
    g /= d[:, None]
    g[idx, tb] = p_t_minus_1
    g *= (scale * vb).astype(g.dtype)[:, None]
    return g, losses


@_linear_doc
def naive_linear_cross_entropy_with_grad(
    hidden: ArrayLike,
    unembedding: ArrayLike,
    target: ArrayLike,
    bias: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: Reduction = "mean",
    *,
    chunk_rows: int | None = None,
) -> tuple[Any, ...]:
    r"""The textbook way, for comparison: form all the logits, then the loss, then two products.

    .. math::

        Z = H W^\top + b, \quad (L, G) = \text{cross\_entropy\_with\_grad}(Z, y), \quad
        \frac{\partial L}{\partial H} = G W, \quad \frac{\partial L}{\partial W} = G^\top H .

    It holds the :math:`N \times V` logits and the :math:`N \times V` gradient :math:`G` at the
    same time. Same arguments and results as :func:`xentbook.linear_cross_entropy_with_grad`
    (``chunk_rows`` is accepted and ignored).
    {args}
    Returns
    -------
    tuple
        ``(loss, grad_hidden, grad_unembedding)``, plus ``grad_bias`` when ``bias`` is given.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import naive_linear_cross_entropy_with_grad
    >>> h, w = np.ones((1, 2)), np.eye(2)
    >>> loss, gh, gw = naive_linear_cross_entropy_with_grad(h, w, [0])
    >>> print(f"{loss:.6f}", gh, gw.tolist())
    0.693147 [[-0.5  0.5]] [[-0.5, -0.5], [0.5, 0.5]]
    """
    func = "naive_linear_cross_entropy_with_grad"
    pb = _prepare_linear(func, hidden, unembedding, target, bias, ignore_index, reduction)
    h, w, b = pb.hidden, pb.unembedding, pb.bias
    _block_rows(h.shape[0], w.shape[0], chunk_rows, func)
    with np.errstate(over="ignore"):  # cross_entropy_with_grad refuses the +inf
        z = h @ w.T
    if b is not None:
        z += b
    tgt = np.where(pb.valid, pb.t, -1)
    if pb.reduction == "mean" and not pb.valid.any():
        loss, g = _reduce(func, pb, np.zeros(0, z.dtype)), np.zeros_like(z)
    else:
        loss, g = cross_entropy_with_grad(z, tgt, ignore_index=-1, reduction=pb.reduction)
    grads = [g @ w, g.T @ h]
    if b is not None:
        grads.append(g.sum(axis=0))
    return (loss, *(gr.astype(pb.out_dtype, copy=False) for gr in grads))


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
