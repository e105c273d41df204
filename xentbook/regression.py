r"""Mean squared error, the loss that chapter 8 sets against cross-entropy."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._reduction import reduce_losses
from xentbook._validation import (
    Reduction,
    check_finite,
    check_reduction,
    check_same_shape,
    float_array,
    working_dtype,
)

__all__ = ["mse", "mse_grad"]


def _pair(
    func: str, input: ArrayLike, target: ArrayLike
) -> tuple[NDArray[Any], NDArray[Any], np.dtype[Any]]:
    x = float_array(func, "input", input)
    out_dtype = x.dtype
    dtype = working_dtype(x)
    y = float_array(func, "target", target).astype(dtype, copy=False)
    x = x.astype(dtype, copy=False)
    check_same_shape(func, "input", x, "target", y)
    check_finite(func, "input", x)
    check_finite(func, "target", y)
    return x, y, out_dtype


def mse(input: ArrayLike, target: ArrayLike, reduction: Reduction = "mean") -> Any:
    r"""Mean squared error, as ``torch.nn.functional.mse_loss``.

    .. math::

        \mathcal{L} = \frac{1}{N} \sum_{n=1}^{N} (y_n - \hat y_n)^2 ,

    the square of the difference (not the difference of a square: :math:`y - \hat y^2` is a
    typo that recurs in tutorials).

    Parameters
    ----------
    input : array_like
        Predictions :math:`\hat y`, finite.
    target : array_like
        Targets :math:`y`, finite, same shape as ``input``.
    reduction : {'mean', 'sum', 'none'}, optional
        ``'mean'`` averages over all elements; the mean of an empty input is ``nan``, with a
        ``RuntimeWarning``. Default ``'mean'``.

    Returns
    -------
    numpy scalar or ndarray
        The reduced loss as a numpy scalar, or the elementwise squares with
        ``reduction='none'``; in the input's float dtype.

    Raises
    ------
    ValueError
        If the shapes differ, a value is not finite, or ``reduction`` is unknown.
    TypeError
        If an array argument is not real and numeric (complex, string, masked, or a torch
        tensor that requires grad).

    See Also
    --------
    mse_grad : its gradient.
    gaussian_nll : the likelihood whose minimizer is the same.

    Examples
    --------
    >>> from xentbook import mse
    >>> print(mse([0.2, 0.9], [0.0, 1.0]))
    0.025
    """
    func = "mse"
    x, y, out_dtype = _pair(func, input, target)
    reduction = check_reduction(func, reduction)
    return reduce_losses(func, (x - y) ** 2, reduction, out_dtype)


def mse_grad(input: ArrayLike, target: ArrayLike, reduction: Reduction = "mean") -> NDArray[Any]:
    r"""Gradient of :func:`mse` (summed) with respect to ``input``: :math:`2(\hat y - y)`.

    Divided by the number of elements for ``reduction='mean'`` (an empty mean gives an empty
    gradient, with no warning: there is nothing to scale).

    Parameters
    ----------
    input, target : array_like
        As in :func:`mse`.
    reduction : {'mean', 'sum', 'none'}, optional
        ``'none'`` and ``'sum'`` give the gradient of the sum. Default ``'mean'``.

    Returns
    -------
    ndarray
        Same shape and float dtype as ``input``.

    Raises
    ------
    ValueError
        If the shapes differ, a value is not finite, or ``reduction`` is unknown.
    TypeError
        If an array argument is not real and numeric (complex, string, masked, or a torch
        tensor that requires grad).

    See Also
    --------
    mse

    Examples
    --------
    >>> from xentbook import mse_grad
    >>> print(mse_grad([0.2, 0.9], [0.0, 1.0]))
    [ 0.2 -0.1]
    """
    func = "mse_grad"
    x, y, out_dtype = _pair(func, input, target)
    reduction = check_reduction(func, reduction)
    grad = 2 * (x - y)
    if reduction == "mean" and grad.size:
        grad = grad / grad.size
    return np.asarray(grad, dtype=out_dtype)
