r"""Stable building blocks: log-sum-exp, softmax, log-softmax, softplus and the sigmoid family.

Everything in the package is built from these. The one idea behind the first three is to split
the sum of exponentials into the largest term, which is exactly :math:`e^0 = 1` after the usual
shift by the maximum, and the rest :math:`s`:

.. math::

    \log \sum_j e^{z_j} = m + \log(1 + s), \qquad
    m = \max_j z_j, \quad s = \sum_{j \ne k} e^{z_j - m},

where :math:`k` is the position of the maximum. ``log1p(s)`` keeps full relative accuracy even
when :math:`s` is far below machine epsilon, which is exactly the confident-prediction case where
``log(sum(exp(z - m)))`` rounds to zero.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._validation import check_axis, check_no_nan, float_array, working_dtype

__all__ = ["log_sigmoid", "log_softmax", "logsumexp", "sigmoid", "softmax", "softplus"]


def row_max(z: NDArray[Any]) -> tuple[NDArray[np.intp], NDArray[Any]]:
    """Position and value of each row's maximum in a 2-D array (nan wins, as in ``np.max``)."""
    k = z.argmax(axis=1)
    return k, z[np.arange(z.shape[0]), k]


def shifted_exp(
    z: NDArray[Any], k: NDArray[np.intp], m: NDArray[Any], out: NDArray[Any] | None = None
) -> tuple[NDArray[Any], NDArray[Any]]:
    """The shifted exponentials ``e = exp(z - m)`` with the maximum's own entry set to 0, and
    ``s``, their row sums: the sum of every term but the largest.

    ``z`` is 2-D with classes on axis 1 and ``(k, m)`` come from :func:`row_max`; every ``m``
    must be finite (callers refuse nan and infinite maxima, or set those rows aside).
    """
    e = np.subtract(z, m[:, None], out=out)
    np.exp(e, out=e)
    e[np.arange(z.shape[0]), k] = 0
    return e, np.add.reduce(e, axis=1)


def prob_minus_one(e_t: NDArray[Any], s: NDArray[Any], d: NDArray[Any]) -> NDArray[Any]:
    r"""The gradient at the target, :math:`p_t - 1`, from the pieces of :func:`shifted_exp`.

    ``e_t`` is the target's entry of :math:`e_j = e^{z_j - m}` *with the maximum's entry set
    back to* :math:`e_k = 1`, ``s`` the sum of the other entries and ``d = 1 + s``. Then

    .. math::

        p_t - 1 = \frac{e_t - 1 - s}{1 + s},

    where ``(e_t - 1) - s`` is exactly :math:`-s` when the target is the maximum: a confident
    right answer keeps its tiny gradient :math:`-s/(1+s)`, which :math:`1/(1 + s) - 1` would
    round to 0.
    """
    out: NDArray[Any] = (e_t - 1 - s) / d
    return out


def as_rows(a: NDArray[Any], axes: tuple[int, ...]) -> tuple[NDArray[Any], tuple[int, ...]]:
    """Move ``axes`` to the end and flatten: one row per combination of the other axes.

    Returns the 2-D array and the shape of the other axes (the leading shape of the result).
    """
    rest = tuple(ax for ax in range(a.ndim) if ax not in axes)
    moved = np.transpose(a, rest + axes)
    lead = moved.shape[: len(rest)]
    width = int(np.prod([a.shape[ax] for ax in axes], dtype=np.int64))
    count = int(np.prod(lead, dtype=np.int64))
    return np.ascontiguousarray(moved.reshape(count, width)), lead


def _normalize_axes(func: str, axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, tuple):
        axes = tuple(check_axis(func, ax, ndim) for ax in axis)
        if len(set(axes)) != len(axes):
            raise ValueError(f"{func}: axis {axis!r} repeats an axis")
        return tuple(sorted(axes))
    return (check_axis(func, axis, ndim),)


def _reject_nan(func: str, name: str, m: NDArray[Any]) -> None:
    # The row maximum propagates nan, so a nan anywhere shows up here at O(rows) cost.
    if np.isnan(m).any():
        raise ValueError(f"{func}: {name} contains nan")


def _reject_bad_rows(func: str, name: str, m: NDArray[Any]) -> None:
    _reject_nan(func, name, m)
    if np.isposinf(m).any():
        raise ValueError(
            f"{func}: {name} contains +inf; softmax is undefined there (use a large finite "
            "value, or -inf to give a class zero probability)"
        )
    if np.isneginf(m).any():
        raise ValueError(
            f"{func}: {name} has a slice that is -inf everywhere along the axis; "
            "its softmax is undefined (0/0)"
        )


