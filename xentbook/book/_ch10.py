"""Helpers of chapter 10 (calibration): two variants of the expected calibration error.

:func:`xentbook.book.expected_calibration_error` bins the top-label confidence into equal-width
bins. The two variants here change one choice each: :func:`equal_mass_ece` puts the same number
of items in every bin, and :func:`classwise_ece` checks the probability of every class, not only
the largest one.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["classwise_ece", "equal_mass_ece"]


def _check(
    func: str, probs: ArrayLike, labels: ArrayLike, n_bins: int
) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(labels)
    if p.ndim != 2 or p.shape[0] == 0 or p.shape[1] == 0:
        raise ValueError(f"{func}: probs must have shape (N, C) with N, C >= 1, got {p.shape}")
    if not (np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))):
        raise ValueError(f"{func}: probs must lie in [0, 1]")
    if y.shape != p.shape[:1] or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{func}: labels must be N = {p.shape[0]} integer class indices")
    if np.any((y < 0) | (y >= p.shape[1])):
        raise ValueError(f"{func}: labels must lie in [0, {p.shape[1] - 1}]")
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"{func}: n_bins must be a positive integer, got {n_bins!r}")
    return p, y.astype(np.intp)


def equal_mass_ece(probs: ArrayLike, labels: ArrayLike, n_bins: int = 15) -> float:
    r"""Top-label expected calibration error with equal-mass (adaptive) bins.

    The items are sorted by their confidence :math:`c_n = \max_k p_{n,k}` and cut into
    ``n_bins`` consecutive groups whose sizes differ by at most one (the first groups get the
    extra items, as :func:`numpy.array_split` does); then, as for equal-width bins,

    .. math::

        \mathrm{ECE}_{\text{mass}} = \sum_b \frac{n_b}{N}\,
        \bigl|\mathrm{acc}_b - \mathrm{conf}_b\bigr| .

    Every bin holds about :math:`N / B` items, so none rests on a handful of them, and the bins
    are narrow where the confidences crowd (Nixon et al., 2019). Items with equal confidence
    may fall into neighbouring bins; ties are broken by a stable sort, that is by input order.

    Parameters
    ----------
    probs : array_like
        Predicted probabilities, shape ``(N, C)``, entries in :math:`[0, 1]`.
    labels : array_like
        True class indices, shape ``(N,)``.
    n_bins : int, optional
        Number of bins :math:`B` (default 15; at most :math:`N` of them are non-empty).

    Returns
    -------
    float
        The equal-mass ECE, in :math:`[0, 1]`.

    Raises
    ------
    ValueError
        If the shapes, the probabilities, the labels or ``n_bins`` are invalid.

    Examples
    --------
    >>> from xentbook.book import equal_mass_ece
    >>> probs = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55]]
    >>> # Confidences sorted: 0.55, 0.7 (both right) | 0.8 (wrong), 0.9 (right), so
    >>> # (2 |1 - 0.625| + 2 |0.5 - 0.85|) / 4
    >>> print(f"{equal_mass_ece(probs, [0, 1, 1, 1], n_bins=2):.4f}")
    0.3625
    """
    p, y = _check("equal_mass_ece", probs, labels, n_bins)
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == y).astype(np.float64)
    order = np.argsort(conf, kind="stable")
    total = 0.0
    for chunk in np.array_split(order, n_bins):
        if chunk.size:
            total += chunk.size * abs(correct[chunk].mean() - conf[chunk].mean())
    return float(total / len(conf))


def classwise_ece(probs: ArrayLike, labels: ArrayLike, n_bins: int = 15) -> float:
    r"""Class-wise expected calibration error: the equal-width ECE of every class, averaged.

    For each class :math:`k`, the items are binned by :math:`p_{n,k}` into the equal-width,
    right-closed bins :math:`(b/B, (b+1)/B]` (0 goes to the first bin), and in each bin the
    frequency of :math:`y_n = k` is compared with the mean of :math:`p_{n,k}`:

    .. math::

        \mathrm{ECE}_{\text{class}} = \frac1C \sum_{k=1}^{C} \sum_b \frac{n_{b,k}}{N}\,
        \Bigl| \frac{1}{n_{b,k}} \sum_{n \in b} [y_n = k]
        - \frac{1}{n_{b,k}} \sum_{n \in b} p_{n,k} \Bigr| ,

    the classwise-ECE of Kull et al. (2019). It checks every entry of the probability vector,
    the second and third choices included, which the top-label ECE ignores.

    Parameters
    ----------
    probs : array_like
        Predicted probabilities, shape ``(N, C)``, entries in :math:`[0, 1]`.
    labels : array_like
        True class indices, shape ``(N,)``.
    n_bins : int, optional
        Number of equal-width bins per class (default 15).

    Returns
    -------
    float
        The class-wise ECE, in :math:`[0, 1]`.

    Raises
    ------
    ValueError
        If the shapes, the probabilities, the labels or ``n_bins`` are invalid.

    Examples
    --------
    >>> from xentbook.book import classwise_ece
    >>> probs = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55]]
    >>> # Class 0, bins (0, .5] and (.5, 1]:
    >>> # |0 - 0.375| * 2/4 + |0.5 - 0.85| * 2/4 = 0.3625;
    >>> # class 1 is the mirror image with the same gaps.
    >>> print(f"{classwise_ece(probs, [0, 1, 1, 1], n_bins=2):.4f}")
    0.3625
    """
    p, y = _check("classwise_ece", probs, labels, n_bins)
    n, c = p.shape
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    total = 0.0
    for k in range(c):
        which = np.clip(np.searchsorted(edges, p[:, k], side="left") - 1, 0, n_bins - 1)
        hits = np.bincount(which, weights=(y == k).astype(np.float64), minlength=n_bins)
        mass = np.bincount(which, weights=p[:, k], minlength=n_bins)
        total += np.sum(np.abs(hits - mass)) / n  # n_b |hits/n_b - mass/n_b| = |hits - mass|
    return float(total / c)
