r"""Figures of the chapters on KL divergence and maximum likelihood."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from xentbook._validation import float_array
from xentbook.binary import binary_cross_entropy
from xentbook.fitting import gaussian_logpdf
from xentbook.information import cross_entropy_pq, entropy, kl_divergence
from xentbook.plots._style import COLORS, new_axes
from xentbook.primitives import log_softmax

__all__ = [
    "plot_cross_entropy_vs_q",
    "plot_decomposition_bars",
    "plot_k3_gradient_gap",
    "plot_kl_asymmetry",
    "plot_kl_estimator_spread",
    "plot_kl_estimators",
    "plot_kl_fits",
    "plot_kl_landscape",
    "plot_kl_near_p",
    "plot_log_bound",
    "plot_nll_curve",
    "plot_pinsker",
    "plot_stein_exponents",
]


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
    ax.fill_between(
        xs, np.log(xs), xs - 1, color=COLORS["accent"], alpha=0.15, label=r"gap $x - 1 - \log x$"
    )
    ax.plot([1.0], [0.0], "o", color="black", ms=5, label="equality at $x = 1$")
    ax.set_xlabel("$x$", fontsize=12)
    ax.set_ylabel("value", fontsize=12)
    ax.legend(loc="lower right", fontsize=11)
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
            xs,
            q,
            color=color,
            lw=2,
            ls=ls,
            label=rf"{label}: $\mu = {mu:.3f}$, $\sigma = {sigma:.3f}$",
        )
    # Show where something is visible: drop the far tails the grid carries for accuracy.
    tallest = np.max([line.get_ydata() for line in ax.lines], axis=0)
    seen = xs[tallest > 1e-3 * tallest.max()]
    pad = 0.05 * (seen[-1] - seen[0]) if seen.size > 1 else 0.0
    if seen.size > 1:
        ax.set_xlim(seen[0] - pad, seen[-1] + pad)
    ax.set_xlabel("$x$", fontsize=12)
    ax.set_ylabel("density", fontsize=12)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize=11, frameon=False)
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
    ax.set_xlabel("predicted probability $q$ of class 1", fontsize=12)
    ax.set_ylabel("cross-entropy (nats)", fontsize=12)
    ax.set_ylim(0, min(3.0, float(ax.get_ylim()[1])))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2, fontsize=11, frameon=False)
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


def plot_decomposition_bars(
    p: ArrayLike, models: dict[str, ArrayLike], base: float | None = 2, ax: Any = None
) -> Any:
    r"""The cross-entropy of each model as a stacked bar: :math:`H(p)` plus :math:`D(p \| q)`.

    One horizontal bar per model :math:`q`: a first segment of length :math:`H(p)`, the same for
    every model, and a second of length :math:`D_{\mathrm{KL}}(p \,\|\, q)`, so that each bar
    ends at :math:`H(p, q)`.

    Parameters
    ----------
    p : array_like, shape (C,)
        The true distribution.
    models : dict of str to array_like, shape (C,)
        The models :math:`q`, by name (drawn top to bottom in the order given).
    base : float, optional
        Logarithm base (default 2, bits; ``None`` for nats).
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``containers[0]`` holds the :math:`H(p)` segments and ``containers[1]`` the divergence
        segments, one patch per model in the order given.

    Examples
    --------
    >>> from xentbook.plots import plot_decomposition_bars
    >>> ax = plot_decomposition_bars([0.5, 0.5], {"q": [0.9, 0.1]})
    >>> print(f"{ax.containers[1].patches[0].get_width():.4f}")
    0.7370
    """
    func = "plot_decomposition_bars"
    if not models:
        raise ValueError(f"{func}: models must name at least one distribution q")
    names = list(models)
    h = float(entropy(p, base=base))
    kl = np.array([float(kl_divergence(p, models[name], base=base)) for name in names])
    ce = np.array([float(cross_entropy_pq(p, models[name], base=base)) for name in names])
    if not np.isfinite(kl).all():
        bad = names[int(np.flatnonzero(~np.isfinite(kl))[0])]
        raise ValueError(f"{func}: the model {bad!r} gives zero probability where p does not")
    unit = "bits" if base == 2 else "nats" if base is None else f"log base {base:g}"
    ax = new_axes(ax, figsize=(6.0, 1.0 + 0.75 * len(names)))
    rows = np.arange(len(names))[::-1]
    ax.barh(rows, np.full(len(names), h), color=COLORS["reference"], alpha=0.6, label="$H(p)$")
    ax.barh(rows, kl, left=h, color=COLORS["accent"], label=r"$D_{\mathrm{KL}}(p\,\|\,q)$")
    for row, value, d in zip(rows, ce, kl, strict=True):
        ax.text(value, row, f" {value:.3f}  (D = {d:.3f})", va="center", fontsize=11)
    ax.set_yticks(rows, names, fontsize=11)
    ax.set_xlabel(f"$H(p, q)$ ({unit})", fontsize=12)
    ax.set_xlim(0, 1.55 * float(ce.max()))
    ax.grid(False, axis="y")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2, fontsize=11, frameon=False)
    return ax


def plot_pinsker(kl: ArrayLike, tv: ArrayLike, ax: Any = None) -> Any:
    r"""Total variation against KL divergence for sample pairs, below two upper bounds.

    Draws the points :math:`(D_{\mathrm{KL}}(p \| q), \operatorname{TV}(p, q))` with Pinsker's
    bound :math:`\sqrt{D/2}` and the Bretagnolle-Huber bound :math:`\sqrt{1 - e^{-D}}`, which is
    the smaller of the two for :math:`D` above about 1.6 nats and never exceeds 1.

    Parameters
    ----------
    kl : array_like, shape (K,)
        Divergences in nats (finite, non-negative).
    tv : array_like, shape (K,)
        The total variation distances of the same pairs.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``collections[0]`` holds the points; ``lines[0]`` is Pinsker's bound and ``lines[1]``
        the Bretagnolle-Huber bound, on a grid from 0 to the largest divergence; ``lines[2]`` is
        the exact curve of the coin pairs :math:`(\tfrac12, \tfrac12 + \delta)`, which meets
        Pinsker's bound to second order at 0 (the constant :math:`\tfrac12` is sharp).

    Examples
    --------
    >>> from xentbook.plots import plot_pinsker
    >>> ax = plot_pinsker([0.5, 2.0], [0.3, 0.6])
    >>> print(ax.lines[0].get_ydata()[-1].round(4), ax.lines[1].get_ydata()[-1].round(4))
    1.0 0.9299
    """
    func = "plot_pinsker"
    d = np.asarray(float_array(func, "kl", kl, min_ndim=1), dtype=np.float64)
    t = np.asarray(float_array(func, "tv", tv, min_ndim=1), dtype=np.float64)
    if d.ndim != 1 or d.shape != t.shape or d.size == 0:
        raise ValueError(f"{func}: kl and tv must be 1-d arrays of one length")
    if not (np.isfinite(d) & (d >= 0)).all():
        raise ValueError(f"{func}: kl must hold finite, non-negative divergences")
    grid = np.linspace(0.0, float(d.max()), 300)
    ax = new_axes(ax)
    ax.scatter(d, t, s=6, color=COLORS["ce"], alpha=0.35, label="random pairs $(p, q)$")
    ax.plot(grid, np.sqrt(grid / 2), color=COLORS["mse"], lw=2, label=r"Pinsker: $\sqrt{D/2}$")
    ax.plot(
        grid,
        np.sqrt(-np.expm1(-grid)),
        color=COLORS["grad"],
        lw=2,
        ls="--",
        label=r"Bretagnolle-Huber: $\sqrt{1 - e^{-D}}$",
    )
    delta = np.linspace(0.0, 0.4999, 400)
    coins = 0.5 * np.log(0.25 / ((0.5 + delta) * (0.5 - delta)))  # D(1/2 || 1/2 + delta)
    keep = coins <= float(d.max())
    ax.plot(
        coins[keep],
        delta[keep],
        color="black",
        lw=1.5,
        ls=":",
        label=r"coins $\frac{1}{2}$ and $\frac{1}{2} + \delta$ ($\mathrm{TV} = \delta$)",
    )
    ax.set_xlabel(r"$D_{\mathrm{KL}}(p\,\|\,q)$ (nats)", fontsize=12)
    ax.set_ylabel(r"$\mathrm{TV}(p, q)$", fontsize=12)
    ax.set_ylim(0, 1.25)
    ax.set_xlim(0, float(d.max()))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=11, frameon=False)
    return ax


def plot_kl_near_p(
    cases: list[tuple[str, ArrayLike, ArrayLike]], t: ArrayLike | None = None, ax: Any = None
) -> Any:
    r""":math:`D_{\mathrm{KL}}(p \| p + t\,d)` against the step :math:`t`, on log-log axes.

    For each case the solid curve is the divergence along the direction :math:`d`
    (:math:`\sum_i d_i = 0`). Where :math:`p` has full support on the entries that move
    (:math:`p_i > 0` wherever :math:`d_i \ne 0`) a dotted line adds the quadratic approximation
    :math:`\tfrac12 t^2 \sum_i d_i^2 / p_i` (slope 2); otherwise the divergence is of order
    :math:`t` (slope 1) and no quadratic line is drawn.

    Parameters
    ----------
    cases : list of (label, p, d)
        The distribution :math:`p` and the direction :math:`d` of each curve.
    t : array_like, optional
        Positive steps, small enough that every :math:`p + t d` is a distribution (default: 60
        points from 1e-4 to 1e-1, log-spaced).
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        Per case, in order: the divergence curve, then (for full support) its quadratic
        approximation.

    Examples
    --------
    >>> from xentbook.plots import plot_kl_near_p
    >>> ax = plot_kl_near_p([("one-hot", [1.0, 0.0], [-1.0, 1.0])], t=[0.01, 0.1])
    >>> print(ax.lines[0].get_ydata().round(5))
    [0.01005 0.10536]
    """
    func = "plot_kl_near_p"
    ts = np.geomspace(1e-4, 1e-1, 60) if t is None else float_array(func, "t", t, min_ndim=1)
    ts = np.asarray(ts, dtype=np.float64)
    if ts.ndim != 1 or not (ts > 0).all():
        raise ValueError(f"{func}: t must be a 1-d array of positive steps")
    ax = new_axes(ax)
    palette = [COLORS["ce"], COLORS["mse"], COLORS["grad"], COLORS["extra"]]
    for k, (label, p, d) in enumerate(cases):
        pa = np.asarray(p, dtype=np.float64)
        da = np.asarray(d, dtype=np.float64)
        if pa.shape != da.shape or abs(float(da.sum())) > 1e-12:
            raise ValueError(f"{func}: the direction of {label!r} must have p's shape and sum to 0")
        q = pa + ts[:, None] * da
        if (q < 0).any():
            raise ValueError(f"{func}: a step t leaves the simplex for {label!r}")
        kl = kl_divergence(np.broadcast_to(pa, q.shape), q)
        color = palette[k % len(palette)]
        ax.plot(ts, kl, color=color, lw=2, label=label)
        moving = da != 0
        if (pa[moving] > 0).all():
            quad = 0.5 * ts**2 * np.sum(da[moving] ** 2 / pa[moving])
            ax.plot(
                ts,
                quad,
                color="black",
                lw=2.5,
                ls=(0, (1, 2)),
                zorder=3,
                label="quadratic form (Fisher metric)",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("step $t$", fontsize=12)
    ax.set_ylabel(r"$D_{\mathrm{KL}}(p\,\|\,p + t\,d)$ (nats)", fontsize=12)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=11, frameon=False)
    return ax


def plot_kl_asymmetry(a: float, b: ArrayLike | None = None, ax: Any = None) -> Any:
    r"""Both directions of the KL divergence between two coins, against the second coin.

    Draws :math:`D_{\mathrm{KL}}(a \,\|\, b)` and :math:`D_{\mathrm{KL}}(b \,\|\, a)` for
    Bernoulli distributions with success probabilities :math:`a` (fixed) and :math:`b`.

    Parameters
    ----------
    a : float
        The fixed coin, in (0, 1).
    b : array_like, optional
        Values of the other coin, in (0, 1) (default: 400 points from 0.002 to 0.998).
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``lines[0]`` is :math:`D(a \| b)` and ``lines[1]`` is :math:`D(b \| a)`, in nats.

    Examples
    --------
    >>> from xentbook.plots import plot_kl_asymmetry
    >>> ax = plot_kl_asymmetry(0.2, [0.5, 0.8])
    >>> print(ax.lines[0].get_ydata().round(4), ax.lines[1].get_ydata().round(4))
    [0.1927 0.8318] [0.2231 0.8318]
    """
    func = "plot_kl_asymmetry"
    if not 0 < float(a) < 1:
        raise ValueError(f"{func}: a must lie in (0, 1), got {a!r}")
    bs = _open_unit_grid(func, "b", b, np.linspace(0.002, 0.998, 400))
    pa = np.broadcast_to(np.array([1 - float(a), float(a)]), (bs.size, 2))
    pb = np.stack([1 - bs, bs], axis=-1)
    ax = new_axes(ax)
    ax.plot(
        bs,
        kl_divergence(pa, pb),
        color=COLORS["ce"],
        lw=2,
        label=rf"$D_{{\mathrm{{KL}}}}({float(a):g}\,\|\,b)$: model $b$ second",
    )
    ax.plot(
        bs,
        kl_divergence(pb, pa),
        color=COLORS["mse"],
        lw=2,
        ls="--",
        label=rf"$D_{{\mathrm{{KL}}}}(b\,\|\,{float(a):g})$: model $b$ first",
    )
    ax.axvline(float(a), color=COLORS["reference"], lw=1, ls=":")
    ax.set_xlabel("second coin $b$ (probability of heads)", fontsize=12)
    ax.set_ylabel("divergence (nats)", fontsize=12)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=11, frameon=False)
    return ax


def plot_kl_landscape(
    mu: ArrayLike, sigma: ArrayLike, values: ArrayLike, minima: Any = (), ax: Any = None
) -> Any:
    r"""Contours of a divergence over Gaussians :math:`(\mu, \sigma)`, with its local minima.

    Parameters
    ----------
    mu : array_like, shape (A,)
        Means (horizontal axis).
    sigma : array_like, shape (B,)
        Standard deviations (vertical axis, log scale).
    values : array_like, shape (A, B)
        The divergence at each pair, as from :func:`xentbook.book.gaussian_kl_landscape`.
    minima : sequence of (mu, sigma, divergence), optional
        Points to mark, as from :func:`xentbook.book.local_minima_gaussian_kl`.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``collections[-1]`` holds the marked minima (offsets ``(mu, sigma)``); the contour lines
        are drawn at the levels :math:`m + 0.05 \cdot 1.45^k`, with :math:`m` the smallest value.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_kl_landscape
    >>> mu, sigma = np.linspace(-1, 1, 5), np.geomspace(0.5, 2, 4)
    >>> values = mu[:, None] ** 2 + np.log(sigma)[None, :] ** 2
    >>> ax = plot_kl_landscape(mu, sigma, values, [(0.0, 1.0, 0.0)])
    >>> print(ax.collections[-1].get_offsets().tolist())
    [[0.0, 1.0]]
    """
    func = "plot_kl_landscape"
    ms = np.asarray(mu, dtype=np.float64).reshape(-1)
    ss = np.asarray(sigma, dtype=np.float64).reshape(-1)
    vs = np.asarray(values, dtype=np.float64)
    if vs.shape != (ms.size, ss.size):
        raise ValueError(f"{func}: values must have shape (len(mu), len(sigma)), got {vs.shape}")
    lowest = float(np.nanmin(vs))
    levels = lowest + 0.05 * 1.45 ** np.arange(12)
    ax = new_axes(ax, figsize=(6.0, 4.4))
    filled = ax.contourf(ms, ss, vs.T, levels=np.r_[lowest, levels], cmap="Blues_r", extend="max")
    ax.contour(ms, ss, vs.T, levels=levels, colors="white", linewidths=0.6)
    cbar = ax.figure.colorbar(filled, ax=ax, pad=0.02)
    cbar.set_label(r"$D_{\mathrm{KL}}(q\,\|\,p)$ (nats)", fontsize=11)
    points = [(float(m[0]), float(m[1]), float(m[2])) for m in minima]
    if points:
        pm = np.array(points)
        ax.scatter(
            pm[:, 0],
            pm[:, 1],
            s=60,
            marker="X",
            color=COLORS["accent"],
            edgecolor="black",
            zorder=4,
            label="local minima",
        )
        for m_, s_, d_ in points:
            ax.annotate(
                f"{d_:.3f}",
                (m_, s_),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=11,
                color="black",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
            )
    ax.set_yscale("log")
    # Plain labels on the log axis (0.2, 0.5, 1, 2, 5), not 2 x 10^-1.
    shown = [t for t in (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0) if ss.min() <= t <= ss.max()]
    ax.set_yticks(shown, [f"{t:g}" for t in shown])
    ax.set_yticks([], minor=True)
    # Round colour-bar ticks (0.6, 0.8, 1, 1.5, 2, 3, ...) inside the range of the levels.
    nice = np.array([0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.5, 2.0, 3.0, 5.0])
    nice = np.unique(np.r_[nice, 10.0 * nice, 100.0 * nice])
    ticks = nice[(nice >= lowest) & (nice <= levels[-1])]
    if ticks.size > 7:
        ticks = ticks[:: -(-ticks.size // 7)]
    if ticks.size < 2:
        ticks = np.r_[lowest, levels[-1]]
    cbar.set_ticks(ticks, labels=[f"{t:g}" for t in ticks])
    ax.set_xlabel(r"mean $\mu$", fontsize=12)
    ax.set_ylabel(r"standard deviation $\sigma$", fontsize=12)
    ax.grid(False)
    return ax


def plot_kl_estimators(log_r: ArrayLike | None = None, ax: Any = None) -> Any:
    r"""The per-sample KL estimators :math:`k_1, k_2, k_3` against the log-ratio :math:`\log r`.

    With :math:`r = q(x)/p(x)` for a sample :math:`x \sim p`: :math:`k_1 = -\log r`,
    :math:`k_2 = \tfrac12 (\log r)^2` and :math:`k_3 = (r - 1) - \log r`.

    Parameters
    ----------
    log_r : array_like, optional
        Values of :math:`\log r` (default: 401 points from -3 to 3).
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``lines[0]``, ``lines[1]`` and ``lines[2]`` are :math:`k_1`, :math:`k_2` and
        :math:`k_3` (nats) against :math:`\log r`.

    Examples
    --------
    >>> from xentbook.plots import plot_kl_estimators
    >>> ax = plot_kl_estimators([-1.0, 0.0, 1.0])
    >>> print(ax.lines[2].get_ydata().round(4))
    [0.3679 0.     0.7183]
    """
    func = "plot_kl_estimators"
    if log_r is None:
        lr = np.linspace(-3.0, 3.0, 401)
    else:
        lr = np.asarray(float_array(func, "log_r", log_r, min_ndim=1), dtype=np.float64)
        if lr.ndim != 1 or lr.size < 2 or not np.isfinite(lr).all():
            raise ValueError(f"{func}: log_r must be a 1-d array of at least 2 finite values")
    ax = new_axes(ax)
    ax.plot(lr, -lr, color=COLORS["ce"], lw=2, label=r"$k_1 = -\log r$")
    ax.plot(
        lr, 0.5 * lr**2, color=COLORS["grad"], lw=2, ls=":", label=r"$k_2 = \frac{1}{2}(\log r)^2$"
    )
    ax.plot(
        lr, np.expm1(lr) - lr, color=COLORS["mse"], lw=2, ls="--", label=r"$k_3 = (r - 1) - \log r$"
    )
    ax.axhline(0.0, color=COLORS["reference"], lw=1)
    ax.set_xlabel(r"$\log r = \log q(x) - \log p(x)$ of one sample $x \sim p$", fontsize=12)
    ax.set_ylabel("estimate (nats)", fontsize=12)
    ax.set_xlim(float(lr.min()), float(lr.max()))
    ax.set_ylim(-3.0, 6.0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=11, frameon=False, ncols=1)
    return ax


def plot_kl_float32_errors(divergences: ArrayLike, estimates: Any, ax: Any = None) -> Any:
    r"""Relative error of float32 computations of a KL divergence against its size, log-log.

    Parameters
    ----------
    divergences : array_like, shape (S,)
        Reference values :math:`D > 0` (nats), as from
        :func:`xentbook.book.kl_float32_estimates`.
    estimates : dict of str to array_like, shape (S,)
        Computed values of the same divergences, one entry per method (at most four), in the
        order to draw them.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``lines[k]`` is :math:`|\hat D - D| / D` of the ``k``-th method against :math:`D`
        (floored at ``1e-9`` so that an exact value stays on the log axis); the last line is
        the level 1, an error as large as the divergence.

    Examples
    --------
    >>> from xentbook.plots import plot_kl_float32_errors
    >>> ax = plot_kl_float32_errors([1e-8, 1e-4], {"direct": [-1e-7, 1.0001e-4]})
    >>> print(ax.lines[0].get_ydata().round(4))
    [11.      0.0001]
    """
    func = "plot_kl_float32_errors"
    d = np.asarray(float_array(func, "divergences", divergences, min_ndim=1), dtype=np.float64)
    if d.ndim != 1 or d.size < 2 or not (np.isfinite(d) & (d > 0)).all():
        raise ValueError(f"{func}: divergences must be a 1-d array of at least 2 positive values")
    if not isinstance(estimates, dict) or not 1 <= len(estimates) <= 4:
        raise ValueError(f"{func}: estimates must be a dict of one to four methods")
    styles = [
        (COLORS["mse"], "-", "o"),
        (COLORS["accent"], "--", "s"),
        (COLORS["ce"], "-", "^"),
        (COLORS["grad"], ":", "D"),
    ]
    ax = new_axes(ax)
    for (name, values), (color, ls, marker) in zip(estimates.items(), styles, strict=False):
        v = np.asarray(float_array(func, f"estimates[{name!r}]", values), dtype=np.float64)
        if v.shape != d.shape:
            raise ValueError(f"{func}: estimates[{name!r}] must have the shape of divergences")
        error = np.maximum(np.abs(v - d) / d, 1e-9)
        ax.plot(d, error, color=color, ls=ls, marker=marker, ms=5, lw=2, label=str(name))
    ax.axhline(1.0, color=COLORS["reference"], lw=1.5, ls="-.", label="error = divergence")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$D_{\mathrm{KL}}(p \,\|\, q)$ (nats, float64 reference)", fontsize=12)
    ax.set_ylabel("relative error in float32", fontsize=12)
    ax.tick_params(labelsize=11)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=11, frameon=False, ncols=2)
    return ax


def plot_kl_estimator_spread(results: Any, bins: int = 40, ax: Any = None) -> Any:
    r"""Histograms of batch means of the KL estimators, one stacked panel per pair of models.

    Parameters
    ----------
    results : dict of str to (float, dict of str to array_like)
        Panel title to ``(divergence, batch_means)``: the exact :math:`D_{\mathrm{KL}}(p \| q)`
        (nats) and, per estimator (at most three, e.g. ``"k1"``, ``"k2"``, ``"k3"``), its mean
        over each batch of samples.
    bins : int, optional
        Number of bins, shared by the estimators of a panel and spanning all their values.
    ax : sequence of Axes, optional
        One Axes per entry of ``results``; default a new figure of stacked panels.

    Returns
    -------
    numpy.ndarray of Axes
        One panel per entry of ``results``; in each, ``patches[k]`` is the histogram (as a
        density, a ``StepPatch``) of the ``k``-th estimator's batch means, and ``lines[0]`` the
        vertical line at the divergence.

    Examples
    --------
    >>> from xentbook.plots import plot_kl_estimator_spread
    >>> means = {"a": (0.5, {"k1": [0.4, 0.6], "k3": [0.5, 0.5]})}
    >>> panels = plot_kl_estimator_spread(means, 2)
    >>> print(panels[0].patches[0].get_data().values)
    [5. 5.]
    """
    func = "plot_kl_estimator_spread"
    if not isinstance(results, dict) or not results:
        raise ValueError(f"{func}: results must be a non-empty dict of panels")
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValueError(f"{func}: bins must be a positive int")
    if ax is None:
        n = len(results)
        drawn = new_axes(nrows=n, figsize=(6.0, 3.0 * n + 1.0))
        panels = np.atleast_1d(np.asarray(drawn, dtype=object)).ravel()
    else:
        panels = np.asarray(ax, dtype=object).ravel()
        if panels.size != len(results):
            raise ValueError(f"{func}: ax must hold one Axes per entry of results")
    styles = [(COLORS["ce"], "-"), (COLORS["grad"], ":"), (COLORS["mse"], "--")]
    for panel, (title, (divergence, batch_means)) in zip(panels, results.items(), strict=True):
        if not isinstance(batch_means, dict) or not 1 <= len(batch_means) <= 3:
            raise ValueError(f"{func}: batch_means of {title!r} must be a dict of 1 to 3 arrays")
        values = {
            k: np.asarray(float_array(func, f"batch_means[{k!r}]", v, min_ndim=1), np.float64)
            for k, v in batch_means.items()
        }
        if not all(np.isfinite(v).all() and v.ndim == 1 for v in values.values()):
            raise ValueError(f"{func}: batch means must be 1-d arrays of finite values")
        pooled = np.concatenate(list(values.values()))
        edges = np.linspace(float(pooled.min()), float(pooled.max()), bins + 1)
        if edges[0] == edges[-1]:
            edges = edges[0] + np.linspace(-0.5, 0.5, bins + 1)
        for (name, v), (color, ls) in zip(values.items(), styles, strict=False):
            density, _ = np.histogram(v, bins=edges, density=True)
            label = rf"${name[0]}_{{{name[1:]}}}$" if name[1:].isdigit() else str(name)
            panel.stairs(density, edges, color=color, ls=ls, lw=2, label=label)
        panel.axvline(float(divergence), color="black", lw=1.5, ls="-.", label=r"exact $D$")
        panel.set_title(str(title), fontsize=12)
        panel.set_ylabel("density", fontsize=12)
        panel.tick_params(labelsize=11)
    panels[-1].set_xlabel("batch mean of the estimate (nats)", fontsize=12)
    panels[-1].legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.25), fontsize=11, frameon=False, ncols=4
    )
    return panels


def plot_stein_exponents(ns: ArrayLike, curves: Any, ax: Any = None) -> Any:
    r"""Error exponents of tests against the number of observations, with their limits.

    Parameters
    ----------
    ns : array_like
        Numbers of observations, positive (drawn on a log axis).
    curves : dict of str to (array_like, float)
        Legend label to ``(exponents, divergence)``: the exponent
        :math:`-\tfrac1n \log \beta^{\mathrm{LR}}_n` of a threshold test at each ``n`` (nats)
        and the limit :math:`D_{\mathrm{KL}}(p \,\|\, q)` that Stein's lemma gives it (at most
        two curves).
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        For the ``k``-th curve, ``lines[2 * k]`` holds the exponents and ``lines[2 * k + 1]``
        the horizontal line at its divergence.

    Examples
    --------
    >>> from xentbook.plots import plot_stein_exponents
    >>> ax = plot_stein_exponents([10, 100], {"a": ([0.1, 0.2], 0.25)})
    >>> print(ax.lines[0].get_ydata(), ax.lines[1].get_ydata())
    [0.1 0.2] [0.25 0.25]
    """
    func = "plot_stein_exponents"
    xs = np.asarray(float_array(func, "ns", ns, min_ndim=1), np.float64)
    if xs.ndim != 1 or not np.all(np.isfinite(xs)) or np.any(xs <= 0):
        raise ValueError(f"{func}: ns must be a 1-d array of positive numbers")
    if not isinstance(curves, dict) or not 1 <= len(curves) <= 2:
        raise ValueError(f"{func}: curves must be a dict of one or two entries")
    ax = new_axes(ax, figsize=(6.0, 4.0))
    styles = [(COLORS["ce"], "o"), (COLORS["mse"], "s")]
    for (label, (exponents, divergence)), (color, marker) in zip(
        curves.items(), styles, strict=False
    ):
        ys = np.asarray(float_array(func, "exponents", exponents, min_ndim=1), np.float64)
        if ys.shape != xs.shape:
            raise ValueError(f"{func}: exponents of {label!r} must have the shape of ns")
        limit = float(divergence)
        ax.plot(xs, ys, color=color, marker=marker, ms=4, lw=1.5, label=label)
        ax.plot(
            [xs.min(), xs.max()],
            [limit, limit],
            color=color,
            lw=1.5,
            ls="--",
            label=rf"limit $D_{{\mathrm{{KL}}}} = {limit:.3f}$",
        )
    ax.set_xscale("log")
    ax.set_xlabel("number of observations $n$", fontsize=12)
    ax.set_ylabel(r"$-\frac{1}{n}\log\beta^{\mathrm{LR}}_n$ (nats)", fontsize=12)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, fontsize=11, frameon=False)
    return ax


def _k3_relative_gap(log_p: Any, log_q: Any) -> Any:
    # Rows of log-probabilities; the k3 loss's expected gradient in the policy's logits is
    # p - q, the gradient of D(p || q) is p (log p - log q - D).
    p, q = np.exp(log_p), np.exp(log_q)
    kl = np.sum(p * (log_p - log_q), axis=-1)
    intended = p * (log_p - log_q - kl[..., None])
    gap = np.linalg.norm((p - q) - intended, axis=-1) / np.linalg.norm(intended, axis=-1)
    return kl, gap


def plot_k3_gradient_gap(
    z_policy: ArrayLike,
    z_reference: ArrayLike,
    directions: ArrayLike | None = None,
    scales: ArrayLike | None = None,
    ax: Any = None,
) -> Any:
    r"""Relative gap between the :math:`k_3`-loss gradient and the gradient it is meant to give.

    For a policy :math:`p = \operatorname{softmax}(z)` and a reference
    :math:`q = \operatorname{softmax}(z + s\,h)`, the :math:`k_3` estimator differentiated as a
    loss has expected gradient :math:`p - q` in :math:`z`, the gradient of
    :math:`D_{\mathrm{KL}}(q \| p)`, while the intended gradient is that of
    :math:`D_{\mathrm{KL}}(p \| q)`, :math:`p\,(\log p - \log q - D_{\mathrm{KL}}(p \| q))`. The
    figure draws :math:`\lVert (p - q) - \nabla_z D_{\mathrm{KL}}(p \| q) \rVert /
    \lVert \nabla_z D_{\mathrm{KL}}(p \| q) \rVert` against :math:`D_{\mathrm{KL}}(p \| q)`,
    log-log, as :math:`s` grows.

    Parameters
    ----------
    z_policy, z_reference : array_like, shape (C,)
        Logits of the policy and of the reference; :math:`h` = ``z_reference - z_policy``.
    directions : array_like, shape (K, C), optional
        Further directions :math:`h`, each centred (a constant shift of the logits changes
        nothing) and scaled to the length of the centred ``z_reference - z_policy``; drawn in
        grey.
    scales : array_like, optional
        Positive values of :math:`s` (default: 60 points from 1e-2 to 3, log-spaced).
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        ``lines[0]`` is the path towards ``z_reference`` (``x``: divergence in nats, ``y``:
        relative gap), ``lines[1]`` the point :math:`s = 1`, the reference itself, and
        ``lines[2 + k]`` the path along ``directions[k]``.

    Examples
    --------
    >>> from xentbook.plots import plot_k3_gradient_gap
    >>> ax = plot_k3_gradient_gap([0.5, 0.0, -0.5], [0.0, 0.3, 0.0], scales=[0.1, 1.0])
    >>> print(ax.lines[0].get_ydata().round(4))
    [0.0057 0.0797]
    """
    func = "plot_k3_gradient_gap"
    z = np.asarray(float_array(func, "z_policy", z_policy, min_ndim=1), dtype=np.float64)
    z_ref = np.asarray(float_array(func, "z_reference", z_reference, min_ndim=1), np.float64)
    if z.ndim != 1 or z.shape != z_ref.shape or z.size < 2:
        raise ValueError(f"{func}: z_policy and z_reference must be 1-d of the same length >= 2")
    step = z_ref - z
    step = step - step.mean()
    length = float(np.linalg.norm(step))
    if not np.isfinite(length) or length == 0.0:
        raise ValueError(f"{func}: z_reference must differ from z_policy by more than a constant")
    if scales is None:
        ss = np.geomspace(1e-2, 3.0, 60)
    else:
        ss = np.asarray(float_array(func, "scales", scales, min_ndim=1), dtype=np.float64)
        if ss.ndim != 1 or ss.size < 2 or not (np.isfinite(ss) & (ss > 0)).all():
            raise ValueError(f"{func}: scales must be a 1-d array of at least 2 positive values")
    if directions is None:
        hs = np.empty((0, z.size))
    else:
        hs = np.asarray(float_array(func, "directions", directions, min_ndim=2), np.float64)
        if hs.ndim != 2 or hs.shape[1] != z.size:
            raise ValueError(f"{func}: directions must have shape (K, {z.size})")
        hs = hs - hs.mean(axis=1, keepdims=True)
        norms = np.linalg.norm(hs, axis=1, keepdims=True)
        if not (np.isfinite(norms) & (norms > 0)).all():
            raise ValueError(f"{func}: every direction must differ from a constant")
        hs = hs * (length / norms)

    log_p = log_softmax(z)
    ax = new_axes(ax)
    kl, gap = _k3_relative_gap(log_p, log_softmax(z + ss[:, None] * step))
    ax.plot(kl, gap, color=COLORS["ce"], lw=2.5, zorder=3, label="towards the reference")
    kl_1, gap_1 = _k3_relative_gap(log_p, log_softmax(z + step))
    ax.plot(
        [kl_1], [gap_1], "o", color=COLORS["mse"], ms=8, zorder=4, label="the reference ($s = 1$)"
    )
    for k, h in enumerate(hs):
        kl_h, gap_h = _k3_relative_gap(log_p, log_softmax(z + ss[:, None] * h))
        label = "other directions, same logit distance" if k == 0 else None
        ax.plot(kl_h, gap_h, color=COLORS["reference"], lw=1, alpha=0.6, zorder=2, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$D_{\mathrm{KL}}(p \,\|\, q)$ (nats)", fontsize=12)
    ax.set_ylabel("relative gradient gap", fontsize=12)
    ax.tick_params(labelsize=11)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=11, frameon=False)
    return ax
