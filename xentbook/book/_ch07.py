"""Helpers for chapter 7 (the softmax gradient)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["finite_difference_hessian", "finite_difference_jacobian"]


def finite_difference_hessian(
    f: Callable[[NDArray[np.float64]], Any], x: ArrayLike, h: float | None = None
) -> NDArray[np.float64]:
    r"""Second-difference estimate of the Hessian of a scalar function of a vector.

    .. math::

        \frac{\partial^2 f}{\partial x_i \partial x_j} \approx
        \frac{f(x + h e_i + h e_j) - f(x + h e_i - h e_j)
              - f(x - h e_i + h e_j) + f(x - h e_i - h e_j)}{4 h^2},

    whose error is :math:`O(h^2)` from truncation plus :math:`O(\epsilon / h^2)` from rounding;
    the default :math:`h = \epsilon^{1/4}` balances the two, leaving about half the digits
    (about 8 in float64). The estimate is symmetric by construction.

    Parameters
    ----------
    f : callable
        Maps a float64 vector shaped like ``x`` to a real scalar.
    x : array_like
        The point, a vector, converted to float64.
    h : float, optional
        A fixed step instead of the default.

    Returns
    -------
    ndarray
        Shape ``(n, n)`` for ``x`` of shape ``(n,)``.

    Raises
    ------
    TypeError
        If ``f`` is not callable.
    ValueError
        If ``x`` is not a non-empty vector or ``h`` is not a positive number.

    Examples
    --------
    >>> from xentbook.book import finite_difference_hessian
    >>> hess = finite_difference_hessian(lambda v: v[0] ** 2 * v[1], [1.0, 3.0])
    >>> print(hess.round(6))
    [[6. 2.]
     [2. 0.]]
    """
    func = "finite_difference_hessian"
    if not callable(f):
        raise TypeError(f"{func}: f must be callable, got {f!r}")
    point = np.array(x, dtype=np.float64)
    if point.ndim != 1 or point.size == 0:
        raise ValueError(f"{func}: x must be a non-empty vector, got shape {point.shape}")
    if h is None:
        h = float(np.finfo(np.float64).eps ** 0.25)
    elif not (isinstance(h, (int, float)) and np.isfinite(h) and h > 0):
        raise ValueError(f"{func}: h must be a positive number, got {h!r}")
    n = point.size
    steps = h * np.eye(n)
    hess = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            value = (
                float(f(point + steps[i] + steps[j]))
                - float(f(point + steps[i] - steps[j]))
                - float(f(point - steps[i] + steps[j]))
                + float(f(point - steps[i] - steps[j]))
            ) / (4 * h * h)
            hess[i, j] = hess[j, i] = value
    return hess


def finite_difference_jacobian(
    f: Callable[[NDArray[np.float64]], Any], x: ArrayLike, h: float | None = None
) -> NDArray[np.float64]:
    r"""Central-difference estimate of the Jacobian of a vector function of a vector.

    .. math::

        \frac{\partial f_i}{\partial x_j} \approx \frac{f_i(x + h e_j) - f_i(x - h e_j)}{2h},

    column by column, with the step of :func:`xentbook.book.finite_difference_grad`:
    :math:`h = \epsilon^{1/3} \max(1, |x_j|)` by default, which leaves an error of order
    :math:`\epsilon^{2/3}` (about 10 digits in float64).

    Parameters
    ----------
    f : callable
        Maps a float64 vector shaped like ``x`` to a vector of length ``m``.
    x : array_like
        The point, a vector, converted to float64.
    h : float, optional
        A fixed step instead of the default.

    Returns
    -------
    ndarray
        Shape ``(m, n)`` for ``x`` of shape ``(n,)``: row ``i`` is the gradient of ``f_i``.

    Raises
    ------
    TypeError
        If ``f`` is not callable.
    ValueError
        If ``x`` is not a non-empty vector, ``h`` is not a positive number, or ``f`` does not
        return a vector.

    Examples
    --------
    >>> from xentbook.book import finite_difference_jacobian
    >>> jac = finite_difference_jacobian(lambda v: [v[0] * v[1], v[1] ** 2], [2.0, 3.0])
    >>> print(jac.round(6))
    [[3. 2.]
     [0. 6.]]
    """
    func = "finite_difference_jacobian"
    if not callable(f):
        raise TypeError(f"{func}: f must be callable, got {f!r}")
    point = np.array(x, dtype=np.float64)
    if point.ndim != 1 or point.size == 0:
        raise ValueError(f"{func}: x must be a non-empty vector, got shape {point.shape}")
    if h is not None and not (isinstance(h, (int, float)) and np.isfinite(h) and h > 0):
        raise ValueError(f"{func}: h must be a positive number, got {h!r}")
    columns = []
    for j in range(point.size):
        step = h if h is not None else np.cbrt(np.finfo(np.float64).eps) * max(1.0, abs(point[j]))
        shift = np.zeros_like(point)
        shift[j] = step
        up = np.asarray(f(point + shift), dtype=np.float64)
        down = np.asarray(f(point - shift), dtype=np.float64)
        if up.ndim != 1:
            raise ValueError(f"{func}: f must return a vector, got shape {up.shape}")
        columns.append((up - down) / (2 * step))
    return np.stack(columns, axis=1)
