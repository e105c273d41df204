r"""Helpers of chapter 2: the binary entropy, entropies of a joint distribution, i.i.d. blocks."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook.information import entropy

__all__ = ["binary_entropy", "conditional_entropy", "iid_block", "mutual_information"]


def binary_entropy(x: ArrayLike) -> Any:
    r"""Binary entropy function :math:`H_b(x)` in bits, the entropy of a coin with bias :math:`x`.

    .. math::

        H_b(x) = -x \log_2 x - (1 - x) \log_2 (1 - x), \qquad 0 \log 0 = 0 .

    Parameters
    ----------
    x : array_like
        Probabilities of heads in :math:`[0, 1]`.

    Returns
    -------
    ndarray or scalar
        :math:`H_b(x)` in bits, same shape as ``x``.

    Raises
    ------
    ValueError
        If some ``x`` is not a probability (outside :math:`[0, 1]`, or nan).

    Examples
    --------
    >>> from xentbook.book import binary_entropy
    >>> print(binary_entropy([0.0, 0.5, 0.11]).round(4))
    [0.     1.     0.4999]
    """
    x = np.asarray(x, dtype=np.float64)
    bad = ~((x >= 0) & (x <= 1))
    if bad.any():
        raise ValueError(f"binary_entropy: x must lie in [0, 1], got {x[bad].ravel()[0]!r}")
    return entropy(np.stack([x, 1 - x], axis=-1), base=2)


def _joint(func: str, joint: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(joint, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{func}: joint must be a 2-d table P(X=i, Y=j), got shape {arr.shape}")
    if (arr < 0).any() or not np.isclose(arr.sum(), 1.0, rtol=0, atol=1e-12):
        raise ValueError(
            f"{func}: joint must be non-negative and sum to one, got sum {arr.sum()!r} "
            f"and minimum {arr.min()!r}"
        )
    return arr


def conditional_entropy(joint: ArrayLike, base: float | None = None) -> float:
    r"""Conditional entropy :math:`H(Y \mid X)` of a joint table ``joint[i, j] = P(X=i, Y=j)``.

    .. math::

        H(Y \mid X) = \sum_i P(X=i)\, H(Y \mid X=i) = H(X, Y) - H(X) .

    Rows with :math:`P(X=i) = 0` contribute nothing. Transpose the table for
    :math:`H(X \mid Y)`.

    Parameters
    ----------
    joint : array_like
        A 2-d table of non-negative probabilities summing to one.
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    float
        :math:`H(Y \mid X) \ge 0`.

    Examples
    --------
    >>> from xentbook.book import conditional_entropy
    >>> print(conditional_entropy([[0.25, 0.25], [0.5, 0.0]], base=2))
    0.5
    """
    arr = _joint("conditional_entropy", joint)
    px = arr.sum(axis=1)
    rows = px > 0
    per_row = entropy(arr[rows] / px[rows, None], base=base)
    return float(np.dot(px[rows], per_row))


def mutual_information(joint: ArrayLike, base: float | None = None) -> float:
    r"""Mutual information :math:`I(X; Y)` of a joint table ``joint[i, j] = P(X=i, Y=j)``.

    .. math::

        I(X; Y) = H(Y) - H(Y \mid X)
        = \sum_{i, j} P(i, j) \log \frac{P(i, j)}{P(X=i)\, P(Y=j)} ,

    computed from the double sum (terms with :math:`P(i, j) = 0` are zero), so that it is not
    the difference of two rounded entropies.

    Parameters
    ----------
    joint : array_like
        A 2-d table of non-negative probabilities summing to one.
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    float
        :math:`I(X; Y)`, zero exactly when :math:`X` and :math:`Y` are independent (up to
        rounding, which can leave a value of order :math:`10^{-16}` of either sign).

    Examples
    --------
    A binary symmetric channel with flip probability 0.1 and a fair input carries
    :math:`1 - H_b(0.1)` bits:

    >>> from xentbook.book import mutual_information
    >>> print(f"{mutual_information([[0.45, 0.05], [0.05, 0.45]], base=2):.4f}")
    0.5310
    """
    arr = _joint("mutual_information", joint)
    outer = np.outer(arr.sum(axis=1), arr.sum(axis=0))
    pos = arr > 0
    value = float(np.sum(arr[pos] * np.log(arr[pos] / outer[pos])))
    return value / np.log(base) if base is not None else value


def iid_block(p: ArrayLike, n: int) -> NDArray[np.float64]:
    r"""Distribution of a block of ``n`` independent draws from ``p``, flattened.

    .. math::

        P(x_1, \dots, x_n) = p_{x_1} p_{x_2} \cdots p_{x_n},

    ordered as :func:`numpy.ravel` orders ``p ⊗ p ⊗ ... ⊗ p`` (the first symbol varies slowest).

    Parameters
    ----------
    p : array_like
        A 1-d probability vector.
    n : int
        Block length, at least 1.

    Returns
    -------
    ndarray
        The :math:`C^n` block probabilities, float64.

    Examples
    --------
    >>> from xentbook.book import iid_block
    >>> print(iid_block([0.9, 0.1], 2))
    [0.81 0.09 0.09 0.01]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"iid_block: n must be an integer >= 1, got {n!r}")
    arr = np.asarray(p, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"iid_block: p must be 1-d, got shape {arr.shape}")
    return functools.reduce(np.multiply.outer, [arr] * int(n)).ravel()
