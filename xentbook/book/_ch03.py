r"""Helpers of chapter 3: the total variation distance between two distributions."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["total_variation"]


def total_variation(p: ArrayLike, q: ArrayLike, axis: int = -1) -> Any:
    r"""Total variation distance :math:`\tfrac12 \sum_i |p_i - q_i|` of two distributions.

    .. math::

        \operatorname{TV}(p, q) = \max_A |p(A) - q(A)| = \frac12 \sum_i |p_i - q_i| ,

    the largest difference between the probabilities the two distributions give to one event
    (the maximum is attained by :math:`A = \{i : p_i > q_i\}`). It lies in :math:`[0, 1]`, is
    symmetric and obeys the triangle inequality.

    Parameters
    ----------
    p, q : array_like
        Distributions along ``axis`` (non-negative, summing to one), of one shape.
    axis : int, optional
        The axis holding each distribution (default: the last).

    Returns
    -------
    ndarray or scalar
        The distance of each pair.

    Raises
    ------
    ValueError
        If the shapes differ, or an entry is negative or not finite, or a slice does not sum to
        one within ``1e-9``.

    See Also
    --------
    xentbook.kl_divergence : bounds the distance through Pinsker's inequality,
        :math:`\operatorname{TV} \le \sqrt{D_{\mathrm{KL}} / 2}`.

    Examples
    --------
    >>> from xentbook.book import total_variation
    >>> print(f"{total_variation([0.5, 0.5], [0.9, 0.1]):.4f}")
    0.4000
    """
    func = "total_variation"
    pa = np.asarray(p, dtype=np.float64)
    qa = np.asarray(q, dtype=np.float64)
    if pa.shape != qa.shape or pa.ndim == 0:
        raise ValueError(
            f"{func}: p and q must be arrays of one shape, got {pa.shape} and {qa.shape}"
        )
    for name, arr in (("p", pa), ("q", qa)):
        if not (np.isfinite(arr) & (arr >= 0)).all():
            raise ValueError(f"{func}: {name} must hold finite, non-negative probabilities")
        total = arr.sum(axis=axis)
        if not np.allclose(total, 1.0, rtol=0, atol=1e-9):
            raise ValueError(f"{func}: {name} must sum to 1 along axis {axis}, got {total!r}")
    return (0.5 * np.abs(pa - qa).sum(axis=axis))[()]