def logsumexp(
    a: ArrayLike, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> Any:
    r"""Compute :math:`\log \sum_j e^{a_j}` without overflow and to full relative accuracy.

    .. math::

        \operatorname{logsumexp}(a)
            = m + \operatorname{log1p}\Bigl(\sum_{j \ne k} e^{a_j - m}\Bigr),
        \qquad m = a_k = \max_j a_j .

    Parameters
    ----------
    a : array_like
        Real input (integers are converted to float64).
    axis : int or tuple of ints, optional
        Axis or axes to reduce over. ``None`` (the default, as in :func:`scipy.special.logsumexp`)
        reduces over all axes.
    keepdims : bool, optional
        Keep the reduced axes with length one.

    Returns
    -------
    ndarray or scalar
        The values of :func:`scipy.special.logsumexp` up to rounding, in the input's float dtype
        (float16 is computed in float32): a numpy scalar when every axis is reduced.

    Raises
    ------
    ValueError
        If ``a`` contains ``nan``, or ``axis`` repeats an axis.
    TypeError
        If ``a`` is not a real numeric array, ``axis`` is not an integer or ``keepdims`` not a
        bool.
    IndexError
        If ``axis`` does not exist.

    See Also
    --------
    log_softmax : :math:`a - \operatorname{logsumexp}(a)`, without cancellation.
    scipy.special.logsumexp : the same values, up to rounding.

    Notes
    -----
    ``-inf`` entries contribute nothing; a slice that is entirely ``-inf`` (or empty) gives
    ``-inf``; a ``+inf`` entry gives ``+inf``. A ``nan`` anywhere raises ``ValueError``.

    Examples
    --------
    The naive formula overflows; the shifted one does not:

    >>> import numpy as np
    >>> from xentbook import logsumexp
    >>> with np.errstate(over="ignore"):
    ...     print(np.log(np.sum(np.exp([1000.0, 1000.0]))))
    inf
    >>> print(logsumexp([1000.0, 1000.0]))
    1000.6931471805599

    and it keeps the tiny excess over the maximum that ``log(sum(...))`` rounds away:

    >>> print(logsumexp([0.0, -40.0]))
    4.248354255291589e-18
    """
    arr = float_array("logsumexp", "a", a)
    if not isinstance(keepdims, bool):
        raise TypeError(f"logsumexp: keepdims must be True or False, got {keepdims!r}")
    axes = _normalize_axes("logsumexp", axis, arr.ndim)
    dtype = working_dtype(arr)
    rows, lead = as_rows(arr.astype(dtype, copy=False), axes)
    if rows.shape[1] == 0:
        out = np.full(rows.shape[0], -np.inf, dtype=dtype)
    else:
        k, m = row_max(rows)
        _reject_nan("logsumexp", "a", m)
        finite = np.isfinite(m)
        out = m.copy()  # +inf and all -inf slices: the maximum is the answer
        if finite.any():
            _, s = shifted_exp(rows[finite], k[finite], m[finite])
            out[finite] = m[finite] + np.log1p(s)
    out = out.reshape(lead).astype(arr.dtype, copy=False)
    if keepdims:
        out = np.expand_dims(out, axes)
    return out[()]


_Restore = Callable[[NDArray[Any]], NDArray[Any]]


def _softmax_parts(
    func: str, arr: NDArray[Any], ax: int
) -> tuple[NDArray[Any], NDArray[np.intp], NDArray[Any], NDArray[Any], NDArray[Any], _Restore]:
    """Rows along ``ax``, their maxima ``(k, m)``, ``shifted_exp``'s ``(e, s)``, and a function
    that puts an array shaped like the rows back in the input's shape and dtype."""
    dtype = working_dtype(arr)
    moved = np.moveaxis(arr.astype(dtype, copy=False), ax, -1)
    rows = np.ascontiguousarray(moved.reshape(-1, moved.shape[-1]))
    k, m = row_max(rows)
    _reject_bad_rows(func, "x", m)
    e, s = shifted_exp(rows, k, m)

    def restore(values: NDArray[Any]) -> NDArray[Any]:
        return np.moveaxis(values.reshape(moved.shape), -1, ax).astype(arr.dtype, copy=False)

    return rows, k, m, e, s, restore


def softmax(x: ArrayLike, axis: int = -1) -> NDArray[Any]:
    r"""Softmax along ``axis``: :math:`p_j = e^{x_j} / \sum_i e^{x_i}`.

    Computed as :math:`e^{x_j - m} / (1 + s)` with :math:`m` the maximum and :math:`s` the sum of
    the other shifted exponentials, so nothing overflows and no row becomes 0/0. An entry's
    relative error is about :math:`|x_j - m| + 3` units of roundoff (the exponential amplifies the
    rounding of :math:`x_j - m`) as long as it is a normal number; entries that underflow into
    the subnormal range lose relative accuracy, and :func:`log_softmax` keeps it there.

    Parameters
    ----------
    x : array_like
        Logits, at least one-dimensional.
    axis : int, optional
        The class axis (default: the last). Unlike :func:`scipy.special.softmax`, whose default is
        to normalize over all entries, the default here is the last axis; for the same ``axis``
        the values agree up to rounding.

    Returns
    -------
    ndarray
        Probabilities of the same shape and float dtype as ``x``.

    Raises
    ------
    ValueError
        If ``x`` contains ``nan`` or ``+inf``, or a slice along ``axis`` is entirely ``-inf``
        (softmax is 0/0 there). ``-inf`` entries elsewhere get probability 0.

    See Also
    --------
    log_softmax : the logarithm, accurate where the probabilities underflow.
    scipy.special.softmax : the same values for the same ``axis``, up to rounding.

    Notes
    -----
    A zero-length ``axis`` (no classes) gives an empty array of the input's shape, as
    ``torch.softmax`` does; :func:`scipy.special.softmax` raises there instead. There is no
    entry whose value could be undefined, so xentbook follows PyTorch.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import softmax
    >>> with np.printoptions(precision=4):
    ...     print(repr(softmax([1000.0, 1000.0, 999.0])))
    array([0.4223, 0.4223, 0.1554])
    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     naive = np.exp([1000.0, 1000.0]) / np.exp([1000.0, 1000.0]).sum()
    >>> naive
    array([nan, nan])
    """
    arr = float_array("softmax", "x", x, min_ndim=1)
    ax = check_axis("softmax", axis, arr.ndim)
    if arr.shape[ax] == 0:
        return arr.copy()  # no classes: an empty result, as in PyTorch
    rows, k, _, p, s, restore = _softmax_parts("softmax", arr, ax)
    p[np.arange(rows.shape[0]), k] = 1
    p /= (1 + s)[:, None]
    return restore(p)


def log_softmax(x: ArrayLike, axis: int = -1) -> NDArray[Any]:
    r"""Log-softmax along ``axis``: :math:`\log p_j = x_j - \operatorname{logsumexp}(x)`.

    Computed as :math:`(x_j - m) - \operatorname{log1p}(s)`, a sum of two non-positive terms, so
    there is no cancellation: the log-probability of a confident prediction such as
    :math:`-4.2 \times 10^{-18}` survives instead of rounding to zero.

    Parameters
    ----------
    x : array_like
        Logits, at least one-dimensional.
    axis : int, optional
        The class axis (default: the last).

    Returns
    -------
    ndarray
        Log-probabilities: for the same axis, the values of :func:`scipy.special.log_softmax` up
        to rounding, except that a log-probability SciPy rounds to 0 (such as
        :math:`-8.5 \times 10^{-18}` for the logits ``(40, 0, 0)``) keeps its value here.

    Raises
    ------
    ValueError
        If ``x`` contains ``nan`` or ``+inf``, or a slice along ``axis`` is entirely ``-inf``.
        Other ``-inf`` entries give ``-inf``.

    See Also
    --------
    softmax : the probabilities themselves.
    logsumexp : the normalizer.
    cross_entropy : the loss built on it.

    Notes
    -----
    A zero-length ``axis`` gives an empty array, as in PyTorch (SciPy raises); see
    :func:`softmax`.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import log_softmax
    >>> log_softmax([1000.0, 1.0])
    array([   0., -999.])
    >>> print(log_softmax([40.0, 0.0])[0])
    -4.248354255291589e-18
    >>> # naive: rounds to zero
    >>> print(np.log(np.exp(0.0) / (np.exp(0.0) + np.exp(-40.0))))
    0.0
    """
    arr = float_array("log_softmax", "x", x, min_ndim=1)
    ax = check_axis("log_softmax", axis, arr.ndim)
    if arr.shape[ax] == 0:
        return arr.copy()  # no classes: an empty result, as in PyTorch
    rows, _, m, out, s, restore = _softmax_parts("log_softmax", arr, ax)
    np.subtract(rows, m[:, None], out=out)  # reuse the buffer; m is finite here
    out -= np.log1p(s)[:, None]
    return restore(out)


def softplus(x: ArrayLike) -> Any:
    r"""Softplus :math:`\log(1 + e^{x})`, as :math:`\max(x, 0) + \operatorname{log1p}(e^{-|x|})`.

    Parameters
    ----------
    x : array_like
        Real input (nan raises ``ValueError``; ``-inf`` gives 0 and ``+inf`` gives ``+inf``).

    Returns
    -------
    ndarray or numpy scalar
        The same shape and float dtype as ``x`` (float16 is computed in float32).

    Raises
    ------
    ValueError
        If ``x`` contains ``nan``.
    TypeError
        If ``x`` is not a real numeric array (complex, boolean, string, masked, or a torch
        tensor that requires grad).

    See Also
    --------
    log_sigmoid : :math:`-\operatorname{softplus}(-x)`.
    binary_cross_entropy_with_logits : the loss written with two softplus terms.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import softplus
    >>> print(softplus(1000.0), softplus(-40.0))
    1000.0 4.248354255291589e-18
    >>> with np.errstate(over="ignore"):
    ...     print(np.log(1 + np.exp(1000.0)))  # naive: overflows
    inf
    """
    arr = float_array("softplus", "x", x)
    check_no_nan("softplus", "x", arr)
    return _softplus(arr)[()]


def _softplus(arr: NDArray[Any]) -> NDArray[Any]:
    """Softplus of a validated array; the caller has ruled out ``nan``."""
    dtype = working_dtype(arr)
    a = arr.astype(dtype, copy=False)
    with np.errstate(invalid="ignore"):  # inf - inf never happens: -|x| is finite or -inf
        out: NDArray[Any] = np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))
    return out.astype(arr.dtype, copy=False)


