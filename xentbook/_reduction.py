"""The ``reduction`` argument, in one place: one reducer and one empty-mean policy.

``'none'`` returns the losses in the output dtype; ``'sum'`` and ``'mean'`` accumulate in
float64 and round once. A mean over nothing (an empty input, every target ignored, zero total
weight) is undefined: as in PyTorch it is ``nan``, but with a ``RuntimeWarning`` rather than
silently, and the matching gradient is zero (:func:`grad_scale` returns 0).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

from xentbook._validation import Reduction


def grad_scale(reduction: Reduction, denominator: float) -> float:
    """The factor of each item's gradient: 1, or 1/denominator for a mean (0 if undefined)."""
    if reduction != "mean":
        return 1.0
    return 1.0 / denominator if denominator != 0 else 0.0


def reduce_losses(
    func: str,
    losses: NDArray[Any],
    reduction: Reduction,
    out_dtype: np.dtype[Any],
    *,
    denominator: float | None = None,
    stacklevel: int = 3,
) -> Any:
    """Apply a validated ``reduction`` to the per-item ``losses``.

    The mean divides by ``denominator`` (a total weight) when given, else by the number of
    losses. A scalar result is a numpy scalar of ``out_dtype``.
    """
    if reduction == "none":
        return losses.astype(out_dtype, copy=False)[()]
    total = float(np.add.reduce(losses, axis=None, dtype=np.float64))
    if reduction == "sum":
        return out_dtype.type(total)
    count = float(losses.size) if denominator is None else denominator
    if count == 0:
        warnings.warn(
            f"{func}: the mean of an empty input is undefined, as is a mean over zero total "
            "weight (every target equal to ignore_index, or zero class weights): returning nan "
            "and a zero gradient",
            RuntimeWarning,
            stacklevel=stacklevel,
        )
        return out_dtype.type(np.nan)
    return out_dtype.type(total / count)
