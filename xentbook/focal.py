r"""Focal loss for multi-class classification, computed stably from logits.

The focal loss of Lin et al. scales the cross-entropy of each item by a factor that shrinks as the
model grows confident in the right class:

.. math::

    \mathrm{FL}(p_t) = -\alpha_t\,(1 - p_t)^{\gamma} \log p_t ,

where :math:`p_t` is the probability the model gives to the target class. Both pieces come from the
log-probability :math:`\log p_t`, taken from a log-softmax of the logits (no log of a rounded
probability) and :math:`1 - p_t = -\operatorname{expm1}(\log p_t)`, which keeps full relative
accuracy when :math:`p_t` is close to one (where ``1 - exp(log_pt)`` would cancel).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._reduction import reduce_losses
from xentbook._validation import (
    Reduction,
    check_nonnegative,
    check_reduction,
    class_indices,
    float_array,
    float_array_as,
    nonnegative_number,
    working_dtype,
)
from xentbook.primitives import log_softmax

__all__ = ["focal_loss"]


def _class_weights(
    func: str, weight: ArrayLike | None, classes: int, dtype: np.dtype[Any]
) -> NDArray[Any] | None:
    if weight is None:
        return None
    w = float_array_as(func, "weight", weight, dtype)
    if w.shape not in ((), (classes,)):
        raise ValueError(
            f"{func}: weight must be a number or have one entry per class, shape ({classes},), "
            f"got shape {w.shape}"
        )
    check_nonnegative(func, "weight", w)
    return w


def focal_loss(
    input: ArrayLike,
    target: ArrayLike,
    gamma: float = 2.0,
    weight: ArrayLike | None = None,
    reduction: Reduction = "mean",
) -> Any:
    r"""Multi-class focal loss from logits and class indices.

    .. math::

        \ell_n = -w_{y_n}\,(1 - p_{n,y_n})^{\gamma}\,\log p_{n,y_n},
        \qquad p_n = \operatorname{softmax}(z_n),

    with :math:`\log p_{n,y_n}` from :func:`xentbook.log_softmax` and
    :math:`1 - p_{n,y_n}` computed as ``-expm1(log p)``. With :math:`\gamma = 0` and no
    ``weight`` it is the cross-entropy :func:`xentbook.cross_entropy` item by item. The class
    weight :math:`w` is the :math:`\alpha_t` of Lin et al.

    Parameters
    ----------
    input : array_like
        Logits of shape ``(N, C)`` with :math:`C \ge 1` (finite, or ``-inf`` for a class of
        probability zero).
    target : array_like
        Integer class indices of shape ``(N,)``, each in ``[0, C)``.
    gamma : float, optional
        The focusing parameter :math:`\gamma \ge 0`, finite (default 2, the value of Lin et al.).
    weight : float or array_like, optional
        Class weights (Lin et al.'s :math:`\alpha`): a number applied to every item, or one
        weight per class, shape ``(C,)``, so that item :math:`n` is scaled by :math:`w_{y_n}`.
        Non-negative and finite. Default: no scaling.
    reduction : {'mean', 'sum', 'none'}, optional
        ``'mean'`` is the plain mean over the :math:`N` items (the weights are not in the
        denominator, unlike the weighted mean of :func:`xentbook.cross_entropy`). The mean
        of an empty batch is ``nan``, with a ``RuntimeWarning``.

    Returns
    -------
    numpy scalar or ndarray
        The reduced loss as a numpy scalar, or one loss per item, shape ``(N,)``, with
        ``reduction='none'``; in the input's float dtype (float16 is computed in float32).

    Raises
    ------
    ValueError
        If ``input`` is not 2-D, has no classes or contains ``nan`` or ``+inf``, ``gamma`` is
        negative or not finite, or ``weight`` has the wrong shape or a negative or non-finite
        entry.
    TypeError
        If ``target`` does not hold integers, or ``gamma`` is not a number.
    IndexError
        If a class index is out of range.

    See Also
    --------
    cross_entropy : the loss that ``gamma=0`` reduces to.
    log_softmax : where :math:`\log p_t` comes from.

    Examples
    --------
    >>> from xentbook import focal_loss
    >>> logits = [[2.0, 0.0, -1.0], [0.5, 0.3, 0.0]]
    >>> print(f"{focal_loss(logits, [0, 2], gamma=0.0):.6f}")  # cross-entropy
    0.777893
    >>> print(f"{focal_loss(logits, [0, 2], gamma=2.0):.6f}")  # easy item down-weighted
    0.391775

    A confident right answer: the naive ``1 - exp(log p)`` rounds :math:`1 - p_t` to zero and
    with it the whole loss; ``-expm1`` keeps it.

    >>> import numpy as np
    >>> log_pt = -np.log1p(np.exp(-40.0))
    >>> print((1 - np.exp(log_pt)) * -log_pt)  # naive, gamma = 1
    0.0
    >>> print(f"{float(focal_loss([[40.0, 0.0]], [0], gamma=1.0, reduction='sum')):.3e}")
    1.805e-35
    """
    func = "focal_loss"
    x = float_array(func, "input", input)
    if x.ndim != 2:
        raise ValueError(f"{func}: input must be 2-D logits of shape (N, C), got shape {x.shape}")
    if x.shape[1] == 0:
        raise ValueError(f"{func}: input has 0 classes (shape {x.shape}); it needs at least one")
    out_dtype = x.dtype
    dtype = working_dtype(x)
    x = x.astype(dtype, copy=False)
    rows, classes = x.shape
    t, _ = class_indices(func, "target", target, (rows,), classes)
    g = nonnegative_number(func, "gamma", gamma)
    reduction = check_reduction(func, reduction)
    w = _class_weights(func, weight, classes, dtype)

    if rows == 0:
        losses = np.zeros(0, dtype)
    else:
        if np.isnan(x).any() or np.isposinf(x).any():
            row = int(np.flatnonzero((~(np.isfinite(x) | np.isneginf(x))).any(axis=1))[0])
            raise ValueError(f"{func}: input contains nan or +inf (item {row})")
        log_pt = log_softmax(x, axis=1)[np.arange(rows), t]
        one_minus_pt = -np.expm1(log_pt)
        # Beyond the dtype's largest number every power of a base in [0, 1) is 0 and 1**g is 1,
        # so the largest number stands in for gamma (casting gamma itself would overflow).
        g = min(g, float(np.finfo(dtype).max))
        with np.errstate(invalid="ignore"):  # 0**gamma * inf cannot occur: p_t = 0 gives (1)**g
            losses = -log_pt if g == 0 else np.power(one_minus_pt, g) * -log_pt
        if w is not None:
            losses = losses * (w if w.ndim == 0 else w[t])

    return reduce_losses(func, losses, reduction, out_dtype)
