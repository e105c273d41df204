r"""Helpers of chapter 5: the condition number of the loss and the Gumbel-max sampler."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook.primitives import softmax
from xentbook.reference import reference_cross_entropy

__all__ = ["gumbel_max_sample", "loss_condition_number"]


def loss_condition_number(logits: ArrayLike, target: ArrayLike) -> Any:
    r"""Relative condition number of the loss :math:`\ell = -\log p_y` in the shifted logits.

    .. math::

        \kappa(z, y) = \frac{\sum_j |z_j - m| \, |p_j - [j = y]|}{\ell(z, y)},
        \qquad m = \max_j z_j, \quad p = \operatorname{softmax}(z).

    The loss depends on the logits only through the differences :math:`z_j - m`, and these are
    what a shifted algorithm rounds. If every difference changes by a relative amount of at most
    :math:`\varepsilon`, the loss changes by a relative amount of at most
    :math:`\kappa \varepsilon + O(\varepsilon^2)`, and :math:`\kappa` is the smallest such
    constant: the limit of the worst :math:`(|\Delta\ell| / \ell) / \varepsilon` as
    :math:`\varepsilon \to 0`. It is relative to the shifted logits, not to the logits as given
    (whose own rounding costs :math:`\sum_j |z_j| \, |p_j - [j = y]| / \ell` instead). The loss in
    the denominator is :func:`xentbook.book.reference_cross_entropy` (50 digits), so that
    :math:`\kappa` is right even where a float64 loss would round to zero.

    Parameters
    ----------
    logits : array_like
        Logits of shape ``(C,)`` or ``(N, C)`` (float32 values are widened exactly).
    target : array_like
        Class index (a scalar for ``(C,)``) or indices of shape ``(N,)``.

    Returns
    -------
    float or ndarray
        :math:`\kappa \ge 0`, float64; a scalar for one item, shape ``(N,)`` for a batch.

    Raises
    ------
    ValueError, TypeError, IndexError
        As :func:`xentbook.book.reference_cross_entropy` for invalid logits or targets.

    Examples
    --------
    For logits :math:`(a, 0, \dots, 0)` with target 0 the condition number is
    :math:`a (1 - p_0) / \ell`, close to :math:`a` for a large margin:

    >>> from xentbook.book import loss_condition_number
    >>> print(f"{loss_condition_number([40.0, 0.0, 0.0], 0):.4f}")
    40.0000
    """
    loss = reference_cross_entropy(logits, target)
    z = np.atleast_2d(np.asarray(logits, dtype=np.float64))
    y = np.atleast_1d(np.asarray(target)).astype(np.intp)
    grad = softmax(z)
    grad[np.arange(z.shape[0]), y] -= 1
    spread = np.abs(z - z.max(axis=1, keepdims=True))
    kappa = np.sum(spread * np.abs(grad), axis=1) / loss
    return kappa if np.ndim(logits) == 2 else float(kappa[0])


def gumbel_max_sample(logits: ArrayLike, size: int, seed: int) -> NDArray[np.intp]:
    r"""Draw class indices from :math:`\operatorname{softmax}(z)` by the Gumbel-max trick.

    .. math::

        k = \arg\max_j \, (z_j + g_j), \qquad g_j = -\log(-\log u_j), \quad
        u_j \sim \mathrm{Uniform}(0, 1) \text{ independent},

    which has :math:`P(k = j) = \operatorname{softmax}(z)_j`: no exponential and no
    normalization is computed, so nothing overflows. The logits are shifted by their maximum
    before the noise is added: :math:`z_j + g_j` would be rounded at the size of the logits
    (visibly biased near :math:`10^{15}`), :math:`(z_j - m) + g_j` at the size of their
    differences.

    Parameters
    ----------
    logits : array_like
        One vector of logits, shape ``(C,)``.
    size : int
        Number of draws, at least 1.
    seed : int
        Seed of :func:`numpy.random.default_rng`, so that the draws can be reproduced.

    Returns
    -------
    ndarray of intp
        ``size`` class indices in ``[0, C)``.

    Raises
    ------
    ValueError
        If ``logits`` is not one finite vector or ``size`` is below 1.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import gumbel_max_sample
    >>> draws = gumbel_max_sample([1000.0, 1000.0], size=10_000, seed=0)
    >>> print(f"{np.mean(draws == 0):.3f}")  # softmax gives each class 1/2
    0.498
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1 or z.size == 0 or not np.all(np.isfinite(z)):
        raise ValueError(f"gumbel_max_sample: logits must be one finite vector, got {logits!r}")
    if size < 1:
        raise ValueError(f"gumbel_max_sample: size must be at least 1, got {size!r}")
    rng = np.random.default_rng(seed)
    gumbel = rng.gumbel(size=(size, z.size))
    # Shift first: z + g would be rounded at the size of the logits, z - max(z) + g at the size
    # of their differences (z - max(z) is exact for nearby floats).
    draws: NDArray[np.intp] = np.argmax((z - z.max()) + gumbel, axis=1)
    return draws
