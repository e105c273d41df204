r"""High-precision reference values, from nothing but the standard library.

To say how many digits a floating-point result has right, it has to be compared with the exact
value. These functions compute log-softmax and the cross-entropy of one item with Python's
:mod:`decimal` module at 50 significant digits (or more), treating every input float as the exact
binary number it is, and round the result to float64 once, at the end. Decimal's ``exp`` and
``ln`` are correctly rounded, so the only errors are the rounding of intermediate results to the
working precision: far below anything float64 can see.

The one trap is the same as in floating point: :math:`\log(1 + s)` for a tiny :math:`s` (a
confident prediction) loses the digits of :math:`s` once :math:`1 + s` is rounded, at any fixed
precision. So the sum is split exactly as in :mod:`xentbook.primitives`, and
:math:`\operatorname{log1p}(s)` is summed from its Taylor series when :math:`s` is small.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._validation import check_axis, class_indices, float_array, integer

__all__ = ["reference_cross_entropy", "reference_log_softmax", "relative_error"]

_MIN_DIGITS = 20
_MAX_DIGITS = 1000


def _check_digits(func: str, digits: Any) -> int:
    digits = integer(func, "digits", digits)
    if not _MIN_DIGITS <= digits <= _MAX_DIGITS:
        raise ValueError(
            f"{func}: digits must be between {_MIN_DIGITS} and {_MAX_DIGITS}, got {digits!r}"
        )
    return int(digits)


def _log1p(s: Decimal) -> Decimal:
    """``log(1 + s)`` for ``s >= 0`` to the context's precision, without rounding ``1 + s``."""
    if s == 0:
        return Decimal(0)
    if s < Decimal("1e-3"):
        # Alternating series s - s^2/2 + s^3/3 - ...; each term is below 1e-3 times the one
        # before, so stopping when a term no longer changes the sum is safe.
        total = Decimal(0)
        power = s
        k = 1
        while True:
            term = power / k
            new = total + term if k % 2 else total - term
            if new == total:
                return total
            total = new
            power *= s
            k += 1
    return (1 + s).ln()  # here 1 + s carries all the digits of s that matter


def _log_softmax_row(row: NDArray[np.float64]) -> list[float]:
    """Log-softmax of one row of finite-or-minus-infinity floats with a finite maximum."""
    exact = [Decimal(float(v)) for v in row]  # Decimal(float) is exact
    k = int(np.argmax(row))
    m = exact[k]
    shifted = [v - m for v in exact]
    s = sum((d.exp() for j, d in enumerate(shifted) if j != k), Decimal(0))
    l1 = _log1p(s)
    return [float(d - l1) for d in shifted]


def reference_log_softmax(x: ArrayLike, axis: int = -1, digits: int = 50) -> NDArray[np.float64]:
    r"""Log-softmax computed in decimal arithmetic and rounded once to float64.

    .. math::

        \log p_j = (x_j - m) - \log\Bigl(1 + \sum_{i \ne k} e^{x_i - m}\Bigr),
        \qquad m = x_k = \max_i x_i,

    evaluated with :mod:`decimal` at ``digits`` significant digits, with the logarithm summed
    from its Taylor series when the sum is small, so that even
    :math:`\log p_k \approx -10^{-300}` comes out with every digit right.

    Parameters
    ----------
    x : array_like
        Logits, at least one-dimensional, in any float dtype (each value is taken as the exact
        binary number it stores). ``-inf`` is allowed and gives ``-inf``.
    axis : int, optional
        The class axis (default: the last).
    digits : int, optional
        Decimal precision, between 20 and 1000 (default 50).

    Returns
    -------
    ndarray
        float64 log-probabilities, same shape as ``x``: the exact values correctly rounded,
        up to errors of order :math:`10^{-\text{digits}}`. The result is float64 even for
        float32 input, because a reference that judges float32 results must not be rounded to
        float32 itself.

    Raises
    ------
    ValueError
        If ``x`` contains ``nan`` or ``+inf``, or a slice along ``axis`` is entirely ``-inf``.

    Notes
    -----
    Pure Python: a few microseconds per entry, meant for tables and tests, not for training.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.reference import reference_log_softmax
    >>> print(reference_log_softmax([40.0, 0.0, 0.0])[0])
    -8.496708510583178e-18
    >>> with np.errstate(divide="ignore"):
    ...     # rounds to zero
    ...     print(np.log(np.exp(0.0) / (np.exp(0.0) + 2 * np.exp(-40.0))))
    0.0
    """
    func = "reference_log_softmax"
    arr = float_array(func, "x", x, min_ndim=1)
    ax = check_axis(func, axis, arr.ndim)
    prec = _check_digits(func, digits)
    if np.isnan(arr).any():
        raise ValueError(f"{func}: x contains nan")
    if np.isposinf(arr).any():
        raise ValueError(f"{func}: x contains +inf; softmax is undefined there")
    moved = np.moveaxis(arr.astype(np.float64), ax, -1)
    if moved.shape[-1] == 0:
        raise ValueError(
            f"{func}: x has length 0 along axis {axis}; softmax needs one class or more"
        )
    rows = moved.reshape(-1, moved.shape[-1])
    if np.isneginf(rows).all(axis=1).any():
        raise ValueError(
            f"{func}: x has a slice that is -inf everywhere along the axis; its softmax is "
            "undefined (0/0)"
        )
    out = np.empty(rows.shape, dtype=np.float64)
    ctx = decimal.Context(prec=prec, Emin=-999_999, Emax=999_999, traps=[decimal.InvalidOperation])
    with decimal.localcontext(ctx):
        for i, row in enumerate(rows):
            out[i] = _log_softmax_row(row)
    return np.moveaxis(out.reshape(moved.shape), -1, ax)


