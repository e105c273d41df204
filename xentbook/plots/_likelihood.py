"""Figures of chapter 4 (maximum likelihood)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from xentbook.binary import binary_cross_entropy, binary_cross_entropy_with_logits
from xentbook.fitting import gaussian_logpdf
from xentbook.information import entropy
from xentbook.plots._style import COLORS, new_axes

__all__ = [
    "plot_bernoulli_nll",
    "plot_expected_scores",
    "plot_nll_spread",
    "plot_sampling_distributions",
    "plot_separable_map",
    "plot_smoothing_excess",
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
    r"""Gaps of the categorical MLE's training and test loss to :math:`H(p)`, on log-log axes.

    Draws the mean test gap :math:`H(p, \hat p) - H(p)` and the training gap
    :math:`H(p) - \mathbb E[H(\hat p)]` at each sample size, with the large-sample approximation
    :math:`(C - 1)/(2N)` of both; on log-log axes a :math:`1/N` rate is a line of slope -1.

    Parameters
    ----------
    sizes : array_like, shape (S,)
        Sample sizes :math:`N`.
    train, test : array_like, shape (S,)
        Expected (or mean) losses in nats of the MLE on its own sample and on fresh data,
        finite, with ``train < entropy_p < test``.
    entropy_p : float
        :math:`H(p)` in nats.
    num_classes : int
        :math:`C`.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``lines[0]`` the test gap, ``lines[1]`` the training gap, ``lines[2]`` the line
        :math:`(C-1)/(2N)`.

    Examples
    --------
    >>> from xentbook.plots import plot_train_test_losses
    >>> ax = plot_train_test_losses([10, 100], [0.64, 0.688], [0.75, 0.699], 0.6931, 2)
    >>> print(ax.lines[2].get_ydata().round(4))
    [0.05  0.005]
    """
    n = np.asarray(sizes, dtype=np.float64).ravel()
    tr = np.asarray(train, dtype=np.float64)
    te = np.asarray(test, dtype=np.float64)
    if tr.shape != n.shape or te.shape != n.shape:
        raise ValueError("plot_train_test_losses: train and test must have shape (len(sizes),)")
    if not (np.isfinite(tr).all() and np.isfinite(te).all()):
        raise ValueError("plot_train_test_losses: every loss must be finite")
    if not ((tr < entropy_p).all() and (te > entropy_p).all()):
        raise ValueError("plot_train_test_losses: need train < entropy_p < test at every size")
    ax = new_axes(ax, figsize=(6.0, 4.4))
    ax.plot(
        n,
        te - entropy_p,
        "o",
        color=COLORS["accent"],
        ms=8,
        label=r"mean test gap $H(p, \hat p) - H(p)$",
    )
    ax.plot(
        n,
        entropy_p - tr,
        "s",
        color=COLORS["ce"],
        ms=6,
        label=r"training gap $H(p) - \mathbb{E}\,H(\hat p)$",
    )
    ax.plot(
        n,
        (num_classes - 1) / (2 * n),
        "-",
        color=COLORS["reference"],
        lw=1.5,
        label=rf"$(C-1)/(2N)$, $C = {num_classes}$",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("sample size $N$", fontsize=12)
    ax.set_ylabel("gap to $H(p)$ (nats)", fontsize=12)
    ax.tick_params(labelsize=11)
    ax.legend(loc="upper right", fontsize=11, frameon=True)
    return ax


def plot_nll_spread(
    panels: Sequence[tuple[float, int, ArrayLike]], theta: ArrayLike | None = None
) -> Any:
    r"""Excess mean NLL of a Bernoulli model on repeated samples, one panel per sample size.

    For a sample of :math:`N` tosses with a fraction :math:`\hat\theta` of ones, the mean NLL
    minus its minimum is :math:`D_{\mathrm{KL}}(\mathrm{Ber}(\hat\theta) \,\Vert\,
    \mathrm{Ber}(\theta))`, a curve that touches zero at the MLE :math:`\hat\theta`. Each
    panel draws these curves for the given samples, the population excess
    :math:`D_{\mathrm{KL}}(\mathrm{Ber}(\theta_0) \,\Vert\, \mathrm{Ber}(\theta))`, the
    MLEs, and the band :math:`\theta_0 \pm 1.96\,\sqrt{I(\theta_0)^{-1}/N}` with
    :math:`I(\theta) = 1/(\theta(1 - \theta))`. Panels are stacked vertically and share
    one legend below them.

    Parameters
    ----------
    panels : sequence of (theta0, n, fractions)
        The true parameter in :math:`(0, 1)`, the size of every sample (positive; it sets the
        band) and the fractions of ones of the samples (values in :math:`[0, 1]`, at least one).
    theta : array_like, optional
        Parameter values in :math:`(0, 1)` (default: 999 points from 0.001 to 0.999).

    Returns
    -------
    ndarray of Axes, shape (len(panels),)
        In each, ``lines[0]`` is the population excess, ``lines[1:-1]`` the samples' excess
        curves (nats), ``lines[-1]`` the MLEs at height 0, ``patches[0]`` the band.

    Examples
    --------
    >>> from xentbook.plots import plot_nll_spread
    >>> (ax,) = plot_nll_spread([(0.5, 100, [0.4, 0.5])], theta=[0.25, 0.5, 0.75])
    >>> print(ax.lines[1].get_ydata().round(4))
    [0.0541 0.0201 0.2738]
    """
    if len(panels) == 0:
        raise ValueError("plot_nll_spread: need at least one panel")
    th = np.linspace(0.001, 0.999, 999) if theta is None else np.asarray(theta, np.float64)
    if th.ndim != 1 or not ((th > 0) & (th < 1)).all():
        raise ValueError("plot_nll_spread: theta must be a 1-d array inside (0, 1)")

    def excess(freq: float) -> Any:
        nll = binary_cross_entropy(th, np.full_like(th, freq), reduction="none")
        return nll - float(entropy([1 - freq, freq]))

    axes = np.atleast_1d(new_axes(nrows=len(panels), figsize=(6.0, 3.1 * len(panels) + 0.6)))
    for ax, (theta0, n, fractions) in zip(axes, panels, strict=True):
        freqs = np.asarray(fractions, dtype=np.float64).ravel()
        if not 0 < theta0 < 1:
            raise ValueError(f"plot_nll_spread: theta0 must be in (0, 1), got {theta0!r}")
        if not n > 0:
            raise ValueError(f"plot_nll_spread: n must be positive, got {n!r}")
        if freqs.size == 0 or not ((freqs >= 0) & (freqs <= 1)).all():
            raise ValueError("plot_nll_spread: fractions must be a non-empty array in [0, 1]")
        half = 1.96 * np.sqrt(theta0 * (1 - theta0) / n)
        ax.axvspan(
            theta0 - half,
            theta0 + half,
            color=COLORS["accent"],
            alpha=0.18,
            lw=0,
            label=r"$\theta_0 \pm 1.96\sqrt{I^{-1}/N}$",
        )
        ax.plot(th, excess(theta0), color="black", lw=2.4, label="population excess", zorder=3)
        for k, freq in enumerate(freqs):
            label = "one sample's excess" if k == 0 else None
            ax.plot(th, excess(float(freq)), color=COLORS["ce"], lw=0.8, alpha=0.55, label=label)
        ax.plot(
            freqs,
            np.zeros_like(freqs),
            "o",
            color=COLORS["ce"],
            ms=5,
            clip_on=False,
            zorder=4,
            label=r"MLEs $\hat\theta$",
        )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 0.3)
        ax.set_title(
            rf"$N = {n}$, $\theta_0 = {theta0:g}$: "
            rf"$\sqrt{{I(\theta_0)^{{-1}}/N}} = {np.sqrt(theta0 * (1 - theta0) / n):.3f}$",
            fontsize=11,
        )
        ax.set_ylabel("mean NLL minus\nits minimum (nats)", fontsize=11)
        ax.set_xlabel(r"model parameter $\theta = q(y = 1)$", fontsize=11)
        ax.tick_params(labelsize=10)
    axes[0].figure.legend(
        *axes[0].get_legend_handles_labels(),
        loc="outside lower center",
        ncols=2,
        fontsize=10,
        frameon=False,
    )
    return axes


def plot_sampling_distributions(
    panels: Sequence[tuple[ArrayLike, str, Sequence[tuple[float, float, str]]]],
    xlabel: str = "estimate",
) -> Any:
    r"""Histograms of an estimator over repeated samples, each with normal approximations.

    One panel per entry, stacked vertically; each holds a density-normalized histogram of the
    estimates (50 bins) and the normal densities :math:`\mathcal N(m, v)` listed for it.
    The horizontal view ends at the 99.9th percentile of the estimates, so that a long
    right tail of rare values does not leave most of the panel empty; the histogram and
    its normalization use every value.

    Parameters
    ----------
    panels : sequence of (estimates, title, curves)
        ``estimates`` an array of finite values; ``curves`` a sequence of
        ``(mean, variance, label)`` with ``variance > 0``.
    xlabel : str, optional
        Label of the horizontal axes.

    Returns
    -------
    ndarray of Axes, shape (len(panels),)
        In each, ``lines[k]`` the ``k``-th normal density on a grid of 400 points spanning the
        histogram, ``patches`` the histogram.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_sampling_distributions
    >>> est = np.random.default_rng(0).normal(size=1000)
    >>> (ax,) = plot_sampling_distributions([(est, "one panel", [(0.0, 1.0, "N(0, 1)")])])
    >>> print(f"{ax.lines[0].get_ydata().max():.3f}")
    0.399
    """
    if len(panels) == 0:
        raise ValueError("plot_sampling_distributions: need at least one panel")
    axes = np.atleast_1d(new_axes(nrows=len(panels), figsize=(6.0, 2.9 * len(panels))))
    styles = (("-", COLORS["accent"]), ("--", COLORS["ce"]), (":", COLORS["extra"]))
    for ax, (estimates, title, curves) in zip(axes, panels, strict=True):
        x = np.asarray(estimates, dtype=np.float64).ravel()
        if x.size < 2 or not np.isfinite(x).all():
            raise ValueError("plot_sampling_distributions: estimates must be finite, at least two")
        _, edges, _ = ax.hist(x, bins=50, density=True, color=COLORS["reference"], alpha=0.4)
        grid = np.linspace(edges[0], edges[-1], 400)
        for k, (mean, var, label) in enumerate(curves):
            if not var > 0:
                raise ValueError(f"plot_sampling_distributions: variance must be > 0, got {var!r}")
            ls, color = styles[k % len(styles)]
            ax.plot(
                grid,
                np.exp(gaussian_logpdf(grid, mean, np.sqrt(var))),
                ls=ls,
                color=color,
                lw=2.2,
                label=label,
            )
        # a long right tail of rare estimates would leave most of the panel empty: the view
        # ends at the 99.9th percentile (the histogram and its normalization use every value)
        ax.set_xlim(edges[0] - 0.02 * (edges[-1] - edges[0]), float(np.quantile(x, 0.999)))
        ax.set_title(title, fontsize=11)
        ax.set_ylabel("density", fontsize=11)
        ax.set_xlabel(xlabel, fontsize=11)
        ax.set_ylim(0, float(ax.get_ylim()[1]) * 1.35)
        ax.tick_params(labelsize=10)
        ax.legend(loc="upper right", fontsize=10, frameon=False)
    return axes


def plot_smoothing_excess(
    sizes: ArrayLike, excess: Mapping[str, ArrayLike], num_classes: int, ax: Any = None
) -> Any:
    r"""Expected excess test loss of smoothed frequency tables against the sample size.

    Draws, on log-log axes, one curve per estimator of
    :math:`\mathbb E[D_{\mathrm{KL}}(p \,\Vert\, \hat q)]` in nats, and the reference line
    :math:`(C - 1)/(2N)`.

    Parameters
    ----------
    sizes : array_like, shape (S,)
        Sample sizes :math:`N`.
    excess : mapping from label to array_like of shape (S,)
        Positive, finite expected excess losses, one entry per estimator (at most four).
    num_classes : int
        :math:`C`.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``lines[k]`` the ``k``-th estimator in the order of ``excess``, the last line
        :math:`(C-1)/(2N)`.

    Examples
    --------
    >>> from xentbook.plots import plot_smoothing_excess
    >>> ax = plot_smoothing_excess([10, 100], {"add-1": [0.2, 0.03]}, 4)
    >>> print(ax.lines[-1].get_ydata())
    [0.15  0.015]
    """
    n = np.asarray(sizes, dtype=np.float64).ravel()
    if not 1 <= len(excess) <= 4:
        raise ValueError("plot_smoothing_excess: give between one and four estimators")
    ax = new_axes(ax, figsize=(6.0, 4.4))
    styles = (
        ("o-", COLORS["mse"]),
        ("s-", COLORS["accent"]),
        ("^-", COLORS["ce"]),
        ("d-", COLORS["extra"]),
    )
    for (label, values), (marker, color) in zip(excess.items(), styles, strict=False):
        v = np.asarray(values, dtype=np.float64)
        if v.shape != n.shape or not (np.isfinite(v) & (v > 0)).all():
            raise ValueError(
                f"plot_smoothing_excess: {label!r} must hold {n.size} positive finite values"
            )
        ax.plot(n, v, marker, color=color, lw=2, ms=6, label=label)
    ax.plot(
        n,
        (num_classes - 1) / (2 * n),
        ":",
        color=COLORS["reference"],
        lw=2,
        label=rf"$(C-1)/(2N)$, $C = {num_classes}$",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("sample size $N$", fontsize=12)
    ax.set_ylabel("expected excess test loss\n(nats)", fontsize=12)
    ax.tick_params(labelsize=11)
    ax.legend(loc="lower left", fontsize=11, frameon=True)
    return ax


def plot_separable_map(
    x: ArrayLike,
    y: ArrayLike,
    lams: Sequence[float],
    w: ArrayLike | None = None,
    ax: Any = None,
) -> Any:
    r"""Logistic loss of a one-weight model on separable data, without and with an L2 penalty.

    For inputs :math:`x_n`, labels :math:`y_n \in \{0, 1\}` and the model
    :math:`q(1 \mid x) = \sigma(w x)` (no bias), draws the mean negative log-likelihood
    :math:`L(w)` and, for each :math:`\lambda`, the penalized objective
    :math:`L(w) + \frac{\lambda}{2} w^2` with a marker at its smallest value on the grid. On
    separable data :math:`L` decreases towards 0 and has no minimizer; each penalized curve has
    one.

    Parameters
    ----------
    x : array_like, shape (N,)
        Inputs.
    y : array_like, shape (N,)
        Labels, 0 or 1.
    lams : sequence of float
        Positive penalty strengths (at most three).
    w : array_like, optional
        Weights at which to draw, increasing (default: 1,201 points from 0 to 6).
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``lines[0]`` the mean NLL; then, for each :math:`\lambda` in order, its penalized curve
        and its minimum on the grid.

    Examples
    --------
    >>> from xentbook.plots import plot_separable_map
    >>> ax = plot_separable_map([-1.0, 1.0], [0, 1], [0.1], w=[0.0, 1.0, 2.0])
    >>> print(ax.lines[0].get_ydata().round(4), ax.lines[2].get_xdata())
    [0.6931 0.3133 0.1269] [2.]
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    if xs.ndim != 1 or xs.shape != ys.shape or not np.isin(ys, (0.0, 1.0)).all():
        raise ValueError("plot_separable_map: x and y must be 1-d of one length, y in {0, 1}")
    if not 1 <= len(lams) <= 3 or min(lams) <= 0:
        raise ValueError("plot_separable_map: give one to three positive penalty strengths")
    ws = np.linspace(0.0, 6.0, 1201) if w is None else np.asarray(w, dtype=np.float64)
    if ws.ndim != 1 or not (np.diff(ws) > 0).all():
        raise ValueError("plot_separable_map: w must be a 1-d increasing array")
    nll = np.array([float(binary_cross_entropy_with_logits(wk * xs, ys)) for wk in ws])
    ax = new_axes(ax, figsize=(6.0, 4.8))
    ax.plot(ws, nll, color=COLORS["ce"], lw=2.5, label="mean NLL $L(w)$ (no minimizer)")
    colors = (COLORS["mse"], COLORS["accent"], COLORS["extra"])
    for lam, color in zip(lams, colors, strict=False):
        penalized = nll + lam / 2 * ws**2
        k = int(np.argmin(penalized))
        ax.plot(
            ws,
            penalized,
            "--",
            color=color,
            lw=2,
            label=rf"$L(w) + \lambda w^2 / 2$, $\lambda = {lam:g}$",
        )
        ax.plot([ws[k]], [penalized[k]], "o", color=color, ms=7)
    ax.set_ylim(0, float(nll[0]) * 1.1)
    ax.set_xlim(float(ws[0]), float(ws[-1]))
    ax.set_xlabel("weight $w$", fontsize=12)
    ax.set_ylabel("objective (nats)", fontsize=12)
    ax.tick_params(labelsize=11)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), fontsize=11, frameon=False)
    return ax
