r"""The loss of a language model: next-token targets, token-weighted means, and what surrounds them.

A causal language model reads tokens :math:`x_0, \dots, x_{T-1}` and returns logits
:math:`z_t \in \mathbb{R}^V` at every position, each a prediction of the *next* token. The loss
of a batch is the cross-entropy of those predictions against the tokens shifted by one, averaged
over the set :math:`\mathcal{T}` of the :math:`N` positions that carry a target (padding and the
last position carry none):

.. math::

    L = -\frac{1}{N} \sum_{(b, t) \in \mathcal{T}} \log \operatorname{softmax}(z_{b,t})_{x_{b,t+1}}.

The functions here build those targets (:func:`next_token_targets`), split the loss by sequence
or by packed document (:func:`sequence_losses`), accumulate it over micro-batches or
data-parallel ranks so that it equals the loss of the whole batch at once
(:func:`accumulated_cross_entropy_with_grad`), pick the windows of a sliding-window evaluation
(:func:`sliding_window_spans`), convert a total loss to bits per byte (:func:`bits_per_byte`),
and compute the two regularisers of the output softmax used by large models: the z-loss
(:func:`z_loss`, :func:`z_loss_grad`) and logit soft-capping (:func:`soft_cap`,
:func:`soft_cap_grad`). Logits here have the vocabulary on the *last* axis, shape ``(..., V)``,
as a model returns them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._reduction import reduce_losses
from xentbook._validation import (
    _describe,
    check_finite,
    check_reduction,
    float_array,
    positive_number,
    working_dtype,
)
from xentbook.cross_entropy import cross_entropy, cross_entropy_with_grad
from xentbook.primitives import logsumexp, softmax

__all__ = [
    "AccumulatedLoss",
    "SequenceLosses",
    "accumulated_cross_entropy_with_grad",
    "bits_per_byte",
    "next_token_targets",
    "sequence_losses",
    "sliding_window_spans",
    "soft_cap",
    "soft_cap_grad",
    "z_loss",
    "z_loss_grad",
]


# ------------------------------------------------------------------------------ validation


def _integer(func: str, name: str, value: Any, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{func}: {name} must be an integer, got {_describe(value)}")
    if value < minimum:
        raise ValueError(f"{func}: {name} must be at least {minimum}, got {int(value)}")
    return int(value)


def _ignore_index(func: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{func}: ignore_index must be an integer, got {value!r}")
    return int(value)


def _int_array(func: str, name: str, value: ArrayLike) -> NDArray[np.int64]:
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{func}: {name} must be an integer array, got {_describe(value)}") from exc
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"{func}: {name} must hold integers, got dtype {arr.dtype} in {_describe(value)}"
        )
    return arr.astype(np.int64)


def _vocab_logits(func: str, name: str, value: ArrayLike) -> NDArray[Any]:
    """Floating logits of shape (..., V), V >= 1, in their given float dtype."""
    z = float_array(func, name, value, min_ndim=1)
    if z.shape[-1] == 0:
        raise ValueError(f"{func}: {name} has an empty vocabulary axis (shape {z.shape})")
    return z


def _rows(
    func: str, logits: ArrayLike, targets: ArrayLike, name: str = "logits"
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """Logits (..., V) and targets (...) flattened to (R, V) and (R,)."""
    z = _vocab_logits(func, name, logits)
    t = _int_array(func, "targets", targets)
    if t.shape != z.shape[:-1]:
        raise ValueError(
            f"{func}: targets must have shape {z.shape[:-1]}, one per position of {name} of shape "
            f"{z.shape} (the vocabulary is the last axis), got shape {t.shape}"
        )
    return z.reshape(-1, z.shape[-1]), t.reshape(-1)


# ------------------------------------------------------------------------------ targets


def _binary_mask(
    func: str, name: str, value: ArrayLike, shape: tuple[int, ...], meaning: str
) -> Any:
    m = np.asarray(value)
    if m.shape != shape:
        raise ValueError(
            f"{func}: {name} must have the shape of tokens {shape}, got shape {m.shape}"
        )
    if m.dtype.kind not in "biu" or not np.isin(m, (0, 1)).all():
        raise ValueError(f"{func}: {name} must hold {meaning}, got {_describe(m)}")
    return m.astype(bool)


def next_token_targets(
    tokens: ArrayLike,
    attention_mask: ArrayLike | None = None,
    ignore_index: int = -100,
    loss_mask: ArrayLike | None = None,
) -> NDArray[np.int64]:
    r"""The next-token targets of a batch of token sequences: the tokens shifted left by one.

    Position :math:`t` predicts token :math:`t + 1`, so the target there is
    :math:`x_{t+1}`; the last position has nothing to predict and gets ``ignore_index``, as does
    every position that is padding or whose next token is padding (``attention_mask`` 0 there):

    .. math::

        y_t = \begin{cases} x_{t+1} & t < T - 1,\ m_t = 1 \text{ and } m_{t+1} = 1, \\
                            \texttt{ignore\_index} & \text{otherwise.} \end{cases}

    A sequence of :math:`n` real tokens therefore has :math:`n - 1` targets whether it is padded
    on the right or on the left. With right padding this is the convention of causal language
    models in Hugging Face Transformers (labels equal to the inputs with padding set to -100,
    shifted inside the model). With *left* padding that convention differs: the last padding
    position gets the first real token as its target, scored from a position that has read only
    padding, and the sequence has :math:`n` targets; here that padding position has none.

    ``loss_mask`` restricts the targets further to the tokens that are to be *learned*, as in
    instruction tuning, where the prompt is read but only the response is scored: position
    :math:`t` keeps its target only if ``loss_mask`` is 1 at :math:`t + 1`.

    Parameters
    ----------
    tokens : array_like of int
        Token ids, shape ``(T,)`` or ``(B, T)``.
    attention_mask : array_like of bool or {0, 1}, optional
        Same shape; 1 (True) for a real token, 0 for padding. Default: every token is real.
    ignore_index : int, optional
        The value of a position without a target. Default ``-100``.
    loss_mask : array_like of bool or {0, 1}, optional
        Same shape; 1 for a token that is a target when it comes next (a response token,
        end-of-sequence included), 0 for one that is only read (a prompt token). Default: every
        real token is a target.

    Returns
    -------
    ndarray of int64
        The targets, the shape of ``tokens``.

    Raises
    ------
    TypeError, ValueError
        Non-integer tokens, a mask of another shape or with values other than 0 and 1, or a
        token id equal to ``ignore_index``.

    Examples
    --------
    >>> from xentbook import next_token_targets
    >>> print(next_token_targets([5, 7, 2, 0, 0], attention_mask=[1, 1, 1, 0, 0]))
    [   7    2 -100 -100 -100]
    >>> print(next_token_targets([0, 0, 5, 7, 2], attention_mask=[0, 0, 1, 1, 1]))
    [-100 -100    7    2 -100]
    >>> # the prompt is 3, 4
    >>> print(next_token_targets([3, 4, 5, 7, 2], loss_mask=[0, 0, 1, 1, 1]))
    [-100    5    7    2 -100]
    """
    func = "next_token_targets"
    x = _int_array(func, "tokens", tokens)
    if x.ndim not in (1, 2):
        raise ValueError(f"{func}: tokens must have shape (T,) or (B, T), got shape {x.shape}")
    ignore = _ignore_index(func, ignore_index)
    if (x == ignore).any():
        where = tuple(int(i) for i in np.argwhere(x == ignore)[0])
        raise ValueError(
            f"{func}: tokens hold the value ignore_index={ignore} at index {where}; a token id "
            "must differ from ignore_index"
        )
    if attention_mask is None:
        real = np.ones(x.shape, dtype=bool)
    else:
        real = _binary_mask(
            func, "attention_mask", attention_mask, x.shape, "0 (padding) and 1 (real token)"
        )
    learn = real
    if loss_mask is not None:
        learn = real & _binary_mask(
            func, "loss_mask", loss_mask, x.shape, "0 (read only) and 1 (a target)"
        )
    y = np.full(x.shape, ignore, dtype=np.int64)
    y[..., :-1] = np.where(real[..., :-1] & learn[..., 1:], x[..., 1:], ignore)
    return y


# ------------------------------------------------------------------------------ per sequence


class SequenceLosses(NamedTuple):
    """Summed next-token losses and target counts per sequence (or per packed document).

    Attributes
    ----------
    sums
        Array of float: the sum of the losses of each sequence's targets, in nats.
    counts
        Array of int64: the number of targets (positions not ignored) of each sequence.
    """

    sums: NDArray[Any]
    counts: NDArray[np.int64]


def sequence_losses(
    logits: ArrayLike,
    targets: ArrayLike,
    segment_ids: ArrayLike | None = None,
    ignore_index: int = -100,
) -> SequenceLosses:
    r"""The summed cross-entropy and the number of targets of every sequence of a batch.

    With :math:`\ell_{b,t}` the loss of position :math:`t` of row :math:`b` and
    :math:`\mathcal{T}_s` the positions of sequence :math:`s` that are not ignored,

    .. math::

        \text{sums}_s = \sum_{(b,t) \in \mathcal{T}_s} \ell_{b,t}, \qquad
        \text{counts}_s = |\mathcal{T}_s| ,

    from which both usual means follow, over the :math:`B` sequences: the token mean
    :math:`\sum_s \text{sums}_s / \sum_s \text{counts}_s` and the sequence mean
    :math:`\frac{1}{B} \sum_s \text{sums}_s / \text{counts}_s`.

    Parameters
    ----------
    logits : array_like
        Shape ``(B, T, V)``: the vocabulary is the last axis.
    targets : array_like of int
        Shape ``(B, T)``, class indices in ``[0, V)`` or ``ignore_index``.
    segment_ids : array_like of int, optional
        Shape ``(B, T)``, non-negative: which sequence each position belongs to, for rows that
        pack several documents. Ids are global across the batch, and sequence :math:`s` of the
        result is the :math:`s`-th distinct id in increasing order. Default: one sequence per row.
    ignore_index : int, optional
        Targets equal to it are not counted. Default ``-100``.

    Returns
    -------
    SequenceLosses
        ``(sums, counts)``, one entry per sequence. A sequence without targets has sum 0 and
        count 0.

    Examples
    --------
    Two rows of three positions over a vocabulary of two, with equal logits (every target costs
    :math:`\log 2`); the second row's last target is padding:

    >>> import numpy as np
    >>> from xentbook import sequence_losses
    >>> sums, counts = sequence_losses(np.zeros((2, 3, 2)), [[0, 1, 1], [1, 0, -100]])
    >>> print(np.round(sums / np.log(2), 12), counts)
    [3. 2.] [3 2]
    """
    func = "sequence_losses"
    z = _vocab_logits(func, "logits", logits)
    if z.ndim != 3:
        raise ValueError(f"{func}: logits must have shape (B, T, V), got shape {z.shape}")
    ignore = _ignore_index(func, ignore_index)
    rows, t = _rows(func, z, targets)
    per_token = cross_entropy(rows, t, ignore_index=ignore, reduction="none")
    valid = t != ignore
    if segment_ids is None:
        seg = np.repeat(np.arange(z.shape[0]), z.shape[1])
    else:
        ids = _int_array(func, "segment_ids", segment_ids)
        if ids.shape != z.shape[:2]:
            raise ValueError(
                f"{func}: segment_ids must have shape {z.shape[:2]}, one id per position, "
                f"got shape {ids.shape}"
            )
        if (ids < 0).any():
            where = tuple(int(i) for i in np.argwhere(ids < 0)[0])
            raise ValueError(
                f"{func}: segment_ids must be non-negative, got {int(ids[where])} at index {where}"
            )
        _, seg = np.unique(ids.reshape(-1), return_inverse=True)
    n_seg = int(seg.max()) + 1 if seg.size else 0
    sums = np.bincount(seg, weights=np.where(valid, per_token, 0.0), minlength=n_seg)
    counts = np.bincount(seg, weights=valid, minlength=n_seg).astype(np.int64)
    return SequenceLosses(sums.astype(z.dtype), counts)


# ------------------------------------------------------------------------------ accumulation


class AccumulatedLoss(NamedTuple):
    """The token-mean loss of a batch split into micro-batches, and its gradients.

    Attributes
    ----------
    loss
        Float: the mean cross-entropy over every target of every micro-batch.
    grads
        List of arrays: the gradient of ``loss`` with respect to each micro-batch's logits,
        in order.
    tokens
        Int: the number of targets in the whole batch (the mean's denominator).
    """

    loss: float
    grads: list[NDArray[Any]]
    tokens: int


def accumulated_cross_entropy_with_grad(
    micro_batches: Sequence[tuple[ArrayLike, ArrayLike]], ignore_index: int = -100
) -> AccumulatedLoss:
    r"""The loss and gradients of a whole batch, computed one micro-batch at a time.

    A batch split into micro-batches :math:`k = 1, \dots, K` with :math:`n_k` targets each
    (positions not ignored) has the token-mean loss

    .. math::

        L = \frac{\sum_k S_k}{\sum_k n_k}, \qquad S_k = \sum_{i \in k} \ell_i ,

    and the gradient with respect to micro-batch :math:`k`'s logits is that of :math:`S_k`
    divided by the same :math:`N = \sum_k n_k`. Each micro-batch is therefore reduced with a
    *sum* and scaled by the global count, never by its own: the mean of the micro-batch means,
    :math:`\frac{1}{K} \sum_k S_k / n_k`, is a different loss unless every :math:`n_k` is equal.
    The same holds for data-parallel ranks, which are micro-batches processed side by side.

    Parameters
    ----------
    micro_batches : sequence of (logits, targets)
        Logits of shape ``(..., V)`` (vocabulary last, e.g. ``(B, T, V)``) and integer targets
        of the leading shape (e.g. ``(B, T)``). Every micro-batch has the same ``V``.
    ignore_index : int, optional
        Targets equal to it count neither in the sum nor in :math:`N`. Default ``-100``.

    Returns
    -------
    AccumulatedLoss
        ``(loss, grads, tokens)``: ``loss`` equals the mean reduction of the concatenated batch,
        ``grads[k]`` has the shape of micro-batch ``k``'s logits. With no target at all the
        mean is undefined: ``loss`` is ``nan`` and the gradients are zero.

    Examples
    --------
    Two micro-batches of 1 and 3 targets: the token mean weighs every target equally, while the
    mean of the two means would give the lone target half of the weight.

    >>> import numpy as np
    >>> from xentbook import accumulated_cross_entropy_with_grad, cross_entropy
    >>> z = np.array([[2.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    >>> t = np.array([1, 0, 0, 0])
    >>> acc = accumulated_cross_entropy_with_grad([(z[:1], t[:1]), (z[1:], t[1:])])
    >>> print(f"{acc.loss:.4f} {cross_entropy(z, t):.4f} {acc.tokens}")
    1.0516 1.0516 4
    >>> means = [cross_entropy(z[:1], t[:1]), cross_entropy(z[1:], t[1:])]
    >>> print(f"{np.mean(means):.4f}")
    1.4100
    """
    func = "accumulated_cross_entropy_with_grad"
    ignore = _ignore_index(func, ignore_index)
    if isinstance(micro_batches, (str, bytes)) or not isinstance(micro_batches, Sequence):
        raise TypeError(
            f"{func}: micro_batches must be a sequence of (logits, targets) pairs, "
            f"got {_describe(micro_batches)}"
        )
    if len(micro_batches) == 0:
        raise ValueError(f"{func}: micro_batches is empty; it needs at least one micro-batch")
    prepared = []
    vocab = None
    for k, pair in enumerate(micro_batches):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(
                f"{func}: micro_batches[{k}] must be a (logits, targets) pair, "
                f"got {_describe(pair)}"
            )
        z = _vocab_logits(func, f"micro_batches[{k}] logits", pair[0])
        rows, t = _rows(func, z, pair[1], name=f"micro_batches[{k}] logits")
        if vocab is None:
            vocab = z.shape[-1]
        elif z.shape[-1] != vocab:
            raise ValueError(
                f"{func}: micro_batches[{k}] has a vocabulary of {z.shape[-1]}, micro_batches[0] "
                f"one of {vocab}; every micro-batch must have the same last axis"
            )
        prepared.append((z.shape, rows, t))
    # Pass 1 (cheap, the targets only): the global count N, which every scale needs.
    tokens = int(sum(int(np.count_nonzero(t != ignore)) for _, _, t in prepared))
    scale = 1.0 / tokens if tokens else 0.0
    total = 0.0
    grads = []
    for shape, rows, t in prepared:
        s, g = cross_entropy_with_grad(rows, t, ignore_index=ignore, reduction="sum")
        total += float(s)
        g *= g.dtype.type(scale)
        grads.append(g.reshape(shape))
    loss = total / tokens if tokens else math.nan
    return AccumulatedLoss(loss, grads, tokens)


# ------------------------------------------------------------------------------ evaluation


def sliding_window_spans(num_tokens: int, window: int, stride: int) -> list[tuple[int, int, int]]:
    r"""The windows of a sliding-window evaluation, and which tokens each one scores.

    A model with a context of ``window`` tokens evaluates a text of ``num_tokens`` tokens
    :math:`x_0, \dots, x_{L-1}` in windows that start every ``stride`` tokens. Window
    :math:`[b, e)` is fed :math:`x_b, \dots, x_{e-1}` and scores the tokens :math:`x_j` for
    :math:`j \in [f, e)`, where :math:`f` is the first token no earlier window scored, and at
    least :math:`b + 1` (the window's first token has no context inside the window). Each
    scored token is therefore scored once, with :math:`j - b` tokens of context.

    With ``stride < window``, every token but :math:`x_0` is scored exactly once: a token
    :math:`x_j` of the first window with all :math:`j` tokens before it as context, and every
    later one with at least ``window - stride`` tokens of context. With ``stride == window``
    (disjoint chunks)
    the first token of every chunk is never scored.

    Parameters
    ----------
    num_tokens : int
        Length :math:`L` of the text, at least 2.
    window : int
        The model's context, at least 2 tokens.
    stride : int
        Step between window starts, from 1 to ``window``.

    Returns
    -------
    list of (begin, end, first_scored)
        One triple per window, in order; the last window ends at ``num_tokens``.

    Examples
    --------
    >>> from xentbook import sliding_window_spans
    >>> sliding_window_spans(10, window=4, stride=2)
    [(0, 4, 1), (2, 6, 4), (4, 8, 6), (6, 10, 8)]
    >>> sliding_window_spans(10, window=4, stride=4)
    [(0, 4, 1), (4, 8, 5), (8, 10, 9)]
    """
    func = "sliding_window_spans"
    n = _integer(func, "num_tokens", num_tokens, minimum=2)
    w = _integer(func, "window", window, minimum=2)
    s = _integer(func, "stride", stride, minimum=1)
    if s > w:
        raise ValueError(
            f"{func}: stride must not exceed window (tokens would be skipped), "
            f"got stride={s}, window={w}"
        )
    spans = []
    scored_up_to = 0
    for begin in range(0, n, s):
        end = min(begin + w, n)
        first = max(scored_up_to, begin + 1)
        spans.append((begin, end, first))
        scored_up_to = end
        if end == n:
            break
    return spans


def bits_per_byte(total_nll: ArrayLike, num_bytes: int) -> float:
    r"""A text's total negative log-likelihood in nats, as bits per byte of the text.

    .. math::

        \mathrm{BPB} = \frac{\sum_j -\log q(x_j \mid x_{<j})}{B \ln 2},

    with :math:`B` the length of the text in bytes (UTF-8). Unlike the per-token loss its unit
    does not depend on the tokenizer, so models with different vocabularies can be compared on
    one scale. The value still does: the numerator is the loss of the tokenizer's own
    segmentation of the text, an upper bound on the model's loss of the text itself (which
    sums over every segmentation).

    Parameters
    ----------
    total_nll : float
        The summed loss of every scored token of the text, in nats, :math:`\ge 0`.
    num_bytes : int
        The text's length in bytes, at least 1.

    Returns
    -------
    float

    Examples
    --------
    A model that gives each of 256 byte values probability 1/256 spends 8 bits on each byte:

    >>> import numpy as np
    >>> from xentbook import bits_per_byte
    >>> print(f"{bits_per_byte(1000 * np.log(256), 1000):.3f}")
    8.000
    """
    func = "bits_per_byte"
    nll = float_array(func, "total_nll", total_nll)
    if nll.ndim != 0:
        raise ValueError(f"{func}: total_nll must be a scalar, got shape {nll.shape}")
    if not (nll >= 0) or np.isposinf(nll):
        raise ValueError(f"{func}: total_nll must be finite and >= 0 (nats), got {float(nll)!r}")
    b = _integer(func, "num_bytes", num_bytes, minimum=1)
    return float(nll) / (b * math.log(2))


# ------------------------------------------------------------------------------ regularisers


def _coefficient(func: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{func}: coefficient must be a number, got {_describe(value)}")
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{func}: coefficient must be finite and >= 0, got {value!r}")
    return float(value)


def _z_loss_positions(
    func: str, logits: ArrayLike, targets: ArrayLike | None, ignore_index: int
) -> tuple[NDArray[Any], NDArray[Any], NDArray[np.bool_]]:
    """Validated logits, their working-dtype copy, and which positions carry a target."""
    x = _vocab_logits(func, "logits", logits)
    check_finite(func, "logits", x)
    z = x.astype(working_dtype(x), copy=False)
    if targets is None:
        return x, z, np.ones(x.shape[:-1], dtype=bool)
    ignore = _ignore_index(func, ignore_index)
    t = _int_array(func, "targets", targets)
    if t.shape != x.shape[:-1]:
        raise ValueError(
            f"{func}: targets must have shape {x.shape[:-1]}, one per position of logits of "
            f"shape {x.shape} (the vocabulary is the last axis), got shape {t.shape}"
        )
    return x, z, t != ignore


def z_loss(
    logits: ArrayLike,
    coefficient: float = 1e-4,
    reduction: str = "mean",
    targets: ArrayLike | None = None,
    ignore_index: int = -100,
) -> Any:
    r"""The z-loss of PaLM: the squared log of the softmax normalizer, times a small coefficient.

    For the logits :math:`z \in \mathbb{R}^V` of one position,

    .. math::

        \ell_z = c \, \bigl(\log Z\bigr)^2, \qquad \log Z = \operatorname{logsumexp}(z),

    added to the cross-entropy of that position. The cross-entropy does not change when a
    constant is added to every logit; the z-loss does, and pulls :math:`\log Z` towards 0, so
    that the softmax stays normalised near :math:`Z = 1` (Chowdhery et al., 2022, use
    :math:`c = 10^{-4}`).

    Pass the cross-entropy's ``targets`` so that the z-loss covers the same positions: those
    whose target is ``ignore_index`` (padding, the last position) then contribute 0, and
    ``'mean'`` divides by the number :math:`N` of targets, the cross-entropy's denominator.
    Without ``targets`` every position counts. Under gradient accumulation, use ``'sum'`` and
    divide by the global :math:`N`, as for the cross-entropy.

    Parameters
    ----------
    logits : array_like
        Shape ``(..., V)``, the vocabulary last; finite.
    coefficient : float, optional
        :math:`c \ge 0`. Default ``1e-4``.
    reduction : {'mean', 'sum', 'none'}, optional
        ``'none'``: one value per position, shape ``logits.shape[:-1]`` (0 where the target is
        ignored). ``'mean'``: over the positions that carry a target; with none, ``nan`` and a
        ``RuntimeWarning``. Default ``'mean'``.
    targets : array_like of int, optional
        Shape ``logits.shape[:-1]``; only compared with ``ignore_index``. Default: every
        position counts.
    ignore_index : int, optional
        Positions whose target equals it are left out. Default ``-100``.

    Returns
    -------
    ndarray or scalar
        In the logits' float dtype.

    Examples
    --------
    Shifting every logit by 10 leaves the cross-entropy alone and moves the z-loss:

    >>> import numpy as np
    >>> from xentbook import z_loss
    >>> z = np.log([[0.5, 0.25, 0.25]])  # log Z = 0
    >>> print(z_loss(z), f"{z_loss(z + 10.0):.4f}")
    0.0 0.0100

    A padded position (target -100) is left out of the mean:

    >>> z2 = np.array([[0.0, 0.0], [5.0, 5.0]])
    >>> print(f"{z_loss(z2, 1.0, targets=[1, -100]):.4f} = (log 2)^2")
    0.4805 = (log 2)^2
    """
    func = "z_loss"
    x, z, valid = _z_loss_positions(func, logits, targets, ignore_index)
    c = _coefficient(func, coefficient)
    red = check_reduction(func, reduction)
    lse = logsumexp(z, axis=-1)
    per = np.where(valid, c * lse * lse, 0.0)
    if red == "none":
        return reduce_losses(func, per, red, x.dtype)
    return reduce_losses(func, per[valid], red, x.dtype)


def z_loss_grad(
    logits: ArrayLike,
    coefficient: float = 1e-4,
    reduction: str = "mean",
    targets: ArrayLike | None = None,
    ignore_index: int = -100,
) -> Any:
    r"""Gradient of :func:`z_loss` with respect to the logits.

    .. math::

        \frac{\partial \ell_z}{\partial z_j} = 2 c \log Z \cdot \operatorname{softmax}(z)_j ,

    a push on every logit in proportion to its probability, down when :math:`\log Z > 0` and up
    when :math:`\log Z < 0`; it sums to :math:`2 c \log Z` over the vocabulary, where the
    cross-entropy's gradient sums to zero. With ``reduction='mean'`` it is divided by the number
    of positions that carry a target (all positions without ``targets``); positions whose target
    is ``ignore_index`` get a zero gradient.

    Parameters
    ----------
    logits : array_like
        Shape ``(..., V)``, the vocabulary last; finite.
    coefficient : float, optional
        :math:`c \ge 0`. Default ``1e-4``.
    reduction : {'mean', 'sum', 'none'}, optional
        Which reduced loss to differentiate (``'none'``: the sum of the per-position values).
        A mean over no target at all has a zero gradient.
    targets : array_like of int, optional
        As in :func:`z_loss`.
    ignore_index : int, optional
        As in :func:`z_loss`. Default ``-100``.

    Returns
    -------
    ndarray
        The shape and dtype of ``logits``.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import z_loss_grad
    >>> print(z_loss_grad(np.zeros((1, 2)), coefficient=1.0).round(4))  # log Z = log 2
    [[0.6931 0.6931]]
    """
    func = "z_loss_grad"
    x, z, valid = _z_loss_positions(func, logits, targets, ignore_index)
    c = _coefficient(func, coefficient)
    red = check_reduction(func, reduction)
    positions = int(np.count_nonzero(valid))
    scale = 1.0 / positions if red == "mean" and positions else 1.0
    lse = np.where(valid, logsumexp(z, axis=-1), 0.0)
    grad = (2 * c * scale) * lse[..., None] * softmax(z, axis=-1)
    return grad.astype(x.dtype, copy=False)


def soft_cap(logits: ArrayLike, cap: float) -> NDArray[Any]:
    r"""Logit soft-capping: :math:`c \tanh(z / c)`, a smooth clip of every logit to :math:`(-c, c)`.

    Near zero it is the identity (:math:`c \tanh(z / c) = z - z^3 / (3 c^2) + \dots`); far from
    zero it saturates, so every capped logit lies in :math:`(-c, c)` and every gap between two
    of them is less than :math:`2c` (Gemma 2 caps its final logits at :math:`c = 30`).

    Parameters
    ----------
    logits : array_like
        Any shape.
    cap : float
        :math:`c > 0`.

    Returns
    -------
    ndarray
        The capped logits, the input's shape and float dtype.

    Examples
    --------
    >>> from xentbook import soft_cap
    >>> print(soft_cap([1.0, 30.0, 1000.0], cap=30.0).round(4))
    [ 0.9996 22.8478 30.    ]
    """
    func = "soft_cap"
    z = float_array(func, "logits", logits)
    c = positive_number(func, "cap", cap)
    w = z.astype(working_dtype(z), copy=False)
    return (c * np.tanh(w / c)).astype(z.dtype, copy=False)


def soft_cap_grad(logits: ArrayLike, cap: float) -> NDArray[Any]:
    r"""Derivative of :func:`soft_cap` with respect to each logit: :math:`1 - \tanh^2(z / c)`.

    It is 1 at :math:`z = 0` and decays like :math:`4 e^{-2|z|/c}` for large :math:`|z|`: the
    gradient reaching a logit far beyond the cap is multiplied by this factor, so a capped logit
    stops learning. It is computed as :math:`4 e^{-2|z|/c} / (1 + e^{-2|z|/c})^2`, which keeps
    its relative accuracy in the tail; the form :math:`1 - \tanh^2(z / c)` (what autograd
    computes for ``tanh``) cancels there and returns 0 once :math:`\tanh` rounds to 1.

    Parameters
    ----------
    logits : array_like
        Any shape.
    cap : float
        :math:`c > 0`.

    Returns
    -------
    ndarray
        The input's shape and float dtype.

    Examples
    --------
    >>> from xentbook import soft_cap_grad
    >>> print(soft_cap_grad([0.0, 30.0, 90.0], cap=30.0).round(4))
    [1.     0.42   0.0099]
    """
    func = "soft_cap_grad"
    z = float_array(func, "logits", logits)
    c = positive_number(func, "cap", cap)
    # sech^2(u) = 4 e^{-2|u|} / (1 + e^{-2|u|})^2: no cancellation, unlike 1 - tanh^2(u),
    # which loses its relative accuracy as tanh(u) approaches 1 and rounds to 0 past it.
    e = np.exp(-2 * np.abs(z.astype(working_dtype(z), copy=False)) / c)
    grad: NDArray[Any] = (4 * e / (1 + e) ** 2).astype(z.dtype, copy=False)
    return grad
