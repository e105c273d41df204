r"""Derivatives as matrices, and a finite-difference checker to test any of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._validation import float_array, real_number
from xentbook.primitives import softmax

__all__ = ["finite_difference_grad", "softmax_jacobian"]


def softmax_jacobian(z: ArrayLike) -> NDArray[Any]:
    r"""Jacobian of the softmax over the last axis: :math:`J = \operatorname{diag}(p) - p p^\top`.

    .. math::

        J_{ij} = \frac{\partial p_i}{\partial z_j} = p_i\,([i = j] - p_j),
        \qquad p = \operatorname{softmax}(z).

    It is symmetric, its rows sum to zero (softmax ignores a common shift of the logits), and it
    is also the Hessian of the cross-entropy loss in the logits, positive semidefinite.

    Parameters
    ----------
    z : array_like
        Logits of shape ``(..., C)``.

    Returns
    -------
    ndarray
        Shape ``(..., C, C)``.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import softmax_jacobian
    >>> print(softmax_jacobian([0.0, 0.0]))
    [[ 0.25 -0.25]
     [-0.25  0.25]]
    """
    p = softmax(float_array("softmax_jacobian", "z", z, min_ndim=1), axis=-1)
    jac: NDArray[Any] = -p[..., :, None] * p[..., None, :]
    diag = np.einsum("...ii->...i", jac)
    diag += p
    return jac


def finite_difference_grad(
    f: Callable[[NDArray[Any]], Any], x: ArrayLike, h: float | None = None
) -> NDArray[Any]:
    r"""Central-difference estimate of the gradient of a scalar function.

    .. math::

        \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h},

    whose error is :math:`O(h^2)` from truncation plus :math:`O(\epsilon / h)` from rounding; the
    default :math:`h = \epsilon^{1/3} \max(1, |x_i|)` balances the two, giving about two thirds of
    the digits (about 10 in float64). Run it in float64.

    Parameters
    ----------
    f : callable
        Maps an array shaped like ``x`` to a real scalar.
    x : array_like
        The point, converted to float64.
    h : float, optional
        A fixed step instead of the default.

    Returns
    -------
    ndarray
        The estimated gradient, float64, same shape as ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import cross_entropy, cross_entropy_grad
    >>> from xentbook.book import finite_difference_grad
    >>> z = np.array([[2.0, 1.0, 0.1]])
    >>> numeric = finite_difference_grad(lambda a: cross_entropy(a, [1]), z)
    >>> bool(np.allclose(numeric, cross_entropy_grad(z, [1]), rtol=0, atol=1e-9))
    True
    """
    if not callable(f):
        raise TypeError(f"finite_difference_grad: f must be callable, got {f!r}")
    point = float_array("finite_difference_grad", "x", x).astype(np.float64)
    if h is not None:
        h = real_number("finite_difference_grad", "h", h, "a positive number")
        if not (np.isfinite(h) and h > 0):
            raise ValueError(f"finite_difference_grad: h must be a positive number, got {h!r}")
    grad = np.empty_like(point)
    flat = point.reshape(-1)
    out = grad.reshape(-1)
    for i in range(flat.size):
        step = h if h is not None else np.cbrt(np.finfo(np.float64).eps) * max(1.0, abs(flat[i]))
        orig = flat[i]
        flat[i] = orig + step
        up = float(f(point))
        flat[i] = orig - step
        down = float(f(point))
        flat[i] = orig
        out[i] = (up - down) / (2 * step)
    return grad
