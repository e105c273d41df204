r"""Figures of the chapters on KL divergence and maximum likelihood."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from xentbook._validation import float_array
from xentbook.binary import binary_cross_entropy
from xentbook.fitting import gaussian_logpdf
from xentbook.information import entropy
from xentbook.plots._style import COLORS, new_axes

__all__ = ["plot_cross_entropy_vs_q", "plot_kl_fits", "plot_log_bound", "plot_nll_curve"]


def _open_unit_grid(func: str, name: str, value: ArrayLike | None, default: Any) -> Any:
    arr = default if value is None else float_array(func, name, value, min_ndim=1)
    arr = np.asarray(arr, dtype=np.float64)
    if arr.ndim != 1 or arr.size < 2 or not ((arr > 0) & (arr < 1)).all():
        raise ValueError(f"{func}: {name} must be a 1-d grid of at least 2 values in (0, 1)")
    return arr


def plot_log_bound(x: ArrayLike | None = None, ax: Any = None) -> Any:
    r"""The inequality :math:`\log x \le x - 1`, with equality only at :math:`x = 1`.

    The line :math:`x - 1` is the tangent of the concave :math:`\log x` at :math:`x = 1`, so it
    lies above it everywhere; this is the one fact behind Gibbs' inequality.

    Parameters
    ----------
    x : array_like, optional
        Positive abscissae (default: 400 points from 0.05 to 3).
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``lines[0]`` is :math:`\log x`, ``lines[1]`` is :math:`x - 1`.

    Examples
    --------
    >>> from xentbook.plots import plot_log_bound
    >>> ax = plot_log_bound([0.5, 1.0, 2.0])
    >>> print(ax.lines[0].get_ydata().round(4), ax.lines[1].get_ydata())
    [-0.6931  0.      0.6931] [-0.5  0.   1. ]
    """
    func = "plot_log_bound"
    xs = np.linspace(0.05, 3.0, 400) if x is None else float_array(func, "x", x, min_ndim=1)
    xs = np.asarray(xs, dtype=np.float64)
    if xs.ndim != 1 or not (np.isfinite(xs) & (xs > 0)).all():
        raise ValueError(f"{func}: x must be a 1-d array of positive finite values")
    ax = new_axes(ax)
    ax.plot(xs, np.log(xs), color=COLORS["ce"], lw=2, label=r"$\log x$")
    ax.plot(xs, xs - 1, color=COLORS["accent"], lw=2, ls="--", label=r"$x - 1$")
    ax.plot([1.0], [0.0], "o", color="black", ms=5, label="equality at $x = 1$")
    ax.set_xlabel("$x$")
    ax.set_ylabel("value")
    ax.legend(loc="lower right")
    return ax


def plot_kl_fits(x: ArrayLike, log_p: ArrayLike, forward: Any, reverse: Any, ax: Any = None) -> Any:
    r"""A density :math:`p` and the Gaussians fitted to it by forward and by reverse KL.

    Parameters
    ----------
    x : array_like, shape (M,)
        The grid on which ``log_p`` is tabulated.
    log_p : array_like, shape (M,)
        Log-density of the target :math:`p` (normalized).
    forward, reverse : GaussianFit or tuple
        ``(mu, sigma, ...)`` of the Gaussians minimizing :math:`D_{\mathrm{KL}}(p \| q)` and
        :math:`D_{\mathrm{KL}}(q \| p)`, as returned by :func:`xentbook.book.fit_gaussian_kl`.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``lines[0]`` is the density :math:`p`, ``lines[1]`` the forward fit and ``lines[2]`` the
        reverse fit (all densities, not log-densities).

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import gaussian_logpdf
    >>> from xentbook.plots import plot_kl_fits
    >>> x = np.linspace(-3.0, 3.0, 7)
    >>> ax = plot_kl_fits(x, gaussian_logpdf(x), (0.0, 1.0), (0.0, 2.0))
    >>> print(f"{ax.lines[0].get_ydata()[3]:.4f} {ax.lines[2].get_ydata()[3]:.4f}")
    0.3989 0.1995
    """
    func = "plot_kl_fits"
    xs = np.asarray(float_array(func, "x", x, min_ndim=1), dtype=np.float64)
    lp = np.asarray(float_array(func, "log_p", log_p, min_ndim=1), dtype=np.float64)
    if xs.ndim != 1 or lp.shape != xs.shape:
        raise ValueError(
            f"{func}: x and log_p must be 1-d arrays of one length, got {xs.shape} and {lp.shape}"
        )
    ax = new_axes(ax)
    p = np.exp(lp)
    ax.plot(xs, p, color="black", lw=2, label="target $p$ (two-mode mixture)")
    ax.fill_between(xs, p, color="black", alpha=0.08)
    styles = (
        (forward, COLORS["ce"], "-", r"forward: $\min_q D_{\mathrm{KL}}(p\,\|\,q)$"),
        (reverse, COLORS["mse"], "--", r"reverse: $\min_q D_{\mathrm{KL}}(q\,\|\,p)$"),
    )
    for fit, color, ls, label in styles:
        mu, sigma = float(fit[0]), float(fit[1])
        q = np.exp(gaussian_logpdf(xs, mu, sigma))
        ax.plot(
            xs, q, color=color, lw=2, ls=ls, label=rf"{label}: $\mu$={mu:.2f}, $\sigma$={sigma:.2f}"
        )
    # Show where something is visible: drop the far tails the grid carries for accuracy.
    tallest = np.max([line.get_ydata() for line in ax.lines], axis=0)
    seen = xs[tallest > 1e-3 * tallest.max()]
    pad = 0.05 * (seen[-1] - seen[0]) if seen.size > 1 else 0.0
    if seen.size > 1:
        ax.set_xlim(seen[0] - pad, seen[-1] + pad)
    ax.set_xlabel("$x$")
    ax.set_ylabel("density")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right", fontsize=8)
    return ax


def plot_cross_entropy_vs_q(
    targets: ArrayLike = (0.2, 0.8), q: ArrayLike | None = None, ax: Any = None
) -> Any:
    r"""Binary cross-entropy :math:`H(p, q)` against the prediction :math:`q`, for soft targets.

    For each target probability :math:`t`, the curve
    :math:`H(t, q) = -t \log q - (1 - t)\log(1 - q)` has its minimum at :math:`q = t`, where it
    equals the entropy :math:`H(t)` (a dotted horizontal line), not zero.

    Parameters
    ----------
    targets : array_like, optional
        Target probabilities :math:`t` in :math:`[0, 1]` (default 0.2 and 0.8).
    q : array_like, optional
        Predicted probabilities in :math:`(0, 1)` (default: 400 points from 0.005 to 0.995).
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        For the ``k``-th target, ``lines[3 * k]`` is the curve :math:`H(t, q)`,
        ``lines[3 * k + 1]`` the level :math:`H(t)` and ``lines[3 * k + 2]`` the minimum point.

    Examples
    --------
    >>> from xentbook.plots import plot_cross_entropy_vs_q
    >>> ax = plot_cross_entropy_vs_q([0.2], q=[0.1, 0.2, 0.5])
    >>> print(ax.lines[0].get_ydata().round(4), ax.lines[2].get_ydata().round(4))
    [0.5448 0.5004 0.6931] [0.5004]
    """
    func = "plot_cross_entropy_vs_q"
    ts = np.atleast_1d(np.asarray(float_array(func, "targets", targets), dtype=np.float64))
    if ts.ndim != 1 or ts.size == 0 or not ((ts >= 0) & (ts <= 1)).all():
        raise ValueError(f"{func}: targets must be probabilities in [0, 1], got {ts.tolist()!r}")
    qs = _open_unit_grid(func, "q", q, np.linspace(0.005, 0.995, 400))
    ax = new_axes(ax)
    palette = [COLORS["ce"], COLORS["accent"], COLORS["extra"], COLORS["grad"]]
    for k, t in enumerate(ts):
        color = palette[k % len(palette)]
        curve = binary_cross_entropy(qs, np.full_like(qs, t), reduction="none")
        h = float(entropy([t, 1 - t]))
        ax.plot(qs, curve, color=color, lw=2, label=rf"$H(p, q)$ for $p = {t:g}$")
        ax.plot(qs, np.full_like(qs, h), color=color, lw=1, ls=":", label=rf"$H(p) = {h:.4f}$")
        ax.plot([t], [h], "o", color=color, ms=6)
    ax.set_xlabel("predicted probability $q$")
    ax.set_ylabel("cross-entropy (nats)")
    ax.set_ylim(0, min(3.0, float(ax.get_ylim()[1])))
    ax.legend(loc="upper center", fontsize=8)
    return ax


def plot_nll_curve(
    labels: ArrayLike, theta: ArrayLike | None = None, without_log: bool = True, ax: Any = None
) -> Any:
    r"""Mean negative log-likelihood of a Bernoulli model against its parameter :math:`\theta`.

    For a sample :math:`y_1, \dots, y_N \in \{0, 1\}` with empirical frequency :math:`\hat\theta`
    of ones, the mean negative log-likelihood (the mean binary cross-entropy)

    .. math::

        \mathrm{NLL}(\theta) = -\hat\theta \log\theta - (1 - \hat\theta)\log(1 - \theta)

    is smallest at :math:`\theta = \hat\theta`, where it equals the entropy of the sample. With
    ``without_log`` the figure adds the log-less "loss"
    :math:`-\frac1N\sum_n q(y_n \mid \theta)
    = -\hat\theta\theta - (1 - \hat\theta)(1 - \theta)`, a straight line whose minimum sits at an
    end of the interval, not at the data's frequency.

    Parameters
    ----------
    labels : array_like of 0 and 1
        The observed sample.
    theta : array_like, optional
        Parameter values in :math:`(0, 1)` (default: 400 points from 0.002 to 0.998).
    without_log : bool, optional
        Also draw the loss with the logarithm left out.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``lines[0]`` is the NLL curve, ``lines[1]`` its minimum point; with ``without_log``,
        ``lines[2]`` is the log-less loss and ``lines[3]`` its minimum point.

    Examples
    --------
    >>> from xentbook.plots import plot_nll_curve
    >>> ax = plot_nll_curve([1, 0, 0, 1, 1], theta=[0.3, 0.6, 0.9])
    >>> print(ax.lines[0].get_ydata().round(4), ax.lines[2].get_ydata().round(2))
    [0.8651 0.673  0.9843] [-0.46 -0.52 -0.58]
    """
    func = "plot_nll_curve"
    y = np.asarray(float_array(func, "labels", labels, min_ndim=1), dtype=np.float64).ravel()
    if y.size == 0 or not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"{func}: labels must be a non-empty array of 0s and 1s")
    th = _open_unit_grid(func, "theta", theta, np.linspace(0.002, 0.998, 400))
    freq = float(y.mean())
    counts = np.array([1 - freq, freq])
    nll = binary_cross_entropy(th, np.full_like(th, freq), reduction="none")
    ax = new_axes(ax)
    ax.plot(th, nll, color=COLORS["ce"], lw=2, label=r"mean NLL $-\frac{1}{N}\sum_n \log q(y_n)$")
    h = float(entropy(counts))
    ax.plot(
        [freq],
        [h],
        "o",
        color=COLORS["ce"],
        ms=7,
        label=rf"minimum at $\hat\theta = {freq:.3g}$, value $H(\hat p) = {h:.4f}$",
    )
    if without_log:
        wrong = -(freq * th + (1 - freq) * (1 - th))
        ax.plot(
            th,
            wrong,
            color=COLORS["mse"],
            lw=2,
            ls="--",
            label=r"without the log: $-\frac{1}{N}\sum_n q(y_n)$",
        )
        end = 1.0 if freq > 0.5 else 0.0
        ax.plot(
            [end],
            [-max(freq, 1 - freq)],
            "s",
            color=COLORS["mse"],
            ms=7,
            label=rf"its minimum: $\theta = {end:g}$",
        )
    ax.axvline(freq, color=COLORS["reference"], lw=1, ls=":")
    ax.set_xlabel(r"model parameter $\theta = q(y = 1)$")
    ax.set_ylabel("loss (nats)")
    ax.set_ylim(top=min(3.0, float(ax.get_ylim()[1])))
    ax.legend(loc="upper center", fontsize=8)
    return ax
