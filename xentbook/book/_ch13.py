"""Helpers of chapter 13 (cross-entropy at scale): bfloat16 rounding, emulated in numpy."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["round_to_bfloat16"]


def round_to_bfloat16(x: ArrayLike) -> NDArray[np.float32]:
    r"""Round to the nearest bfloat16 number, ties to even, returned as float32.

    bfloat16 keeps the sign and the 8 exponent bits of float32 and the top 7 of its 23 stored
    significand bits, so its unit roundoff is :math:`u = 2^{-8}`: a rounded value
    :math:`\hat{x}` satisfies :math:`|\hat{x} - x| \le 2^{-8} |x|` in the normal range. numpy has
    no bfloat16 type; this function drops the low 16 bits of the float32 pattern after adding
    half of their weight (plus one when the kept part is odd, which breaks ties to even), as
    PyTorch's ``tensor.to(torch.bfloat16)`` does for finite values.

    Parameters
    ----------
    x : array_like
        Finite real values; converted to float32 first (itself a rounding for float64 input).

    Returns
    -------
    ndarray of float32
        The bfloat16 values, exactly representable in float32, with the shape of ``x``.

    Examples
    --------
    >>> from xentbook.book import round_to_bfloat16
    >>> print(round_to_bfloat16([1 + 2**-8, 257.0, 259.0, 3.14159265]))
    [  1.       256.       260.         3.140625]
    """
    arr = np.asarray(x, dtype=np.float32)
    if not np.isfinite(arr).all():
        raise ValueError("round_to_bfloat16: x must be finite")
    bits = arr.view(np.uint32).astype(np.uint64)
    odd = (bits >> 16) & 1
    rounded = ((bits + 0x7FFF + odd) >> 16 << 16).astype(np.uint32)
    out: NDArray[np.float32] = rounded.view(np.float32)
    return out
