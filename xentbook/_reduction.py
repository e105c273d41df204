"""The ``reduction`` argument of the element-wise losses, in one place.

``'none'`` returns the losses in the input's dtype; ``'sum'`` and ``'mean'`` accumulate in
float64 and round once. The mean of nothing is undefined: as in PyTorch it is ``nan``, but it
comes with a ``RuntimeWarning`` instead of silently (``cross_entropy`` does the same for a mean
over zero total weight).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray


def reduce_losses(func: str, losses: NDArray[Any], reduction: str, out_dtype: np.dtype[Any]) -> Any:
    """Apply a validated ``reduction`` to element-wise ``losses``."""
    if reduction == "none":
        return losses.astype(out_dtype, copy=False)[()]
    total = float(np.sum(losses, dtype=np.float64))
    if reduction == "sum":
        return out_dtype.type(total)
    if losses.size == 0:
        warnings.warn(
            f"{func}: the mean of an empty input is undefined: returning nan",
            RuntimeWarning,
            stacklevel=3,
        )
        return out_dtype.type(np.nan)
    return out_dtype.type(total / losses.size)
