r"""Helpers of chapter 3: total variation, local minima of a Gaussian fit by KL, float32 KL."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook.fitting import GaussianFit, gaussian_logpdf, kl_divergence_on_grid
from xentbook.information import kl_divergence
from xentbook.primitives import log_softmax, softmax

__all__ = [
    "gaussian_kl_landscape",
    "kl_float32_estimates",
    "local_minima_gaussian_kl",
    "stein_threshold_exponents",
    "total_variation",
]


def total_variation(p: ArrayLike, q: ArrayLike, axis: int = -1) -> Any:
    r"""Total variation distance :math:`\tfrac12 \sum_i |p_i - q_i|` of two distributions.

    .. math::

        \operatorname{TV}(p, q) = \max_A |p(A) - q(A)| = \frac12 \sum_i |p_i - q_i| ,

    the largest difference between the probabilities the two distributions give to one event
    (the maximum is attained by :math:`A = \{i : p_i > q_i\}`). It lies in :math:`[0, 1]`, is
    symmetric and obeys the triangle inequality.

    Parameters
    ----------
    p, q : array_like
        Distributions along ``axis`` (non-negative, summing to one), of one shape.
    axis : int, optional
        The axis holding each distribution (default: the last).

    Returns
    -------
    ndarray or scalar
        The distance of each pair.

    Raises
    ------
    ValueError
        If the shapes differ, or an entry is negative or not finite, or a slice does not sum to
        one within ``1e-9``.

    See Also
    --------
    xentbook.kl_divergence : bounds the distance through Pinsker's inequality,
        :math:`\operatorname{TV} \le \sqrt{D_{\mathrm{KL}} / 2}`.

    Examples
    --------
    >>> from xentbook.book import total_variation
    >>> print(f"{total_variation([0.5, 0.5], [0.9, 0.1]):.4f}")
    0.4000
    """
    func = "total_variation"
    pa = np.asarray(p, dtype=np.float64)
    qa = np.asarray(q, dtype=np.float64)
    if pa.shape != qa.shape or pa.ndim == 0:
        raise ValueError(
            f"{func}: p and q must be arrays of one shape, got {pa.shape} and {qa.shape}"
        )
    for name, arr in (("p", pa), ("q", qa)):
        if not (np.isfinite(arr) & (arr >= 0)).all():
            raise ValueError(f"{func}: {name} must hold finite, non-negative probabilities")
        total = arr.sum(axis=axis)
        if not np.allclose(total, 1.0, rtol=0, atol=1e-9):
            raise ValueError(f"{func}: {name} must sum to 1 along axis {axis}, got {total!r}")
    return (0.5 * np.abs(pa - qa).sum(axis=axis))[()]


def gaussian_kl_landscape(
    x: ArrayLike, log_p: ArrayLike, mu: ArrayLike, sigma: ArrayLike, direction: str = "reverse"
) -> Any:
    r"""KL divergence between a density and each Gaussian :math:`\mathcal N(\mu, \sigma^2)`.

    Returns :math:`D_{\mathrm{KL}}(q \,\|\, p)` (``"reverse"``) or
    :math:`D_{\mathrm{KL}}(p \,\|\, q)` (``"forward"``) for every pair of ``mu`` and ``sigma``,
    with both densities tabulated on the grid ``x`` and compared by
    :func:`xentbook.book.kl_divergence_on_grid`.

    Parameters
    ----------
    x : array_like, shape (M,)
        A uniform grid holding essentially all the mass of :math:`p` and of every candidate.
    log_p : array_like, shape (M,)
        Log-density of :math:`p` on ``x`` (unnormalized is fine).
    mu : array_like, shape (A,)
        Means of the candidates.
    sigma : array_like, shape (B,)
        Standard deviations of the candidates (positive).
    direction : {'reverse', 'forward'}, optional
        Which divergence.

    Returns
    -------
    ndarray, shape (A, B)
        Entry ``[i, j]`` is the divergence for ``mu[i]`` and ``sigma[j]``, in nats.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import gaussian_kl_landscape, gaussian_logpdf
    >>> x = np.linspace(-12.0, 12.0, 2001)
    >>> d = gaussian_kl_landscape(x, gaussian_logpdf(x, 0.0, 1.0), [0.0, 1.0], [1.0, 2.0])
    >>> print(d.round(4))  # D(N(mu, s^2) || N(0, 1)) = -log s + (s^2 + mu^2) / 2 - 1/2
    [[0.     0.8069]
     [0.5    1.3069]]
    """
    func = "gaussian_kl_landscape"
    if direction not in ("forward", "reverse"):
        raise ValueError(f"{func}: direction must be 'forward' or 'reverse', got {direction!r}")
    xa = np.asarray(x, dtype=np.float64)
    lp = np.asarray(log_p, dtype=np.float64)
    mus = np.asarray(mu, dtype=np.float64).reshape(-1)
    sigmas = np.asarray(sigma, dtype=np.float64).reshape(-1)
    if xa.ndim != 1 or lp.shape != xa.shape:
        raise ValueError(f"{func}: x and log_p must be 1-d arrays of one length")
    if not (np.isfinite(sigmas) & (sigmas > 0)).all():
        raise ValueError(f"{func}: sigma must hold positive, finite standard deviations")
    mm, ss = np.meshgrid(mus, sigmas, indexing="ij")
    log_q = gaussian_logpdf(xa, mm.reshape(-1, 1), ss.reshape(-1, 1))
    if direction == "reverse":
        values = kl_divergence_on_grid(log_q, lp)
    else:
        values = kl_divergence_on_grid(lp, log_q)
    return np.asarray(values).reshape(mm.shape)


def local_minima_gaussian_kl(
    x: ArrayLike,
    log_p: ArrayLike,
    mu: ArrayLike,
    sigma: ArrayLike,
    direction: str = "reverse",
    *,
    rounds: int = 8,
) -> list[GaussianFit]:
    r"""Every local minimum of the KL divergence over Gaussians :math:`\mathcal N(\mu, \sigma^2)`.

    The divergence is first evaluated on the grid ``mu`` times ``sigma``
    (:func:`gaussian_kl_landscape`); each grid point lower than its eight neighbours is a
    candidate. Each candidate is then refined by a local search: ``rounds`` grids of 11 by 11
    points, each spanning one step of the previous grid on either side of its best point (in
    :math:`\mu` and :math:`\log\sigma`). A basin narrower than the first grid's step can be
    missed; a minimum on the grid's edge is not reported.

    Parameters
    ----------
    x, log_p : array_like, shape (M,)
        The grid and the log-density of :math:`p`, as for :func:`gaussian_kl_landscape`.
    mu, sigma : array_like
        Increasing grids of means and of standard deviations (``sigma`` log-spaced works best).
    direction : {'reverse', 'forward'}, optional
        Which divergence.
    rounds : int, optional
        Refinement grids per candidate (at least 1).

    Returns
    -------
    list of GaussianFit
        ``(mu, sigma, divergence)`` of each local minimum, lowest divergence first.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import gaussian_mixture_logpdf, local_minima_gaussian_kl
    >>> x = np.linspace(-12.0, 12.0, 801)
    >>> log_p = gaussian_mixture_logpdf(x, [0.5, 0.5], [-3.0, 3.0], [0.5, 0.5])
    >>> mus, sigmas = np.linspace(-5, 5, 41), np.geomspace(0.2, 5, 30)
    >>> fits = local_minima_gaussian_kl(x, log_p, mus, sigmas)
    >>> # one bell per mode and one wide, in order of their means
    >>> print(sorted((round(f.mu, 2), round(f.sigma, 2)) for f in fits))
    [(-3.0, 0.5), (0.0, 2.49), (3.0, 0.5)]
    """
    func = "local_minima_gaussian_kl"
    if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 1:
        raise ValueError(f"{func}: rounds must be a positive integer, got {rounds!r}")
    mus = np.asarray(mu, dtype=np.float64).reshape(-1)
    sigmas = np.asarray(sigma, dtype=np.float64).reshape(-1)
    if mus.size < 3 or sigmas.size < 3 or (np.diff(mus) <= 0).any() or (np.diff(sigmas) <= 0).any():
        raise ValueError(f"{func}: mu and sigma must be increasing grids of at least 3 values")
    values = gaussian_kl_landscape(x, log_p, mus, sigmas, direction)
    padded = np.pad(values, 1, constant_values=np.inf)
    inner = padded[1:-1, 1:-1]
    is_min = np.ones(values.shape, dtype=bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                shifted = padded[
                    1 + di : padded.shape[0] - 1 + di, 1 + dj : padded.shape[1] - 1 + dj
                ]
                is_min &= inner < shifted
    is_min[[0, -1], :] = False
    is_min[:, [0, -1]] = False
    fits = []
    for i, j in zip(*np.nonzero(is_min), strict=True):
        m, ls = float(mus[i]), float(np.log(sigmas[j]))
        dm = 0.5 * (mus[i + 1] - mus[i - 1])
        dl = 0.5 * (np.log(sigmas[j + 1]) - np.log(sigmas[j - 1]))
        best = float(values[i, j])
        for _ in range(rounds):
            cand_m = np.linspace(m - dm, m + dm, 11)
            cand_l = np.linspace(ls - dl, ls + dl, 11)
            local = gaussian_kl_landscape(x, log_p, cand_m, np.exp(cand_l), direction)
            a, b = np.unravel_index(int(np.argmin(local)), local.shape)
            m, ls, best = float(cand_m[a]), float(cand_l[b]), float(local[a, b])
            dm, dl = 2 * dm / 10, 2 * dl / 10
        fits.append(GaussianFit(m, float(np.exp(ls)), best))
    return sorted(fits, key=lambda fit: fit.divergence)


def kl_float32_estimates(
    z: ArrayLike, direction: ArrayLike, scales: ArrayLike
) -> tuple[NDArray[np.float64], dict[str, NDArray[np.float32]]]:
    r"""Four float32 computations of a small KL divergence between two softmaxes.

    For each scale :math:`s`, :math:`p = \operatorname{softmax}(z)` and
    :math:`q = \operatorname{softmax}(z + s\,d)`. The reference
    :math:`D_{\mathrm{KL}}(p \,\|\, q)` is computed in float64 by
    :func:`xentbook.kl_divergence`; the four estimates start from the float32
    log-probabilities :math:`\log p, \log q` of :func:`xentbook.log_softmax` on the float32
    logits, with :math:`p = e^{\log p}` and :math:`d_i = \log q_i - \log p_i`:

    - ``"CE - H"``: :math:`\sum_i -p_i \log q_i - \sum_i -p_i \log p_i`;
    - ``"direct sum"``: :math:`\sum_i p_i (\log p_i - \log q_i)`;
    - ``"termwise"``: :math:`\sum_i p_i (e^{d_i} - 1 - d_i)`, with ``expm1``;
    - ``"kl_divergence"``: :func:`xentbook.kl_divergence` on :math:`e^{\log p}, e^{\log q}`.

    Parameters
    ----------
    z : array_like, shape (C,)
        Logits of :math:`p` (finite).
    direction : array_like, shape (C,)
        The perturbation :math:`d` of the logits of :math:`q` (finite).
    scales : array_like, shape (S,)
        Positive step sizes :math:`s`.

    Returns
    -------
    divergences : ndarray, shape (S,)
        The float64 reference at each scale.
    estimates : dict of str to ndarray, shape (S,)
        Each float32 computation at each scale, in the order listed above.

    Raises
    ------
    ValueError
        If ``z`` and ``direction`` are not finite 1-d arrays of one length of at least 2, or a
        scale is not positive and finite.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import kl_float32_estimates
    >>> z = np.linspace(-1.0, 1.0, 5)
    >>> exact, est = kl_float32_estimates(z, [1.0, -1.0, 0.0, 0.5, -0.5], [1e-2])
    >>> print(f"{exact[0]:.4e} {est['termwise'][0]:.4e}")
    1.5557e-05 1.5557e-05
    """
    func = "kl_float32_estimates"
    za = np.asarray(z, dtype=np.float64)
    da = np.asarray(direction, dtype=np.float64)
    sa = np.asarray(scales, dtype=np.float64)
    if za.ndim != 1 or za.shape != da.shape or za.size < 2:
        raise ValueError(
            f"{func}: z and direction must be 1-d arrays of one length >= 2, "
            f"got shapes {za.shape} and {da.shape}"
        )
    if not (np.isfinite(za).all() and np.isfinite(da).all()):
        raise ValueError(f"{func}: z and direction must be finite")
    if sa.ndim != 1 or sa.size == 0 or not (np.isfinite(sa) & (sa > 0)).all():
        raise ValueError(f"{func}: scales must be a non-empty 1-d array of positive numbers")
    names = ("CE - H", "direct sum", "termwise", "kl_divergence")
    divergences = np.empty(sa.size)
    estimates = {name: np.empty(sa.size, dtype=np.float32) for name in names}
    log_p = log_softmax(za.astype(np.float32))
    p = np.exp(log_p)
    for k, s in enumerate(sa):
        zb = za + s * da
        divergences[k] = kl_divergence(softmax(za), softmax(zb))
        log_q = log_softmax(zb.astype(np.float32))
        d = log_q - log_p
        estimates["CE - H"][k] = np.sum(-p * log_q) - np.sum(-p * log_p)
        estimates["direct sum"][k] = np.sum(p * -d)
        estimates["termwise"][k] = np.sum(p * (np.expm1(d) - d))
        estimates["kl_divergence"][k] = kl_divergence(p, np.exp(log_q))
    return divergences, estimates


def stein_threshold_exponents(
    p_heads: float, q_heads: float, ns: ArrayLike, alpha: float = 0.05
) -> NDArray[np.float64]:
    r"""Error exponents :math:`-\tfrac1n \log \beta_n` of the threshold test between two coins.

    From :math:`n` independent tosses of a coin that shows heads with probability
    ``p_heads`` (hypothesis :math:`p`) or ``q_heads`` (hypothesis :math:`q`), the test counts
    the heads :math:`K` and accepts :math:`p` when :math:`K` lies on :math:`p`'s side of a
    threshold: :math:`K \ge t` if ``p_heads > q_heads``, :math:`K \le t` otherwise. The
    threshold is the one closest to :math:`q`'s side whose probability of rejecting :math:`p`
    when it is true is at most ``alpha`` (no randomization). Its error
    :math:`\beta_n = P_q(\text{accept } p)` decays with the exponent
    :math:`D_{\mathrm{KL}}(p \,\|\, q)` of Stein's lemma.

    Parameters
    ----------
    p_heads, q_heads : float
        Probabilities of heads under the two hypotheses, distinct, in (0, 1).
    ns : array_like of int
        Numbers of tosses, each at least 1.
    alpha : float, optional
        Largest allowed probability of rejecting :math:`p` when it is true, in (0, 1).

    Returns
    -------
    numpy.ndarray
        :math:`-\tfrac1n \log \beta_n` for each ``n``, in nats.

    Examples
    --------
    >>> from xentbook.book import stein_threshold_exponents
    >>> print(stein_threshold_exponents(0.5, 0.2, [100, 1000]).round(3))
    [0.146 0.192]
    """
    func = "stein_threshold_exponents"
    a, b = float(p_heads), float(q_heads)
    if not (0 < a < 1 and 0 < b < 1) or a == b:
        raise ValueError(f"{func}: p_heads and q_heads must be distinct and lie in (0, 1)")
    if not 0 < float(alpha) < 1:
        raise ValueError(f"{func}: alpha must lie in (0, 1), got {alpha!r}")
    sizes = np.asarray(ns)
    if sizes.ndim != 1 or sizes.size == 0 or not np.issubdtype(sizes.dtype, np.integer):
        raise ValueError(f"{func}: ns must be a non-empty 1-d array of integers")
    if np.any(sizes < 1):
        raise ValueError(f"{func}: every n must be at least 1")
    if a < b:  # count tails instead, so that many "heads" favour p
        a, b = 1 - a, 1 - b
    out = np.empty(sizes.size)
    for j, n in enumerate(sizes.tolist()):
        k = np.arange(n + 1)
        log_fact = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1.0, n + 1)))])
        log_binom = log_fact[n] - log_fact[k] - log_fact[n - k]
        log_pmf_p = log_binom + k * np.log(a) + (n - k) * np.log1p(-a)
        log_pmf_q = log_binom + k * np.log(b) + (n - k) * np.log1p(-b)
        # P_p(K <= t - 1) <= alpha for the largest such t: reject p below t.
        cdf_p = np.cumsum(np.exp(log_pmf_p))
        t = int(np.searchsorted(cdf_p, float(alpha), side="right"))
        out[j] = -float(np.logaddexp.reduce(log_pmf_q[t:])) / n
    return out
