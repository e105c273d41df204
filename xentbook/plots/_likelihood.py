"""Figures of chapter 4 (maximum likelihood)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from xentbook.binary import binary_cross_entropy
from xentbook.fitting import gaussian_logpdf, gaussian_mixture_logpdf
from xentbook.information import entropy
from xentbook.plots._style import COLORS, new_axes

__all__ = [
    "plot_bernoulli_nll",
    "plot_expected_scores",
    "plot_mixture_mle",
    "plot_train_test_losses",
]


def plot_bernoulli_nll(labels: ArrayLike, theta: ArrayLike | None = None, ax: Any = None) -> Any:
    r"""Mean negative log-likelihood of a Bernoulli model on a 0/1 sample, against :math:`\theta`.

    .. math::

        \mathrm{NLL}(\theta) = -\hat\theta \log\theta - (1 - \hat\theta)\log(1 - \theta),

    with :math:`\hat\theta` the fraction of ones; its minimum, :math:`H(\hat p)`, is at
    :math:`\theta = \hat\theta`.

    Parameters
    ----------
    labels : array_like of 0 and 1
        The sample (not empty).
    theta : array_like, optional
        Parameter values in :math:`(0, 1)` (default: 400 points from 0.002 to 0.998).
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``lines[0]`` is the curve (nats), ``lines[1]`` the point
        :math:`(\hat\theta, H(\hat p))`.

    Examples
    --------
    >>> from xentbook.plots import plot_bernoulli_nll
    >>> ax = plot_bernoulli_nll([1, 0, 0, 1, 1], theta=[0.3, 0.6, 0.9])
    >>> print(ax.lines[0].get_ydata().round(4))
    [0.8651 0.673  0.9843]
    """
    y = np.asarray(labels, dtype=np.float64).ravel()
    if y.size == 0 or not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("plot_bernoulli_nll: labels must be a non-empty array of 0s and 1s")
    th = np.linspace(0.002, 0.998, 400) if theta is None else np.asarray(theta, np.float64)
    if th.ndim != 1 or not ((th > 0) & (th < 1)).all():
        raise ValueError("plot_bernoulli_nll: theta must be a 1-d array inside (0, 1)")
    freq = float(y.mean())
    nll = binary_cross_entropy(th, np.full_like(th, freq), reduction="none")
    h = float(entropy([1 - freq, freq]))
    ax = new_axes(ax)
    ax.plot(th, nll, color=COLORS["ce"], lw=2)
    ax.plot([freq], [h], "o", color=COLORS["ce"], ms=7)
    ax.annotate(
        rf"minimum $H(\hat p) = {h:.3f}$ at $\hat\theta = {freq:.3g}$",
        (freq, h),
        xytext=(0, 40),
        textcoords="offset points",
        ha="center",
        fontsize=11,
        arrowprops={"arrowstyle": "->", "color": COLORS["reference"]},
    )
    ax.set_xlabel(r"model parameter $\theta = q(y = 1)$", fontsize=11)
    ax.set_ylabel("mean NLL (nats)", fontsize=11)
    ax.set_ylim(0, min(3.0, float(nll.max()) * 1.05))
    ax.tick_params(labelsize=10)
    return ax


def plot_expected_scores(p: float, q: ArrayLike | None = None) -> Any:
    r"""Expected log score and expected log-less score of a forecast :math:`q` of a coin.

    For outcomes :math:`y \sim \mathrm{Bernoulli}(p)` and a forecast :math:`q = q(y = 1)`, the
    top panel draws the expected log score (nats) and the bottom one the expected value of
    :math:`-q(y)`, a negated probability without unit:

    .. math::

        -p\log q - (1 - p)\log(1 - q), \qquad -p q - (1 - p)(1 - q) .

    The first is smallest at :math:`q = p`; the second is linear in :math:`q` and smallest at
    an end of the interval.

    Parameters
    ----------
    p : float
        Probability of a one, in :math:`(0, 1)`, not 1/2.
    q : array_like, optional
        Forecasts in :math:`(0, 1)` (default: 400 points from 0.002 to 0.998).

    Returns
    -------
    ndarray of Axes, shape (2,)
        Top: ``lines[0]`` the expected log score, ``lines[1]`` its minimum. Bottom:
        ``lines[0]`` the expected log-less score, ``lines[1]`` its minimum.

    Examples
    --------
    >>> from xentbook.plots import plot_expected_scores
    >>> top, bottom = plot_expected_scores(0.7, q=[0.5, 0.7, 0.9])
    >>> print(top.lines[0].get_ydata().round(4), bottom.lines[0].get_ydata().round(2))
    [0.6931 0.6109 0.7645] [-0.5  -0.58 -0.66]
    """
    if not 0 < p < 1 or p == 0.5:
        raise ValueError(
            f"plot_expected_scores: p must lie in (0, 1) and differ from 1/2, got {p!r}"
        )
    qs = np.linspace(0.002, 0.998, 400) if q is None else np.asarray(q, np.float64)
    if qs.ndim != 1 or not ((qs > 0) & (qs < 1)).all():
        raise ValueError("plot_expected_scores: q must be a 1-d array inside (0, 1)")
    log_score = binary_cross_entropy(qs, np.full_like(qs, p), reduction="none")
    linear = -(p * qs + (1 - p) * (1 - qs))
    top, bottom = new_axes(nrows=2, figsize=(6.0, 6.4))
    top.plot(qs, log_score, color=COLORS["ce"], lw=2)
    top.plot([p], [entropy([p, 1 - p])], "o", color=COLORS["ce"], ms=7)
    top.set_ylim(0, min(3.0, float(log_score.max()) * 1.05))
    top.set_ylabel("expected log score\n(nats)", fontsize=11)
    top.set_title(rf"log score $-\log q(y)$: minimum at $q = p = {p:g}$", fontsize=11)
    end = 1.0 if p > 0.5 else 0.0
    bottom.plot(qs, linear, color=COLORS["mse"], lw=2, ls="--")
    bottom.plot([end], [-max(p, 1 - p)], "s", color=COLORS["mse"], ms=7)
    bottom.set_ylabel("expected $-q(y)$\n(no unit)", fontsize=11)
    bottom.set_title(rf"log-less score $-q(y)$: minimum at $q = {end:g}$", fontsize=11)
    for ax in (top, bottom):
        ax.axvline(p, color=COLORS["reference"], lw=1, ls=":")
        ax.set_xlabel(r"forecast $q = q(y = 1)$", fontsize=11)
        ax.tick_params(labelsize=10)
    return np.array([top, bottom])


def plot_train_test_losses(
    sizes: ArrayLike,
    train: ArrayLike,
    test: ArrayLike,
    entropy_p: float,
    num_classes: int,
    ax: Any = None,
) -> Any:
    r"""Expected training and test loss of the categorical MLE against the sample size.

    Draws the expected losses at each size, the entropy :math:`H(p)` they straddle, and the
    large-sample approximations :math:`H(p) \mp (C - 1) / (2N)`.

    Parameters
    ----------
    sizes : array_like, shape (S,)
        Sample sizes :math:`N`.
    train, test : array_like, shape (S,)
        Expected (or mean) losses in nats of the MLE on its own sample and on fresh data,
        all finite.
    entropy_p : float
        :math:`H(p)` in nats.
    num_classes : int
        :math:`C`.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``lines[0]`` the test loss, ``lines[1]`` the training loss, ``lines[2]`` and
        ``lines[3]`` the approximations :math:`H(p) + (C-1)/(2N)` and
        :math:`H(p) - (C-1)/(2N)`, ``lines[4]`` the level :math:`H(p)`.

    Examples
    --------
    >>> from xentbook.plots import plot_train_test_losses
    >>> ax = plot_train_test_losses([10, 100], [0.6, 0.68], [0.8, 0.7], 0.6931, 2)
    >>> print(ax.lines[2].get_ydata().round(4))
    [0.7431 0.6981]
    """
    n = np.asarray(sizes, dtype=np.float64).ravel()
    tr = np.asarray(train, dtype=np.float64)
    te = np.asarray(test, dtype=np.float64)
    if tr.shape != n.shape or te.shape != n.shape:
        raise ValueError("plot_train_test_losses: train and test must have shape (len(sizes),)")
    if not (np.isfinite(tr).all() and np.isfinite(te).all()):
        raise ValueError("plot_train_test_losses: every loss must be finite")
    gap = (num_classes - 1) / (2 * n)
    ax = new_axes(ax)
    ax.plot(n, te, "o-", color=COLORS["accent"], lw=2, label=r"test loss $H(p, \hat p)$")
    ax.plot(n, tr, "s-", color=COLORS["ce"], lw=2, label=r"training loss $H(\hat p)$")
    ax.plot(n, entropy_p + gap, ":", color=COLORS["accent"], lw=1.5, label=r"$H(p) \pm (C-1)/(2N)$")
    ax.plot(n, entropy_p - gap, ":", color=COLORS["ce"], lw=1.5)
    ax.axhline(
        entropy_p, color=COLORS["reference"], lw=1.5, ls="--", label=rf"$H(p) = {entropy_p:.4f}$"
    )
    ax.set_xscale("log")
    ax.set_xlabel("sample size $N$ (log scale)", fontsize=11)
    ax.set_ylabel("loss (nats)", fontsize=11)
    ax.tick_params(labelsize=10)
    ax.legend(loc="upper right", fontsize=10, frameon=True)
    return ax


def plot_mixture_mle(
    draws: ArrayLike, weights: ArrayLike, means: ArrayLike, sigmas: ArrayLike, ax: Any = None
) -> Any:
    r"""Histogram of draws from a Gaussian mixture, its density, and the MLE Gaussian.

    The maximum-likelihood Gaussian has the sample mean and the (biased, :math:`1/N`) sample
    variance of the draws.

    Parameters
    ----------
    draws : array_like, shape (N,)
        The sample.
    weights, means, sigmas : array_like, shape (K,)
        The mixture that generated it.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``lines[0]`` the mixture density, ``lines[1]`` the MLE Gaussian density, on a grid of
        600 points over the range of the draws widened by one unit each side; ``patches`` the
        histogram (density-normalized, 60 bins).

    Examples
    --------
    >>> from xentbook.plots import plot_mixture_mle
    >>> ax = plot_mixture_mle([-1.0, 1.0], [1.0], [0.0], [1.0])
    >>> print(f"{ax.lines[1].get_ydata().max():.4f}")
    0.3989
    """
    x = np.asarray(draws, dtype=np.float64).ravel()
    if x.size < 2 or not np.isfinite(x).all():
        raise ValueError("plot_mixture_mle: draws must hold at least two finite values")
    mu, sigma = float(x.mean()), float(x.std())
    grid = np.linspace(x.min() - 1.0, x.max() + 1.0, 600)
    ax = new_axes(ax)
    ax.hist(
        x, bins=60, density=True, color=COLORS["reference"], alpha=0.35, label=f"{x.size:,} draws"
    )
    ax.plot(
        grid,
        np.exp(gaussian_mixture_logpdf(grid, weights, means, sigmas)),
        color=COLORS["ce"],
        lw=2,
        label="the mixture $p$",
    )
    ax.plot(
        grid,
        np.exp(gaussian_logpdf(grid, mu, sigma)),
        color=COLORS["accent"],
        lw=2.5,
        label=rf"MLE Gaussian: $\hat\mu = {mu:.2f}$, $\hat\sigma^2 = {sigma**2:.2f}$",
    )
    ax.set_xlabel("$y$", fontsize=11)
    ax.set_ylabel("density", fontsize=11)
    ax.set_ylim(0, float(ax.get_ylim()[1]) * 1.45)
    ax.tick_params(labelsize=10)
    ax.legend(loc="upper center", fontsize=10, frameon=False, ncols=1)
    return ax
