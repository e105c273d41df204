r"""Fitting distributions: empirical distributions, Gaussian likelihoods and KL fits on a grid.

The tools behind the book's chapters on KL divergence and maximum likelihood:

* :func:`empirical_distribution`, the class frequencies of a sample, whose cross-entropy with a
  model is the model's mean negative log-likelihood;
* :func:`gaussian_nll`, the Gaussian negative log-likelihood, which is the mean squared error
  up to a scale and a constant;
* :func:`gaussian_logpdf`, :func:`gaussian_mixture_logpdf`, :func:`kl_divergence_on_grid` and
  :func:`fit_gaussian_kl`, which fit one Gaussian to a density tabulated on a grid by minimizing
  either the forward or the reverse KL divergence, with numpy alone and deterministically.

Densities are handled through their logarithms, so that far tails that underflow to zero as
densities still carry their (finite) log-density.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._reduction import reduce_losses
from xentbook._validation import (
    Reduction,
    broadcastable,
    check_finite,
    check_reduction,
    check_same_shape,
    class_indices,
    float_array,
    integer,
    integer_dtype_array,
    working_dtype,
)
from xentbook.primitives import logsumexp

__all__ = [
    "GaussianFit",
    "empirical_distribution",
    "fit_gaussian_kl",
    "gaussian_logpdf",
    "gaussian_mixture_logpdf",
    "gaussian_nll",
    "kl_divergence_on_grid",
]

_LOG_2PI = float(np.log(2 * np.pi))


def _positive(func: str, name: str, arr: NDArray[Any]) -> None:
    bad = ~(np.isfinite(arr) & (arr > 0))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{func}: {name} must be positive and finite, got {arr[where]!r} at index {where}"
        )


def empirical_distribution(labels: ArrayLike, num_classes: int) -> NDArray[np.float64]:
    r"""Empirical distribution of a sample of class labels: the frequency of each class.

    The empirical distribution puts mass :math:`1/N` on each observation,

    .. math::

        \hat p(c) = \frac{1}{N} \sum_{n=1}^{N} [\, y_n = c \,], \qquad c = 0, \dots, C - 1,

    the discrete form of :math:`\frac{1}{N}\sum_n \delta(y - y_n)`. Its cross-entropy with a
    model :math:`q`, :math:`H(\hat p, q) = -\frac1N \sum_n \log q(y_n)`, is the model's mean
    negative log-likelihood on the sample.

    Parameters
    ----------
    labels : array_like of int
        Class indices in :math:`\{0, \dots, C-1\}`, any shape (all entries are counted).
    num_classes : int
        The number of classes :math:`C` (classes absent from the sample get frequency 0).

    Returns
    -------
    ndarray of float64, shape (num_classes,)
        Non-negative frequencies summing to one.

    Raises
    ------
    TypeError
        If ``labels`` is not an integer array or ``num_classes`` not an integer.
    ValueError
        If ``labels`` is empty or ``num_classes`` is not positive.
    IndexError
        If a label lies outside :math:`[0, C)`.

    Examples
    --------
    >>> from xentbook.book import empirical_distribution
    >>> print(empirical_distribution([0, 2, 2, 1, 2], num_classes=4))
    [0.2 0.2 0.6 0. ]
    """
    func = "empirical_distribution"
    num_classes = integer(func, "num_classes", num_classes, 1, below_minimum="positive")
    arr = integer_dtype_array(func, "labels", labels)
    if arr.size == 0:
        raise ValueError(f"{func}: labels is empty, so it has no empirical distribution")
    flat, _ = class_indices(func, "labels", arr.reshape(-1), (arr.size,), num_classes)
    counts = np.bincount(flat, minlength=num_classes)
    return counts / flat.size


def gaussian_nll(
    input: ArrayLike, target: ArrayLike, sigma: ArrayLike = 1.0, reduction: Reduction = "mean"
) -> Any:
    r"""Negative log-likelihood of targets under Gaussians centred on the predictions.

    .. math::

        \ell_n = -\log \mathcal N(y_n;\, \hat y_n, \sigma^2)
               = \frac{(y_n - \hat y_n)^2}{2\sigma^2} + \frac12 \log(2\pi\sigma^2),

    so that with a fixed :math:`\sigma` the mean loss is
    :math:`\mathrm{MSE}/(2\sigma^2) + \frac12\log(2\pi\sigma^2)`: minimizing it is minimizing the
    mean squared error. Equal to ``torch.nn.functional.gaussian_nll_loss(input, target,
    var=sigma**2, full=True)`` (which, unlike this function, also clamps the variance below).

    Parameters
    ----------
    input : array_like
        Predicted means :math:`\hat y`.
    target : array_like
        Observations :math:`y`, same shape as ``input``.
    sigma : array_like, optional
        Standard deviation(s), positive, broadcastable to the input's shape (default 1).
    reduction : {'mean', 'sum', 'none'}, optional
        How to combine the elementwise losses.

    Returns
    -------
    numpy scalar or ndarray
        The reduced loss as a numpy scalar, or the elementwise losses with
        ``reduction='none'``; in the input's float dtype (float16 is computed in float32).

    Raises
    ------
    ValueError
        If ``input`` and ``target`` differ in shape, a value is not finite, ``sigma`` is not
        positive or does not broadcast, or ``reduction`` is unknown.
    TypeError
        If an array argument is not real and numeric (complex, string, masked, or a torch
        tensor that requires grad).

    See Also
    --------
    mse : the loss this one reduces to for a fixed ``sigma``.
    torch.nn.functional.gaussian_nll_loss : with ``full=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import gaussian_nll, mse
    >>> y_hat, y = [0.5, 2.0], [1.0, 1.0]
    >>> print(f"{gaussian_nll(y_hat, y):.6f}")
    1.231439
    >>> print(f"{mse(y_hat, y) / 2 + 0.5 * np.log(2 * np.pi):.6f}")
    1.231439
    """
    func = "gaussian_nll"
    x = float_array(func, "input", input)
    out_dtype = x.dtype
    dtype = working_dtype(x)
    x = x.astype(dtype, copy=False)
    y = float_array(func, "target", target).astype(dtype, copy=False)
    s = float_array(func, "sigma", sigma).astype(dtype, copy=False)
    reduction = check_reduction(func, reduction)
    check_same_shape(func, "input", x, "target", y)
    check_finite(func, "input", x)
    check_finite(func, "target", y)
    _positive(func, "sigma", s)
    s = broadcastable(func, "sigma", s, x.shape)
    loss = 0.5 * ((y - x) / s) ** 2 + np.log(s) + dtype.type(0.5 * _LOG_2PI)
    return reduce_losses(func, loss, reduction, out_dtype)


def gaussian_logpdf(x: ArrayLike, mu: ArrayLike = 0.0, sigma: ArrayLike = 1.0) -> Any:
    r"""Logarithm of the normal density, :math:`\log \mathcal N(x; \mu, \sigma^2)`.

    .. math::

        \log \mathcal N(x; \mu, \sigma^2) = -\frac{(x - \mu)^2}{2\sigma^2} - \log \sigma
        - \frac12 \log 2\pi .

    Parameters
    ----------
    x : array_like
        Points at which to evaluate the log-density.
    mu, sigma : array_like, optional
        Mean and standard deviation (positive); ``x``, ``mu`` and ``sigma`` broadcast together.

    Returns
    -------
    ndarray or scalar
        In the dtype of ``x`` (float16 is computed in float32; integers give float64).

    Examples
    --------
    >>> from xentbook.book import gaussian_logpdf
    >>> print(f"{gaussian_logpdf(0.0):.6f} {gaussian_logpdf(3.0, mu=1.0, sigma=2.0):.6f}")
    -0.918939 -2.112086
    """
    func = "gaussian_logpdf"
    xa = float_array(func, "x", x)
    out_dtype = xa.dtype
    dtype = working_dtype(xa)
    xa = xa.astype(dtype, copy=False)
    m = float_array(func, "mu", mu).astype(dtype, copy=False)
    s = float_array(func, "sigma", sigma).astype(dtype, copy=False)
    check_finite(func, "x", xa)
    check_finite(func, "mu", m)
    _positive(func, "sigma", s)
    try:
        shape = np.broadcast_shapes(xa.shape, m.shape, s.shape)
    except ValueError as exc:
        raise ValueError(
            f"{func}: x, mu and sigma of shapes {xa.shape}, {m.shape}, {s.shape} do not broadcast"
        ) from exc
    out = -0.5 * ((xa - m) / s) ** 2 - np.log(s) - dtype.type(0.5 * _LOG_2PI)
    return np.broadcast_to(out, shape).astype(out_dtype)[()]


def gaussian_mixture_logpdf(
    x: ArrayLike, weights: ArrayLike, means: ArrayLike, sigmas: ArrayLike
) -> Any:
    r"""Log-density of a one-dimensional mixture of Gaussians, computed with log-sum-exp.

    .. math::

        \log p(x) = \log \sum_{k} w_k\, \mathcal N(x; \mu_k, \sigma_k^2)
                  = \operatorname{logsumexp}_k \bigl[\log w_k + \log \mathcal N(x; \mu_k,
                  \sigma_k^2)\bigr],

    which stays finite (and accurate) far in the tails, where every density underflows to 0.

    Parameters
    ----------
    x : array_like
        Points at which to evaluate the log-density (any shape).
    weights : array_like, shape (K,)
        Mixture weights, non-negative and summing to one.
    means, sigmas : array_like, shape (K,)
        Component means and standard deviations (positive).

    Returns
    -------
    ndarray or scalar
        Same shape as ``x``, in its dtype (float16 is computed in float32).

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import gaussian_mixture_logpdf
    >>> lp = gaussian_mixture_logpdf([0.0, 40.0], [0.5, 0.5], [-2.0, 2.0], [1.0, 1.0])
    >>> print(np.array2string(lp, precision=4))
    [  -2.9189 -723.6121]
    """
    func = "gaussian_mixture_logpdf"
    xa = float_array(func, "x", x)
    out_dtype = xa.dtype
    dtype = working_dtype(xa)
    xa = xa.astype(dtype, copy=False)
    check_finite(func, "x", xa)
    w = float_array(func, "weights", weights, min_ndim=1).astype(dtype, copy=False)
    m = float_array(func, "means", means, min_ndim=1).astype(dtype, copy=False)
    s = float_array(func, "sigmas", sigmas, min_ndim=1).astype(dtype, copy=False)
    for name, arr in (("weights", w), ("means", m), ("sigmas", s)):
        if arr.ndim != 1 or arr.shape != w.shape or arr.size == 0:
            raise ValueError(
                f"{func}: weights, means and sigmas must be non-empty 1-d arrays of one length, "
                f"got {name} of shape {arr.shape} (weights has shape {w.shape})"
            )
    check_finite(func, "means", m)
    _positive(func, "sigmas", s)
    if not ((w >= 0) & np.isfinite(w)).all():
        i = int(np.flatnonzero(~((w >= 0) & np.isfinite(w)))[0])
        raise ValueError(f"{func}: weights must be finite and >= 0, got {w[i]!r} at index {i}")
    if abs(float(np.sum(w, dtype=np.float64)) - 1) > 16 * np.finfo(dtype).eps * w.size:
        raise ValueError(
            f"{func}: weights must sum to 1, got a sum of {float(np.sum(w, dtype=np.float64))!r}"
        )
    with np.errstate(divide="ignore"):  # a zero weight is a component that is not there
        log_w = np.log(w)
    terms = log_w - 0.5 * ((xa[..., None] - m) / s) ** 2 - np.log(s) - dtype.type(0.5 * _LOG_2PI)
    out = logsumexp(terms, axis=-1)
    return np.asarray(out, dtype=out_dtype)[()]


def kl_divergence_on_grid(log_p: ArrayLike, log_q: ArrayLike) -> Any:
    r"""KL divergence :math:`D_{\mathrm{KL}}(p \,\|\, q)` of two densities on one uniform grid.

    Each density is turned into a discrete distribution on the grid points,
    :math:`P_i = p(x_i) / \sum_j p(x_j)` (the grid spacing cancels), and

    .. math::

        D_{\mathrm{KL}}(P \,\|\, Q) = \sum_i P_i \,(\log P_i - \log Q_i) \;\ge\; 0,

    which tends to :math:`\int p \log(p/q)\,dx` as the grid gets finer and wider. Working with
    log-densities, normalized by log-sum-exp, keeps tail points whose densities underflow.

    Parameters
    ----------
    log_p, log_q : array_like
        Log-densities (unnormalized is fine) at the points of one uniform grid, along the last
        axis; they broadcast against each other, so ``log_q`` of shape ``(K, M)`` gives the
        divergences of ``K`` candidate models at once. ``-inf`` marks a zero density.

    Returns
    -------
    ndarray or scalar
        Non-negative divergences in nats; ``inf`` when :math:`q` vanishes where :math:`p` does
        not.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import gaussian_logpdf, kl_divergence_on_grid
    >>> x = np.linspace(-12.0, 12.0, 2001)
    >>> log_p, log_q = gaussian_logpdf(x, 0.0, 1.0), gaussian_logpdf(x, 1.0, 2.0)
    >>> kl = kl_divergence_on_grid(log_p, log_q)
    >>> print(f"{kl:.6f}")  # exact value: log 2 + (1 + 1) / 8 - 1/2
    0.443147
    """
    func = "kl_divergence_on_grid"
    lp = float_array(func, "log_p", log_p, min_ndim=1)
    lq = float_array(func, "log_q", log_q, min_ndim=1)
    dtype = np.result_type(working_dtype(lp), working_dtype(lq))
    lp, lq = lp.astype(dtype, copy=False), lq.astype(dtype, copy=False)
    for name, arr in (("log_p", lp), ("log_q", lq)):
        bad = np.isnan(arr) | (arr == np.inf)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"{func}: {name} must hold log-densities (finite or -inf), got {arr[where]!r} "
                f"at index {where}"
            )
        if np.all(arr == -np.inf, axis=-1).any():
            raise ValueError(f"{func}: {name} is -inf at every grid point (a zero density)")
    if lp.shape[-1] != lq.shape[-1]:
        raise ValueError(
            f"{func}: log_p and log_q must be tabulated on the same grid, got last axes of "
            f"lengths {lp.shape[-1]} and {lq.shape[-1]}"
        )
    try:
        np.broadcast_shapes(lp.shape, lq.shape)
    except ValueError as exc:
        raise ValueError(
            f"{func}: log_p of shape {lp.shape} and log_q of shape {lq.shape} do not broadcast"
        ) from exc
    lp = lp - logsumexp(lp, axis=-1, keepdims=True)
    lq = lq - logsumexp(lq, axis=-1, keepdims=True)
    p = np.exp(lp)
    # Terms with P_i = 0 are 0 (including where both densities vanish and the log-ratio is
    # undefined); the rest are finite, or +inf where q vanishes alone.
    with np.errstate(invalid="ignore"):
        terms = np.where(p > 0, p * (lp - lq), 0)
    return np.maximum(terms.sum(axis=-1), 0).astype(dtype, copy=False)[()]


class GaussianFit(NamedTuple):
    """Result of :func:`fit_gaussian_kl`: the fitted mean and standard deviation and the KL."""

    mu: float
    sigma: float
    divergence: float


def fit_gaussian_kl(
    x: ArrayLike,
    log_p: ArrayLike,
    direction: str = "forward",
    *,
    num: int = 31,
    rounds: int = 8,
) -> GaussianFit:
    r"""Fit one Gaussian :math:`q = \mathcal N(\mu, \sigma^2)` to a density :math:`p` on a grid.

    Minimizes, over :math:`(\mu, \sigma)`, either the forward or the reverse KL divergence,

    .. math::

        \text{forward: } D_{\mathrm{KL}}(p \,\|\, q) = \int p \log\frac{p}{q}\,dx, \qquad
        \text{reverse: } D_{\mathrm{KL}}(q \,\|\, p) = \int q \log\frac{q}{p}\,dx,

    both evaluated by :func:`kl_divergence_on_grid`. The forward fit is *mode-covering*: its
    minimizer matches the mean and variance of :math:`p`. The reverse fit is *mode-seeking*: it
    avoids regions where :math:`p` is small and settles on one mode.

    The optimizer is a deterministic grid search: ``num`` values of :math:`\mu` across the grid
    times ``num`` values of :math:`\log\sigma` from twice the grid spacing to the grid's width,
    then ``rounds - 1`` refinements, each on a ``num`` by ``num`` grid spanning two steps of the
    previous one on either side of its best point. It finds the global minimum whenever the first
    grid is fine enough to place a point in its basin (ties go to the smaller :math:`\mu`).

    Parameters
    ----------
    x : array_like, shape (M,)
        A uniform, increasing grid that holds essentially all of the mass of :math:`p` and of the
        candidate Gaussians (a grid that truncates a candidate's tail biases the fit).
    log_p : array_like, shape (M,)
        Log-density of :math:`p` at ``x`` (unnormalized is fine).
    direction : {'forward', 'reverse'}, optional
        Which divergence to minimize.
    num : int, optional
        Points per parameter in each search grid (at least 5).
    rounds : int, optional
        Number of search grids (at least 1); each shrinks the step by a factor of about
        ``num / 4``.

    Returns
    -------
    GaussianFit
        Named tuple ``(mu, sigma, divergence)`` of Python floats.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import fit_gaussian_kl, gaussian_mixture_logpdf
    >>> x = np.linspace(-12.0, 12.0, 1201)
    >>> log_p = gaussian_mixture_logpdf(x, [0.7, 0.3], [-2.0, 2.0], [0.6, 0.6])
    >>> fwd = fit_gaussian_kl(x, log_p, "forward")
    >>> print(f"{fwd.mu:.4f} {fwd.sigma:.4f}")  # mean -0.8, sd sqrt(0.36 + 16 * 0.21)
    -0.8000 1.9287
    >>> rev = fit_gaussian_kl(x, log_p, "reverse")
    >>> print(f"{rev.mu:.3f} {rev.sigma:.3f}")  # close to the heavier mode, N(-2, 0.6**2)
    -1.998 0.603
    """
    func = "fit_gaussian_kl"
    if direction not in ("forward", "reverse"):
        raise ValueError(f"{func}: direction must be 'forward' or 'reverse', got {direction!r}")
    num, rounds = integer(func, "num", num, 5), integer(func, "rounds", rounds, 1)
    xa = float_array(func, "x", x, min_ndim=1).astype(np.float64)
    lp = float_array(func, "log_p", log_p, min_ndim=1).astype(np.float64)
    if xa.ndim != 1 or xa.size < 3:
        raise ValueError(f"{func}: x must be a 1-d grid of at least 3 points, got shape {xa.shape}")
    if lp.shape != xa.shape:
        raise ValueError(f"{func}: log_p must have the shape of x, got {lp.shape} and {xa.shape}")
    check_finite(func, "x", xa)
    step = np.diff(xa)
    if not (step > 0).all() or np.ptp(step) > 1e-6 * step.mean():
        raise ValueError(f"{func}: x must be a uniform, increasing grid")
    width = xa[-1] - xa[0]

    def objective(mus: NDArray[np.float64], log_sigmas: NDArray[np.float64]) -> NDArray[Any]:
        mm, ll = np.meshgrid(mus, log_sigmas, indexing="ij")
        log_q = gaussian_logpdf(xa, mm.reshape(-1, 1), np.exp(ll).reshape(-1, 1))
        pair = (lp, log_q) if direction == "forward" else (log_q, lp)
        values: NDArray[Any] = kl_divergence_on_grid(*pair).reshape(mm.shape)
        return values

    mu_lo, mu_hi = xa[0], xa[-1]
    ls_lo, ls_hi = np.log(2 * step.mean()), np.log(width)
    best = (0.0, 0.0, np.inf)
    for _ in range(rounds):
        mus = np.linspace(mu_lo, mu_hi, num)
        log_sigmas = np.linspace(ls_lo, ls_hi, num)
        values = objective(mus, log_sigmas)
        i, j = np.unravel_index(int(np.argmin(values)), values.shape)
        best = (float(mus[i]), float(log_sigmas[j]), float(values[i, j]))
        dm, dl = 2 * (mus[1] - mus[0]), 2 * (log_sigmas[1] - log_sigmas[0])
        mu_lo, mu_hi = max(mus[i] - dm, xa[0]), min(mus[i] + dm, xa[-1])
        ls_lo, ls_hi = log_sigmas[j] - dl, log_sigmas[j] + dl
    return GaussianFit(best[0], float(np.exp(best[1])), best[2])