def reference_cross_entropy(input: ArrayLike, target: ArrayLike, digits: int = 50) -> Any:
    r"""Per-item cross-entropy :math:`-\log p_{y}` from :func:`reference_log_softmax`.

    .. math::

        \ell_n = -\log \operatorname{softmax}(z_n)_{y_n}
               = \log \sum_c e^{z_{n,c}} - z_{n, y_n},

    computed at ``digits`` decimal digits and rounded once to float64. This is the exact value
    that :func:`xentbook.cross_entropy` with ``reduction='none'`` approximates.

    Parameters
    ----------
    input : array_like
        Logits of shape ``(C,)`` or ``(N, C)``.
    target : array_like
        Integer class indices in ``[0, C)``: a scalar for ``(C,)`` logits, shape ``(N,)`` for
        ``(N, C)`` logits.
    digits : int, optional
        Decimal precision, between 20 and 1000 (default 50).

    Returns
    -------
    float or ndarray
        float64 losses: a scalar for one item, shape ``(N,)`` for a batch.

    Raises
    ------
    ValueError, TypeError, IndexError
        On logits that :func:`reference_log_softmax` refuses or have more than two dimensions,
        non-integer targets, a target shape that does not match, or an index out of range.

    Examples
    --------
    The loss of a confident right answer, to which ``logsumexp(z) - z[t]`` returns 0:

    >>> from xentbook.reference import reference_cross_entropy
    >>> print(reference_cross_entropy([40.0, 0.0, 0.0], 0))
    8.496708510583178e-18
    >>> z = [[2.0, 1.0, 0.1], [0.1, 2.0, 1.9]]
    >>> print(reference_cross_entropy(z, [1, 0]).round(3))
    [1.417 2.62 ]
    """
    func = "reference_cross_entropy"
    z = float_array(func, "input", input, min_ndim=1)
    if z.ndim > 2:
        raise ValueError(
            f"{func}: input must have shape (C,) or (N, C), got a {z.ndim}-d value "
            f"of shape {z.shape}"
        )
    expected = () if z.ndim == 1 else z.shape[:1]
    tgt, _ = class_indices(func, "target", target, expected, z.shape[-1])
    logp = reference_log_softmax(z, axis=-1, digits=digits)
    if z.ndim == 1:
        return float(-logp[int(tgt)])
    return -logp[np.arange(z.shape[0]), tgt.astype(np.intp)]


def relative_error(computed: ArrayLike, reference: ArrayLike) -> Any:
    r"""Relative error :math:`|\hat x - x| / |x|` of a computed value against a reference.

    .. math::

        \operatorname{relerr}(\hat x, x) = \frac{|\hat x - x|}{|x|},

    evaluated in float64 (a float32 ``computed`` is widened exactly first). Where the reference
    is zero the relative error is 0 if the computed value is zero too and ``inf`` otherwise; equal
    infinities count as exact.

    Parameters
    ----------
    computed, reference : array_like
        Real values of broadcastable shapes; ``reference`` is usually float64 from
        :func:`reference_log_softmax` or :func:`reference_cross_entropy`.

    Returns
    -------
    float or ndarray
        float64, non-negative. A relative error of about :math:`10^{-k}` means about :math:`k`
        correct significant digits; 1 means none (for instance a result of 0 for a non-zero
        value).

    Raises
    ------
    ValueError
        If either argument contains ``nan`` or their shapes do not broadcast.

    Examples
    --------
    >>> from xentbook.reference import relative_error
    >>> print(relative_error(0.0, 8.5e-18), relative_error(1.0001, 1.0) < 2e-4)
    1.0 True
    """
    func = "relative_error"
    a = float_array(func, "computed", computed).astype(np.float64)
    b = float_array(func, "reference", reference).astype(np.float64)
    for name, arr in (("computed", a), ("reference", b)):
        if np.isnan(arr).any():
            raise ValueError(f"{func}: {name} contains nan")
    try:
        a, b = np.broadcast_arrays(a, b)
    except ValueError as exc:
        raise ValueError(
            f"{func}: computed of shape {a.shape} and reference of shape {b.shape} do not broadcast"
        ) from exc
    same = a == b  # covers 0 == 0 and equal infinities
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        err = np.abs(a - b) / np.abs(b)
    err = np.where(same, 0.0, err)
    err = np.where(~same & ((b == 0) | np.isinf(b) | np.isinf(a)), np.inf, err)
    return err[()]
