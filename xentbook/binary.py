r"""Binary cross-entropy from probabilities and from logits, with PyTorch's semantics.

From logits the loss never takes the log of a computed sigmoid: with
:math:`\log \sigma(x) = -\operatorname{softplus}(-x)` and
:math:`\log(1 - \sigma(x)) = -\operatorname{softplus}(x)`,

.. math::

    \ell = w\,\bigl[\, r\, y \operatorname{softplus}(-x)
                    + (1 - y) \operatorname{softplus}(x) \bigr],

with :math:`r` the ``pos_weight``. Each softplus is accurate for every real :math:`x`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._reduction import reduce_losses
from xentbook._validation import (
    Reduction,
    broadcastable,
    check_finite,
    check_in_unit_interval,
    check_no_nan,
    check_reduction,
    check_same_shape,
    float_array,
    working_dtype,
)
from xentbook.primitives import _softplus, sigmoid

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
]

# PyTorch clamps each log at -100 in the probability form, so that p = 0 or 1 gives a large
# finite loss instead of inf (and 0 * log 0 gives 0 instead of nan).
LOG_CLAMP = -100.0


def _weights(
    func: str, name: str, weight: ArrayLike | None, shape: tuple[int, ...], dtype: np.dtype[Any]
) -> NDArray[Any] | None:
    if weight is None:
        return None
    w = float_array(func, name, weight).astype(dtype, copy=False)
    check_finite(func, name, w)
    return broadcastable(func, name, w, shape)


def binary_cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    reduction: Reduction = "mean",
) -> Any:
    r"""Binary cross-entropy between predicted probabilities and targets.

    .. math::

        \ell_n = -w_n \bigl[\, y_n \log p_n + (1 - y_n) \log(1 - p_n) \bigr],

    with each logarithm clamped below at :math:`-100`, exactly as
    ``torch.nn.functional.binary_cross_entropy`` does. ``log(1 - p)`` is computed as
    ``log1p(-p)``, so probabilities close to 0 lose no accuracy.

    Parameters
    ----------
    input : array_like
        Predicted probabilities in :math:`[0, 1]`.
    target : array_like
        Target probabilities in :math:`[0, 1]`, same shape as ``input``.
    weight : array_like, optional
        Weights broadcastable to the input's shape.
    reduction : {'mean', 'sum', 'none'}, optional
        ``'mean'`` divides the sum by the number of elements (weights are not in the
        denominator). An empty input with ``'mean'`` gives ``nan`` with a ``RuntimeWarning``.

    Returns
    -------
    numpy scalar or ndarray
        The reduced loss as a numpy scalar, or the elementwise losses with
        ``reduction='none'``; in the input's float dtype.

    Raises
    ------
    ValueError
        If ``input`` or ``target`` holds a value outside :math:`[0, 1]` (nan included), the
        shapes differ, ``weight`` is not finite or does not broadcast, or ``reduction`` is
        unknown.
    TypeError
        If an array argument is not real and numeric (complex, string, masked, or a torch
        tensor that requires grad).

    See Also
    --------
    binary_cross_entropy_with_logits : from logits, without the clamp and its error.

    Examples
    --------
    >>> from xentbook import binary_cross_entropy
    >>> print(round(float(binary_cross_entropy([0.9, 0.2], [1.0, 0.0])), 6))
    0.164252
    >>> # the clamp, as in PyTorch
    >>> print(binary_cross_entropy([0.0], [1.0], reduction="sum"))
    100.0
    """
    func = "binary_cross_entropy"
    p = float_array(func, "input", input)
    out_dtype = p.dtype
    dtype = working_dtype(p)
    y = float_array(func, "target", target).astype(dtype, copy=False)
    reduction = check_reduction(func, reduction)
    check_same_shape(func, "input", p, "target", y)
    check_in_unit_interval(func, "input", p)
    check_in_unit_interval(func, "target", y)
    p = p.astype(dtype, copy=False)
    w = _weights(func, "weight", weight, p.shape, dtype)
    with np.errstate(divide="ignore"):  # log(0) = -inf, clamped on the next line
        log_p = np.maximum(np.log(p), LOG_CLAMP)
        log_q = np.maximum(np.log1p(-p), LOG_CLAMP)
    loss = -(y * log_p + (1 - y) * log_q)
    if w is not None:
        loss = loss * w
    return reduce_losses(func, loss, reduction, out_dtype)


def _logit_problem(
    func: str,
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None,
    reduction: Reduction,
    pos_weight: ArrayLike | None,
) -> tuple[Any, ...]:
    x = float_array(func, "input", input)
    out_dtype = x.dtype
    dtype = working_dtype(x)
    x = x.astype(dtype, copy=False)
    y = float_array(func, "target", target).astype(dtype, copy=False)
    reduction = check_reduction(func, reduction)
    check_same_shape(func, "input", x, "target", y)
    check_no_nan(func, "input", x)
    check_in_unit_interval(func, "target", y)
    w = _weights(func, "weight", weight, x.shape, dtype)
    r = _weights(func, "pos_weight", pos_weight, x.shape, dtype)
    return x, y, w, r, reduction, out_dtype


def binary_cross_entropy_with_logits(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    reduction: Reduction = "mean",
    pos_weight: ArrayLike | None = None,
) -> Any:
    r"""Binary cross-entropy from logits, as PyTorch's ``binary_cross_entropy_with_logits``.

    .. math::

        \ell_n = w_n \bigl[\, r\, y_n \operatorname{softplus}(-x_n)
                 + (1 - y_n) \operatorname{softplus}(x_n) \bigr],

    which equals :math:`-w_n [\, r\, y_n \log \sigma(x_n) + (1 - y_n) \log(1 - \sigma(x_n))]`
    without ever forming :math:`\sigma(x_n)`: no overflow, no clamping, full accuracy.

    Parameters
    ----------
    input : array_like
        Logits (any real values; ``nan`` raises ``ValueError``).
    target : array_like
        Target probabilities in :math:`[0, 1]`, same shape as ``input``.
    weight : array_like, optional
        Weights broadcastable to the input's shape.
    reduction : {'mean', 'sum', 'none'}, optional
        As in :func:`binary_cross_entropy`.
    pos_weight : array_like, optional
        :math:`r`, the weight of the positive term, broadcast along the last axis (one entry per
        label in multi-label classification). :math:`r > 1` trades precision for recall.

    Returns
    -------
    numpy scalar or ndarray
        The reduced loss as a numpy scalar, or the elementwise losses with
        ``reduction='none'``; in the input's float dtype.

    Raises
    ------
    ValueError
        If ``input`` contains ``nan``, ``target`` holds a value outside :math:`[0, 1]`, the
        shapes differ, a weight is not finite or does not broadcast, or ``reduction`` is
        unknown.
    TypeError
        If an array argument is not real and numeric (complex, string, masked, or a torch
        tensor that requires grad).

    See Also
    --------
    binary_cross_entropy_with_logits_grad : its gradient.
    binary_cross_entropy : from probabilities, with PyTorch's clamp at -100.
    softplus : the two terms of the loss.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import binary_cross_entropy_with_logits
    >>> x, y = [800.0, -800.0], [0.0, 1.0]
    >>> print(binary_cross_entropy_with_logits(x, y, reduction="none"))
    [800. 800.]
    >>> print(binary_cross_entropy_with_logits([40.0], [1.0], reduction="sum"))
    4.248354255291589e-18

    The naive composition ``-log(sigmoid(x))`` rounds the second to 0 and the first to ``inf``:

    >>> with np.errstate(over="ignore", divide="ignore"):
    ...     print(-np.log(1 / (1 + np.exp(-40.0))), -np.log(1 - 1 / (1 + np.exp(-800.0))))
    -0.0 inf
    """
    x, y, w, r, reduction, out_dtype = _logit_problem(
        "binary_cross_entropy_with_logits", input, target, weight, reduction, pos_weight
    )
    # An infinite logit whose label agrees gives 0 * inf in the other term: that term is 0.
    with np.errstate(invalid="ignore"):
        pos = y * _softplus(-x) if r is None else r * y * _softplus(-x)
        pos = np.where(y == 0, 0, pos)
        neg = np.where(y == 1, 0, (1 - y) * _softplus(x))
    loss = pos + neg
    if w is not None:
        loss = loss * w
    return reduce_losses("binary_cross_entropy_with_logits", loss, reduction, out_dtype)


def binary_cross_entropy_with_logits_grad(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    reduction: Reduction = "mean",
    pos_weight: ArrayLike | None = None,
) -> NDArray[Any]:
    r"""Gradient of :func:`binary_cross_entropy_with_logits` (summed) with respect to ``input``.

    .. math::

        \frac{\partial \ell_n}{\partial x_n} = w_n \bigl[(1 - y_n)\,\sigma(x_n)
            - r\, y_n\, (1 - \sigma(x_n))\bigr],

    which is :math:`w_n(\sigma(x_n) - y_n)` without ``pos_weight``. For ``reduction='mean'`` it
    is divided by the number of elements.

    Parameters
    ----------
    input, target, weight, reduction, pos_weight
        As in :func:`binary_cross_entropy_with_logits`.

    Returns
    -------
    ndarray
        The gradient, same shape and float dtype as ``input``.

    Raises
    ------
    ValueError, TypeError
        As :func:`binary_cross_entropy_with_logits`.

    See Also
    --------
    binary_cross_entropy_with_logits

    Examples
    --------
    >>> from xentbook import binary_cross_entropy_with_logits_grad
    >>> x, y = [0.0, 0.0], [1.0, 0.0]
    >>> print(binary_cross_entropy_with_logits_grad(x, y, reduction="sum"))
    [-0.5  0.5]
    """
    x, y, w, r, reduction, out_dtype = _logit_problem(
        "binary_cross_entropy_with_logits_grad", input, target, weight, reduction, pos_weight
    )
    s_pos = sigmoid(x)
    s_neg = sigmoid(-x)  # 1 - sigma(x) without cancellation
    grad = (1 - y) * s_pos - (y if r is None else r * y) * s_neg
    if w is not None:
        grad = grad * w
    if reduction == "mean" and grad.size:
        grad = grad / grad.size
    return np.asarray(grad, dtype=out_dtype)
