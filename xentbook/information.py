r"""Information measures of discrete distributions: surprisal, entropy, cross-entropy, KL.

Conventions: :math:`0 \log 0 = 0`; natural logarithms (nats) unless ``base`` is given
(``base=2`` gives bits). Distributions lie along ``axis`` and must be non-negative and sum to one
(within a few rounding errors): a vector of counts raises ``ValueError`` rather than being
normalized silently.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._validation import (
    check_axis,
    check_base,
    check_same_shape,
    float_array,
    working_dtype,
)

__all__ = ["cross_entropy_pq", "entropy", "kl_divergence", "surprisal"]


def _in_base(values: NDArray[Any], base: float | None) -> NDArray[Any]:
    return values if base is None else values / np.log(base)


def _distributions(
    func: str, name: str, value: ArrayLike, axis: int
) -> tuple[NDArray[Any], int, np.dtype[Any]]:
    """The distributions in the working dtype, their axis, and the dtype results are given in."""
    arr = float_array(func, name, value, min_ndim=1)
    out_dtype = arr.dtype
    ax = check_axis(func, axis, arr.ndim)
    arr = arr.astype(working_dtype(arr), copy=False)
    if np.isnan(arr).any() or (arr < 0).any() or np.isinf(arr).any():
        bad = ~((arr >= 0) & np.isfinite(arr))
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{func}: {name} must hold probabilities (finite and >= 0), got {arr[where].item()!r} "
            f"at index {where}"
        )
    if arr.shape[ax] == 0:
        raise ValueError(f"{func}: {name} is empty along axis {axis}")
    totals = arr.sum(axis=ax)
    # Rounded probabilities may miss one by a few ulp per entry; a count vector misses by far more.
    tol = 16 * np.finfo(arr.dtype).eps * arr.shape[ax]
    off = np.abs(totals - 1) > tol
    if off.any():
        total = np.asarray(totals)[np.unravel_index(int(np.flatnonzero(off)[0]), off.shape)]
        raise ValueError(
            f"{func}: {name} must sum to 1 along axis {axis}, "
            f"but a slice sums to {float(total)!r}; "
            "divide by its sum to normalize"
        )
    return arr, ax, out_dtype


def surprisal(p: ArrayLike, base: float | None = None) -> Any:
    r"""Information content (surprisal) of an event of probability :math:`p`: :math:`-\log p`.

    .. math::

        I(p) = -\log_b p .

    Parameters
    ----------
    p : array_like
        Probabilities in :math:`[0, 1]`. :math:`p = 0` gives ``inf`` (an impossible event would
        be infinitely surprising).
    base : float, optional
        Logarithm base: ``None`` for nats, ``2`` for bits.

    Returns
    -------
    numpy scalar or ndarray
        Non-negative surprisal, same shape and float dtype as ``p``.

    Raises
    ------
    ValueError
        If ``p`` holds a value outside :math:`[0, 1]` (``nan`` and negative values included),
        or ``base`` is not positive, finite and other than 1.
    TypeError
        If an array argument is not real and numeric (complex, string, masked, or a torch
        tensor that requires grad), or ``base`` is not a number.

    See Also
    --------
    entropy : the expected surprisal.

    Examples
    --------
    >>> from xentbook import surprisal
    >>> print(surprisal(0.5, base=2), surprisal([1.0, 0.25], base=2))
    1.0 [0. 2.]
    """
    func = "surprisal"
    arr = float_array(func, "p", p)
    base = check_base(func, base)
    bad = ~((arr >= 0) & (arr <= 1))  # nan included
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        at = f" at index {where}" if where else ""
        raise ValueError(
            f"{func}: p must be a probability in [0, 1], got {arr[where].item()!r}{at}"
        )
    dtype = working_dtype(arr)
    with np.errstate(divide="ignore"):  # log(0) = -inf: an impossible event
        info = -np.log(arr.astype(dtype, copy=False))
    return (_in_base(info, base) + 0.0).astype(arr.dtype, copy=False)[()]  # +0.0 turns -0 into 0


def entropy(p: ArrayLike, axis: int = -1, base: float | None = None) -> Any:
    r"""Shannon entropy :math:`H(p) = -\sum_i p_i \log p_i`, with :math:`0 \log 0 = 0`.

    Equal to :func:`scipy.stats.entropy` for normalized ``p`` (which would normalize a
    non-normalized input silently; here that raises ``ValueError``).

    Parameters
    ----------
    p : array_like
        Probabilities along ``axis``: non-negative, summing to one.
    axis : int, optional
        The axis holding each distribution (default: the last).
    base : float, optional
        Logarithm base: ``None`` for nats, ``2`` for bits.

    Returns
    -------
    numpy scalar or ndarray
        The entropy of each distribution, in ``p``'s float dtype (float16 is computed in
        float32).

    Raises
    ------
    ValueError
        If a distribution holds a negative, ``nan`` or infinite entry, does not sum to 1 along
        ``axis`` (within a few rounding errors), is empty, or the shapes differ; or ``base`` is
        not positive, finite and other than 1.
    TypeError
        If an array argument is not real and numeric (complex, string, masked, or a torch
        tensor that requires grad), or ``base`` is not a number.
    IndexError
        If ``axis`` does not exist.

    See Also
    --------
    cross_entropy_pq, kl_divergence
    scipy.stats.entropy : the same values for normalized ``p``.

    Examples
    --------
    >>> from xentbook import entropy
    >>> print(entropy([0.5, 0.5], base=2), entropy([1.0, 0.0]))
    1.0 0.0

    The naive sum would give ``nan`` for the second, since ``0 * log(0)`` is ``0 * -inf``.
    """
    func = "entropy"
    arr, ax, out_dtype = _distributions(func, "p", p, axis)
    base = check_base(func, base)
    terms = np.zeros_like(arr)
    pos = arr > 0
    terms[pos] = -arr[pos] * np.log(arr[pos])
    return _in_base(terms.sum(axis=ax), base).astype(out_dtype, copy=False)[()]


def cross_entropy_pq(p: ArrayLike, q: ArrayLike, axis: int = -1, base: float | None = None) -> Any:
    r"""Cross-entropy of distribution :math:`q` relative to :math:`p`: :math:`-\sum_i p_i \log q_i`.

    .. math::

        H(p, q) = -\sum_i p_i \log q_i = H(p) + D_{\mathrm{KL}}(p \,\|\, q),

    the average surprisal, in nats (or in ``base``), of outcomes drawn from :math:`p` when coded
    with a code built for :math:`q`. Terms with :math:`p_i = 0` are 0; :math:`p_i > 0 = q_i`
    gives ``inf``.

    Parameters
    ----------
    p, q : array_like
        Distributions along ``axis`` with the same shape.
    axis : int, optional
        The axis holding each distribution.
    base : float, optional
        Logarithm base: ``None`` for nats, ``2`` for bits.

    Returns
    -------
    numpy scalar or ndarray
        :math:`H(p, q)` of each pair of distributions, in the inputs' common float dtype.

    Raises
    ------
    ValueError
        If a distribution holds a negative, ``nan`` or infinite entry, does not sum to 1 along
        ``axis`` (within a few rounding errors), is empty, or the shapes differ; or ``base`` is
        not positive, finite and other than 1.
    TypeError
        If an array argument is not real and numeric (complex, string, masked, or a torch
        tensor that requires grad), or ``base`` is not a number.
    IndexError
        If ``axis`` does not exist.

    See Also
    --------
    entropy, kl_divergence
    cross_entropy : the loss, from logits rather than from a distribution ``q``.

    Examples
    --------
    >>> from xentbook import cross_entropy_pq, entropy, kl_divergence
    >>> p, q = [0.5, 0.5], [0.9, 0.1]
    >>> print(round(float(cross_entropy_pq(p, q)), 6))
    1.203973
    >>> print(round(float(entropy(p) + kl_divergence(p, q)), 6))
    1.203973
    """
    func = "cross_entropy_pq"
    pa, ax, out_dtype = _distributions(func, "p", p, axis)
    qa, _, q_dtype = _distributions(func, "q", q, axis)
    check_same_shape(func, "p", pa, "q", qa)
    out_dtype = np.result_type(out_dtype, q_dtype)
    base = check_base(func, base)
    terms = np.zeros(np.broadcast_shapes(pa.shape, qa.shape), dtype=np.result_type(pa, qa))
    pos = pa > 0
    # The logarithm in the terms' dtype: float32 q with float64 p is a float64 problem.
    with np.errstate(divide="ignore"):  # q = 0 where p > 0: the cross-entropy is infinite
        terms[pos] = -pa[pos] * np.log(qa[pos], dtype=terms.dtype)
    return _in_base(terms.sum(axis=ax), base).astype(out_dtype, copy=False)[()]


def _normalization_term(p: NDArray[Any], q: NDArray[Any], ax: int) -> tuple[Any, Any]:
    r"""The sums :math:`S_p` and the correction :math:`c` with
    :math:`D(p/S_p \,\|\, q/S_q) = \sum_i [p_i \log(p_i/q_i) - p_i + q_i] / S_p + c`.

    With :math:`u = (S_p - S_q)/S_q`, :math:`c = u/(1+u) - \log(1+u) = -u^2/2 + 2u^3/3 - \dots`:
    of the order of the squared rounding error of the sums for inputs normalized within
    rounding. Adding :math:`\sum_i (p_i - q_i)` instead, exact for exactly normalized inputs,
    would add rounding noise of the order of epsilon, larger than the divergence of two nearby
    distributions. The sums are taken in at least float64, and the numerator of :math:`u` as
    :math:`\sum_i (p_i - q_i)`, whose terms are exact where :math:`p` is close to :math:`q`, so
    that :math:`u` is accurate where :math:`c` matters.
    """
    acc = np.result_type(p.dtype, np.float64)
    pa, qa = p.astype(acc), q.astype(acc)
    sp, sq = pa.sum(axis=ax), qa.sum(axis=ax)
    # S_p - S_q as the sum of the differences: where p is close to q (the case in which c
    # matters) each p_i - q_i is exact, so u is not left with the rounding of two sums of 1.
    u = (pa - qa).sum(axis=ax) / sq
    series = u * u * (-1 / 2 + u * (2 / 3 + u * (-3 / 4 + u * (4 / 5))))
    with np.errstate(divide="ignore", invalid="ignore"):
        direct = u / (1 + u) - np.log1p(u)
    return sp, np.where(np.abs(u) < 1e-3, series, direct)


def _kl_terms(p: NDArray[Any], q: NDArray[Any]) -> NDArray[Any]:
    r"""Elementwise :math:`p \log(p/q) - p + q \ge 0`, accurate even when :math:`p \approx q`.

    With :math:`t = (p - q)/q` the term is :math:`q\,g(t)`, :math:`g(t) = (1+t)\log(1+t) - t`.
    For :math:`|t| \le 1/2` the direct formula cancels (:math:`g \approx t^2/2`), so there
    :math:`g` comes from the series in :math:`v = t/(2+t)`, where :math:`\log(1+t) =
    2\operatorname{artanh} v`: :math:`g = 2v^2/(1-v) + 2(1+v)/(1-v) \sum_{j\ge1} v^{2j+1}/(2j+1)`.
    """
    out = np.zeros(np.broadcast_shapes(p.shape, q.shape), dtype=np.result_type(p, q))
    p, q = np.broadcast_to(p, out.shape), np.broadcast_to(q, out.shape)
    both = (p > 0) & (q > 0)
    out[(p > 0) & (q == 0)] = np.inf
    out[(p == 0) & (q > 0)] = q[(p == 0) & (q > 0)]
    pb, qb = p[both], q[both]
    t = (pb - qb) / qb
    small = np.abs(t) <= 0.5
    g = np.empty_like(t)
    # Away from p = q nothing cancels, and p log(p/q) - p + q stays finite even when p/q is far
    # below epsilon (where t rounds to -1 and (1 + t) log1p(t) would be 0 * -inf).
    pl, ql = pb[~small], qb[~small]
    g[~small] = (pl * np.log(pl / ql) - pl + ql) / ql
    v = t[small] / (2 + t[small])
    v2 = v * v
    series = np.zeros_like(v)
    power = v * v2
    for j in range(1, 40):  # |v| <= 1/3, so 40 terms reach far below float64's epsilon
        series += power / (2 * j + 1)
        power = power * v2
    g[small] = (2 * v2 + 2 * (1 + v) * series) / (1 - v)
    out[both] = qb * g
    return out


def kl_divergence(p: ArrayLike, q: ArrayLike, axis: int = -1, base: float | None = None) -> Any:
    r"""Kullback-Leibler divergence :math:`D_{\mathrm{KL}}(p \,\|\, q) = \sum_i p_i \log(p_i/q_i)`.

    Always :math:`\ge 0` (Gibbs' inequality), zero only when :math:`p = q`, and not symmetric.
    Computed from :math:`\sum_i [\, p_i \log(p_i/q_i) - p_i + q_i \,]`, a sum of non-negative
    terms each evaluated without cancellation, so two nearly equal distributions get an accurate
    small divergence rather than rounding noise. Inputs that sum to 1 only within rounding are
    treated as ``scipy.stats.entropy(p, q)`` treats them, as :math:`p / \sum p` and
    :math:`q / \sum q`; the terms :math:`p_i - q_i`, which would cancel exactly for exactly
    normalized inputs, are not added back as rounding noise.

    Parameters
    ----------
    p, q : array_like
        Distributions along ``axis`` with the same shape.
    axis : int, optional
        The axis holding each distribution.
    base : float, optional
        Logarithm base: ``None`` for nats, ``2`` for bits.

    Returns
    -------
    numpy scalar or ndarray
        :math:`D_{\mathrm{KL}}(p \,\|\, q) \ge 0` of each pair, in the inputs' common float
        dtype.

    Raises
    ------
    ValueError
        If a distribution holds a negative, ``nan`` or infinite entry, does not sum to 1 along
        ``axis`` (within a few rounding errors), is empty, or the shapes differ; or ``base`` is
        not positive, finite and other than 1.
    TypeError
        If an array argument is not real and numeric (complex, string, masked, or a torch
        tensor that requires grad), or ``base`` is not a number.
    IndexError
        If ``axis`` does not exist.

    See Also
    --------
    cross_entropy_pq : :math:`H(p) + D_{\mathrm{KL}}(p \,\|\, q)`.
    scipy.stats.entropy : ``entropy(p, q)``, the same definition, less accurate for nearby
        distributions (in float32 it can even return a negative value).

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import kl_divergence
    >>> p, q = [0.5, 0.5], [0.9, 0.1]
    >>> print(round(float(kl_divergence(p, q)), 6), round(float(kl_divergence(q, p)), 6))
    0.510826 0.368064
    >>> print(kl_divergence([0.5, 0.5], [1.0, 0.0]))  # q misses an outcome p allows
    inf

    The naive sum gives ``nan`` where :math:`p_i = 0`, since :math:`0 \log 0` is ``0 * -inf``:

    >>> p, q = np.array([0.0, 1.0]), np.array([0.5, 0.5])
    >>> with np.errstate(divide="ignore", invalid="ignore"):
    ...     print(np.sum(p * np.log(p / q)))
    nan
    >>> print(f"{kl_divergence(p, q):.6f}")
    0.693147
    """
    func = "kl_divergence"
    pa, ax, out_dtype = _distributions(func, "p", p, axis)
    qa, _, q_dtype = _distributions(func, "q", q, axis)
    check_same_shape(func, "p", pa, "q", qa)
    out_dtype = np.result_type(out_dtype, q_dtype)
    base = check_base(func, base)
    terms = _kl_terms(pa, qa)
    sp, correction = _normalization_term(pa, qa, ax)
    value = terms.sum(axis=ax) / sp + correction
    return _in_base(np.maximum(value, 0), base).astype(out_dtype, copy=False)[()]