def log_sigmoid(x: ArrayLike) -> Any:
    r"""Logarithm of the logistic sigmoid, :math:`\log \sigma(x) = -\operatorname{softplus}(-x)`.

    Parameters
    ----------
    x : array_like
        Real input (``nan`` raises ``ValueError``; ``-inf`` gives ``-inf``, ``+inf`` gives 0).

    Returns
    -------
    ndarray or numpy scalar
        :math:`\log \sigma(x) \le 0`, the same shape and float dtype as ``x``.

    Raises
    ------
    ValueError
        If ``x`` contains ``nan``.
    TypeError
        If ``x`` is not a real numeric array (complex, boolean, string, masked, or a torch
        tensor that requires grad).

    See Also
    --------
    sigmoid, softplus

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import log_sigmoid
    >>> print(log_sigmoid(-1000.0), log_sigmoid(40.0))
    -1000.0 -4.248354255291589e-18

    The naive logarithm of a computed sigmoid loses both: :math:`\sigma(-1000)` underflows to
    0 and :math:`\sigma(40)` rounds to 1.

    >>> with np.errstate(over="ignore", divide="ignore"):
    ...     print(np.log(1 / (1 + np.exp(1000.0))), np.log(1 / (1 + np.exp(-40.0))))
    -inf 0.0
    """
    arr = float_array("log_sigmoid", "x", x)
    check_no_nan("log_sigmoid", "x", arr)
    return (-_softplus(-arr))[()]


