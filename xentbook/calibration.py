r"""Calibration of a classifier's probabilities, temperature scaling, and perplexity.

A classifier is calibrated when, among the items it gives confidence :math:`c`, a fraction
:math:`c` is classified correctly. :func:`reliability_bins` groups items by confidence into
equal-width bins, :func:`expected_calibration_error` summarizes the gaps between accuracy and
confidence, and :func:`fit_temperature` finds the single temperature :math:`T` that minimizes the
negative log-likelihood of held-out data when the logits are divided by it. :func:`perplexity`
turns a mean cross-entropy into the effective number of equally likely choices.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._validation import (
    check_base,
    check_in_unit_interval,
    class_indices,
    float_array,
    integer,
    positive_number,
    working_dtype,
)
from xentbook.primitives import softmax

__all__ = [
    "ReliabilityBins",
    "expected_calibration_error",
    "fit_temperature",
    "perplexity",
    "reliability_bins",
]


class ReliabilityBins(NamedTuple):
    """Per-bin statistics of a classifier's confidence, as returned by :func:`reliability_bins`.

    Attributes
    ----------
    edges : ndarray
        The ``n_bins + 1`` bin edges, ``linspace(0, 1, n_bins + 1)``; bin :math:`b` holds the
        confidences in :math:`(e_b, e_{b+1}]` (the first bin also holds 0).
    counts : ndarray
        Number of items in each bin (integers).
    accuracy : ndarray
        Fraction of correctly classified items in each bin (``nan`` for an empty bin).
    confidence : ndarray
        Mean confidence of the items in each bin (``nan`` for an empty bin).
    """

    edges: NDArray[np.float64]
    counts: NDArray[np.int64]
    accuracy: NDArray[np.float64]
    confidence: NDArray[np.float64]


def _check_n_bins(func: str, n_bins: Any) -> int:
    positive = "a positive integer"
    return integer(func, "n_bins", n_bins, 1, expected=positive, below_minimum=positive)


def reliability_bins(probs: ArrayLike, labels: ArrayLike, n_bins: int = 15) -> ReliabilityBins:
    r"""Accuracy and mean confidence of a classifier in equal-width confidence bins.

    The confidence of item :math:`n` is :math:`c_n = \max_k p_{n,k}` and its prediction
    :math:`\hat y_n = \arg\max_k p_{n,k}` (the first maximum on ties). Bin :math:`b` of
    :math:`B` holds the items with :math:`c_n \in (b/B, (b+1)/B]`, and

    .. math::

        \mathrm{acc}_b = \frac{1}{n_b} \sum_{n \in b} [\hat y_n = y_n], \qquad
        \mathrm{conf}_b = \frac{1}{n_b} \sum_{n \in b} c_n .

    Parameters
    ----------
    probs : array_like
        Predicted probabilities, shape ``(N, C)``, entries in :math:`[0, 1]`.
    labels : array_like
        True class indices, shape ``(N,)``.
    n_bins : int, optional
        Number of equal-width bins :math:`B` on :math:`[0, 1]` (default 15, as in Guo et al.).

    Returns
    -------
    ReliabilityBins
        ``(edges, counts, accuracy, confidence)``; empty bins have ``nan`` accuracy and
        confidence.

    Examples
    --------
    >>> from xentbook.book import reliability_bins
    >>> probs = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55]]
    >>> bins = reliability_bins(probs, [0, 1, 1, 1], n_bins=2)
    >>> print(bins.counts.tolist(), bins.accuracy.tolist(), bins.confidence.tolist())
    [0, 4] [nan, 0.75] [nan, 0.7375]
    """
    func = "reliability_bins"
    p = float_array(func, "probs", probs)
    if p.ndim != 2 or p.shape[1] == 0:
        raise ValueError(f"{func}: probs must have shape (N, C) with C >= 1, got shape {p.shape}")
    check_in_unit_interval(func, "probs", p)
    t, _ = class_indices(func, "labels", labels, p.shape[:1], p.shape[1])
    b = _check_n_bins(func, n_bins)
    return _bins(p.astype(np.float64), t, b)


def _bins(p: NDArray[np.float64], t: NDArray[np.intp], n_bins: int) -> ReliabilityBins:
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == t).astype(np.float64)
    # searchsorted(side="left") puts c in (e_b, e_{b+1}] into b + 1; c = 0 lands in bin 0.
    which = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, n_bins - 1)
    counts = np.bincount(which, minlength=n_bins).astype(np.int64)
    hits = np.bincount(which, weights=correct, minlength=n_bins)
    conf_sum = np.bincount(which, weights=conf, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):  # empty bins: 0/0 = nan, on purpose
        accuracy = hits / counts
        confidence = conf_sum / counts
    return ReliabilityBins(edges, counts, accuracy, confidence)


def expected_calibration_error(probs: ArrayLike, labels: ArrayLike, n_bins: int = 15) -> Any:
    r"""Expected calibration error with equal-width confidence bins.

    .. math::

        \mathrm{ECE} = \sum_{b} \frac{n_b}{N}\, \bigl|\mathrm{acc}_b - \mathrm{conf}_b\bigr| ,

    over the non-empty bins of :func:`reliability_bins`: the average gap between confidence and
    accuracy, weighted by how many items fall in each bin. It lies in :math:`[0, 1]`.

    Parameters
    ----------
    probs : array_like
        Predicted probabilities, shape ``(N, C)`` with :math:`N \ge 1`.
    labels : array_like
        True class indices, shape ``(N,)``.
    n_bins : int, optional
        Number of equal-width bins (default 15).

    Returns
    -------
    scalar
        A NumPy scalar of the input's float dtype (float16 gives float32): float32 in,
        float32 out. The bins are computed in float64 either way.

    Examples
    --------
    >>> from xentbook.book import expected_calibration_error
    >>> probs = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55]]
    >>> print(f"{expected_calibration_error(probs, [0, 1, 1, 1], n_bins=2):.4f}")
    0.0125
    """
    func = "expected_calibration_error"
    p = float_array(func, "probs", probs)
    if p.ndim != 2 or p.shape[0] == 0 or p.shape[1] == 0:
        raise ValueError(
            f"{func}: probs must have shape (N, C) with N >= 1 and C >= 1, got shape {p.shape}"
        )
    check_in_unit_interval(func, "probs", p)
    t, _ = class_indices(func, "labels", labels, p.shape[:1], p.shape[1])
    b = _check_n_bins(func, n_bins)
    bins = _bins(p.astype(np.float64), t, b)
    full = bins.counts > 0
    gaps = np.abs(bins.accuracy[full] - bins.confidence[full])
    return working_dtype(p).type(np.sum(bins.counts[full] * gaps) / p.shape[0])


def fit_temperature(
    logits: ArrayLike,
    labels: ArrayLike,
    t_min: float = 0.05,
    t_max: float = 20.0,
) -> float:
    r"""The temperature that minimizes the negative log-likelihood of held-out data.

    .. math::

        T^\star = \arg\min_{T} \; \frac{1}{N} \sum_{n} -\log \operatorname{softmax}(z_n / T)_{y_n} .

    With the inverse temperature :math:`\beta = 1/T` the loss is convex (cross-entropy is convex
    in the logits, and :math:`\beta z` is linear in :math:`\beta`), and its derivative is

    .. math::

        g(\beta) = \frac{1}{N} \sum_n \Bigl( \sum_k p_{n,k}\, z_{n,k} - z_{n,y_n} \Bigr),
        \qquad p_n = \operatorname{softmax}(\beta z_n),

    which increases with :math:`\beta`. The search bisects :math:`[1/t_{\max}, 1/t_{\min}]` on
    the sign of :math:`g` until the bracket cannot shrink in floating point: deterministic, and
    accurate to the last digits, which a search that compares loss values cannot be (near a
    minimum, the loss changes by less than its rounding error). If :math:`g` does not change sign
    in the interval, the minimum is on its boundary and that end is returned.

    Parameters
    ----------
    logits : array_like
        Logits of a held-out (validation) set, shape ``(N, C)``, finite.
    labels : array_like
        Their class indices, shape ``(N,)``.
    t_min, t_max : float, optional
        The search interval for :math:`T`, with :math:`0 < t_{\min} < t_{\max}`.

    Returns
    -------
    float
        The fitted temperature :math:`T^\star`. Use it as ``softmax(logits / T)``.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import fit_temperature
    >>> logits = np.array([[4.0, 0.0], [4.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    >>> labels = np.array([0, 0, 1, 1])  # 3 of 4 right: the best probability is 0.75
    >>> T = fit_temperature(logits, labels)
    >>> print(f"T = {T:.12f}, 4 / T = {4 / T:.12f}, log 3 = {np.log(3):.12f}")
    T = 3.640956906507, 4 / T = 1.098612288668, log 3 = 1.098612288668
    """
    func = "fit_temperature"
    z = float_array(func, "logits", logits)
    if z.ndim != 2 or z.shape[0] == 0 or z.shape[1] == 0:
        raise ValueError(
            f"{func}: logits must have shape (N, C) with N >= 1 and C >= 1, got shape {z.shape}"
        )
    if not np.isfinite(z).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(z))[0])
        raise ValueError(f"{func}: logits must be finite, got {float(z[where])!r} at index {where}")
    t, _ = class_indices(func, "labels", labels, z.shape[:1], z.shape[1])
    t_min, t_max = positive_number(func, "t_min", t_min), positive_number(func, "t_max", t_max)
    if not t_min < t_max:
        raise ValueError(f"{func}: t_min must be below t_max, got t_min={t_min!r}, t_max={t_max!r}")

    z = z.astype(np.float64)
    z_target = z[np.arange(z.shape[0]), t]

    def slope(beta: float) -> float:
        p = softmax(z * beta, axis=1)
        return float(np.mean(np.sum(p * z, axis=1) - z_target))

    lo, hi = 1.0 / float(t_max), 1.0 / float(t_min)
    if slope(lo) >= 0:  # the loss grows from the smallest beta on: the largest T is best
        return float(t_max)
    if slope(hi) <= 0:  # the loss falls all the way: the smallest T is best
        return float(t_min)
    for _ in range(200):  # about 60 halvings reach adjacent floats; 200 is a safe cap
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if slope(mid) > 0:
            hi = mid
        else:
            lo = mid
    return 1.0 / (0.5 * (lo + hi))


def perplexity(mean_ce: ArrayLike, base: float | None = None) -> Any:
    r"""Perplexity from a mean cross-entropy per token: the exponential of the loss.

    .. math::

        \mathrm{PPL} = b^{\,\bar\ell}, \qquad
        \bar\ell = -\frac{1}{N} \sum_{n} \log_b q(y_n \mid \text{context}_n),

    where :math:`b` is the base the mean cross-entropy :math:`\bar\ell` was measured in
    (:math:`e` for nats, the default; 2 for bits). The result does not depend on the base: it is
    the size of a uniform distribution that would be exactly as surprised by the data on average.

    Parameters
    ----------
    mean_ce : array_like
        Mean cross-entropy per token, :math:`\ge 0` (``inf`` is allowed and gives ``inf``).
    base : float, optional
        The logarithm base of ``mean_ce``: None for nats (natural log), 2 for bits.

    Returns
    -------
    numpy scalar or ndarray
        :math:`\ge 1`, in the input's float dtype.

    Raises
    ------
    ValueError
        If ``mean_ce`` is negative or ``nan``, or ``base`` is not positive, finite and other
        than 1.
    TypeError
        If an array argument is not real and numeric (complex, string, masked, or a torch
        tensor that requires grad), or ``base`` is not a number.

    See Also
    --------
    cross_entropy : the mean loss per token it is computed from.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import perplexity
    >>> print(f"{perplexity(np.log(50_000)):.1f}")  # a uniform model over 50 000 tokens
    50000.0
    >>> # 3 bits per token: 8 equally likely choices
    >>> print(f"{perplexity(3.0, base=2):.1f}")
    8.0
    """
    func = "perplexity"
    ce = float_array(func, "mean_ce", mean_ce)
    b = check_base(func, base)
    bad = ~(ce >= 0)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0]) if ce.ndim else ()
        raise ValueError(
            f"{func}: mean_ce must be >= 0 (a mean cross-entropy), got {float(ce[where])!r}"
            + (f" at index {where}" if ce.ndim else "")
        )
    dtype = ce.dtype
    with np.errstate(over="ignore"):  # a huge loss is an infinite perplexity, as it should be
        out = np.exp(ce) if b is None else np.power(dtype.type(b), ce)
    return np.asarray(out, dtype=dtype)[()]