def sigmoid(x: ArrayLike) -> Any:
    r"""The logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, without overflow warnings.

    Computed as :math:`e^{\min(x,0)} / (1 + e^{-|x|})`, exact to a few ulp for every real ``x``.

    Parameters
    ----------
    x : array_like
        Real input (``nan`` raises ``ValueError``).

    Returns
    -------
    ndarray or numpy scalar
        :math:`\sigma(x) \in [0, 1]`, the same shape and float dtype as ``x``.

    Raises
    ------
    ValueError
        If ``x`` contains ``nan``.
    TypeError
        If ``x`` is not a real numeric array (complex, boolean, string, masked, or a torch
        tensor that requires grad).

    See Also
    --------
    log_sigmoid : its logarithm, accurate where :math:`\sigma` underflows or rounds to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import sigmoid
    >>> print(sigmoid(0.0), sigmoid(-800.0), sigmoid(800.0))
    0.5 0.0 1.0

    The naive formula overflows in :math:`e^{800}` on the way (numpy warns):

    >>> with np.errstate(over="raise"):
    ...     try:
    ...         1 / (1 + np.exp(800.0))
    ...     except FloatingPointError as err:
    ...         print(err)
    overflow encountered in exp
    """
    arr = float_array("sigmoid", "x", x)
    check_no_nan("sigmoid", "x", arr)
    a = arr.astype(working_dtype(arr), copy=False)
    out: NDArray[Any] = np.exp(np.minimum(a, 0)) / (1 + np.exp(-np.abs(a)))
    return out.astype(arr.dtype, copy=False)[()]
